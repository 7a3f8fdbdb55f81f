"""Periodic jobs: the date-relative and recurring trigger scans (declared by ``feedback.schedule``).

Each commits after every batch of contacts, so a long scan holds no long
transaction, and is safe to run twice or at once: a firing is one invitation.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from surveys.db import begin_write, db, utcnow
from surveys.journeys import scans


def _next_batch() -> None:
    db.session.commit()
    begin_write(db.session)  # SQLite: the next batch reads and writes as a writer, never "database is locked"


def _run(scan, now: datetime | None) -> dict[str, int]:
    try:
        begin_write(db.session)
        report = scan(db.session, now=now or utcnow(), after_batch=_next_batch)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return asdict(report)


def scan_date_triggers(now: datetime | None = None) -> dict[str, int]:
    """Schedule the date triggers that fell due (renewal in 60 days, 30 days after sign-up ...)."""
    return _run(scans.scan_date_triggers, now)


def scan_recurring(now: datetime | None = None) -> dict[str, int]:
    """Schedule the recurring surveys whose period has come round for each contact."""
    return _run(scans.scan_recurring, now)
