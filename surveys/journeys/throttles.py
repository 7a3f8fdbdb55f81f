"""Throttles, the promise of never over-asking: the recontact period and the account limit.

The source of truth is ``Invitation.sent_at`` of every invitation that went out (states
sent, opened, answered), whatever its survey and channel. A response stored without an
invitation gets an answered invitation row of its own (see ``feedback.journeys.answers``),
so answering the hosted page or the API counts as being asked.

The recontact period of a survey (:func:`recontact_period`): the workspace's, or the
survey's own when it is longer (an override may only raise it); a transactional survey
uses its own period alone (possibly shorter, or none) and ignores the workspace's.
The account limit (N invitations per period per account) applies to every survey.

The checks read; they never lock. Under concurrency the caller makes them hold with
:func:`surveys.journeys.eligibility.lock_for_send` (PostgreSQL) or ``begin_write``
(SQLite) before checking, then records the send and commits.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from surveys.audience.models import Account, Contact
from surveys.delivery.models import Invitation, InvitationState
from surveys.design.models import Survey
from surveys.journeys.models import WorkspaceSettings
from surveys.journeys.triggers import Throttle
from surveys.journeys.verdicts import Verdict

# The states of an invitation that may have reached the person; with sent_at, they count. A
# cancelled one counts when it had gone out (a mail later cancelled, a widget survey dismissed).
SENT_STATES = (InvitationState.SENT, InvitationState.OPENED, InvitationState.ANSWERED, InvitationState.CANCELLED)


@dataclass(frozen=True)
class Send:
    """One invitation that went out, as the throttles see it."""

    sent_at: datetime
    survey_id: int
    survey_name: str


def day(at: datetime) -> str:
    return at.strftime("%Y-%m-%d")


def recontact_period(settings: WorkspaceSettings, throttle: Throttle) -> timedelta | None:
    """How long a contact rests after an invitation before this survey may ask; None: no rest."""
    if throttle.transactional:
        return timedelta(days=throttle.recontact_days) if throttle.recontact_days else None
    return timedelta(days=max(settings.recontact_days, throttle.recontact_days or 0))


def account_period(settings: WorkspaceSettings) -> timedelta:
    return timedelta(days=settings.account_period_days)


def _sent(exclude_invitation_id: int | None) -> list:
    conditions = [Invitation.sent_at.is_not(None), Invitation.state.in_(SENT_STATES)]
    if exclude_invitation_id is not None:
        conditions.append(Invitation.id != exclude_invitation_id)
    return conditions


def last_send(session: Session, contact_id: int, *, exclude_invitation_id: int | None = None) -> Send | None:
    """The contact's latest invitation that went out, through any survey and channel."""
    row = session.execute(
        select(Invitation.sent_at, Invitation.survey_id, Survey.name)
        .join(Survey, Survey.id == Invitation.survey_id)
        .where(Invitation.contact_id == contact_id, *_sent(exclude_invitation_id))
        .order_by(Invitation.sent_at.desc(), Invitation.id.desc()).limit(1)).first()
    return Send(row.sent_at, row.survey_id, row.name) if row else None


def recontact_verdict(session: Session, contact: Contact, settings: WorkspaceSettings, throttle: Throttle, *,
                      now: datetime, exclude_invitation_id: int | None = None) -> Verdict:
    """Passes unless the contact was invited (by any survey) within this survey's recontact period."""
    period = recontact_period(settings, throttle)
    last = last_send(session, contact.id, exclude_invitation_id=exclude_invitation_id)
    return recontact_sentence(last, period, now=now)


def recontact_sentence(last: Send | None, period: timedelta | None, *, now: datetime) -> Verdict:
    """The recontact verdict for a contact whose latest invitation is ``last``."""
    if period is None:
        return Verdict("recontact", True, "transactional survey: no recontact period applies")
    days = period.days
    if last is None:
        return Verdict("recontact", True, f"not invited before; recontact period {days} days")
    until = last.sent_at + period
    if until > now:
        return Verdict("recontact", False, f"throttled until {day(until)} by survey '{last.survey_name}'", until)
    return Verdict("recontact", True, f"last invited {day(last.sent_at)} by survey '{last.survey_name}', "
                                      f"more than the recontact period of {days} days ago")


def _account_sends(account_id: int, since: datetime, exclude_invitation_id: int | None) -> Select:
    return (select(Invitation.sent_at)
            .where(Invitation.account_id == account_id, Invitation.sent_at > since, *_sent(exclude_invitation_id))
            .order_by(Invitation.sent_at))


def account_verdict(session: Session, contact: Contact, settings: WorkspaceSettings, *, now: datetime,
                    exclude_invitation_id: int | None = None) -> Verdict:
    """Passes unless the contact's account already got its limit of invitations in the period."""
    if contact.account_id is None:
        return Verdict("account_limit", True, "no account: the account limit does not apply")
    if settings.account_limit <= 0:
        return Verdict("account_limit", True, "no account limit is set")
    period = account_period(settings)
    sent = list(session.scalars(_account_sends(contact.account_id, now - period, exclude_invitation_id)))
    name = contact.account.name if contact.account is not None else session.get(Account, contact.account_id).name
    return account_sentence(name, sent, settings.account_limit, period, now=now)


def account_sentence(account_name: str, sent: Sequence[datetime], limit: int, period: timedelta, *,
                     now: datetime) -> Verdict:
    """The account-limit verdict given the account's send times (sorted, any range)."""
    recent = [at for at in sent if now - period < at]
    days = period.days
    next_possible = account_next_possible(sent, limit, period, now=now)
    if next_possible is not None:
        return Verdict("account_limit", False,
                       f"account {account_name} got {len(recent)} invitation{'s' * (len(recent) != 1)} "
                       f"in the last {days} days; next possible {day(next_possible)}", next_possible)
    return Verdict("account_limit", True,
                   f"account {account_name} got {len(recent)} of {limit} invitations allowed in the last {days} days")


def account_next_possible(sent: Sequence[datetime], limit: int, period: timedelta, *,
                          now: datetime) -> datetime | None:
    """When the account may be invited again, or None when it may now.

    ``sent`` is sorted. With ``count >= limit`` sends in the period, the account is free
    once the oldest ``count - limit + 1`` of them have left the period.
    """
    start = bisect_right(sent, now - period)
    recent = sent[start:]
    if limit <= 0 or len(recent) < limit:
        return None
    return recent[len(recent) - limit] + period

