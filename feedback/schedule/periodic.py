"""The periodic jobs, declared as data, and the one way every runner runs them.

Each :class:`PeriodicJob` is a name, how often, and a function of ``now`` that
returns one line saying what it did. Three runners share them, so the embedded
default runs the same code as production:

- ``flask --app wsgi scheduler`` registers each with RQ's cron scheduler, which
  enqueues :func:`run_periodic` (by name) for the workers (see
  :mod:`feedback.schedule.cron`);
- ``flask --app wsgi serve`` starts that scheduler next to its worker;
- ``flask --app wsgi tick`` (and tests) call :func:`run_periodic_once`: every job
  once, inline.

The jobs: ``dispatch`` claims due email/link invitations and enqueues one
:func:`~feedback.schedule.jobs.send_invitation` per row on the ``high`` queue,
after the commit (a lost job is claimed again when its lease ends);
``fallbacks`` moves unshown in-app invitations to their next channel;
``date_triggers`` and ``recurring`` scan for date-relative and recurring
firings; ``unmatched_events`` re-enqueues matching for events whose match job
was lost.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from rq import Queue

from feedback.jobs import queues
from feedback.schedule.jobs import SEND_JOB_TIMEOUT, SEND_QUEUE, send_invitation
from surveys.db import begin_write, db, utcnow
from surveys.delivery.dispatcher import claim_due, move_fallbacks

log = logging.getLogger(__name__)

DISPATCH_BATCH = 500
DISPATCH_MAX_BATCHES = 40  # 20,000 sends a minute; the rest wait for the next pass
SEND_RESULT_TTL = 3600


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[[datetime | None], str]
    timeout: int = 600  # seconds the job may run in a worker


def dispatch(now: datetime | None = None) -> str:
    """Claim every due email/link invitation (in batches) and queue its send."""
    when = now or utcnow()
    claimed = 0
    for _ in range(DISPATCH_MAX_BATCHES):
        begin_write(db.session)
        ids = claim_due(db.session, now=when, limit=DISPATCH_BATCH)
        db.session.commit()  # the claims are on record before any job can run
        _enqueue_sends(ids, now)
        claimed += len(ids)
        if len(ids) < DISPATCH_BATCH:
            break
    return f"{claimed} due invitation(s) claimed and queued"


def _enqueue_sends(ids: list[int], now: datetime | None) -> None:
    if not ids:
        return
    queue = queues().queue(SEND_QUEUE)
    queue.enqueue_many([Queue.prepare_data(send_invitation, (invitation_id, now), timeout=SEND_JOB_TIMEOUT,
                                           result_ttl=SEND_RESULT_TTL, description=f"send invitation {invitation_id}")
                        for invitation_id in ids])


def fallbacks(now: datetime | None = None) -> str:
    """In-app invitations not shown by their fallback time go to the next channel, due now."""
    begin_write(db.session)
    moved, cancelled = move_fallbacks(db.session, now=now or utcnow())
    db.session.commit()
    return f"{moved} in-app invitation(s) moved to their next channel, {cancelled} cancelled"


def _describe(result: Any, what: str) -> str:
    """One line from what a scan returned (a count, counts by name, or words)."""
    if isinstance(result, str):
        return result
    if isinstance(result, int):
        return f"{result} {what}"
    if isinstance(result, dict):
        return f"{what}: " + (", ".join(f"{key} {value}" for key, value in result.items()) or "nothing")
    return f"{what}: done"


def date_triggers(now: datetime | None = None) -> str:
    from feedback.journeys.scans import scan_date_triggers

    return _describe(scan_date_triggers(now or utcnow()), "date triggers")


def recurring(now: datetime | None = None) -> str:
    from feedback.journeys.scans import scan_recurring

    return _describe(scan_recurring(now or utcnow()), "recurring surveys")


def unmatched_events(now: datetime | None = None) -> str:
    from feedback.journeys.jobs import match_unmatched_events

    return _describe(match_unmatched_events(now or utcnow()), "unmatched events matched")


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("dispatch", timedelta(minutes=1), dispatch),
    PeriodicJob("fallbacks", timedelta(minutes=5), fallbacks),
    PeriodicJob("date_triggers", timedelta(hours=1), date_triggers, timeout=1800),
    PeriodicJob("recurring", timedelta(hours=1), recurring, timeout=1800),
    PeriodicJob("unmatched_events", timedelta(minutes=5), unmatched_events),
)


def periodic_job(name: str) -> PeriodicJob:
    for job in PERIODIC_JOBS:
        if job.name == name:
            return job
    raise LookupError(f"no periodic job named {name!r}")


def run_periodic(name: str, now: datetime | None = None) -> str:
    """The RQ job the scheduler enqueues: run periodic job ``name`` in this app context."""
    result = periodic_job(name).func(now)
    log.info("periodic %s: %s", name, result)
    return result


def run_periodic_once(app: Flask, now: datetime | None = None) -> list[tuple[str, str]]:
    """Run every periodic job once, inline, in order; (name, what it did) for each.

    A job that fails is reported and rolled back; the others still run.
    """
    results: list[tuple[str, str]] = []
    with app.app_context():
        for job in PERIODIC_JOBS:
            try:
                results.append((job.name, job.func(now)))
            except Exception as error:  # noqa: BLE001 - one broken job must not stop the tick
                db.session.rollback()
                log.exception("periodic job %s failed", job.name)
                results.append((job.name, f"failed: {type(error).__name__}: {error}"))
            finally:
                db.session.remove()
    return results
