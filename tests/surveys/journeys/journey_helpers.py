"""Builders the events, matching and scan tests share: live surveys with triggers, events."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.delivery.models import Invitation
from surveys.design.models import Survey
from surveys.design.services import create_survey, publish
from surveys.journeys.events import record_events
from surveys.journeys.models import Event

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # a Tuesday
QUESTIONS = [{"id": "nps", "type": "nps"}]


def live_survey(session: Session, *triggers: dict[str, Any], name: str = "Onboarding NPS") -> Survey:
    """A published (live) survey with these triggers; committed."""
    survey = create_survey(session, name, {"questions": QUESTIONS, "triggers": list(triggers)})
    publish(session, survey)
    session.commit()
    return survey


def event_row(contact: str, name: str = "onboarding_completed", at: datetime = NOW, **extra: Any) -> dict[str, Any]:
    return {"contact_external_id": contact, "name": name, "occurred_at": at.isoformat(), **extra}


def store(session: Session, *rows: dict[str, Any], now: datetime = NOW) -> list[Event]:
    """Record the rows (committed) and return their events."""
    result = record_events(session, list(rows), now=now)
    session.commit()
    return [session.get(Event, event_id) for event_id in result.ids]


def invitations(session: Session, **where: Any) -> list[Invitation]:
    """The invitations now stored (the test's transaction is ended first, to see other sessions' commits)."""
    session.commit()
    stmt = select(Invitation).order_by(Invitation.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Invitation, key) == value)
    return list(session.scalars(stmt))
