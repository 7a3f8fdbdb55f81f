"""Reading a widget request's body: JSON whatever the content type, at most 64 KB.

The client posts ``Content-Type: text/plain`` (a "simple" CORS request, so no
preflight), which is why the body is parsed here rather than by
``request.get_json``. The outcome, body or error, is kept on ``g``: the rate
limiter reads the key from it before the view runs, and must neither read the
stream twice nor fail the request itself.
"""
from __future__ import annotations

import json
from typing import Any

from flask import g, request
from werkzeug.exceptions import RequestEntityTooLarge

from feedback.widget.errors import WidgetError, invalid

MAX_BODY = 64 * 1024
_CACHE = "widget_body"


def _parse() -> dict[str, Any] | WidgetError:
    request.max_content_length = MAX_BODY
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return WidgetError(413, "too_large", f"The request body is larger than {MAX_BODY // 1024} KB.")
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError):
        return WidgetError(400, "invalid_json", "The body is not valid JSON.")
    if not isinstance(body, dict):
        return WidgetError(400, "invalid_json", "The body must be a JSON object.")
    return body


def widget_body() -> dict[str, Any]:
    """The request's JSON object; raises :class:`WidgetError` (400, 413)."""
    if _CACHE not in g:
        g.setdefault(_CACHE, _parse())
    outcome = g.get(_CACHE)
    if isinstance(outcome, WidgetError):
        raise outcome
    return outcome


def peek_body() -> dict[str, Any]:
    """The body when it can be read, else ``{}``: never raises (for the rate limiter and CORS)."""
    try:
        return widget_body()
    except WidgetError:
        return {}


def text_field(body: dict[str, Any], name: str, *, max_length: int, required: bool = True,
               label: str | None = None) -> str | None:
    """A string field, trimmed; 422 naming it when missing, not text, or too long."""
    value = body.get(name)
    label = label or name
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise invalid(label, f"{label} is required.")
        return None
    if not isinstance(value, str):
        raise invalid(label, f"{label} must be a string.")
    value = value.strip()
    if len(value) > max_length:
        raise invalid(label, f"{label} is at most {max_length} characters.")
    return value


def id_field(body: dict[str, Any], name: str, *, required: bool = True) -> int | None:
    """A positive integer id (a JSON number or its digits as a string)."""
    value = body.get(name)
    if value is None:
        if required:
            raise invalid(name, f"{name} is required.")
        return None
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise invalid(name, f"{name} must be a positive whole number.")
    return value
