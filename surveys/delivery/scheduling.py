"""Creating and cancelling invitations: the one place an invitation is born.

A trigger firing (an event matched, a date reached, a recurring period due) becomes
one :class:`~surveys.delivery.models.Invitation`, unique per contact × survey
version × trigger × firing: scheduling the same firing twice (a job run twice, two
scanners at once) creates it once. Throttles, unsubscribes and send windows are
not checked here: the dispatcher checks them when the invitation falls due, so
the decision is made with the facts of that moment and its reason is recorded.
Services flush; the caller commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys.audience.models import Contact
from surveys.db import utcnow
from surveys.delivery.models import (
    OPEN_STATES,
    REASON_MAX,
    DeliveryChannel,
    Invitation,
    InvitationState,
)
from surveys.design.models import Survey, SurveyVersion
from surveys.journeys.triggers import Trigger


def firing_exists(session: Session, *, contact_id: int, survey_id: int, trigger_key: str,
                  firing_key: str | None = None) -> bool:
    """Whether this contact already has an invitation of this survey (any version) for this trigger
    (and, when given, this firing)."""
    conditions = [Invitation.contact_id == contact_id, Invitation.survey_id == survey_id,
                  Invitation.trigger_key == trigger_key]
    if firing_key is not None:
        conditions.append(Invitation.firing_key == firing_key)
    return bool(session.scalar(select(exists().where(*conditions))))


def schedule_invitation(session: Session, *, contact: Contact, survey: Survey, version: SurveyVersion,
                        trigger: Trigger, firing_key: str, due_at: datetime, event_id: int | None = None,
                        skip_reason: str | None = None, now: datetime | None = None) -> Invitation | None:
    """Insert the invitation of one trigger firing, due at ``due_at``; ``None`` when that firing exists.

    It is SCHEDULED on the trigger's first channel (``fallback_at`` set when that
    is in-app with a ``fallback_after`` and another channel follows), or, with
    ``skip_reason`` (say "sampled out (20 %)"), recorded as SKIPPED at ``now`` so
    that the eligibility trace can show why this person was not asked. The insert
    runs in a savepoint: a concurrent writer of the same firing makes this one a
    no-op instead of failing the caller's transaction.
    """
    channels = list(trigger.channels)
    first = channels[0]
    fallback_at = (due_at + trigger.fallback_after
                   if first == DeliveryChannel.IN_APP and trigger.fallback_after and len(channels) > 1 else None)
    invitation = Invitation(
        contact_id=contact.id, account_id=contact.account_id, survey_id=survey.id, survey_version_id=version.id,
        trigger_key=trigger.key, firing_key=firing_key, event_id=event_id, channel=DeliveryChannel(first),
        channels=channels, scheduled_for=due_at, fallback_at=fallback_at, attempts=0, details={})
    if skip_reason is not None:
        invitation.state = InvitationState.SKIPPED
        invitation.reason = skip_reason[:REASON_MAX]
        invitation.closed_at = now or utcnow()
        invitation.fallback_at = None
    else:
        invitation.state = InvitationState.SCHEDULED
    if session.scalar(select(exists().where(
            Invitation.contact_id == contact.id, Invitation.survey_version_id == version.id,
            Invitation.trigger_key == trigger.key, Invitation.firing_key == firing_key))):
        return None  # the common replay, answered without raising
    try:
        with session.begin_nested():
            session.add(invitation)
            session.flush()
    except IntegrityError:
        return None  # a concurrent writer scheduled the same firing first
    return invitation


def cancel_open_invitations(session: Session, contact_id: int, survey_id: int, reason: str, *,
                            now: datetime) -> int:
    """Cancel every open (scheduled, sent, opened) invitation of this contact for this survey.

    ``reason`` ("answered through email", "no longer eligible: unsubscribed") is
    kept on each row; ``sent_at`` is left as it was, so a mail that did go out
    still counts for the throttles. Returns how many were cancelled.
    """
    result = session.execute(
        update(Invitation)
        .where(Invitation.contact_id == contact_id, Invitation.survey_id == survey_id,
               Invitation.state.in_(OPEN_STATES))
        .values(state=InvitationState.CANCELLED, reason=reason[:REASON_MAX], closed_at=now, claimed_until=None)
        .execution_options(synchronize_session="fetch"))
    session.flush()
    return result.rowcount
