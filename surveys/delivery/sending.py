"""One invitation's send attempts: the compare-and-set that starts one, and its outcomes.

The promise is **never mail twice**; the rule that keeps it:

1. :func:`start_attempt` moves ``attempts`` from n to n + 1 and sets
   ``send_started_at`` in one conditional UPDATE (``attempts = n AND
   send_started_at IS NULL AND state = 'scheduled'``). Only one job can win it;
   the caller **commits before the mail leaves**, so every later reader sees the
   attempt.
2. Just before the message's last bytes (the end of DATA) go to the SMTP server,
   :func:`mark_handing_over` records the phase ``"data"`` and the caller commits
   again. Until then the server cannot have taken the message: SMTP drops a
   transaction whose data never ended (RFC 5321 §3.3).
3. The outcome closes the attempt: :func:`mark_sent`, :func:`retry_later` (SMTP 4xx,
   connection refused: backoff 1, 5, 30 minutes, failed after
   :data:`MAX_ATTEMPTS`), or :func:`mark_failed` (SMTP 5xx).

An attempt left open (the worker was killed, the machine died) is found by the
dispatcher once its lease runs out; :func:`resolve_interrupted` then decides:

- stopped **before** the end of data: the server cannot have accepted it, so the
  attempt counts and the mail is sent again (same Message-ID);
- stopped **after** the end of data went out but before the server's reply was
  recorded: the server may have accepted it (most do before replying). It is
  **not** sent again: it is marked sent with ``details["delivery"] =
  "unconfirmed"``, so the throttles count it and nobody gets it twice.

Nothing here commits; each function flushes through the session.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from surveys.delivery.models import REASON_MAX, Invitation, InvitationState

MAX_ATTEMPTS = 4
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
# How long an attempt may run before another job may call it dead. A send job times
# out well before this (see feedback.schedule.jobs.SEND_JOB_TIMEOUT).
ATTEMPT_LEASE = timedelta(minutes=10)

PHASE_STARTED = "started"  # connecting, greeting, envelope: the server holds nothing yet
PHASE_DATA = "data"        # the end of data was (about to be) sent: the server may hold it


def _reason(text: str) -> str:
    return text if len(text) <= REASON_MAX else text[:REASON_MAX - 1] + "…"


def _with_details(invitation: Invitation, **changes) -> dict:
    details = dict(invitation.details or {})
    for key, value in changes.items():
        if value is None:
            details.pop(key, None)
        else:
            details[key] = value
    return details


def start_attempt(session: Session, invitation_id: int, *, now: datetime,
                  lease: timedelta = ATTEMPT_LEASE) -> Invitation | None:
    """Start the next attempt of a due scheduled invitation, or None when another job has one
    open, it is not due (``scheduled_for``, ``next_attempt_at``) or no longer scheduled.
    Compare-and-set; the caller commits before sending."""
    invitation = session.get(Invitation, invitation_id, populate_existing=True)
    if (invitation is None or invitation.state is not InvitationState.SCHEDULED
            or invitation.send_started_at is not None or invitation.attempts >= MAX_ATTEMPTS
            or invitation.scheduled_for > now
            or (invitation.next_attempt_at is not None and invitation.next_attempt_at > now)):
        return None
    result = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.state == InvitationState.SCHEDULED,
               Invitation.attempts == invitation.attempts, Invitation.send_started_at.is_(None))
        .values(attempts=invitation.attempts + 1, send_started_at=now, claimed_until=now + lease,
                details=_with_details(invitation, send_phase=PHASE_STARTED))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return None
    session.refresh(invitation)
    return invitation


def mark_handing_over(session: Session, invitation: Invitation) -> None:
    """Record that the end of the message is about to reach the SMTP server (commit it before)."""
    invitation.details = _with_details(invitation, send_phase=PHASE_DATA)
    session.flush()


def mark_sent(session: Session, invitation: Invitation, *, now: datetime, unconfirmed: bool = False) -> None:
    """The mail went (or, ``unconfirmed``, may have gone). ``sent_at`` is what the throttles count.

    An invitation cancelled while its mail was on the way keeps its state, but the
    mail did go, so ``sent_at`` is still recorded.
    """
    if invitation.state is InvitationState.SCHEDULED:
        invitation.state = InvitationState.SENT
    invitation.sent_at = now
    invitation.claimed_until = None
    invitation.next_attempt_at = None
    invitation.details = _with_details(invitation, send_phase=None, last_error=None,
                                       delivery="unconfirmed" if unconfirmed else None)
    session.flush()


def mark_failed(session: Session, invitation: Invitation, reason: str, *, now: datetime) -> None:
    """The channel refused the invitation for good (SMTP 5xx, retries exhausted, a bounce)."""
    invitation.state = InvitationState.FAILED
    invitation.reason = _reason(reason)
    invitation.closed_at = now
    invitation.claimed_until = None
    invitation.next_attempt_at = None
    invitation.details = _with_details(invitation, send_phase=None)
    session.flush()


def retry_later(session: Session, invitation: Invitation, reason: str, now: datetime) -> datetime | None:
    """A temporary failure: try again after the backoff (1, 5, 30 minutes), or fail once
    :data:`MAX_ATTEMPTS` attempts were made ("SMTP 451 ... after 4 attempts").

    Returns when the next attempt is due, or None when the invitation failed.
    """
    if invitation.attempts >= MAX_ATTEMPTS:
        mark_failed(session, invitation, f"{reason} after {invitation.attempts} attempts", now=now)
        return None
    due = now + BACKOFF[min(max(invitation.attempts, 1), len(BACKOFF)) - 1]
    invitation.next_attempt_at = due
    invitation.send_started_at = None
    invitation.claimed_until = None
    invitation.details = _with_details(invitation, send_phase=None, last_error=_reason(reason))
    session.flush()
    return due


def skip(session: Session, invitation: Invitation, reason: str, *, now: datetime) -> None:
    """A rule said no at send time (throttled, unsubscribed, survey paused...): see ``reason``."""
    invitation.state = InvitationState.SKIPPED
    invitation.reason = _reason(reason)
    invitation.closed_at = now
    invitation.claimed_until = None
    session.flush()


def reschedule(session: Session, invitation: Invitation, at: datetime, note: str | None = None) -> None:
    """Move the send to ``at`` (the next slot of the send window); not an attempt."""
    invitation.scheduled_for = at
    invitation.claimed_until = None
    invitation.details = _with_details(invitation, rescheduled=note)
    session.flush()


def release(session: Session, invitation: Invitation) -> None:
    """Give the claim back so the next dispatcher pass takes the invitation again."""
    invitation.claimed_until = None
    session.flush()


def attempt_is_stale(invitation: Invitation, now: datetime, lease: timedelta = ATTEMPT_LEASE) -> bool:
    """An open attempt older than the lease: its job is dead (jobs time out well before)."""
    return invitation.send_started_at is not None and invitation.send_started_at + lease <= now


def resolve_interrupted(session: Session, invitation: Invitation, *, now: datetime) -> bool:
    """Close an attempt whose job died; True when the mail may be sent again (see the module docstring)."""
    if (invitation.details or {}).get("send_phase") == PHASE_DATA:
        mark_sent(session, invitation, now=now, unconfirmed=True)
        return False
    reason = "the sending worker stopped before the mail was handed over"
    if invitation.attempts >= MAX_ATTEMPTS:
        mark_failed(session, invitation, f"{reason} after {invitation.attempts} attempts", now=now)
        return False
    invitation.send_started_at = None
    invitation.details = _with_details(invitation, send_phase=None, last_error=reason)
    session.flush()
    return True


def busy_neighbour(session: Session, invitation: Invitation) -> bool:
    """Whether another invitation to the same contact or account has an attempt open.

    The throttles count ``sent_at``, which an open attempt has not written yet; so a send
    waits while one to the same person or account is on its way, and the throttles it
    checks next see that one as sent.
    """
    same = [Invitation.contact_id == invitation.contact_id]
    if invitation.account_id is not None:
        same.append(Invitation.account_id == invitation.account_id)
    return session.scalar(select(Invitation.id).where(
        or_(*same), Invitation.id != invitation.id, Invitation.state == InvitationState.SCHEDULED,
        Invitation.send_started_at.is_not(None)).limit(1)) is not None


def mark_opened(session: Session, invitation_id: int, *, contact_id: int, survey_id: int, now: datetime) -> bool:
    """A sent invitation's mail or link was opened; True when this changed it. Idempotent."""
    result = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.contact_id == contact_id,
               Invitation.survey_id == survey_id, Invitation.state == InvitationState.SENT)
        .values(state=InvitationState.OPENED, opened_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1
