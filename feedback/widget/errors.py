"""The widget's errors: always JSON ``{"error": code, "message": text, "field": name?}``.

Views raise :class:`WidgetError`; HTTP errors raised by Flask, Werkzeug or
Flask-Limiter on the widget's routes (400, 405, 413, 429, 500...) get the same
shape. The handlers are registered per status code on the blueprint because
Flask prefers a code's handler to a class handler, and the web UI registers
HTML pages per code for the whole app.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from werkzeug.exceptions import HTTPException

from surveys.db import db

# Status code → the machine-readable code and the message when the error brings none of its own.
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be read."),
    401: ("invalid_key", "Unknown or revoked key."),
    403: ("forbidden", "Not allowed."),
    404: ("not_found", "No such widget endpoint."),
    405: ("method_not_allowed", "Widget endpoints take POST with a JSON body."),
    413: ("too_large", "The request body is larger than 64 KB."),
    415: ("unsupported_media_type", "Send a JSON body."),
    429: ("rate_limited", "Too many requests; slow down and try again in a minute."),
    500: ("server_error", "Something went wrong on our side; the widget will try again later."),
}


class WidgetError(Exception):
    """A refusal the client can act on: ``status``, a stable ``error`` code, a sentence, the field at fault."""

    def __init__(self, status: int, error: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.field = field


def invalid(field: str, message: str) -> WidgetError:
    """422 for one bad field."""
    return WidgetError(422, "invalid", message, field)


def error_response(status: int, error: str, message: str, field: str | None = None) -> Response:
    payload = {"error": error, "message": message}
    if field is not None:
        payload["field"] = field
    response = jsonify(payload)
    response.status_code = status
    return response


def _widget_error(error: WidgetError) -> Response:
    db.session.rollback()  # never half a write
    return error_response(error.status, error.error, error.message, error.field)


def _http_error(error: HTTPException) -> Response:
    db.session.rollback()
    code = error.code or 500
    name, default = HTTP_ERRORS.get(code, ("error", error.name))
    message = default
    if code == 429 and error.description:
        message = f"Too many requests (at most {error.description}); try again later."
    response = error_response(code, name, message)
    for header, value in error.get_headers():
        if header in ("Retry-After", "Allow"):
            response.headers[header] = value
    return response


def _server_error(error: Exception) -> Response:
    db.session.rollback()
    name, message = HTTP_ERRORS[500]
    return error_response(500, name, message)


def register(bp: Blueprint) -> None:
    bp.register_error_handler(WidgetError, _widget_error)
    for code in HTTP_ERRORS:
        if code == 500:
            bp.register_error_handler(500, _server_error)
        else:
            bp.register_error_handler(code, _http_error)
