"""The response listener: an answer closes the contact's invitations to that survey, and counts.

After each commit that saved responses, :func:`record_answered` is enqueued with their
ids (listeners enqueue; they never write). For each response that has a contact:

- the invitation whose personal link was used (``client_response_id`` ``link:<contact>:i<id>``)
  becomes ANSWERED (``answered_at`` = the response's ``submitted_at``);
- a response that came without an invitation (the hosted page, the API, an import) gets an
  ANSWERED invitation row of its own (trigger ``response``, firing ``response:<id>``, channel
  link, ``sent_at`` = ``submitted_at``), so that the throttles count it like any other;
- the contact's other open invitations to that survey, created before the answer, are
  CANCELLED with the reason "answered through <channel>" (an invitation born later, say by a
  recurring trigger, is left to the throttles).

Safe to run twice or at once: a row already answered is left alone, the own row is unique
per firing, and cancelling touches only open invitations.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from flask import Flask
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback.jobs import queues
from feedback.responses.hooks import on_responses_saved
from feedback.responses.models import Response
from surveys.db import begin_write, db, utcnow
from surveys.delivery.models import (
    OPEN_STATES,
    REASON_MAX,
    DeliveryChannel,
    Invitation,
    InvitationState,
)

RESPONSE_TRIGGER = "response"
_INVITATION_KEY = re.compile(r"^link:(\d{1,18}):i(\d{1,18})$")
_EXTENSION = "response_listeners"


def init_app(app: Flask) -> None:
    """Enqueue :func:`record_answered` after each commit that saved responses (registered once)."""
    if enqueue_record_answered not in app.extensions.get(_EXTENSION, []):
        on_responses_saved(app, enqueue_record_answered)


def enqueue_record_answered(response_ids: Sequence[int]) -> None:
    queues().enqueue(record_answered, list(response_ids))


def record_answered(response_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """The job: apply :func:`apply_answers` to these responses and commit.

    Returns how many invitations were answered, created (for uninvited responses) and cancelled.
    """
    try:
        begin_write(db.session)
        counts = apply_answers(db.session, response_ids, now=now or utcnow())
        db.session.commit()
        return counts
    except BaseException:
        db.session.rollback()
        raise


def apply_answers(session: Session, response_ids: Sequence[int], *, now: datetime) -> dict[str, int]:
    """Close the invitations these responses answer (see the module docstring); flushes."""
    counts = {"answered": 0, "created": 0, "cancelled": 0}
    responses = session.scalars(select(Response).where(Response.id.in_(list(response_ids)),
                                                       Response.contact_id.is_not(None)).order_by(Response.id))
    for response in list(responses):
        invitation = invitation_of(session, response)
        if invitation is not None:
            counts["answered"] += _mark_answered(invitation, response, now)
        else:
            counts["created"] += _record_uninvited(session, response, now)
        counts["cancelled"] += _cancel_others(session, response, now)
    session.flush()
    return counts


def invitation_of(session: Session, response: Response) -> Invitation | None:
    """The invitation whose personal link recorded ``response``, when it names one of this contact and survey."""
    match = _INVITATION_KEY.match(response.client_response_id or "")
    if match is None or int(match.group(1)) != response.contact_id:
        return None
    invitation = session.get(Invitation, int(match.group(2)))
    if invitation is None or invitation.contact_id != response.contact_id or invitation.survey_id != response.survey_id:
        return None
    return invitation


def _mark_answered(invitation: Invitation, response: Response, now: datetime) -> int:
    if invitation.state is InvitationState.ANSWERED:
        return 0
    invitation.state = InvitationState.ANSWERED
    invitation.answered_at = response.submitted_at
    # An answer means it reached the person: it counts for the throttles even if never marked sent.
    invitation.sent_at = invitation.sent_at or response.submitted_at
    invitation.closed_at = now
    invitation.claimed_until = None
    invitation.reason = None
    return 1


def _record_uninvited(session: Session, response: Response, now: datetime) -> int:
    firing_key = f"{RESPONSE_TRIGGER}:{response.id}"
    if session.scalar(select(exists().where(
            Invitation.contact_id == response.contact_id, Invitation.survey_version_id == response.survey_version_id,
            Invitation.trigger_key == RESPONSE_TRIGGER, Invitation.firing_key == firing_key))):
        return 0
    row = Invitation(
        contact_id=response.contact_id, account_id=response.account_id, survey_id=response.survey_id,
        survey_version_id=response.survey_version_id, trigger_key=RESPONSE_TRIGGER, firing_key=firing_key,
        channel=DeliveryChannel.LINK, channels=[DeliveryChannel.LINK.value], state=InvitationState.ANSWERED,
        scheduled_for=response.submitted_at, sent_at=response.submitted_at, answered_at=response.submitted_at,
        closed_at=now, attempts=0, details={"response_id": response.id, "response_channel": response.channel.value})
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return 0  # another run of this job wrote it first
    return 1


def _cancel_others(session: Session, response: Response, now: datetime) -> int:
    reason = f"answered through {response.channel.value}"[:REASON_MAX]
    result = session.execute(
        update(Invitation)
        .where(Invitation.contact_id == response.contact_id, Invitation.survey_id == response.survey_id,
               Invitation.state.in_(OPEN_STATES), Invitation.created_at <= response.submitted_at)
        .values(state=InvitationState.CANCELLED, reason=reason, closed_at=now, claimed_until=None)
        .execution_options(synchronize_session="fetch"))
    return result.rowcount
