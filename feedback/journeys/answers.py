"""An answer closes the contact's invitations to that survey, and counts for the throttles.

:func:`close_invitations` runs inside the transaction that stores the response
(``feedback.responses.services`` calls it), so a dispatcher never sees a contact
who has answered as still unasked. For each response that has a contact:

- the invitation whose personal link was used (``client_response_id`` ``link:<contact>:i<id>``)
  becomes ANSWERED (``answered_at`` = the response's ``submitted_at``);
- a response that came without an invitation (the hosted page, the API, an import) gets an
  ANSWERED invitation row of its own (trigger ``response``, firing ``response:<id>``, channel
  link, ``sent_at`` = ``submitted_at``), so that the throttles count it like any other;
- the contact's other open invitations to that survey, created before the answer, are
  CANCELLED with the reason "answered through <channel>" (an invitation born later, say by a
  recurring trigger, is left to the throttles).

Safe to apply twice: a row already answered is left alone, the own row is unique per
firing (inserted with ``ON CONFLICT DO NOTHING``), and cancelling touches only open
invitations. :func:`record_answered` applies it again to stored responses (a repair job).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from feedback.responses.models import Channel, Response
from surveys.db import begin_write, db, insert_ignoring_duplicates, utcnow
from surveys.delivery.models import (
    OPEN_STATES,
    REASON_MAX,
    DeliveryChannel,
    Invitation,
    InvitationState,
)

RESPONSE_TRIGGER = "response"
_INVITATION_KEY = re.compile(r"^link:(\d{1,18}):i(\d{1,18})$")


def record_answered(response_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """A job (or a repair): apply :func:`apply_answers` to these stored responses and commit.

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
    """Close the invitations these stored responses answer (see the module docstring); flushes."""
    responses = session.scalars(select(Response).where(Response.id.in_(list(response_ids)),
                                                       Response.contact_id.is_not(None)).order_by(Response.id))
    return close_invitations(session, list(responses), now=now)


def close_invitations(session: Session, responses: Sequence[Response], *, now: datetime) -> dict[str, int]:
    """Close the invitations ``responses`` answer (see the module docstring); flushes.

    ``responses`` may be transient copies of rows written in this transaction
    (``submit_response`` returns those); only their columns are read.
    """
    counts = {"answered": 0, "created": 0, "cancelled": 0}
    uninvited: list[dict] = []
    with_open = _with_open_invitations(session, responses) if len(responses) > 1 else None
    for response in responses:
        if response.contact_id is None:
            continue
        invitation = invitation_of(session, response)
        if invitation is not None:
            counts["answered"] += _mark_answered(invitation, response, now)
        else:
            uninvited.append(_uninvited_row(response, now))
        if with_open is None or (response.contact_id, response.survey_id) in with_open:
            counts["cancelled"] += _cancel_others(session, response, now)
    if uninvited:
        counts["created"] += _insert_uninvited(session, uninvited)
    session.flush()
    return counts


def _with_open_invitations(session: Session, responses: Sequence[Response]) -> set[tuple[int, int]]:
    """(contact, survey) pairs among ``responses`` that have an open invitation: one query for a batch,
    so that only those pay for an UPDATE (most answers of an import have none)."""
    contacts = {r.contact_id for r in responses if r.contact_id is not None}
    surveys = {r.survey_id for r in responses}
    pairs: set[tuple[int, int]] = set()
    ordered = sorted(contacts)
    for start in range(0, len(ordered), 500):
        rows = session.execute(select(Invitation.contact_id, Invitation.survey_id).where(
            Invitation.contact_id.in_(ordered[start:start + 500]), Invitation.survey_id.in_(surveys),
            Invitation.state.in_(OPEN_STATES)))
        pairs.update((contact_id, survey_id) for contact_id, survey_id in rows)
    return pairs


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


def _uninvited_row(response: Response, now: datetime) -> dict:
    return {"contact_id": response.contact_id, "account_id": response.account_id, "survey_id": response.survey_id,
            "survey_version_id": response.survey_version_id, "trigger_key": RESPONSE_TRIGGER,
            "firing_key": f"{RESPONSE_TRIGGER}:{response.id}", "channel": DeliveryChannel.LINK.value,
            "channels": [DeliveryChannel.LINK.value], "state": InvitationState.ANSWERED.value,
            "scheduled_for": response.submitted_at, "sent_at": response.submitted_at,
            "answered_at": response.submitted_at, "closed_at": now, "attempts": 0,
            "details": {"response_id": response.id, "response_channel": Channel(response.channel).value},
            "created_at": now, "updated_at": now}


_UNIQUE_FIRING = ("contact_id", "survey_version_id", "trigger_key", "firing_key")
_table = Invitation.__table__
# Built once (this runs with every stored answer). Core, not the ORM: the invitations it
# cancels are not in the session, and ORM synchronisation would cost a second query.
_CANCEL_OTHERS = (
    update(_table)
    .where(_table.c.contact_id == bindparam("contact"), _table.c.survey_id == bindparam("survey"),
           _table.c.state.in_([state.value for state in OPEN_STATES]), _table.c.created_at <= bindparam("answered"))
    .values(state=InvitationState.CANCELLED.value, reason=bindparam("reason"), closed_at=bindparam("now"),
            claimed_until=None, updated_at=bindparam("now")))


def _insert_uninvited(session: Session, rows: list[dict]) -> int:
    """Insert the answered rows of uninvited responses; one already there (a second pass) is left alone."""
    return session.execute(insert_ignoring_duplicates(session, Invitation.__table__, _UNIQUE_FIRING), rows).rowcount


def _cancel_others(session: Session, response: Response, now: datetime) -> int:
    reason = f"answered through {Channel(response.channel).value}"[:REASON_MAX]
    result = session.execute(_CANCEL_OTHERS, {"contact": response.contact_id, "survey": response.survey_id,
                                              "answered": response.submitted_at, "reason": reason, "now": now})
    return result.rowcount
