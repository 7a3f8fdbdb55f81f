"""Request schemas of the API: bodies (PUT, batch) and list filters.

Rows load through :mod:`surveys.audience.schemas`, the one definition of a valid
account or contact; the subclasses here only add what the API itself needs:
the URL carries the id on PUT, attribute numbers become storable JSON, and a
batch is validated whole so that a 422 lists every bad row at once, keyed by
its index as a string (``errors.json.accounts["500"].arr``).
"""
from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from feedback.extensions import db
from surveys.audience.models import EMAIL_MAX, EXTERNAL_ID_MAX, LABEL_MAX
from surveys.audience.schemas import ARR_MAX, AccountLoadSchema, ContactLoadSchema, ExternalId
from surveys.audience.services import account_ids_by_external_id

MAX_BATCH_ROWS = 1000
_PUT_ID_DESCRIPTION = "Optional: the id is the one in the URL; if given here it must be the same."


def _storable_numbers(value: Any) -> Any:
    """``value`` with every Decimal turned into a float; rejects NaN and infinities.

    The app parses JSON fractions as Decimal (exact money), but the JSON column
    stores floats, and a Decimal would compare unequal to its stored float on
    the next upsert, breaking idempotency.
    """
    if isinstance(value, dict):
        return {key: _storable_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_storable_numbers(item) for item in value]
    if isinstance(value, (Decimal, float)):
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError("Numbers must be finite and within the range of a double.", "attributes")
        return number
    return value


class _StorableAttributes:
    @post_load
    def _attributes_as_json(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if "attributes" in data:
            data["attributes"] = _storable_numbers(data["attributes"])
        return data


class AccountRowSchema(_StorableAttributes, AccountLoadSchema):
    """One account of a PUT or batch body."""


class ContactRowSchema(_StorableAttributes, ContactLoadSchema):
    """One contact of a PUT or batch body."""


class AccountPutSchema(AccountRowSchema):
    """Body of ``PUT /accounts/<external_id>``."""

    external_id = ExternalId(required=False, metadata={"description": _PUT_ID_DESCRIPTION})


class ContactPutSchema(ContactRowSchema):
    """Body of ``PUT /contacts/<external_id>``."""

    external_id = ExternalId(required=False, metadata={"description": _PUT_ID_DESCRIPTION})


def _raw_external_id(row: Any) -> str | None:
    value = row.get("external_id") if isinstance(row, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


class RowList(fields.List):
    """1 to ``max_rows`` rows; errors keyed by row index, duplicates of ``key_field`` included.

    The size is checked before any row is loaded, so an oversized batch costs
    nothing and its error names the list itself. Subclasses say how a row's
    key is read with :meth:`row_key`.
    """

    key_field = "external_id"
    noun = "rows"

    def __init__(self, inner: fields.Field, *, max_rows: int = MAX_BATCH_ROWS, **kwargs: Any) -> None:
        super().__init__(inner, **kwargs)
        self.max_rows = max_rows

    def row_key(self, raw: Any, row: dict[str, Any] | None) -> str | None:
        """The key a row must not share with an earlier one (``row`` is None when it failed to load).

        Read from the raw row, so a row with other errors still reports a duplicate.
        """
        return _raw_external_id(raw)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        if not 1 <= len(value) <= self.max_rows:
            raise ValidationError(f"Send 1 to {self.max_rows} {self.noun} per batch; got {len(value)}.")
        rows: list[Any] = []
        errors: dict[str, Any] = {}
        first_row_of: dict[str, int] = {}
        for index, raw in enumerate(value):
            row = None
            try:
                row = self.inner.deserialize(raw, **kwargs)
                rows.append(row)
            except ValidationError as err:
                errors[str(index)] = err.messages
            key = self.row_key(raw, row)
            if key is None:
                continue
            if key in first_row_of:
                messages = errors.setdefault(str(index), {})
                messages.setdefault(self.key_field, []).append(
                    f"Duplicate of row {first_row_of[key]} in this batch.")
            else:
                first_row_of[key] = index
        if errors:
            raise ValidationError(errors)
        return rows


class AccountBatchSchema(Schema):
    """Body of ``POST /accounts/batch``: all rows are written or none is."""

    accounts = RowList(fields.Nested(AccountRowSchema), required=True, metadata={
        "description": f"1 to {MAX_BATCH_ROWS} accounts, each unique by external_id."})


class ContactBatchSchema(Schema):
    """Body of ``POST /contacts/batch``: all rows are written or none is."""

    contacts = RowList(fields.Nested(ContactRowSchema), required=True, metadata={
        "description": f"1 to {MAX_BATCH_ROWS} contacts, each unique by external_id; "
                       "every account_external_id must name an existing account."})

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _accounts_exist(self, data: Any, original: Any, **kwargs: Any) -> None:
        """Name every row whose account is unknown, alongside the rows' other errors."""
        rows = original.get("contacts") if isinstance(original, dict) else None
        if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_BATCH_ROWS:
            return
        wanted: dict[int, str] = {}
        for index, row in enumerate(rows):
            value = row.get("account_external_id") if isinstance(row, dict) else None
            if isinstance(value, str) and 0 < len(value.strip()) <= EXTERNAL_ID_MAX:
                wanted[index] = value.strip()
        known = account_ids_by_external_id(db.session, set(wanted.values()))
        unknown = {str(i): {"account_external_id": [f"No account with external_id {v!r}."]}
                   for i, v in wanted.items() if v not in known}
        if unknown:
            raise ValidationError({"contacts": unknown})


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> None:
    # Also keeps NUL away from PostgreSQL, which answers it with an error, not "no match".
    if _CONTROL_CHARACTERS.search(value):
        raise ValidationError("Must not contain control characters.")


def _text(min_length: int, max_length: int, description: str) -> fields.String:
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), _printable],
                         metadata={"description": description})


