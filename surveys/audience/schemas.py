"""marshmallow load schemas for accounts and contacts: the one definition of a valid row.

The API, the CSV import and the demo seed all load through these, so a value
that is rejected in one place is rejected everywhere with the same message.
Only the keys present in the input appear in the loaded dict: an upsert
changes what it was given and leaves the rest alone.
"""
from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate, validates

from surveys.audience.erasure import TOMBSTONE_PREFIX
from surveys.audience.models import EMAIL_MAX, EXTERNAL_ID_MAX, LABEL_MAX, NAME_MAX

ARR_MAX = Decimal("999999999999.99")  # Numeric(14, 2)
ATTRIBUTES_MAX_DEPTH = 5
ATTRIBUTES_MAX_BYTES = 16_384
ATTRIBUTE_KEY_MAX = 64
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def _no_control_characters(value: str) -> None:
    if _CONTROL_CHARS.search(value):
        raise ValidationError("Must not contain control characters.")


def _known_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(f"Unknown IANA timezone {value[:64]!r}; use a name such as 'Europe/Paris'.")


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value: a scalar is 0, ``{"a": 1}`` is 1."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def validate_attributes(value: dict[str, Any]) -> None:
    """Attributes are a small JSON object: shallow, bounded, with short string keys."""
    for key in value:
        if not key or len(key) > ATTRIBUTE_KEY_MAX:
            raise ValidationError(f"Attribute names must be 1 to {ATTRIBUTE_KEY_MAX} characters.")
    if _depth(value) > ATTRIBUTES_MAX_DEPTH:
        raise ValidationError(f"Nested deeper than {ATTRIBUTES_MAX_DEPTH} levels.")
    size = len(json.dumps(value, default=str, ensure_ascii=False).encode())
    if size > ATTRIBUTES_MAX_BYTES:
        raise ValidationError(f"Larger than {ATTRIBUTES_MAX_BYTES} bytes once encoded ({size}).")


class _BlankIsNone:
    """Mixin: a value that deserialises to None (blank text) skips the validators."""

    def _validate(self, value):
        if value is not None:
            super()._validate(value)


class Money(fields.Decimal):
    """A non-negative amount rounded to cents; a huge value is "too large", not "not a number"."""

    CENTS = Decimal("0.01")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, allow_nan=False, as_string=False,
                         validate=validate.Range(min=0, max=ARR_MAX), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)  # no places: never overflows
        self._validate(number)  # range first, so quantize below cannot fail
        return number.quantize(self.CENTS, rounding=ROUND_HALF_UP)


class ExternalId(fields.String):
    """The id a CRM or product gives a record: 1 to 255 printable characters, trimmed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            validate=[validate.Length(min=1, max=EXTERNAL_ID_MAX), _no_control_characters], **kwargs
        )

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return text.strip()


class Label(_BlankIsNone, fields.String):
    """A short optional text such as a plan or segment name; blank means none."""

    def __init__(self, max_length: int = LABEL_MAX, **kwargs: Any) -> None:
        super().__init__(
            allow_none=True,
            validate=[validate.Length(max=max_length), _no_control_characters],
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        return text or None


class OptionalEmail(_BlankIsNone, fields.Email):
    """An email address, lower-cased domain; blank means none."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_none=True, validate=validate.Length(max=EMAIL_MAX), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not value.strip():
            return None
        text = super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data, **kwargs)
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"


class Attributes(fields.Dict):
    """Free-form JSON object of extra fields (industry, region ...)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=fields.Raw(allow_none=True),
                         validate=validate_attributes, **kwargs)


class AccountLoadSchema(Schema):
    """One account as a CRM sends it (API body, CSV row)."""

    class Meta:
        unknown = RAISE

    external_id = ExternalId(required=True, metadata={"description": "The account's id in your CRM; unique."})
    name = fields.String(required=True, validate=[validate.Length(min=1, max=NAME_MAX), _no_control_characters],
                         metadata={"description": "Company name."})
    plan = Label(metadata={"description": "Plan or tier, e.g. 'pro'."})
    segment = Label(metadata={"description": "Segment, e.g. 'enterprise' or 'smb'."})
    arr = Money(metadata={"description": "Annual recurring revenue, in the workspace currency."})
    csm_email = OptionalEmail(metadata={"description": "Email of the account's customer success manager."})
    renewal_date = fields.Date(allow_none=True, metadata={"description": "Next renewal, YYYY-MM-DD."})
    attributes = Attributes(metadata={"description": "Extra fields as a JSON object (at most 5 levels, 16 KB)."})

    @pre_load
    def _strip_name(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            data = {**data, "name": data["name"].strip()}
        return data


class ContactLoadSchema(Schema):
    """One contact as a CRM or product sends it (API body, CSV row)."""

    class Meta:
        unknown = RAISE

    @validates("external_id")
    def _not_a_tombstone(self, value: str, **kwargs: Any) -> None:
        # Erased contacts keep their row under an opaque id; writing to it would revive a person.
        if value.startswith(TOMBSTONE_PREFIX):
            raise ValidationError(f"Ids starting with {TOMBSTONE_PREFIX!r} are reserved for erased contacts.")

    external_id = ExternalId(required=True, metadata={"description": "The person's id in your product; unique."})
    account_external_id = ExternalId(allow_none=True, metadata={
        "description": "external_id of the contact's account; the account must exist. null detaches."})
    email = OptionalEmail(metadata={"description": "Email address, used for email surveys."})
    name = Label(max_length=NAME_MAX, metadata={"description": "Full name."})
    timezone = fields.String(allow_none=True, validate=_known_timezone,
                             metadata={"description": "IANA timezone such as 'America/New_York'."})
    locale = fields.String(allow_none=True, validate=validate.Regexp(_LOCALE, error="Not a locale such as 'en' or 'pt-BR'."),
                           metadata={"description": "Preferred language, e.g. 'en', 'pt-BR'."})
    attributes = Attributes(metadata={"description": "Extra fields as a JSON object (at most 5 levels, 16 KB)."})
    unsubscribed = fields.Boolean(metadata={"description": "true unsubscribes the contact from every survey; false resubscribes."})

    @pre_load
    def _blank_is_none(self, data, **kwargs):
        if isinstance(data, dict):
            data = dict(data)
            for key in ("timezone", "locale"):
                if isinstance(data.get(key), str):
                    data[key] = data[key].strip() or None
        return data


def load_lenient(schema: Schema, data: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Load ``data``; return ``(loaded, {})`` or ``(None, field_errors)``."""
    try:
        return schema.load(data), {}
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return None, messages


__all__ = ["AccountLoadSchema", "ContactLoadSchema", "load_lenient", "validate_attributes", "EXCLUDE"]
