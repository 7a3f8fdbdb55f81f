"""Unsubscribing: the contact is never asked again, and what was waiting for them is cancelled."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audience.models import Contact
from surveys.delivery.models import OPEN_STATES, Invitation
from surveys.delivery.scheduling import cancel_open_invitations

UNSUBSCRIBED = "unsubscribed"


def unsubscribe_contact(session: Session, contact: Contact, *, now: datetime) -> int:
    """Set ``unsubscribed_at`` (kept when already set) and cancel every open invitation of the
    contact, whatever the survey, with the reason "unsubscribed". Idempotent; returns how many
    invitations were cancelled. Flushes; the caller commits."""
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = now
    survey_ids = session.scalars(select(Invitation.survey_id).distinct().where(
        Invitation.contact_id == contact.id, Invitation.state.in_(OPEN_STATES))).all()
    cancelled = sum(cancel_open_invitations(session, contact.id, survey_id, UNSUBSCRIBED, now=now)
                    for survey_id in survey_ids)
    session.flush()
    return cancelled
