"""The REST API under /api/v1 (flask-smorest: marshmallow schemas become OpenAPI).

Callers authenticate with ``Authorization: Bearer <secret key>`` or, from the
web UI, with their session plus the ``X-CSRFToken`` header on writes (checked
by :mod:`feedback.auth.access`, which is why the blueprints are exempt from the
form CSRF check). Errors under ``/api/`` are JSON (see :mod:`feedback.api.errors`).
The OpenAPI document is at ``/api/v1/openapi.json``, the docs page at ``/api/v1/docs``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask

from feedback.extensions import api, csrf

API_DESCRIPTION = (
    "Sync accounts and contacts from your CRM or product, and erase a person on request. Design and "
    "publish surveys, record responses from your own channels or history, and read every response "
    "joined to its contact and account.\n\n"
    "Authenticate with `Authorization: Bearer <secret key>` (create one under API keys, or with "
    "`flask --app wsgi keys create NAME --kind secret`). Errors are JSON objects with `code`, "
    "`status`, `message` and, for invalid input, `errors` naming every field at fault. "
    "Lists are paginated with `page` and `page_size`; the total is in the `X-Pagination` header. "
    "Responses are listed newest first a page at a time with `limit` and `cursor`: the next page's "
    "cursor is in the `X-Next-Cursor` header. Submitting a response is idempotent per "
    "`client_response_id`: the same id again never records a second response."
)


def _document_security() -> None:
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "A secret API key (sk_...). Public keys (pk_...) are refused here."})
    api.spec.components.security_scheme("sessionCookie", {
        "type": "apiKey", "in": "cookie", "name": "session",
        "description": "A logged-in web session; writes also need the X-CSRFToken header."})
    api.spec.options["security"] = [{"bearerAuth": []}, {"sessionCookie": []}]
    api.spec.options.setdefault("info", {})["description"] = API_DESCRIPTION


def _decimal_bounds_as_numbers(converter, field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function: Range(min=Decimal...) must appear as a JSON number.

    The app's JSON provider writes Decimals as strings (exact money), which
    would make ``minimum``/``maximum`` strings and the document invalid.
    """
    return {key: float(ret[key]) for key in ("minimum", "maximum") if isinstance(ret.get(key), Decimal)}


def init_app(app: Flask) -> None:
    """Register the API's blueprints, error handling and docs (after ``api.init_app(app)``)."""
    from feedback.api import accounts, bounces, contacts, docs, eligibility, errors, events, responses, surveys

    # Before the blueprints: their schemas become components as they register.
    api.ma_plugin.converter.add_attribute_function(_decimal_bounds_as_numbers)
    for blueprint in (accounts.blp, contacts.blp, surveys.blp, responses.blp, events.blp, bounces.blp,
                      eligibility.blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    _document_security()
    errors.init_app(app)
    docs.init_app(app)
