"""``track()``: the page's events, stored like the events API's and matched at once.

Each event is ``{name, properties?, occurred_at?, id}``; ``id`` (a client uuid)
makes a retried batch harmless: it becomes the idempotency key
``widget:<contact id>:<id>``. Events are stored with
:func:`surveys.journeys.events.record_events` (same validation as the API) and
matched against the live triggers **in the same transaction**, so an in-app
trigger without delay is due in the very answer to the ``track`` call. Matching
sets ``matched_at``, so the after-commit job and the periodic sweep skip them.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback.widget.errors import WidgetError, invalid
from surveys.audience.models import Contact
from surveys.journeys.events import NEW_EVENTS_KEY, EventBatchResult, record_events
from surveys.journeys.matching import event_triggers, match_event
from surveys.journeys.models import Event

MAX_EVENTS = 100
EVENT_FIELDS = frozenset({"name", "properties", "occurred_at", "id"})
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_API_TO_WIDGET = {"idempotency_key": "id"}


def event_rows(events: Any, contact: Contact) -> list[dict[str, Any]]:
    """The events API rows for the page's events; 422 naming the first bad field."""
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        count = len(events) if isinstance(events, list) else "no list"
        raise invalid("events", f"Send 1 to {MAX_EVENTS} events per call; got {count}.")
    return [_row(index, event, contact) for index, event in enumerate(events)]


def _row(index: int, event: Any, contact: Contact) -> dict[str, Any]:
    where = f"events.{index}"
    if not isinstance(event, dict):
        raise invalid(where, f"{where} must be an object.")
    unknown = sorted(set(event) - EVENT_FIELDS)
    if unknown:
        raise invalid(f"{where}.{unknown[0]}",
                      f"Unknown field {unknown[0][:64]!r}; events carry {sorted(EVENT_FIELDS)}.")
    client_id = event.get("id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise invalid(f"{where}.id", "id is required: a client-made id (a uuid) of 1 to 64 letters, digits, - and _.")
    row = {"contact_external_id": contact.external_id, "name": event.get("name"),
           "idempotency_key": f"widget:{contact.id}:{client_id}"}
    for name in ("properties", "occurred_at"):
        if event.get(name) is not None:
            row[name] = event[name]
    return row


def _batch_error(messages: Any) -> WidgetError:
    """The first problem of an :class:`EventBatchInvalid`, as ``events.<index>.<field>``."""
    problem = messages.get("events", messages) if isinstance(messages, dict) else messages
    path = ["events"]
    while isinstance(problem, dict) and problem:
        key, problem = next(iter(problem.items()))
        path.append(_API_TO_WIDGET.get(str(key), str(key)))
    while isinstance(problem, list) and problem:
        problem = problem[0]
    return invalid(".".join(path), str(problem))


def store(session: Session, rows: Sequence[dict[str, Any]], *, now: datetime) -> EventBatchResult:
    """Record the rows (all or nothing) and match the new events at once; flushes."""
    try:
        result = record_events(session, rows, now=now)
    except ValidationError as error:
        raise _batch_error(error.messages) from None
    match_now(session, result.created_ids, now=now)
    return result


def match_now(session: Session, event_ids: Sequence[int], *, now: datetime) -> None:
    """Match these stored events against the live triggers now, and spare the after-commit job them."""
    if not event_ids:
        return
    events = session.scalars(select(Event).where(Event.id.in_(list(event_ids)), Event.matched_at.is_(None))
                             .order_by(Event.occurred_at, Event.id)).all()
    triggers = event_triggers(session) if events else {}
    for event in events:
        match_event(session, event, now=now, triggers=triggers)
    pending = session.info.get(NEW_EVENTS_KEY)
    if pending:
        pending.difference_update(event_ids)
