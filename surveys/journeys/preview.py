""""Who would this trigger have hit in the last 30 days?" — a dry run over stored history.

Candidates, in time order: for an event trigger, the stored events of its name in the
window (the first per contact when it fires only once), due ``delay`` later; for a date
trigger, the contacts whose date + offset fell in the window; for a recurring one, the
contacts with a period that came round in the window. Each candidate then meets the
rules an invitation would: reachable (not erased, not unsubscribed, a channel that
reaches them), the filters, the sample, and the throttles, simulated in order: the
invitations really sent before the candidate's moment, plus the ones this preview
would have sent before it. Nothing is written.
"""
from __future__ import annotations

import math
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audience.models import Account, Contact
from surveys.delivery.models import Invitation
from surveys.design.models import Survey
from surveys.journeys.eligibility import channel_problem
from surveys.journeys.filters import evaluate_filters
from surveys.journeys.models import Event, WorkspaceSettings
from surveys.journeys.sampling import in_sample
from surveys.journeys.scans import date_field, fire_moment
from surveys.journeys.settings import read_settings
from surveys.journeys.throttles import (
    SENT_STATES,
    Send,
    account_period,
    account_sentence,
    day,
    recontact_period,
    recontact_sentence,
)
from surveys.journeys.triggers import DATE, EVENT, RECURRING, Trigger, throttle_of

ROW_LIMIT = 50
OUTCOMES = ("invited", "filtered_out", "sampled_out", "unreachable", "throttled")


@dataclass
class PreviewRow:
    contact_id: int
    external_id: str
    label: str  # the contact's name, else email, else external id
    at: datetime  # when the invitation would have been due
    outcome: str  # one of OUTCOMES
    detail: str


@dataclass
class PreviewResult:
    """The counts over every candidate, and the first :data:`ROW_LIMIT` candidates with their verdict."""

    trigger: Trigger
    start: datetime
    end: datetime
    matched: int = 0
    filtered_out: int = 0
    sampled_out: int = 0
    unreachable: int = 0
    throttled: int = 0
    invited: int = 0
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def would_be_invited(self) -> int:
        return self.invited


@dataclass(frozen=True)
class _Candidate:
    contact: Contact
    at: datetime
    properties: Mapping[str, Any] | None = None


class _History:
    """The sends the throttles count: the real ones, and the ones the preview adds as it goes."""

    def __init__(self, session: Session, since: datetime, until: datetime) -> None:
        self.by_contact: dict[int, list[Send]] = defaultdict(list)
        self.by_account: dict[int, list[datetime]] = defaultdict(list)
        rows = session.execute(
            select(Invitation.contact_id, Invitation.account_id, Invitation.sent_at, Invitation.survey_id, Survey.name)
            .join(Survey, Survey.id == Invitation.survey_id)
            .where(Invitation.state.in_(SENT_STATES), Invitation.sent_at > since, Invitation.sent_at <= until)
            .order_by(Invitation.sent_at))
        for row in rows:
            self.add(row.contact_id, row.account_id, Send(row.sent_at, row.survey_id, row.name))

    def add(self, contact_id: int, account_id: int | None, send: Send) -> None:
        insort(self.by_contact[contact_id], send, key=lambda s: s.sent_at)
        if account_id is not None:
            insort(self.by_account[account_id], send.sent_at)

    def last_before(self, contact_id: int, at: datetime) -> Send | None:
        sends = self.by_contact.get(contact_id, [])
        index = bisect_right(sends, at, key=lambda s: s.sent_at)
        return sends[index - 1] if index else None

    def account_before(self, account_id: int, at: datetime) -> list[datetime]:
        sent = self.by_account.get(account_id, [])
        return sent[:bisect_right(sent, at)]


def preview_trigger(session: Session, survey: Survey, trigger: Trigger, definition: Mapping[str, Any], *,
                    now: datetime, days: int = 30) -> PreviewResult:
    """Simulate ``trigger`` of ``survey`` (with ``definition``'s throttle) over the ``days`` before ``now``."""
    settings = read_settings(session)
    start = now - timedelta(days=days)
    result = PreviewResult(trigger, start, now)
    period = recontact_period(settings, throttle_of(definition))
    longest = max(period or timedelta(0), account_period(settings))
    history = _History(session, start - longest, now + trigger.delay)
    for candidate in _candidates(session, trigger, start, now):
        outcome, detail = _judge(candidate, survey, trigger, settings, period, history)
        result.matched += 1
        setattr(result, outcome, getattr(result, outcome) + 1)
        if len(result.rows) < ROW_LIMIT:
            contact = candidate.contact
            result.rows.append(PreviewRow(contact.id, contact.external_id,
                                          contact.name or contact.email or contact.external_id,
                                          candidate.at, outcome, detail))
    return result


