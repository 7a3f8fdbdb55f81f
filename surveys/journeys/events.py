"""Recording journey events: what happened to a contact, in batches of up to 1,000.

Contract of :func:`record_events`:

- Every row is validated before anything is written; any bad row raises
  :class:`EventBatchInvalid` (a ``ValidationError`` keyed ``events.<index>.<field>``,
  the index as a string) and nothing is written. Bounds: ``occurred_at`` no earlier
  than 2000-01-01 and no more than a day after ``now`` (default ``now``);
  ``properties`` a JSON object of at most 100 keys, 5 levels and 16 KB; ``name``
  a slug of 1 to 128 letters, digits, ``_ . : -``.
- The contact is named by ``contact_external_id``. An unknown contact is created
  when the row carries ``email`` and/or ``account_external_id`` (plus an optional
  ``contact_name``); the account must already exist (the events API never invents
  companies: sync them through ``/accounts``). An unknown contact without either
  is refused, naming the row's ``contact_external_id``. For a contact that exists,
  these fields are ignored: contact data is synced through ``/contacts``, and an
  event stream never overwrites it.
- ``idempotency_key`` makes a row count once: the same key again (in the same
  batch, a later batch, or a concurrent one) is a duplicate that returns the
  stored event's id. Rows without a key are always new events.
- New event ids are marked on the session (:data:`NEW_EVENTS_KEY`) so that the
  application can match them against triggers once the caller commits.

The service flushes; the caller commits.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from surveys.audience.erasure import TOMBSTONE_PREFIX
from surveys.audience.models import NAME_MAX, Contact
from surveys.audience.schemas import ExternalId, Label, OptionalEmail
from surveys.audience.services import account_ids_by_external_id, upsert_contacts
from surveys.db import insert_ignoring_duplicates
from surveys.journeys.models import EVENT_NAME_MAX, IDEMPOTENCY_KEY_MAX, Event

MAX_BATCH_EVENTS = 1000
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)  # clocks drift and batches queue up; a week ahead is a bug
PROPERTIES_MAX_KEYS = 100
PROPERTIES_MAX_BYTES = 16_384
PROPERTIES_MAX_DEPTH = 5
PROPERTY_KEY_MAX = 64
EVENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
NEW_EVENTS_KEY = "surveys.journeys.new_events"  # session.info: ids of events written, matched after commit
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class EventBatchInvalid(ValidationError):
    """At least one row is bad; ``messages`` is ``{"events": {"<index>": {field: [...]}}}``."""


@dataclass
class EventBatchResult:
    """What a batch did: ``ids`` has one entry per row, in order (a duplicate's is the stored event's)."""

    created: int = 0
    duplicates: int = 0
    contacts_created: int = 0
    ids: list[int] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)


def _printable(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("Must not contain control characters.")


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _plain_json(value: Any) -> Any:
    """``value`` with Decimals (how the app parses JSON fractions) as floats; NaN and infinity refused."""
    if isinstance(value, dict):
        return {key: _plain_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_json(item) for item in value]
    if isinstance(value, (Decimal, float)):
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError("Numbers must be finite and within the range of a double.")
        return number
    return value


class Properties(fields.Dict):
    """The event's details: a small JSON object (``{"seats": 12, "plan": "pro"}``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("Must be a JSON object.")
        # Count before anything else: 10,000 keys cost nothing to refuse.
        if len(value) > PROPERTIES_MAX_KEYS:
            raise ValidationError(f"At most {PROPERTIES_MAX_KEYS} properties; got {len(value)}.")
        for key in value:
            if not isinstance(key, str) or not 1 <= len(key) <= PROPERTY_KEY_MAX or _CONTROL.search(key):
                raise ValidationError(f"Property names are 1 to {PROPERTY_KEY_MAX} printable characters; "
                                      f"{str(key)[:80]!r} is not.")
        if _depth(value) > PROPERTIES_MAX_DEPTH:
            raise ValidationError(f"Nested deeper than {PROPERTIES_MAX_DEPTH} levels.")
        plain = _plain_json(value)
        size = len(json.dumps(plain, ensure_ascii=False, default=str).encode())
        if size > PROPERTIES_MAX_BYTES:
            raise ValidationError(f"Larger than {PROPERTIES_MAX_BYTES} bytes once encoded ({size}).")
        return plain


