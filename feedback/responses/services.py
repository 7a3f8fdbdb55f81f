"""Recording responses: validate against the survey version, store once, update partials.

Contract of :func:`submit_response`:

- only a live survey takes answers (:class:`SurveyClosed` otherwise);
- answers are checked by :func:`surveys.design.answers.validate_answers` against
  the version the response answers (a new response: the latest version);
- ``client_response_id`` is an idempotency key per survey. The same key again
  **completes or updates** a partial response; once the response is complete the
  first answers stand: the same answers again are a replay (nothing changes), different
  ones raise :class:`ResponseConflict` — unless the channel lets a respondent
  change their mind (``Submission.may_revise``, e.g. a second click in an email);
- the account's plan, segment, ARR, CSM and renewal date are copied on creation;
- the ids of saved responses are handed to the after-commit listeners
  (:mod:`feedback.responses.hooks`), never before the commit.

Flushes; the caller commits.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback.responses.hooks import mark_saved
from feedback.responses.models import Answer, Channel, Response
from surveys.audience.models import Contact
from surveys.db import utcnow
from surveys.design.answers import AnswerValue, validate_answers
from surveys.design.kinds import QuestionType
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.design.services import SurveyStateError


class SurveyClosed(SurveyStateError):
    """The survey is a draft, paused or archived: it takes no answers."""

    def __init__(self, survey: Survey) -> None:
        reason = {SurveyStatus.DRAFT: "has not been published", SurveyStatus.PAUSED: "is paused",
                  SurveyStatus.ARCHIVED: "is archived"}.get(survey.status, "takes no answers")
        super().__init__(f"This survey {reason}.")
        self.status = survey.status


class ResponseConflict(Exception):
    """The ``client_response_id`` belongs to a completed response with different answers."""

    def __init__(self, response: Response) -> None:
        super().__init__(f"client_response_id {response.client_response_id!r} already recorded a complete "
                         f"response (id {response.id}) with other answers; the first answers stand.")
        self.response = response


@dataclass
class Submission:
    """What a channel received; ``answers`` maps question ids to raw values."""

    answers: Mapping[str, Any]
    channel: Channel = Channel.API
    partial: bool = False
    client_response_id: str | None = None
    contact: Contact | None = None
    submitted_at: datetime | None = None
    locale: str | None = None
    may_revise: bool = False


@dataclass
class SubmitResult:
    response: Response
    created: bool
    changed: bool
    answers: dict[str, AnswerValue] = field(default_factory=dict)


def submit_response(session: Session, survey: Survey, submission: Submission) -> SubmitResult:
    """Record ``submission`` for ``survey``; see the module docstring for the contract."""
    if not survey.accepts_answers:
        raise SurveyClosed(survey)
    if submission.client_response_id is not None:
        existing = find_by_client_id(session, survey.id, submission.client_response_id)
        if existing is not None:
            return _update(session, existing, submission)
    version = survey.latest_version
    assert version is not None
    answers = validate_answers(version.definition, submission.answers, partial=submission.partial)
    try:
        with session.begin_nested():
            response = _create(session, survey, version, submission, answers)
    except IntegrityError:
        # Another request created this client_response_id between our read and our
        # insert; the unique constraint made it lose, so it updates the winner instead.
        existing = find_by_client_id(session, survey.id, submission.client_response_id or "")
        if existing is None:
            raise
        return _update(session, existing, submission)
    return SubmitResult(response, created=True, changed=True, answers=answers)


def find_by_client_id(session: Session, survey_id: int, client_response_id: str) -> Response | None:
    return session.scalar(select(Response).where(Response.survey_id == survey_id,
                                                 Response.client_response_id == client_response_id))


def _create(session: Session, survey: Survey, version: SurveyVersion, submission: Submission,
            answers: dict[str, AnswerValue]) -> Response:
    now = utcnow()
    contact = submission.contact
    account = contact.account if contact is not None else None
    response = Response(
        survey_id=survey.id, survey_version_id=version.id, channel=submission.channel,
        client_response_id=submission.client_response_id, locale=submission.locale,
        contact_id=contact.id if contact else None, account_id=account.id if account else None,
        partial=submission.partial, submitted_at=submission.submitted_at or now,
        completed_at=None if submission.partial else (submission.submitted_at or now),
        created_at=now, updated_at=now)
    if account is not None:
        response.account_plan = account.plan
        response.account_segment = account.segment
        response.account_arr = account.arr
        response.account_csm_email = account.csm_email
        response.account_renewal_date = account.renewal_date
    session.add(response)
    session.flush()
    # One executemany through Core: the ORM would flush (and on SQLite RETURN) row by row.
    session.execute(insert(Answer), [_answer_values(response.id, answer) for answer in answers.values()])
    mark_saved(session, response.id)
    return response


def _answer_values(response_id: int, answer: AnswerValue) -> dict[str, Any]:
    category = answer.nps_category
    return {"response_id": response_id, "question_id": answer.question_id, "question_type": answer.type.value,
            "score": answer.score, "nps_category": category.value if category else None,
            "choices": list(answer.choices) if answer.choices is not None else None,
            "other_text": answer.other, "text": answer.text}


def _answer_row(response_id: int, answer: AnswerValue) -> Answer:
    return Answer(**_answer_values(response_id, answer))


def answer_values(session: Session, response_id: int) -> dict[str, AnswerValue]:
    """The stored answers of a response, typed again."""
    rows = session.scalars(select(Answer).where(Answer.response_id == response_id))
    return {row.question_id: _value(row) for row in rows}


def _value(row: Answer) -> AnswerValue:
    return AnswerValue(row.question_id, QuestionType(row.question_type), score=row.score,
                       choices=tuple(row.choices) if row.choices is not None else None,
                       other=row.other_text, text=row.text)


def _update(session: Session, response: Response, submission: Submission) -> SubmitResult:
    """Lay ``submission`` over ``response``: complete a partial, replay or revise a complete one."""
    version = session.get(SurveyVersion, response.survey_version_id)
    assert version is not None
    existing = answer_values(session, response.id)
    partial = submission.partial and response.partial  # a complete response stays complete
    merged = validate_answers(version.definition, submission.answers, partial=partial, existing=existing)
    if merged == existing and partial == response.partial:
        return SubmitResult(response, created=False, changed=False, answers=existing)
    if not response.partial and not submission.may_revise:
        raise ResponseConflict(response)
    _write_answers(session, response.id, existing, merged)
    if response.partial and not partial:
        response.completed_at = submission.submitted_at or utcnow()
    response.partial = partial
    response.updated_at = utcnow()
    session.flush()
    mark_saved(session, response.id)
    return SubmitResult(response, created=False, changed=True, answers=merged)


def _write_answers(session: Session, response_id: int, before: dict[str, AnswerValue],
                   after: dict[str, AnswerValue]) -> None:
    stale = [qid for qid, value in before.items() if after.get(qid) != value]
    if stale:
        session.execute(delete(Answer).where(Answer.response_id == response_id, Answer.question_id.in_(stale)))
    session.add_all(_answer_row(response_id, value) for qid, value in after.items() if before.get(qid) != value)
    session.flush()
