"""HTTP errors: JSON under ``/api/``, the web UI's pages everywhere else.

flask-smorest registers an app-wide ``HTTPException`` handler that answers
JSON. This module replaces it with one that dispatches on the path: API paths
get flask-smorest's shape ``{"code", "status", "message", "errors"}``; any
other path is handed to the callable stored in
``app.extensions["html_error_handler"]`` (the web UI's error pages), or, when
there is none, answered by Flask's default HTML error page.

Flask prefers a handler registered for a specific code (``404`` ...) over this
one, so any such handler (the web UI registers some) must hand API paths back to
``app.extensions["api_error_handler"]``; ``tests/feedback/web/test_errors.py``
checks that API paths still answer JSON.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException

from feedback.extensions import api

API_PREFIX = "/api/"

# Headers of the exception worth keeping in a JSON answer (werkzeug's own
# headers also carry its HTML Content-Type, which must not be copied).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def is_api_path(path: str) -> bool:
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


def json_error(error: HTTPException):
    """flask-smorest's JSON error answer, with the headers the status needs."""
    payload, status, headers = api.handle_http_exception(error)
    headers = dict(headers or {})
    for name, value in error.get_headers():
        if name in _KEPT_HEADERS:
            headers.setdefault(name, value)
    if status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    if "message" not in payload and error.description:
        payload["message"] = error.description
    return payload, status, headers


def handle_http_exception(error: HTTPException):
    if is_api_path(request.path):
        return json_error(error)
    html_handler = current_app.extensions.get("html_error_handler")
    if html_handler is not None:
        return html_handler(error)
    return error  # Flask renders its default page for an unhandled HTTPException


def init_app(app: Flask) -> None:
    """Take over the app-wide ``HTTPException`` handler (call after ``api.init_app``).

    ``app.extensions["api_error_handler"]`` publishes :func:`json_error` for the
    web layer's per-code handlers to hand API paths back to.
    """
    app.extensions["api_error_handler"] = json_error
    app.register_error_handler(HTTPException, handle_http_exception)
