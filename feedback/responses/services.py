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
- in the same transaction, the contact's invitations to the survey are closed
  (:func:`feedback.journeys.answers.close_invitations`): answered, or cancelled
  when answered elsewhere; an uninvited answer counts for the throttles;
- the ids of saved responses are handed to the after-commit listeners
  (:mod:`feedback.responses.hooks`), never before the commit.

Flushes; the caller commits.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from feedback.journeys.answers import close_invitations
from feedback.responses.hooks import mark_saved
from feedback.responses.models import Answer, Channel, Response
from surveys.audience.models import Contact
from surveys.db import insert_ignoring_duplicates, utcnow
from surveys.design.answers import AnswerValue, validate_answers
from surveys.design.kinds import QuestionType
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.design.services import AnswerTarget, SurveyStateError


class SurveyClosed(SurveyStateError):
    """The survey is a draft, paused or archived: it takes no answers."""

    def __init__(self, survey: Survey | AnswerTarget) -> None:
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


SurveyLike = Survey | AnswerTarget


def submit_response(session: Session, survey: SurveyLike, submission: Submission) -> SubmitResult:
    """Record ``submission`` for ``survey``; see the module docstring for the contract.

    A new key is inserted first (``INSERT ... ON CONFLICT DO NOTHING``): the unique
    constraint, not a prior lookup, decides whether the key is new, so a race
    between two requests needs no savepoint and the common case costs one statement.
    """
    if not survey.accepts_answers:
        raise SurveyClosed(survey)
    version_id, definition = _latest(survey)
    try:
        answers = validate_answers(definition, submission.answers, partial=submission.partial)
    except ValidationError:
        # The key may name a response on an older version, whose questions decide.
        existing = _existing(session, survey, submission)
        if existing is None:
            raise
        return _update(session, existing, submission)
    response = _insert(session, survey.id, version_id, submission)
    if response is None:  # the key was known (or another request just took it)
        existing = _existing(session, survey, submission)
        assert existing is not None
        return _update(session, existing, submission)
    session.execute(insert(Answer), [_answer_values(response.id, answer) for answer in answers.values()])
    close_invitations(session, [response], now=response.created_at)
    mark_saved(session, response.id)
    return SubmitResult(response, created=True, changed=True, answers=answers)


def _latest(survey: SurveyLike) -> tuple[int, dict[str, Any]]:
    if isinstance(survey, AnswerTarget):
        assert survey.latest_version_id is not None and survey.definition is not None
        return survey.latest_version_id, survey.definition
    version = survey.latest_version
    assert version is not None
    return version.id, version.definition


def _existing(session: Session, survey: SurveyLike, submission: Submission) -> Response | None:
    if submission.client_response_id is None:
        return None
    return find_by_client_id(session, survey.id, submission.client_response_id)


def find_by_client_id(session: Session, survey_id: int, client_response_id: str) -> Response | None:
    return session.scalar(select(Response).where(Response.survey_id == survey_id,
                                                 Response.client_response_id == client_response_id))


def response_values(survey_id: int, version_id: int, submission: Submission, now: datetime) -> dict[str, Any]:
    """The ``response`` row a new submission writes, account snapshot included."""
    contact = submission.contact
    account = contact.account if contact is not None else None
    submitted_at = submission.submitted_at or now
    values: dict[str, Any] = {
        "survey_id": survey_id, "survey_version_id": version_id, "channel": submission.channel,
        "client_response_id": submission.client_response_id, "locale": submission.locale,
        "contact_id": contact.id if contact else None, "account_id": account.id if account else None,
        "partial": submission.partial, "submitted_at": submitted_at,
        "completed_at": None if submission.partial else submitted_at, "created_at": now, "updated_at": now}
    if account is not None:
        values.update(account_plan=account.plan, account_segment=account.segment, account_arr=account.arr,
                      account_csm_email=account.csm_email, account_renewal_date=account.renewal_date)
    return values


def _insert(session: Session, survey_id: int, version_id: int, submission: Submission) -> Response | None:
    """The new response, or None when its ``client_response_id`` is already taken."""
    values = response_values(survey_id, version_id, submission, utcnow())
    stmt = insert_ignoring_duplicates(session, Response.__table__, ["survey_id", "client_response_id"])
    # Core, not the ORM's unit of work: one statement, and the row is already known here.
    response_id = session.execute(stmt.values(values).returning(Response.__table__.c.id)).scalar()
    if response_id is None:
        return None
    # A transient copy of the row just written: what callers read (id, times, snapshot)
    # without loading it back. It is not in the session; session.get() loads the real one.
    return Response(id=response_id, **values)


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
    close_invitations(session, [response], now=response.updated_at)
    mark_saved(session, response.id)
    return SubmitResult(response, created=False, changed=True, answers=merged)


