"""The ``widget`` blueprint: the public endpoints under ``/w/v1`` and ``widget.js`` itself.

Public: no login, no session, no cookie, no CSRF token (a public key and the
page's origin stand in for them, see :mod:`feedback.widget.keys`). Every answer
is JSON (errors too, see :mod:`feedback.widget.errors`) and is never cached,
except the script, which caches like any static file.
"""
from __future__ import annotations

from flask import Blueprint, Response, request

from feedback.widget import errors
from feedback.widget.body import MAX_BODY
from feedback.widget.keys import add_cors_headers

PREFIX = "/w/v1"
bp = Blueprint("widget", __name__, url_prefix=PREFIX)
errors.register(bp)

ENDPOINTS = ("identify", "visitor", "track", "poll", "show", "shown", "answer", "dismiss")
_SCRIPT_ENDPOINTS = frozenset({"widget.script", "widget.script_hashed"})


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_BODY
    request.max_form_memory_size = MAX_BODY


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.endpoint in _SCRIPT_ENDPOINTS:
        return response  # the script's own headers (see feedback.widget.assets)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return add_cors_headers(response)


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def _unknown(rest: str):
    """A path under ``/w/v1`` that is no endpoint (or a GET of one): JSON, not the web UI's page."""
    if rest in ENDPOINTS:
        raise errors.WidgetError(405, "method_not_allowed", f"{PREFIX}/{rest} takes POST with a JSON body.")
    raise errors.WidgetError(404, "not_found", f"No widget endpoint {PREFIX}/{rest[:100]}.")
