"""The eligibility trace of one contact for one survey: "why wasn't this person surveyed?"

The shared rules (live, erased, unsubscribed, reachable, throttles, open invitation,
send window) once, then each trigger's own: its filters and its sample. An event
trigger's property filters are checked against the properties of the contact's latest
stored event of that name (the trace says which), since no event is at hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audience.models import Contact
from surveys.design.models import Survey
from surveys.journeys.eligibility import Trace, check_eligibility, definition_of, readable_triggers
from surveys.journeys.models import Event
from surveys.journeys.triggers import EVENT, Trigger


@dataclass
class TriggerTrace:
    trigger: Trigger
    trace: Trace
    event: Event | None = None  # the stored event whose properties the filters were checked against


@dataclass
class SurveyTrace:
    """The shared rules' trace and one trace per trigger.

    ``eligible``: the shared rules pass and, when the survey has triggers, at least one
    trigger's do too. ``send_at``: the earliest moment an eligible trace would send.
    """

    contact: Contact
    survey: Survey
    base: Trace
    triggers: list[TriggerTrace] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        if not self.base.eligible:
            return False
        return not self.triggers or any(t.trace.eligible for t in self.triggers)

    @property
    def send_at(self) -> datetime | None:
        if not self.eligible:
            return None
        times = [t.trace.send_at for t in self.triggers if t.trace.send_at is not None] or [self.base.send_at]
        return min((at for at in times if at is not None), default=None)


def explain(session: Session, contact: Contact, survey: Survey, *, now: datetime) -> SurveyTrace:
    """Trace every rule for asking ``contact`` to answer ``survey`` at ``now``."""
    base = check_eligibility(session, contact, survey, trigger=None, now=now)
    result = SurveyTrace(contact, survey, base)
    for trigger in readable_triggers(definition_of(survey)):
        event = latest_event(session, contact.id, trigger.event) if trigger.type == EVENT and trigger.event else None
        trace = check_eligibility(session, contact, survey, trigger=trigger, now=now,
                                  properties=event.properties if event is not None else None)
        result.triggers.append(TriggerTrace(trigger, trace, event))
    return result


def latest_event(session: Session, contact_id: int, name: str) -> Event | None:
    return session.scalars(select(Event).where(Event.contact_id == contact_id, Event.name == name)
                           .order_by(Event.occurred_at.desc(), Event.id.desc()).limit(1)).first()