class EventRowSchema(Schema):
    """One event as a product sends it (a row of ``POST /api/v1/events``).

    ``now`` (default: the current time at validation) bounds ``occurred_at``.
    """

    class Meta:
        unknown = RAISE

    def __init__(self, *args: Any, now: datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    contact_external_id = ExternalId(required=True, metadata={
        "description": "The person's id in your product (a contact's external_id)."})
    name = fields.String(required=True, validate=[
        validate.Length(min=1, max=EVENT_NAME_MAX),
        validate.Regexp(EVENT_NAME, error="Use letters, digits and _ . : - (e.g. 'onboarding_completed')."),
    ], metadata={"description": "What happened, e.g. `onboarding_completed`; triggers match it exactly.",
                 "example": "onboarding_completed"})
    occurred_at = fields.AwareDateTime(format="iso", metadata={
        "description": "When it happened: ISO 8601 with an offset, from 2000-01-01 to a day from now. "
                       "Default: when it is received."})
    properties = Properties(metadata={
        "description": f"Details as a JSON object (at most {PROPERTIES_MAX_KEYS} keys, {PROPERTIES_MAX_DEPTH} "
                       f"levels, {PROPERTIES_MAX_BYTES // 1024} KB); trigger filters read them as "
                       "`properties.<key>`.", "example": {"seats": 12, "plan": "pro"}})
    idempotency_key = fields.String(validate=[validate.Length(min=1, max=IDEMPOTENCY_KEY_MAX), _printable],
                                    metadata={"description": "Your id for this event: the same key again is the "
                                                             "same event, never a second one."})
    account_external_id = ExternalId(metadata={
        "description": "Only to create an unknown contact: the account it belongs to (which must exist)."})
    email = OptionalEmail(metadata={"description": "Only to create an unknown contact: their email address."})
    contact_name = Label(max_length=NAME_MAX, metadata={
        "description": "Only to create an unknown contact: their full name."})

    @validates("contact_external_id")
    def _not_a_tombstone(self, value: str, **kwargs: Any) -> None:
        if value.startswith(TOMBSTONE_PREFIX):
            raise ValidationError(f"Ids starting with {TOMBSTONE_PREFIX!r} are reserved for erased contacts.")

    @validates("occurred_at")
    def _plausible_time(self, value: datetime, **kwargs: Any) -> None:
        now = self.now or datetime.now(UTC)
        if value < EARLIEST:
            raise ValidationError(f"Must be on or after {EARLIEST.date().isoformat()}.")
        if value > now + FUTURE_TOLERANCE:
            raise ValidationError("Must not be more than a day in the future.")


def _creation_rows(session: Session, rows: list[dict[str, Any]], known: set[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The contacts to create (one per unknown id, from its first row that says how), and row errors."""
    accounts = account_ids_by_external_id(session, (r.get("account_external_id") for r in rows))
    to_create: dict[str, dict[str, Any]] = {}
    errors: dict[str, Any] = {}
    for index, row in enumerate(rows):
        external_id = row["contact_external_id"]
        if external_id in known:
            continue
        account = row.get("account_external_id")
        if account is not None and account not in accounts:
            errors[str(index)] = {"account_external_id": [
                f"No account with external_id {account[:200]!r}; create it through /accounts first."]}
        elif external_id in to_create:
            continue
        elif account is None and row.get("email") is None:
            continue  # another row of the batch may say how to create this contact
        else:
            values: dict[str, Any] = {"external_id": external_id, "email": row.get("email")}
            if account is not None:
                values["account_external_id"] = account
            if row.get("contact_name"):
                values["name"] = row["contact_name"]
            to_create[external_id] = values
    for index, row in enumerate(rows):
        external_id = row["contact_external_id"]
        if external_id not in known and external_id not in to_create and str(index) not in errors:
            errors[str(index)] = {"contact_external_id": [
                (f"No contact with external_id {external_id[:200]!r}; send email or account_external_id "
                 "to create one.")]}
    return list(to_create.values()), errors


def _live_contacts(session: Session, external_ids: set[str]) -> dict[str, tuple[int, int | None]]:
    """``{external_id: (contact id, account id)}`` of the contacts that exist."""
    if not external_ids:
        return {}
    rows = session.execute(select(Contact.external_id, Contact.id, Contact.account_id)
                           .where(Contact.external_id.in_(external_ids)))
    return {external_id: (pk, account_id) for external_id, pk, account_id in rows}


def _insert_keyed(session: Session, values: list[dict[str, Any]]) -> dict[str, int]:
    """Insert rows with an idempotency key, skipping keys already stored (even by a concurrent writer).

    ON CONFLICT DO NOTHING leaves the losing row out without aborting the
    transaction; PostgreSQL waits for the concurrent writer to commit first.
    """
    if not values:
        return {}
    table = Event.__table__
    stmt = insert_ignoring_duplicates(session, table, ["idempotency_key"]).returning(table.c.idempotency_key,
                                                                                      table.c.id)
    return {key: pk for key, pk in session.execute(stmt, values)}


def _insert_plain(session: Session, values: list[dict[str, Any]]) -> list[int]:
    if not values:
        return []
    stmt = insert(Event).returning(Event.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, values))


def _stored_ids(session: Session, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    rows = session.execute(select(Event.idempotency_key, Event.id).where(Event.idempotency_key.in_(keys)))
    return {key: pk for key, pk in rows}


def load_events(rows: Sequence[Any], *, now: datetime) -> list[dict[str, Any]]:
    """Load every row through :class:`EventRowSchema`; raise :class:`EventBatchInvalid` naming each bad one."""
    if not isinstance(rows, Sequence) or isinstance(rows, (str, bytes)) or not 1 <= len(rows) <= MAX_BATCH_EVENTS:
        count = len(rows) if isinstance(rows, Sequence) else "no list"
        raise EventBatchInvalid({"events": [f"Send 1 to {MAX_BATCH_EVENTS} events per batch; got {count}."]})
    schema = EventRowSchema(now=now)
    loaded: list[dict[str, Any]] = []
    errors: dict[str, Any] = {}
    for index, raw in enumerate(rows):
        try:
            loaded.append(schema.load(raw))
        except ValidationError as err:
            errors[str(index)] = err.normalized_messages()
    if errors:
        raise EventBatchInvalid({"events": errors})
    return loaded


def store_events(session: Session, rows: Sequence[dict[str, Any]], *, now: datetime) -> EventBatchResult:
    """Store rows already loaded by :class:`EventRowSchema` (see the module contract).

    Raises :class:`EventBatchInvalid` before writing anything when a row's contact
    is unknown and cannot be created.
    """
    known = _live_contacts(session, {row["contact_external_id"] for row in rows})
    to_create, errors = _creation_rows(session, list(rows), set(known))
    if errors:
        raise EventBatchInvalid({"events": errors})
    result = EventBatchResult()
    if to_create:
        result.contacts_created = upsert_contacts(session, to_create).created
        known = _live_contacts(session, {row["contact_external_id"] for row in rows})
    keyed: dict[str, dict[str, Any]] = {}
    plain: list[dict[str, Any]] = []
    for row in rows:
        contact_id, account_id = known[row["contact_external_id"]]
        values = {"contact_id": contact_id, "account_id": account_id, "name": row["name"],
                  "occurred_at": row.get("occurred_at") or now, "received_at": now,
                  "properties": row.get("properties") or {}, "idempotency_key": row.get("idempotency_key")}
        if values["idempotency_key"] is None:
            plain.append(values)
        else:
            keyed.setdefault(values["idempotency_key"], values)  # the first row of a repeated key wins
    already = _stored_ids(session, set(keyed))
    inserted = _insert_keyed(session, [v for k, v in keyed.items() if k not in already])
    # A key neither stored before nor inserted now was inserted meanwhile by a concurrent batch.
    by_key = already | inserted | _stored_ids(session, set(keyed) - set(already) - set(inserted))
    plain_ids = iter(_insert_plain(session, plain))
    counted: set[str] = set()
    for row in rows:
        key = row.get("idempotency_key")
        if key is None:
            event_id = next(plain_ids)
            result.created_ids.append(event_id)
        else:
            event_id = by_key[key]
            if key in inserted and key not in counted:
                result.created_ids.append(event_id)
            else:
                result.duplicates += 1
            counted.add(key)
        result.ids.append(event_id)
    result.created = len(result.created_ids)
    session.flush()
    mark_new_events(session, result.created_ids)
    return result


def record_events(session: Session, rows: Sequence[Any], *, now: datetime) -> EventBatchResult:
    """Validate and store a batch of raw event rows, all or nothing (see the module contract)."""
    return store_events(session, load_events(rows, now=now), now=now)


def mark_new_events(session: Session, event_ids: Sequence[int]) -> None:
    """Remember ``event_ids`` on the session: the application matches them once it commits."""
    if event_ids:
        session.info.setdefault(NEW_EVENTS_KEY, set()).update(event_ids)


def erase_events(session: Session, contact: Contact) -> None:
    """An eraser (see :mod:`surveys.audience.erasure`): the person's events keep their name and time,
    so the account's journey stays readable, but lose their properties and idempotency keys,
    which may name the person."""
    session.execute(update(Event).where(Event.contact_id == contact.id)
                    .values(properties={}, idempotency_key=None)
                    .execution_options(synchronize_session="fetch"))
    session.flush()
