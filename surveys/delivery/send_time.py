"""The last word before a send: is this invitation still to go out, and now?

A due invitation is checked again when its send job runs, because the world
moved since it was scheduled: the contact unsubscribed, another survey reached
them first (throttles), the survey was paused, the account changed plan, a
bounce suppressed their email. :func:`decide_send` locks the contact (and its
account) first, so two sends to one person or account are decided one after
the other and the throttles hold under concurrency.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from surveys.audience.models import Contact
from surveys.delivery.models import DeliveryChannel, Invitation
from surveys.delivery.sending import busy_neighbour
from surveys.design.models import Survey, SurveyVersion
from surveys.journeys.eligibility import check_eligibility, lock_for_send
from surveys.journeys.models import Event
from surveys.journeys.triggers import Trigger, parse_triggers

log = logging.getLogger(__name__)

SEND, SKIP, RESCHEDULE, WAIT = "send", "skip", "reschedule", "wait"


@dataclass(frozen=True)
class SendDecision:
    action: str                  # send | skip | reschedule | wait
    reason: str = ""             # skip: the failing rule's sentence; reschedule: the window's
    at: datetime | None = None   # reschedule: the next slot
    contact: Contact | None = None
    survey: Survey | None = None


def _trigger(session: Session, invitation: Invitation) -> Trigger | None:
    """The trigger that fired, as the invitation's version defined it (None if it has none)."""
    version = session.get(SurveyVersion, invitation.survey_version_id)
    if version is None:
        return None
    try:
        triggers = parse_triggers(version.definition)
    except ValueError as error:  # a stored version is valid; log rather than block sends
        log.warning("invitation %s: triggers of version %s unreadable: %s", invitation.id, version.id, error)
        return None
    return next((t for t in triggers if t.key == invitation.trigger_key), None)


def decide_send(session: Session, invitation: Invitation, *, now: datetime) -> SendDecision:
    """Whether ``invitation`` goes now (SEND), never (SKIP, with the reason), later (RESCHEDULE,
    at the next slot of the send window) or after another send to the same person or account
    finishes (WAIT). Takes the contact's lock on PostgreSQL; writes nothing."""
    contact = session.get(Contact, invitation.contact_id)
    survey = session.get(Survey, invitation.survey_id)
    if contact is None or survey is None:
        return SendDecision(SKIP, "the contact or the survey no longer exists")
    lock_for_send(session, contact)
    if busy_neighbour(session, invitation):
        return SendDecision(WAIT, "another invitation to this contact or account is being sent")
    event = session.get(Event, invitation.event_id) if invitation.event_id is not None else None
    trace = check_eligibility(session, contact, survey, trigger=_trigger(session, invitation), now=now,
                              properties=event.properties if event is not None else None,
                              channel=invitation.channel.value, invitation_id=invitation.id)
    if trace.failed:  # the first rule that says no, in the trace's order
        return SendDecision(SKIP, trace.failed[0].detail)
    if invitation.channel is DeliveryChannel.EMAIL and not contact.email:
        return SendDecision(SKIP, "the contact has no email address")
    if trace.send_at is not None and trace.send_at > now:
        window = trace.verdict("send_window")
        return SendDecision(RESCHEDULE, window.detail if window else "outside the send window", at=trace.send_at)
    return SendDecision(SEND, contact=contact, survey=survey)
