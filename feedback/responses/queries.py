"""Reading stored responses for people: a survey's responses with filters, one response's answers,
and an account's survey history. Queries only; nothing here writes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from feedback.responses.models import Answer, Channel, Response
from surveys.audience.models import Contact
from surveys.design.kinds import NpsCategory, QuestionType
from surveys.design.models import Survey

STATUSES = ("complete", "partial")


@dataclass(frozen=True)
class ResponseFilters:
    """What the responses list is narrowed to; None means any."""

    channel: Channel | None = None
    status: str | None = None          # "complete" or "partial"
    category: NpsCategory | None = None

    @property
    def active(self) -> bool:
        return any((self.channel, self.status, self.category))


def survey_responses(survey_id: int, filters: ResponseFilters) -> Select[tuple[Response]]:
    """A survey's responses, newest first, with their contact, account and version loaded."""
    stmt = (select(Response).where(Response.survey_id == survey_id)
            .options(selectinload(Response.contact), selectinload(Response.account),
                     selectinload(Response.version))
            .order_by(Response.submitted_at.desc(), Response.id.desc()))
    if filters.channel is not None:
        stmt = stmt.where(Response.channel == filters.channel)
    if filters.status is not None:
        stmt = stmt.where(Response.partial.is_(filters.status == "partial"))
    if filters.category is not None:
        stmt = stmt.where(exists().where(Answer.response_id == Response.id,
                                         Answer.nps_category == filters.category.value))
    return stmt


def answers_of(session: Session, response_ids: Sequence[int]) -> dict[int, list[Answer]]:
    """The answers of each response (one query for a whole page)."""
    result: dict[int, list[Answer]] = {rid: [] for rid in response_ids}
    if response_ids:
        for answer in session.scalars(select(Answer).where(Answer.response_id.in_(response_ids))):
            result[answer.response_id].append(answer)
    return result


@dataclass(frozen=True)
class SurveyTotals:
    responses: int
    complete: int
    promoters: int
    passives: int
    detractors: int

    @property
    def scored(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> int | None:
        """NPS in [-100, 100] over the responses with an NPS score; None without any."""
        if not self.scored:
            return None
        return round(100 * (self.promoters - self.detractors) / self.scored)


def survey_totals(session: Session, survey_id: int) -> SurveyTotals:
    """How many responses a survey has, how many are complete, and its NPS split (two aggregate queries)."""
    total, complete = session.execute(
        select(func.count(), func.count().filter(Response.partial.is_(False)))
        .where(Response.survey_id == survey_id)).one()
    split = dict(session.execute(
        select(Answer.nps_category, func.count(func.distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey_id, Answer.nps_category.is_not(None))
        .group_by(Answer.nps_category)).all())
    return SurveyTotals(total, complete, split.get("promoter", 0), split.get("passive", 0),
                        split.get("detractor", 0))


@dataclass(frozen=True)
class HistoryRow:
    response_id: int
    survey_id: int
    survey_name: str
    submitted_at: datetime
    partial: bool
    channel: Channel
    contact_name: str | None
    contact_erased: bool
    score: int | None
    category: str | None


def account_history(session: Session, account_id: int, limit: int = 10) -> list[HistoryRow]:
    """The ``limit`` latest responses of an account with their (first) NPS answer: one query on
    the (account_id, submitted_at) index."""
    latest = (select(Response.id).where(Response.account_id == account_id)
              .order_by(Response.submitted_at.desc(), Response.id.desc()).limit(limit).subquery())
    first_nps = (select(Answer.response_id, func.min(Answer.id).label("answer_id"))
                 .where(Answer.response_id.in_(select(latest.c.id)), Answer.question_type == QuestionType.NPS.value)
                 .group_by(Answer.response_id).subquery())
    rows = session.execute(
        select(Response.id, Response.survey_id, Survey.name, Response.submitted_at, Response.partial,
               Response.channel, Contact.name, Contact.erased_at, Answer.score, Answer.nps_category)
        .join(latest, latest.c.id == Response.id)
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(Contact, Contact.id == Response.contact_id)
        .outerjoin(first_nps, first_nps.c.response_id == Response.id)
        .outerjoin(Answer, Answer.id == first_nps.c.answer_id)
        .order_by(Response.submitted_at.desc(), Response.id.desc()))
    return [HistoryRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] is not None, r[8], r[9]) for r in rows]


def account_response_count(session: Session, account_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Response).where(Response.account_id == account_id)) or 0
