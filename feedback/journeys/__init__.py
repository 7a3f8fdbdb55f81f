"""Journeys on the service side: events matched after commit, the periodic scans, answered invitations.

:func:`init_app` wires them into the app:

- after each commit that recorded events (:func:`surveys.journeys.events.record_events`
  marks their ids on the session), a :func:`feedback.journeys.jobs.match_events` job is
  enqueued with the ids. A rollback forgets them; a failed enqueue (Redis down) loses
  nothing, since :func:`feedback.journeys.jobs.match_unmatched_events` (periodic) picks
  up every event left unmatched;
- erasing a contact erases their events' properties (:func:`surveys.journeys.events.erase_events`).

Answers close invitations inside the response's own transaction
(:mod:`feedback.journeys.answers`, called by the response services), not in a job.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from surveys.journeys.events import NEW_EVENTS_KEY, erase_events

MATCH_JOB_SIZE = 1000  # events per match job: one API batch
_ENABLED = "journeys_match_after_commit"
log = logging.getLogger(__name__)


def _after_commit(session: Session) -> None:
    # after_commit fires for a released SAVEPOINT too; only the real commit makes the events visible.
    if session.in_nested_transaction():
        return
    ids = session.info.pop(NEW_EVENTS_KEY, None)
    if not ids or not has_app_context() or not current_app.extensions.get(_ENABLED):
        return
    from feedback.journeys.jobs import enqueue_matching

    try:
        enqueue_matching(sorted(ids))
    except Exception:  # noqa: BLE001 - the events are stored; the periodic sweep matches them later
        log.exception("could not enqueue matching of events %s; the periodic sweep will", sorted(ids)[:20])


def _after_soft_rollback(session: Session, previous) -> None:
    # A savepoint rolled back keeps the outer transaction's marks; a real rollback drops them.
    if not previous.nested:
        session.info.pop(NEW_EVENTS_KEY, None)


def init_app(app: Flask) -> None:
    """Enqueue matching after commits that stored events; register the events' eraser."""
    app.extensions[_ENABLED] = True
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    erasers = app.extensions.setdefault("erasers", [])
    if erase_events not in erasers:
        erasers.append(erase_events)