def _write_answers(session: Session, response_id: int, before: dict[str, AnswerValue],
                   after: dict[str, AnswerValue]) -> None:
    stale = [qid for qid, value in before.items() if after.get(qid) != value]
    if stale:
        session.execute(delete(Answer).where(Answer.response_id == response_id, Answer.question_id.in_(stale)))
    session.add_all(_answer_row(response_id, value) for qid, value in after.items() if before.get(qid) != value)
    session.flush()


class BatchRejected(Exception):
    """Some rows of a batch are bad; ``errors`` maps each bad row's index to its messages. Nothing was written."""

    def __init__(self, errors: dict[int, Any]) -> None:
        super().__init__(f"{len(errors)} rows were refused")
        self.errors = errors


def submit_responses(session: Session, survey: SurveyLike, submissions: Sequence[Submission]) -> list[SubmitResult]:
    """Record many submissions with :func:`submit_response`'s rules, all or nothing, in a few statements.

    ``client_response_id`` must not repeat within ``submissions`` (the API checks).
    Known keys are looked up in one query and take the per-row update path; new
    rows are validated, then inserted with one multi-row statement and their
    answers with one more. A key another request takes meanwhile falls back to
    the update path. Raises :class:`BatchRejected` naming every bad row, before
    anything new is inserted (updates of known keys may have been flushed: the
    caller rolls back); flushes, the caller commits.
    """
    if not survey.accepts_answers:
        raise SurveyClosed(survey)
    version_id, definition = _latest(survey)
    keys = [s.client_response_id for s in submissions if s.client_response_id is not None]
    known = _known_keys(session, survey.id, keys)
    errors: dict[int, Any] = {}
    validated: dict[int, dict[str, AnswerValue]] = {}
    for index, submission in enumerate(submissions):
        if submission.client_response_id in known:
            continue
        try:
            validated[index] = validate_answers(definition, submission.answers, partial=submission.partial)
        except ValidationError as err:
            errors[index] = err.messages
    results: dict[int, SubmitResult] = {}
    # Updates write as they go; any refused row aborts the batch, and the caller's
    # rollback undoes them (nothing new has been inserted yet).
    for index, submission in enumerate(submissions):
        if submission.client_response_id in known:
            try:
                results[index] = _update(session, known[submission.client_response_id], submission)
            except ValidationError as err:
                errors[index] = err.messages
            except ResponseConflict as err:
                errors[index] = {"client_response_id": [str(err)]}
    if errors:
        raise BatchRejected(errors)
    now = utcnow()
    values = {index: response_values(survey.id, version_id, submissions[index], now) for index in validated}
    inserted = _insert_many(session, values)
    answer_rows: list[dict[str, Any]] = []
    for index, response_id in inserted.items():
        response = Response(id=response_id, **values[index])
        results[index] = SubmitResult(response, created=True, changed=True, answers=validated[index])
        answer_rows += [_answer_values(response_id, answer) for answer in validated[index].values()]
        mark_saved(session, response_id)
    if answer_rows:
        session.execute(insert(Answer), answer_rows)
    close_invitations(session, [results[index].response for index in inserted], now=now)
    for index in values.keys() - inserted.keys():  # lost a race for its key: update the winner
        submission = submissions[index]
        winner = _existing(session, survey, submission)
        assert winner is not None
        results[index] = _update(session, winner, submission)
    return [results[index] for index in range(len(submissions))]


def _known_keys(session: Session, survey_id: int, keys: list[str]) -> dict[str, Response]:
    known: dict[str, Response] = {}
    for chunk in range(0, len(keys), 500):
        rows = session.scalars(select(Response).where(Response.survey_id == survey_id,
                                                      Response.client_response_id.in_(keys[chunk:chunk + 500])))
        known.update((row.client_response_id, row) for row in rows if row.client_response_id is not None)
    return known


def _insert_many(session: Session, values: dict[int, dict[str, Any]]) -> dict[int, int]:
    """Insert the rows; returns index → new id, leaving out rows whose key was taken meanwhile."""
    table = Response.__table__
    keyed = {v["client_response_id"]: i for i, v in values.items() if v["client_response_id"] is not None}
    unkeyed = [i for i, v in values.items() if v["client_response_id"] is None]
    ids: dict[int, int] = {}
    if keyed:
        stmt = insert_ignoring_duplicates(session, table, ["survey_id", "client_response_id"])
        rows = session.execute(stmt.returning(table.c.id, table.c.client_response_id),
                               [values[i] for i in keyed.values()])
        ids.update((keyed[key], response_id) for response_id, key in rows)
    if unkeyed:
        rows = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                               [values[i] for i in unkeyed])
        ids.update(zip(unkeyed, rows.scalars()))
    return ids
