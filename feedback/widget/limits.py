"""Rate limits of the widget endpoints (Flask-Limiter; Redis when REDIS_URL is set).

Two limits on every endpoint, counted per route: one per key and address (a
page in a loop), one per key over every address (a leaked key hammered from
many machines). Answers have a tighter one. Each is a setting, so an operator
(or a test) can change it without code:

``WIDGET_RATE_LIMIT``         per key and IP address, default 600 per minute
``WIDGET_ANSWER_RATE_LIMIT``  per key and IP address on ``answer``, default 120 per minute
``WIDGET_KEY_RATE_LIMIT``     per key, all addresses together, default 20000 per minute
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_limiter.util import get_remote_address

from feedback.extensions import limiter
from feedback.widget.keys import key_prefix

DEFAULTS = {
    "WIDGET_RATE_LIMIT": "600 per minute",
    "WIDGET_ANSWER_RATE_LIMIT": "120 per minute",
    "WIDGET_KEY_RATE_LIMIT": "20000 per minute",
}


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config.get(name) or DEFAULTS[name]


def per_key_and_address() -> str:
    return f"{key_prefix()}|{get_remote_address()}"


def per_key() -> str:
    return key_prefix()


def widget_limits(setting: str = "WIDGET_RATE_LIMIT"):
    """Decorate a widget view with its per key-and-address limit (``setting``) and the per-key one."""
    by_address = limiter.limit(_setting(setting), key_func=per_key_and_address, methods=["POST"])
    by_key = limiter.limit(_setting("WIDGET_KEY_RATE_LIMIT"), key_func=per_key, methods=["POST"])

    def decorate(view):
        return by_address(by_key(view))
    return decorate
