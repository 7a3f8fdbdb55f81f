"""Half a year of demo responses: believable scores per account, comments, channels, partials.

Deterministic: one seeded :class:`random.Random` plans every response before
anything is written, then the plan is replayed in time order through
:func:`feedback.responses.services.submit_response`, with the workspace's
milestones (a survey's v2, a pause, an account's upgrade) in between, so each
response answers the version that was live then and snapshots the account as
it was then.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback.demo import comments as say
from feedback.demo.data import ACCOUNT_CHANGES, ACCOUNT_MOODS
from feedback.demo.surveys import (
    AREA_OPTIONS, BETA, EFFORT, LIVES, ONBOARDING, QUARTERLY, QUARTERLY_V2_DAYS_AGO, SUPPORT, Milestone,
)
from feedback.responses.models import Channel
from feedback.responses.services import Submission, submit_response
from surveys.audience.models import Account, Contact
from surveys.design.locales import pick_locale
from surveys.design.models import Survey

SEED = 4_2024
PERIOD_DAYS = 182
AVERAGE_MOOD = (7.5, 0.0)
QUARTERLY_WAVES = [(181, 166), (70, 56), (12, 1)]  # days ago: invitations go out, then trickle in


@dataclass(order=True)
class Planned:
    """One submission to make at ``when``."""

    when: datetime
    survey: str = field(compare=False)
    answers: dict[str, Any] = field(compare=False)
    channel: Channel = field(compare=False)
    client_response_id: str = field(compare=False)
    contact: Contact | None = field(compare=False, default=None)
    partial: bool = field(compare=False, default=False)


class Planner:
    """Draws scores and comments for one contact's mood at a moment."""

    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.count = 0

    def at(self, days_ago_from: int, days_ago_to: int) -> datetime:
        # Up to ten hours are taken off too: keep half a day clear of the survey's opening.
        days = self.rng.uniform(max(days_ago_to, 1), days_ago_from - 0.5)
        return self.now - timedelta(days=days, minutes=self.rng.randint(0, 600))

    def mood(self, contact: Contact | None, when: datetime) -> float:
        """The account's mean NPS at ``when`` (anonymous respondents: the average customer)."""
        account = contact.account if contact is not None else None
        base, trend = ACCOUNT_MOODS.get(account.external_id, AVERAGE_MOOD) if account else AVERAGE_MOOD
        progress = 1 - (self.now - when).days / PERIOD_DAYS  # 0 half a year ago, 1 today
        return base + trend * (progress - 0.5)

    def scale(self, mood: float, low: int, high: int, spread: float) -> int:
        mean = low + (high - low) * mood / 10
        return max(low, min(high, round(self.rng.gauss(mean, spread))))

    def maybe(self, chance: float) -> bool:
        return self.rng.random() < chance

    def key(self, survey: str) -> str:
        self.count += 1
        return f"demo-{survey}-{self.count:04d}"

    def channel(self, weights: dict[Channel, int], contact: Contact | None) -> Channel:
        channel = self.rng.choices(list(weights), list(weights.values()))[0]
        if channel is Channel.EMAIL and (contact is None or contact.unsubscribed_at is not None):
            return Channel.IN_APP  # no email goes to people who opted out, or to nobody
        return channel


def _nps_answers(p: Planner, contact: Contact | None, when: datetime, french: bool) -> dict[str, Any]:
    score = p.scale(p.mood(contact, when), 0, 10, 1.3)
    answers: dict[str, Any] = {"nps": score}
    if score <= 6 and p.maybe(0.75):
        answers["disappointed"] = p.rng.choice(say.DISAPPOINTED_FR if french else say.DISAPPOINTED)
    elif 7 <= score <= 8 and p.maybe(0.55):
        answers["improve"] = p.rng.choice(say.IMPROVE_FR if french else say.IMPROVE)
    elif score >= 9 and p.maybe(0.6):
        answers["value_most"] = p.rng.choice(say.VALUE_MOST_FR if french else say.VALUE_MOST)
    return answers


def _quarterly(p: Planner, contacts: list[Contact], out: list[Planned]) -> None:
    weights = {Channel.EMAIL: 55, Channel.LINK: 20, Channel.IN_APP: 15, Channel.API: 10}
    for start, end in QUARTERLY_WAVES:
        respondents = [c for c in contacts if p.maybe(0.75)] + [None] * p.rng.randint(3, 6)
        for contact in respondents:
            when = p.at(start, end)
            v2 = when > p.now - timedelta(days=QUARTERLY_V2_DAYS_AGO)
            french = v2 and contact is not None and (contact.locale or "").startswith("fr")
            answers = _nps_answers(p, contact, when, french)
            if v2 and p.maybe(0.6):
                unhappy = answers["nps"] <= 6
                answers["area"] = p.rng.choice(AREA_OPTIONS[1:] if unhappy else AREA_OPTIONS[:4])
            out.extend(_submissions(p, QUARTERLY, contact, when, answers, p.channel(weights, contact)))


def _onboarding(p: Planner, contacts: list[Contact], out: list[Planned]) -> None:
    weights = {Channel.IN_APP: 60, Channel.EMAIL: 40}
    life = LIVES[ONBOARDING]
    for contact in [c for c in contacts if p.maybe(0.6)]:
        when = p.at(life.opens, 3)
        answers = _nps_answers(p, contact, when, french=False)
        if p.maybe(0.7):
            helped = p.rng.sample(["Documentation", "Onboarding call", "In-app guides", "Support team"],
                                  p.rng.randint(1, 2))
            answers["onboarding_help"] = helped + ([p.rng.choice(say.OTHER_HELP)] if p.maybe(0.15) else [])
        out.extend(_submissions(p, ONBOARDING, contact, when, answers, p.channel(weights, contact)))


