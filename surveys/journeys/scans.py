"""Date-relative and recurring triggers: periodic scans that schedule what has fallen due.

**Date triggers** (``{"type": "date", "field": "account.renewal_date", "offset": "-P60D"}``)
fire for each contact whose date field plus the offset falls in the last
:data:`DATE_SLACK` (so a scan that runs hourly, or misses a day, catches every date
once). A date (not a time) counts from midnight UTC. Fields: ``account.renewal_date``,
``account.created_at``, ``contact.created_at``, and ``account.attributes.<key>`` /
``contact.attributes.<key>`` holding an ISO date (``"2026-03-31"``; a datetime's date
part is used, anything else is ignored). An account field fires for every contact of
the account. The firing key is ``"<field>=<date>"``: each date value fires once per
contact and survey, and a renewal date moved to next year fires again.

**Recurring triggers** (``{"type": "recurring", "every": "P90D", "warmup": "P30D"}``)
fire for each contact whose last invitation from this survey and trigger was scheduled
``every`` ago or more, or who has none and was created ``warmup`` ago or more. The due
time is that moment (now, when it is more than :data:`DATE_SLACK` late); the firing key
is its date.

Both scans let SQL pick the candidates a batch of :data:`BATCH_SIZE` contacts at a time
(keyset on the contact id), then check the trigger's filters and sample in Python.
Erased contacts are never candidates; unsubscribed ones are scheduled and then skipped
by the dispatcher with the reason recorded. ``after_batch`` (say, ``session.commit``)
runs after each batch so that a long scan holds no long transaction.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from surveys.audience.models import Account, Contact
from surveys.delivery.models import Invitation
from surveys.delivery.scheduling import schedule_invitation
from surveys.journeys.filters import evaluate_filters
from surveys.journeys.matching import LiveTrigger, live_triggers, sample_reason
from surveys.journeys.sampling import in_sample
from surveys.journeys.triggers import DATE, RECURRING

BATCH_SIZE = 1000
DATE_SLACK = timedelta(days=2)


@dataclass
class ScanReport:
    """What a scan did: invitations scheduled, recorded as sampled out, candidates examined."""

    scheduled: int = 0
    sampled_out: int = 0
    examined: int = 0

    def count(self, invitation: Invitation | None) -> None:
        if invitation is None:
            return
        if invitation.reason:
            self.sampled_out += 1
        else:
            self.scheduled += 1


# --- which date a field holds -----------------------------------------------------------------

@dataclass(frozen=True)
class DateField:
    """How to find a trigger's date field in SQL (a condition) and read it back in Python."""

    name: str
    model: type[Account | Contact]
    column: str | None = None      # a Date or DateTime column
    attribute: str | None = None   # a key of ``attributes`` holding an ISO date

    def sql_between(self, first: date, last: date, lo: datetime, hi: datetime) -> Any:
        if self.attribute is not None:
            text = func.substr(self.model.attributes[self.attribute].as_string(), 1, 10)
            return text.between(first.isoformat(), last.isoformat())
        column = getattr(self.model, self.column)
        if self.column == "renewal_date":
            return column.between(first, last)
        return column.between(lo, hi)

    def value(self, contact: Contact, account: Account | None) -> date | datetime | None:
        record = contact if self.model is Contact else account
        if record is None:
            return None
        if self.column is not None:
            return getattr(record, self.column)
        raw = (record.attributes or {}).get(self.attribute)
        if not isinstance(raw, str):
            return None
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            return None


def date_field(name: str) -> DateField:
    """The :class:`DateField` of a trigger's ``field``; ``ValueError`` for one no scan can read."""
    owner, _, rest = name.partition(".")
    model = {"account": Account, "contact": Contact}.get(owner)
    if model is None:
        raise ValueError(f"{name!r} is not an account or contact field")
    if rest.startswith("attributes.") and len(rest) > len("attributes."):
        return DateField(name, model, attribute=rest[len("attributes."):])
    if rest in ("created_at",) or (model is Account and rest == "renewal_date"):
        return DateField(name, model, column=rest)
    raise ValueError(f"{name!r} is not a date field")


def fire_moment(value: date | datetime, offset: timedelta) -> datetime:
    """When a date field fires: a date counts from its midnight UTC."""
    if isinstance(value, datetime):
        return value + offset
    return datetime.combine(value, time(0), UTC) + offset


def _value_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


# --- the scans -------------------------------------------------------------------------------

def _batches(session: Session, stmt: Select, batch_size: int) -> Iterator[list[Any]]:
    """Rows of ``stmt`` (selecting Contact first) a batch at a time, by ascending contact id."""
    last_id = 0
    while True:
        rows = session.execute(stmt.where(Contact.id > last_id).order_by(Contact.id).limit(batch_size)).all()
        if not rows:
            return
        last_id = rows[-1][0].id  # read before the caller's commit expires the row
        yield rows
        if len(rows) < batch_size:
            return


