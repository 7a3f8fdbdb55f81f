"""Who may call the widget endpoints: a public key, from a page on one of its allowed origins.

The body's ``key`` must be an active public key (``pk_...``): a secret key is
refused with 403 and the reason (it must never be in a web page), an unknown or
revoked one with 401. The request's ``Origin`` must be one of the key's
``allowed_origins`` (an empty list allows none): otherwise 403
``origin_not_allowed``.

CORS: a successful answer carries ``Access-Control-Allow-Origin: <Origin>`` only
once that origin passed the check; an error answer carries it for any origin, so
the page's script can read *why* it was refused (an error holds no data, only
the reason) and say so in one console warning instead of a CORS failure.
Every answer varies on ``Origin``.
"""
from __future__ import annotations

from flask import Response, g, request
from sqlalchemy.exc import OperationalError

from feedback.auth.keys import authenticate_key
from feedback.auth.models import ApiKey, KeyKind
from feedback.widget.body import peek_body, widget_body
from feedback.widget.errors import WidgetError
from surveys.db import db

SECRET_KEY_MESSAGE = ("A secret key must never be in a web page; use a public key (pk_...). "
                      "Revoke this secret key under API keys if the page was published.")
KEY_MAX = 200
PREFLIGHT_MAX_AGE = "600"
_ALLOWED = "widget_origin"


def normalise_origin(origin: str) -> str:
    """``https://App.example.com/`` → ``https://app.example.com``: how origins are compared."""
    return origin.strip().rstrip("/").lower()


def origin_allowed(key: ApiKey, origin: str | None) -> bool:
    if not origin or origin == "null":  # sandboxed frames and file:// pages have no origin to allow
        return False
    allowed = {normalise_origin(o) for o in (key.allowed_origins or []) if isinstance(o, str)}
    return normalise_origin(origin) in allowed


def _plaintext(body: dict) -> str:
    value = body.get("key")
    if not isinstance(value, str) or not value.strip():
        raise WidgetError(401, "missing_key", "key is required: the widget's public key (pk_...).", "key")
    return value.strip()[:KEY_MAX + 1]


def _record_last_use(key: ApiKey) -> None:
    if not db.session.is_modified(key):
        return
    try:
        db.session.commit()  # last use is recorded whatever the request does next
    except OperationalError:  # best effort: a busy SQLite writer must not fail the request
        db.session.rollback()


def authenticate() -> ApiKey:
    """The caller's public key, checked against the request's origin; raises :class:`WidgetError`."""
    plaintext = _plaintext(widget_body())
    if plaintext.startswith("sk_"):
        raise WidgetError(403, "secret_key", SECRET_KEY_MESSAGE, "key")
    key = authenticate_key(db.session, plaintext)
    if key is None:
        raise WidgetError(401, "invalid_key", "This key is unknown or has been revoked.", "key")
    if key.kind is not KeyKind.PUBLIC:
        raise WidgetError(403, "secret_key", SECRET_KEY_MESSAGE, "key")
    _record_last_use(key)
    origin = request.headers.get("Origin")
    if not origin_allowed(key, origin):
        shown = origin if origin else "(none)"
        raise WidgetError(403, "origin_not_allowed",
                          f"The origin {shown[:200]} is not allowed for this key; add it to the key's "
                          "allowed origins (API keys page, or `keys create --origin`).")
    g.setdefault(_ALLOWED, origin)
    return key


def key_prefix() -> str:
    """The prefix of the key the body names (``pk_1a2b3c...``), unchecked: the rate limiter's key."""
    value = peek_body().get("key")
    if not isinstance(value, str):
        return "-"
    parts = value.strip().split("_", 2)
    return "_".join(parts[:2])[:32] if len(parts) == 3 else "-"


def add_cors_headers(response: Response) -> Response:
    """The CORS headers of every widget answer (see the module docstring); preflights allowed."""
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin:
        return response
    if request.method == "OPTIONS":
        # The client sends simple requests and needs no preflight; should one come, allow it:
        # the real request is still checked against the key's origins.
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    elif g.get(_ALLOWED) == origin or response.status_code >= 400:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response
