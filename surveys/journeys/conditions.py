"""Filter conditions: which fields a trigger's filters may test, with which ops and values.

:class:`FilterSchema` validates one filter and writes it in canonical form (shorthands such as
``plan`` expanded to ``account.plan``, numbers as numbers, dates as ISO text); the helpers
here are shared with the evaluation in :mod:`surveys.journeys.filters`.
"""
from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

OPS = ("=", "!=", "in", "not in", ">", ">=", "<", "<=", "exists", "contains")
ORDER_OPS = (">", ">=", "<", "<=")
MAX_LIST_VALUES = 100
VALUE_MAX = 500

# Fields a filter can test, by kind: "number" and "date" compare with > and <; "text" does not.
ACCOUNT_FIELDS = {"plan": "text", "segment": "text", "arr": "number", "csm_email": "text", "renewal_date": "date"}
CONTACT_FIELDS = {"email": "text", "locale": "text", "timezone": "text", "created_at": "date"}
SHORTHANDS = {"plan": "account.plan", "segment": "account.segment", "arr": "account.arr",
              "csm": "account.csm_email", "csm_email": "account.csm_email", "renewal_date": "account.renewal_date"}
ATTRIBUTE_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def field_kind(name: str, *, allow_properties: bool = True) -> str | None:
    """``"text"``, ``"number"``, ``"date"`` or ``"any"`` (attributes, properties); ``None``: not a field."""
    namespace, _, rest = name.partition(".")
    if namespace in ("account", "contact"):
        known = ACCOUNT_FIELDS if namespace == "account" else CONTACT_FIELDS
        if rest in known:
            return known[rest]
        prefix, _, key = rest.partition(".")
        return "any" if prefix == "attributes" and ATTRIBUTE_KEY.match(key) else None
    if namespace == "properties" and allow_properties and ATTRIBUTE_KEY.match(rest):
        return "any"
    return None


def plain_number(value: Any) -> int | float | None:
    """A JSON number (or numeric text) as an int when whole, else a float; ``None`` when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if len(value) > 100:  # no number worth comparing is this long; spare the parser
            return None
        try:
            value = Decimal(value.strip())
        except ArithmeticError:
            return None
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return None


def parse_date_value(value: Any) -> date | datetime | None:
    """An ISO date (``2026-12-03``) or aware/naive (read as UTC) datetime, else ``None``."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else _aware(datetime.fromisoformat(text))
    except ValueError:
        return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Name(fields.String):
    """Trimmed text without control characters."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if _CONTROL.search(text):
            raise ValidationError("Must not contain control characters.")
        return text


class FilterSchema(Schema):
    """One audience or property condition; ``value``'s shape depends on ``op``."""

    class Meta:
        unknown = RAISE

    field = fields.String(required=True, metadata={
        "description": "account.plan, account.segment, account.arr, account.csm_email, account.renewal_date, "
                       "account.attributes.<key>, contact.email, contact.locale, contact.timezone, "
                       "contact.created_at, contact.attributes.<key>, or properties.<key> (the event's "
                       "properties; event triggers only). Shorthands: plan, segment, arr, csm.",
        "example": "account.plan"})
    op = fields.String(required=True, validate=validate.OneOf(OPS), metadata={
        "description": "One of " + ", ".join(OPS) + ". >, >=, <, <= compare numbers or dates.", "example": "in"})
    value = fields.Raw(allow_none=True, load_default=None, metadata={
        "description": "A text, number or ISO date; a list for in / not in; true/false for exists "
                       "(default true).", "example": ["pro", "enterprise"]})

    @pre_load
    def expand_shorthand(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("field"), str):
            name = data["field"].strip()
            return {**data, "field": SHORTHANDS.get(name, name)}
        return data

    @validates_schema
    def check_value(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = field_kind(data["field"])
        if kind is None:
            raise ValidationError({"field": [
                f"Unknown field {data['field'][:80]!r}: use account.<plan|segment|arr|csm_email|renewal_date"
                f"|attributes.key>, contact.<email|locale|timezone|created_at|attributes.key> or "
                f"properties.<key>."]})
        canonical_value(kind, data["op"], data.get("value"))

    @post_load
    def canonical(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        kind = field_kind(data["field"]) or "any"
        return {"field": data["field"], "op": data["op"], "value": canonical_value(kind, data["op"], data.get("value"))}


def canonical_value(kind: str, op: str, value: Any) -> Any:
    """The stored form of a filter's value; raise ``ValidationError`` keyed ``value`` (or ``op``)."""
    if op == "exists":
        if value is None:
            return True
        if isinstance(value, bool):
            return value
        raise ValidationError({"value": ["'exists' takes true (is set) or false (is not set)."]})
    if op in ("in", "not in"):
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST_VALUES:
            raise ValidationError({"value": [f"'{op}' takes a list of 1 to {MAX_LIST_VALUES} values."]})
        return [_scalar(kind, item) for item in value]
    if op in ORDER_OPS:
        if kind == "text":
            raise ValidationError({"op": [f"'{op}' compares numbers or dates; this field is text."]})
        return _ordered(kind, op, value)
    if op == "contains":
        if kind in ("number", "date"):
            raise ValidationError({"op": ["'contains' applies to text and lists."]})
        if not isinstance(value, str) or not value.strip() or len(value) > VALUE_MAX:
            raise ValidationError({"value": [f"'contains' takes a text of 1 to {VALUE_MAX} characters."]})
        return value.strip()
    return _scalar(kind, value)


def _ordered(kind: str, op: str, value: Any) -> Any:
    number = plain_number(value)
    if kind in ("number", "any") and number is not None:
        return number
    moment = parse_date_value(value) if isinstance(value, str) else None
    if kind in ("date", "any") and moment is not None:
        return moment.isoformat()
    wanted = {"number": "a number", "date": "an ISO date such as 2026-12-03"}.get(kind, "a number or an ISO date")
    raise ValidationError({"value": [f"'{op}' needs {wanted}; {str(value)[:60]!r} is not."]})


def _scalar(kind: str, value: Any) -> Any:
    if value is None or isinstance(value, (dict, list)):
        raise ValidationError({"value": ["Must be a text, a number or true/false (use 'exists' for unset)."]})
    if kind == "number":
        number = plain_number(value)
        if number is None:
            raise ValidationError({"value": [f"This field is a number; {str(value)[:60]!r} is not."]})
        return number
    if kind == "date":
        moment = parse_date_value(value) if isinstance(value, str) else None
        if moment is None:
            raise ValidationError({"value": [f"This field is a date (2026-12-03); {str(value)[:60]!r} is not."]})
        return moment.isoformat()
    if isinstance(value, str):
        if len(value) > VALUE_MAX or _CONTROL.search(value):
            raise ValidationError({"value": [f"At most {VALUE_MAX} characters, no control characters."]})
        return value.strip()
    if isinstance(value, bool):
        return value
    number = plain_number(value)
    if number is None:
        raise ValidationError({"value": ["Numbers must be finite."]})
    return number