def _known_firings(session: Session, live: LiveTrigger, contact_ids: list[int]) -> set[tuple[int, str]]:
    """The (contact, firing key) pairs of this survey and trigger already scheduled, whatever the version."""
    rows = session.execute(select(Invitation.contact_id, Invitation.firing_key).where(
        Invitation.survey_id == live.survey.id, Invitation.trigger_key == live.trigger.key,
        Invitation.contact_id.in_(contact_ids)))
    return {(contact_id, key) for contact_id, key in rows}


def _fire(session: Session, live: LiveTrigger, contact: Contact, account: Account | None, firing_key: str,
          due_at: datetime, now: datetime) -> Invitation | None:
    trigger = live.trigger
    if not all(v.passed for v in evaluate_filters(trigger.filters, contact=contact, account=account)):
        return None
    skip = None if in_sample(contact.id, live.survey.id, trigger.key, trigger.sample) else sample_reason(trigger.sample)
    return schedule_invitation(session, contact=contact, survey=live.survey, version=live.version, trigger=trigger,
                               firing_key=firing_key, due_at=due_at, skip_reason=skip, now=now)


def _date_candidates(field: DateField, offset: timedelta, now: datetime) -> Select:
    lo, hi = now - DATE_SLACK - offset, now - offset  # the field's values that fire now
    first = lo.date() if lo.timetz() == time(0, tzinfo=UTC) else lo.date() + timedelta(days=1)
    condition = field.sql_between(first, hi.date(), lo, hi)
    stmt = select(Contact, Account).where(Contact.erased_at.is_(None), condition)
    if field.model is Account:
        return stmt.join(Account, Account.id == Contact.account_id)
    return stmt.outerjoin(Account, Account.id == Contact.account_id)


def scan_date_triggers(session: Session, *, now: datetime, batch_size: int = BATCH_SIZE,
                       after_batch: Callable[[], None] | None = None) -> ScanReport:
    """Schedule every date trigger firing that fell due in ``[now - DATE_SLACK, now]``."""
    report = ScanReport()
    for live in live_triggers(session, DATE):
        try:
            field = date_field(live.trigger.field or "")
        except ValueError:
            continue
        offset = live.trigger.offset
        for rows in _batches(session, _date_candidates(field, offset, now), batch_size):
            known = _known_firings(session, live, [contact.id for contact, _ in rows])
            for contact, account in rows:
                report.examined += 1
                value = field.value(contact, account)
                if value is None or not now - DATE_SLACK <= fire_moment(value, offset) <= now:
                    continue
                firing_key = f"{field.name}={_value_date(value).isoformat()}"
                if (contact.id, firing_key) in known:
                    continue
                report.count(_fire(session, live, contact, account, firing_key,
                                   fire_moment(value, offset), now))
            session.flush()
            if after_batch is not None:
                after_batch()
    return report


def _recurring_candidates(live: LiveTrigger, now: datetime) -> Select:
    trigger = live.trigger
    last = (select(Invitation.contact_id, func.max(Invitation.scheduled_for).label("last"))
            .where(Invitation.survey_id == live.survey.id, Invitation.trigger_key == trigger.key)
            .group_by(Invitation.contact_id).subquery())
    stmt = (select(Contact, Account, last.c.last)
            .outerjoin(Account, Account.id == Contact.account_id)
            .outerjoin(last, last.c.contact_id == Contact.id)
            .where(Contact.erased_at.is_(None),
                   or_(and_(last.c.last.is_(None), Contact.created_at <= now - trigger.warmup),
                       last.c.last <= now - trigger.every)))
    return stmt


def recurring_firing_key(due: datetime, every: timedelta) -> str:
    """The due date (``2026-03-31``), or the minute when the period is shorter than a day."""
    return due.date().isoformat() if every >= timedelta(days=1) else due.isoformat(timespec="minutes")


def scan_recurring(session: Session, *, now: datetime, batch_size: int = BATCH_SIZE,
                   after_batch: Callable[[], None] | None = None) -> ScanReport:
    """Schedule the next recurring invitation of every contact whose period has come round."""
    report = ScanReport()
    for live in live_triggers(session, RECURRING):
        every = live.trigger.every
        if not every or every <= timedelta(0):
            continue
        stmt = _recurring_candidates(live, now)
        for rows in _batches(session, stmt, batch_size):
            for contact, account, last in rows:
                report.examined += 1
                due = last + every if last is not None else contact.created_at + live.trigger.warmup
                if due < now - DATE_SLACK:
                    due = now  # long overdue (a survey just published, a paused scan): ask now, not a backlog
                report.count(_fire(session, live, contact, account, recurring_firing_key(due, every), due, now))
            session.flush()
            if after_batch is not None:
                after_batch()
    return report
