"""Friendly HTML error pages for every path outside ``/api/``, which keeps its JSON errors.

Two ways in, one page out: :func:`render_error` is published as
``app.extensions["html_error_handler"]`` for the API layer's catch-all
``HTTPException`` handler to call on non-API paths, and is also registered per
status code here. Flask prefers a per-code handler to a class handler, for API
paths too, so ours hand ``/api/`` paths back to the API layer's JSON answer
(:func:`feedback.api.errors.json_error`).
"""
from __future__ import annotations

from flask import Flask, Response, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from feedback.api.errors import is_api_path, json_error
from surveys.db import db

PAGES: dict[int, tuple[str, str]] = {
    400: ("Something was wrong with that request",
          "The page could not make sense of what was sent. Go back, check the form and try again."),
    403: ("You don't have access to this page",
          "Your role does not allow this. Ask an admin of your workspace if you need it."),
    404: ("Page not found", "There is nothing here. The link may be old, or the record was removed."),
    405: ("That action is not available here", "This page does not accept that kind of request."),
    410: ("This link is no longer valid", "It has expired or has already been used."),
    429: ("Too many attempts", "Wait a minute before trying again."),
    413: ("That file is too large", "Upload a smaller file, or import it with the command line instead."),
    500: ("Something went wrong on our side",
          "The error has been logged. Try again in a moment; if it keeps happening, tell your operator."),
}
CSRF_MESSAGE = ("This form has expired or did not come from this site. "
                "Go back, reload the page and send it again.")


def render_error(error: HTTPException | Exception, message: str | None = None) -> Response:
    """The HTML page for ``error`` with its status code (500 for anything not HTTP)."""
    code = error.code if isinstance(error, HTTPException) and error.code else 500
    title, default_text = PAGES.get(code, (getattr(error, "name", "Error"), ""))
    if isinstance(error, CSRFError):
        message = message or CSRF_MESSAGE
    if code >= 500:
        db.session.rollback()  # a failed transaction must not break the page that reports it
    try:
        body = render_template("web/error.html", code=code, title=title, message=message or default_text)
    except Exception:  # the error page must never fail: fall back to plain text
        if code < 500:
            raise
        body = f"{code} {title}"
    return make_response(body, code)


def _handle(error: HTTPException):
    if is_api_path(request.path):
        return json_error(error)
    return render_error(error)


def init_app(app: Flask) -> None:
    app.extensions["html_error_handler"] = render_error
    for code in PAGES:
        app.register_error_handler(code, _handle)
