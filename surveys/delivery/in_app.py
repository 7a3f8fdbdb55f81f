"""The in-app queue: which invitation the widget shows a contact, and what showing or dismissing does.

In-app invitations are not dispatched: the widget asks for them (on a page
view, or right after a ``track()``). :func:`next_due` hands out the contact's
oldest due one after the same send-time checks the dispatcher makes for a mail
(:func:`surveys.delivery.send_time.decide_send`): one that is no longer
eligible is SKIPPED with the failing rule's reason, one outside its send
window is rescheduled to the next slot, and the next is tried.

- shown (:func:`mark_shown`): SCHEDULED or SENT → OPENED, with ``sent_at`` (what the
  throttles count) and ``opened_at``; the fallback to another channel no longer applies;
- dismissed (:func:`mark_dismissed`): an open invitation becomes CANCELLED "dismissed
  in the product", with ``sent_at`` kept or set, since the person was asked.

Both are idempotent and leave an invitation that is already closed (answered,
skipped...) alone. Services flush; the caller commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from surveys.delivery.models import OPEN_STATES, DeliveryChannel, Invitation, InvitationState
from surveys.delivery.send_time import RESCHEDULE, SEND, SKIP, decide_send
from surveys.delivery.sending import reschedule, skip

DISMISSED = "dismissed in the product"
MAX_SKIPS_PER_CALL = 20  # a poll answers quickly even when many stale invitations wait


def _due(contact_id: int, now: datetime):
    return (Invitation.contact_id == contact_id, Invitation.channel == DeliveryChannel.IN_APP,
            Invitation.state == InvitationState.SCHEDULED, Invitation.scheduled_for <= now)


def has_due(session: Session, contact_id: int, *, now: datetime) -> bool:
    """Whether any in-app invitation of the contact is due: a read, so most polls never write."""
    return bool(session.scalar(select(exists().where(*_due(contact_id, now)))))


def next_due(session: Session, contact_id: int, *, now: datetime) -> Invitation | None:
    """The contact's oldest due in-app invitation that may be shown now, or None.

    Ineligible ones met on the way are skipped (or rescheduled) as the dispatcher
    would; flushes. The caller opens a write transaction first (``begin_write``).
    """
    for _ in range(MAX_SKIPS_PER_CALL):
        invitation = session.scalars(select(Invitation).where(*_due(contact_id, now))
                                     .order_by(Invitation.scheduled_for, Invitation.id).limit(1)).first()
        if invitation is None:
            return None
        decision = decide_send(session, invitation, now=now)
        if decision.action == SEND:
            return invitation
        if decision.action == SKIP:
            skip(session, invitation, decision.reason, now=now)
        elif decision.action == RESCHEDULE and decision.at is not None:
            reschedule(session, invitation, decision.at, note=decision.reason)
        else:  # WAIT: another send to this person or account is on its way
            return None
    return None


def contact_invitation(session: Session, invitation_id: int, contact_id: int) -> Invitation | None:
    """The invitation if it is this contact's, locked for the change that follows (PostgreSQL)."""
    return session.scalars(select(Invitation).where(Invitation.id == invitation_id,
                                                    Invitation.contact_id == contact_id)
                           .with_for_update().execution_options(populate_existing=True)).first()


def mark_shown(session: Session, invitation: Invitation, *, now: datetime) -> bool:
    """The widget showed it: SCHEDULED/SENT → OPENED; True when this changed it."""
    if invitation.channel is not DeliveryChannel.IN_APP or invitation.state not in (
            InvitationState.SCHEDULED, InvitationState.SENT):
        return False
    invitation.state = InvitationState.OPENED
    invitation.sent_at = invitation.sent_at or now
    invitation.opened_at = now
    invitation.claimed_until = None
    invitation.fallback_at = None
    session.flush()
    return True


def mark_dismissed(session: Session, invitation: Invitation, *, now: datetime) -> bool:
    """The person closed it without answering: CANCELLED, counted as asked; True when this changed it."""
    if invitation.channel is not DeliveryChannel.IN_APP or invitation.state not in OPEN_STATES:
        return False
    invitation.state = InvitationState.CANCELLED
    invitation.reason = DISMISSED
    invitation.sent_at = invitation.sent_at or now
    invitation.closed_at = now
    invitation.claimed_until = None
    invitation.fallback_at = None
    session.flush()
    return True