def _support(p: Planner, contacts: list[Contact], out: list[Planned]) -> None:
    weights = {Channel.EMAIL: 70, Channel.LINK: 30}
    for contact in contacts:
        mood = p.mood(contact, p.now)
        for _ticket in range(p.rng.randint(0, 4) + (2 if mood < 6 else 0)):
            when = p.at(LIVES[SUPPORT].opens, 1)
            csat = p.scale(p.mood(contact, when), 1, 5, 0.9)
            answers: dict[str, Any] = {"csat": csat}
            if p.maybe(0.85):
                answers["resolved"] = "Yes" if csat >= 4 else p.rng.choice(["Partly", "No"] if csat <= 2
                                                                             else ["Yes", "Partly"])
            if csat <= 3 and p.maybe(0.7):
                answers["comment"] = p.rng.choice(say.SUPPORT_BETTER)
            out.extend(_submissions(p, SUPPORT, contact, when, answers, p.channel(weights, contact),
                                    partial_ok=False))


def _effort(p: Planner, contacts: list[Contact], out: list[Planned]) -> None:
    life = LIVES[EFFORT]
    for contact in [c for c in contacts if p.maybe(0.8)]:
        for _task in range(p.rng.randint(1, 2)):
            when = p.at(life.opens, life.closes + 1)
            ces = p.scale(p.mood(contact, when), 1, 7, 1.1)
            answers: dict[str, Any] = {"ces": ces}
            if ces <= 4 and p.maybe(0.65):
                answers["hardest"] = p.rng.choice(say.HARDEST)
            channel = Channel.API if p.maybe(0.15) else Channel.IN_APP
            out.extend(_submissions(p, EFFORT, contact, when, answers, channel, partial_ok=False))


def _beta(p: Planner, contacts: list[Contact], out: list[Planned]) -> None:
    life = LIVES[BETA]
    for contact in [c for c in contacts if p.maybe(0.45)]:
        when = p.at(life.opens, life.closes + 1)
        rating = p.scale(p.mood(contact, when) + 1, 1, 5, 0.8)
        answers: dict[str, Any] = {"rating": rating,
                                   "daily": "Yes" if rating >= 4 else p.rng.choice(["Sometimes", "No"])}
        if p.maybe(0.5):
            answers["anything"] = p.rng.choice(say.BETA)
        out.extend(_submissions(p, BETA, contact, when, answers, Channel.LINK, partial_ok=False))


def _submissions(p: Planner, survey: str, contact: Contact | None, when: datetime, answers: dict[str, Any],
                 channel: Channel, partial_ok: bool = True) -> list[Planned]:
    """A complete response; or a score left partial (some never finish, some come back minutes later)."""
    key = p.key(survey)
    score_id = next(iter(answers))
    if not partial_ok or not p.maybe(0.16):
        return [Planned(when, survey, answers, channel, key, contact)]
    first = Planned(when, survey, {score_id: answers[score_id]}, channel, key, contact, partial=True)
    rest = {qid: value for qid, value in answers.items() if qid != score_id}
    if not rest or p.maybe(0.5):
        return [first]  # the score was clicked in an email, nothing more
    later = when + timedelta(minutes=p.rng.randint(1, 20))
    return [first, Planned(later, survey, rest, channel, key, contact)]


def plan_responses(contacts: list[Contact], now: datetime) -> list[Planned]:
    """Every demo submission, oldest first."""
    planner = Planner(random.Random(SEED), now)
    planned: list[Planned] = []
    for build in (_quarterly, _onboarding, _support, _effort, _beta):
        build(planner, contacts, planned)
    return sorted(planned)


def seed_responses(session: Session, surveys: dict[str, Survey], milestones: list[Milestone],
                   now: datetime) -> int:
    """Replay the plan and the milestones in time order; return how many submissions were made."""
    contacts = list(session.scalars(select(Contact).order_by(Contact.external_id)))
    accounts = {a.external_id: a for a in session.scalars(select(Account))}
    events: list[tuple[datetime, Callable[[Session], None]]] = [(m.when, m.apply) for m in milestones]
    for days_ago, external_id, before, after in ACCOUNT_CHANGES:
        _set(accounts[external_id], before)
        events.append((now - timedelta(days=days_ago), lambda _s, a=accounts[external_id], v=after: _set(a, v)))
    plan = plan_responses(contacts, now)
    events.extend((item.when, _submit(surveys, item)) for item in plan)
    for _when, apply in sorted(events, key=lambda event: event[0]):
        apply(session)
    session.flush()
    return len(plan)


def _set(account: Account, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(account, name, Decimal(value) if name == "arr" else value)


def _submit(surveys: dict[str, Survey], item: Planned) -> Callable[[Session], None]:
    def apply(session: Session) -> None:
        survey = surveys[item.survey]
        locale = None
        if item.contact is not None and survey.latest_version is not None:
            locale = pick_locale(survey.latest_version.definition, [item.contact.locale])
        submit_response(session, survey, Submission(
            item.answers, channel=item.channel, partial=item.partial, client_response_id=item.client_response_id,
            contact=item.contact, submitted_at=item.when, locale=locale))
    return apply
