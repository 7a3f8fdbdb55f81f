"""Schemas of ``/api/v1/events``: the batch body, the list filters with their cursor, the dump.

A row loads through :class:`surveys.journeys.events.EventRowSchema`, the one
definition of a valid event. An event is returned as::

    {"id": 41, "name": "onboarding_completed", "contact_external_id": "u-1",
     "account_external_id": "acme", "occurred_at": "2026-03-02T10:00:00+00:00",
     "received_at": "2026-03-02T10:00:03+00:00", "properties": {"seats": 12},
     "idempotency_key": "evt-991", "matched_at": "2026-03-02T10:00:04+00:00"}
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from feedback.api.args import RowList
from surveys.audience.models import EXTERNAL_ID_MAX
from surveys.journeys.events import MAX_BATCH_EVENTS, EventRowSchema
from surveys.journeys.models import EVENT_NAME_MAX

LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX = 100, 500

EVENT_BATCH_EXAMPLE = {"events": [
    {"contact_external_id": "u-1", "name": "onboarding_completed", "occurred_at": "2026-03-02T10:00:00Z",
     "properties": {"plan": "pro", "seats": 12}, "idempotency_key": "evt-991"},
    {"contact_external_id": "u-2", "name": "ticket_closed", "occurred_at": "2026-03-02T11:30:00+01:00",
     "properties": {"ticket": "ZD-4411"}, "idempotency_key": "zd-4411-closed",
     "account_external_id": "acme", "email": "ana@acme.example", "contact_name": "Ana Lima"},
]}


class EventRows(RowList):
    """1 to 1,000 events, errors keyed by row index. A repeated idempotency_key is no error:
    the rows are one event (the first row's)."""

    key_field = "idempotency_key"
    noun = "events"

    def __init__(self, inner: fields.Field, **kwargs: Any) -> None:
        super().__init__(inner, max_rows=MAX_BATCH_EVENTS, **kwargs)

    def row_key(self, raw: Any, row: dict[str, Any] | None) -> str | None:
        return None


class EventBatchSchema(Schema):
    """Body of ``POST /events``: every event is stored, or none is."""

    events = EventRows(fields.Nested(EventRowSchema), required=True, metadata={
        "description": f"1 to {MAX_BATCH_EVENTS} events. Rows sharing an idempotency_key (here or in an "
                       "earlier batch) are one event."})


class EventBatchResultSchema(Schema):
    """What a batch did. Every row was stored (or found stored), or none was."""

    created = fields.Integer(metadata={"description": "Events stored by this call."})
    duplicates = fields.Integer(metadata={
        "description": "Rows whose idempotency_key was already stored (or repeated in this batch): nothing new."})
    contacts_created = fields.Integer(metadata={
        "description": "Unknown contacts created from the rows' email / account_external_id."})
    ids = fields.List(fields.Integer(), metadata={
        "description": "The event id of every row, in the order sent (a duplicate's is the stored event's)."})


# --- listing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventCursor:
    """Where the previous page ended: its last event's (occurred_at, id)."""

    occurred_at: datetime
    event_id: int


def encode_event_cursor(occurred_at: datetime, event_id: int) -> str:
    raw = json.dumps([occurred_at.astimezone(UTC).isoformat(), event_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


class EventCursorField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            stamp, event_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            moment = datetime.fromisoformat(stamp)
            if moment.tzinfo is None or type(event_id) is not int:
                raise ValueError
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            raise ValidationError("Not a cursor this API gave out; pass X-Next-Cursor as it came.") from None
        return EventCursor(moment, event_id)


def _id_filter(description: str) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=EXTERNAL_ID_MAX), metadata={"description": description})


class EventListArgs(Schema):
    """Filters of ``GET /events``; they combine with AND."""

    class Meta:
        unknown = EXCLUDE

    contact = _id_filter("Only this contact's events (their external_id).")
    account = _id_filter("Only the events of this account's contacts (its external_id), as they were "
                         "when each event arrived.")
    name = fields.String(validate=validate.Length(min=1, max=EVENT_NAME_MAX),
                         metadata={"description": "Only events of this name."})
    limit = fields.Integer(load_default=LIST_LIMIT_DEFAULT, validate=validate.Range(min=1, max=LIST_LIMIT_MAX),
                           metadata={"description": f"Events per page (1 to {LIST_LIMIT_MAX}, "
                                                    f"default {LIST_LIMIT_DEFAULT})."})
    cursor = EventCursorField(metadata={"description": "The `X-Next-Cursor` of the previous page."})


class EventSchema(Schema):
    """An event as the API returns it."""

    id = fields.Integer()
    name = fields.String(metadata={"description": "What happened."})
    contact_external_id = fields.String(allow_none=True, metadata={
        "description": "The contact's external_id; null once the contact is erased."})
    account_external_id = fields.String(allow_none=True, metadata={
        "description": "The account the contact belonged to when the event arrived, or null."})
    occurred_at = fields.DateTime(metadata={"description": "When it happened (UTC)."})
    received_at = fields.DateTime(metadata={"description": "When the service stored it (UTC)."})
    properties = fields.Dict(metadata={"description": "The event's details as sent."})
    idempotency_key = fields.String(allow_none=True, metadata={"description": "Your id for the event, if sent."})
    matched_at = fields.DateTime(allow_none=True, metadata={
        "description": "When it was matched against the live surveys' triggers; null while pending."})


@dataclass(frozen=True)
class EventRecord:
    """One row of the list, flattened for :class:`EventSchema`."""

    id: int
    name: str
    contact_external_id: str | None
    account_external_id: str | None
    occurred_at: datetime
    received_at: datetime
    properties: dict[str, Any]
    idempotency_key: str | None
    matched_at: datetime | None