def _judge(candidate: _Candidate, survey: Survey, trigger: Trigger, settings: WorkspaceSettings,
           period: timedelta | None, history: _History) -> tuple[str, str]:
    contact, at = candidate.contact, candidate.at
    problem = _unreachable(contact, trigger)
    if problem:
        return "unreachable", problem
    verdicts = evaluate_filters(trigger.filters, contact=contact, account=contact.account,
                                properties=candidate.properties)
    failed = next((v for v in verdicts if not v.passed), None)
    if failed is not None:
        return "filtered_out", failed.detail
    if not in_sample(contact.id, survey.id, trigger.key, trigger.sample):
        return "sampled_out", f"sampled out: {trigger.sample * 100:.4g} % of contacts are asked"
    recontact = recontact_sentence(history.last_before(contact.id, at), period, now=at)
    if not recontact.passed:
        return "throttled", recontact.detail
    account = contact.account
    if account is not None and settings.account_limit > 0:
        verdict = account_sentence(account.name, history.account_before(account.id, at), settings.account_limit,
                                   account_period(settings), now=at)
        if not verdict.passed:
            return "throttled", verdict.detail
    history.add(contact.id, contact.account_id, Send(at, survey.id, survey.name))
    return "invited", f"would be invited {day(at)}"


def _unreachable(contact: Contact, trigger: Trigger) -> str | None:
    if contact.erased_at is not None:
        return f"contact erased on {day(contact.erased_at)}"
    if contact.unsubscribed_at is not None:
        return f"unsubscribed on {day(contact.unsubscribed_at)}"
    problems = [channel_problem(contact, channel) for channel in trigger.channels]
    if all(problems):
        return "; ".join(p for p in problems if p)
    return None


def _candidates(session: Session, trigger: Trigger, start: datetime, end: datetime) -> Iterator[_Candidate]:
    if trigger.type == EVENT:
        return _event_candidates(session, trigger, start, end)
    if trigger.type == DATE:
        return iter(sorted(_date_candidates(session, trigger, start, end), key=lambda c: (c.at, c.contact.id)))
    if trigger.type == RECURRING:
        return iter(sorted(_recurring_candidates(session, trigger, start, end), key=lambda c: (c.at, c.contact.id)))
    return iter(())


def _event_candidates(session: Session, trigger: Trigger, start: datetime, end: datetime) -> Iterator[_Candidate]:
    rows = session.execute(
        select(Event, Contact).join(Contact, Contact.id == Event.contact_id)
        .where(Event.name == trigger.event, Event.occurred_at > start, Event.occurred_at <= end)
        .order_by(Event.occurred_at, Event.id)).unique()
    seen: set[int] = set()
    for event, contact in rows:
        if trigger.repeat == "once":
            if contact.id in seen:
                continue
            seen.add(contact.id)
        yield _Candidate(contact, event.occurred_at + trigger.delay, event.properties or {})


def _active_contacts(session: Session) -> Iterator[Contact]:
    return session.scalars(select(Contact).where(Contact.erased_at.is_(None)).order_by(Contact.id)).unique()


def _date_candidates(session: Session, trigger: Trigger, start: datetime, end: datetime) -> Iterator[_Candidate]:
    """Contacts whose date field + offset fell in (start, end], read as the date scan reads them."""
    try:
        field = date_field(trigger.field or "")
    except ValueError:
        return
    lo, hi = start - trigger.offset, end - trigger.offset
    stmt = select(Contact, Account).where(Contact.erased_at.is_(None), field.sql_between(lo.date(), hi.date(), lo, hi))
    stmt = (stmt.join(Account, Account.id == Contact.account_id) if field.model is Account
            else stmt.outerjoin(Account, Account.id == Contact.account_id))
    for contact, account in session.execute(stmt.order_by(Contact.id)).unique():
        value = field.value(contact, account)
        at = fire_moment(value, trigger.offset) if value is not None else None
        if at is not None and start < at <= end:
            yield _Candidate(contact, at)


def _recurring_candidates(session: Session, trigger: Trigger, start: datetime,
                          end: datetime) -> Iterator[_Candidate]:
    every = trigger.every
    if not every or every <= timedelta(0):
        return
    for contact in _active_contacts(session):
        first = contact.created_at + trigger.warmup
        at = first + max(0, math.ceil((start - first) / every)) * every
        while at <= start:  # the window excludes its start, like the event window
            at += every
        while at <= end:
            yield _Candidate(contact, at)
            at += every
