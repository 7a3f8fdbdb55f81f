"""Dump schemas: what the API returns. Separate from the load schemas on purpose.

ARR is returned as a **string decimal with two places** (``"12000.00"``), never
a JSON number: JSON numbers are binary floats in most clients, and money must
round-trip exactly. Times are ISO 8601 in UTC with an offset; dates are
``YYYY-MM-DD``.
"""
from __future__ import annotations

from marshmallow import Schema, fields

_NULLABLE_STRING = {"type": "string", "nullable": True}


def _account_external_id(contact) -> str | None:
    return contact.account.external_id if contact.account is not None else None


def _unsubscribed(contact) -> bool:
    return contact.unsubscribed_at is not None


class AccountSchema(Schema):
    """An account as the API returns it."""

    external_id = fields.String(metadata={"description": "The account's id in your CRM; unique."})
    name = fields.String(metadata={"description": "Company name."})
    plan = fields.String(allow_none=True, metadata={"description": "Plan or tier, e.g. 'pro'."})
    segment = fields.String(allow_none=True, metadata={"description": "Segment, e.g. 'enterprise'."})
    arr = fields.Decimal(as_string=True, places=2, allow_none=True, metadata={
        "description": "Annual recurring revenue as a string decimal with two places, e.g. \"12000.00\" "
                       "(a string so that no client rounds it through a float).",
        "type": "string", "format": "decimal", "example": "12000.00"})
    csm_email = fields.String(allow_none=True, metadata={"description": "Email of the account's CSM."})
    renewal_date = fields.Date(allow_none=True, metadata={"description": "Next renewal, YYYY-MM-DD."})
    attributes = fields.Dict(metadata={"description": "Extra fields as a JSON object."})
    created_at = fields.DateTime(metadata={"description": "When the service first saw the account (UTC)."})
    updated_at = fields.DateTime(metadata={
        "description": "When a field last changed (UTC); re-sending identical data does not move it."})


class ContactSchema(Schema):
    """A contact as the API returns it. Erased contacts are never returned."""

    external_id = fields.String(metadata={"description": "The person's id in your product; unique."})
    account_external_id = fields.Function(_account_external_id, metadata={
        "description": "external_id of the contact's account, or null.", **_NULLABLE_STRING})
    email = fields.String(allow_none=True, metadata={"description": "Email address."})
    name = fields.String(allow_none=True, metadata={"description": "Full name."})
    timezone = fields.String(allow_none=True, metadata={"description": "IANA timezone, e.g. 'Europe/Paris'."})
    locale = fields.String(allow_none=True, metadata={"description": "Preferred language, e.g. 'pt-BR'."})
    attributes = fields.Dict(metadata={"description": "Extra fields as a JSON object."})
    unsubscribed = fields.Function(_unsubscribed, metadata={
        "description": "true when the contact must not be surveyed.", "type": "boolean"})
    unsubscribed_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the contact unsubscribed (UTC), or null."})
    created_at = fields.DateTime(metadata={"description": "When the service first saw the contact (UTC)."})
    updated_at = fields.DateTime(metadata={
        "description": "When a field last changed (UTC); re-sending identical data does not move it."})


class BatchResultSchema(Schema):
    """What a batch upsert did. Every row was written, or none was."""

    created = fields.Integer(metadata={"description": "Rows that created a record."})
    updated = fields.Integer(metadata={"description": "Rows that changed an existing record."})
    unchanged = fields.Integer(metadata={"description": "Rows identical to the stored record (nothing written)."})
    external_ids = fields.List(fields.String(), metadata={
        "description": "The external_id of every row, in the order sent."})