SORT_DESCRIPTION = "Sort key; a leading '-' sorts descending. Empty values sort last."
ACCOUNT_SORTS = ("name", "-name", "arr", "-arr", "renewal_date", "-renewal_date", "updated_at", "-updated_at")
CONTACT_SORTS = ("name", "-name", "email", "-email", "created_at", "-created_at", "updated_at", "-updated_at")


def _search() -> fields.String:
    return _text(1, EXTERNAL_ID_MAX, "Case-insensitive text to find (substring match).")


class AccountListArgs(Schema):
    """Filters of ``GET /accounts``; they combine with AND."""

    class Meta:
        unknown = EXCLUDE  # page and page_size are read by the paginator

    q = _search()
    plan = _text(0, LABEL_MAX, "Exact plan.")
    segment = _text(0, LABEL_MAX, "Exact segment.")
    csm_email = _text(0, EMAIL_MAX, "The CSM's email (case-insensitive).")
    renewal_after = fields.Date(metadata={"description": "Renewal on or after this date (YYYY-MM-DD)."})
    renewal_before = fields.Date(metadata={"description": "Renewal on or before this date (YYYY-MM-DD)."})
    arr_min = fields.Decimal(allow_nan=False, validate=validate.Range(min=0, max=ARR_MAX),
                             metadata={"description": "ARR at least this much."})
    arr_max = fields.Decimal(allow_nan=False, validate=validate.Range(min=0, max=ARR_MAX),
                             metadata={"description": "ARR at most this much."})
    sort = fields.String(load_default="name", validate=validate.OneOf(ACCOUNT_SORTS),
                         metadata={"description": SORT_DESCRIPTION})


class ContactListArgs(Schema):
    """Filters of ``GET /contacts``; they combine with AND. Erased contacts are never listed."""

    class Meta:
        unknown = EXCLUDE

    q = _search()
    account_external_id = _text(1, EXTERNAL_ID_MAX, "Only the contacts of this account.")
    unsubscribed = fields.Boolean(metadata={"description": "true: only unsubscribed; false: only subscribed."})
    sort = fields.String(load_default="created_at", validate=validate.OneOf(CONTACT_SORTS),
                         metadata={"description": SORT_DESCRIPTION})
