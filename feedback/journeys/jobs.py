"""Jobs that turn stored events into invitations.

Both are safe to run twice, or at once: an event is matched only while its
``matched_at`` is null (on PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``,
so two workers never match the same event together), and an invitation is unique
per contact × survey version × trigger × firing.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from feedback.jobs import queues
from surveys.db import begin_write, db, utcnow
from surveys.journeys.matching import event_triggers, match_event
from surveys.journeys.models import Event

MATCH_CHUNK = 1000
UNMATCHED_AFTER = timedelta(minutes=2)  # younger events may still have their job in the queue
UNMATCHED_PER_RUN = 20_000


def enqueue_matching(event_ids: Sequence[int]) -> None:
    """Enqueue :func:`match_events` for ``event_ids``, a job per :data:`MATCH_CHUNK` events."""
    ids = list(event_ids)
    for start in range(0, len(ids), MATCH_CHUNK):
        queues().enqueue(match_events, ids[start:start + MATCH_CHUNK])


def _match(event_ids: Sequence[int], now: datetime) -> dict[str, int]:
    begin_write(db.session)
    stmt = (select(Event).where(Event.id.in_(list(event_ids)), Event.matched_at.is_(None))
            .order_by(Event.occurred_at, Event.id).with_for_update(skip_locked=True))
    events = list(db.session.scalars(stmt))
    triggers = event_triggers(db.session) if events else {}
    invitations = 0
    for event in events:
        invitations += len(match_event(db.session, event, now=now, triggers=triggers))
    db.session.commit()
    return {"events": len(events), "invitations": invitations}


def match_events(event_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """Match the events with these ids (those not matched yet) against the live triggers; commit.

    Returns how many events were matched and how many invitations were created.
    """
    try:
        return _match(event_ids, now or utcnow())
    except BaseException:
        db.session.rollback()
        raise


def match_unmatched_events(now: datetime | None = None) -> dict[str, int]:
    """Match the events stored more than :data:`UNMATCHED_AFTER` ago and never matched (their job
    was lost: Redis flushed, a worker killed), oldest first, at most :data:`UNMATCHED_PER_RUN` a run."""
    now = now or utcnow()
    totals = {"events": 0, "invitations": 0}
    last_id = 0
    while totals["events"] < UNMATCHED_PER_RUN:
        ids = list(db.session.scalars(
            select(Event.id).where(Event.matched_at.is_(None), Event.received_at < now - UNMATCHED_AFTER,
                                   Event.id > last_id).order_by(Event.id).limit(MATCH_CHUNK)))
        db.session.rollback()  # end the read before the write transaction begins
        if not ids:
            break
        done = match_events(ids, now)
        totals = {key: totals[key] + done[key] for key in totals}
        last_id = ids[-1]
    return totals
