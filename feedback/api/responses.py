"""Responses: record them from a server (one or a batch of 1,000), list them with a cursor, read one.

Idempotency (``client_response_id``, unique per survey):

- new key → the response is created: **201**;
- the key of a *partial* response → its answers are completed or updated: **200**;
- the key of a *complete* response with the same answers → nothing changes: **200** with the
  header ``Idempotent-Replay: true`` and the stored response;
- the key of a *complete* response with different answers → **409**: the first answers stand,
  and the message names the original response's id.

Concurrent submissions of one key record one response (the unique constraint decides; the
losers then replay or complete the winner).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from feedback.api.blueprint import ApiBlueprint
from feedback.api.response_schemas import (
    Cursor,
    ResponseBatchResultSchema,
    ResponseBatchSchema,
    ResponseListArgs,
    ResponseRecord,
    ResponseSchema,
    ResponseSubmitSchema,
    encode_cursor,
)
from feedback.api.surveys import (
    conflict,
    invalid,
    live_contact,
    start_write,
)
from feedback.auth.roles import Permission
from feedback.extensions import db
from feedback.responses.models import Answer, Response
from feedback.responses.services import (
    BatchRejected,
    ResponseConflict,
    Submission,
    SubmitResult,
    SurveyClosed,
    submit_response,
    submit_responses,
)
from surveys.audience.models import Account, Contact
from surveys.design.answers import AnswerValue
from surveys.design.kinds import QuestionType
from surveys.design.models import SurveyVersion
from surveys.design.services import AnswerTarget, answer_target

blp = ApiBlueprint("Responses", __name__, url_prefix="/api/v1",
                   description="Answers to surveys from every channel, joined to the contact and a snapshot "
                               "of the account.")

_CLOSED = "The survey is a draft (never published), paused or archived: it takes no answers."


def answerable_or_404(survey_id: int) -> AnswerTarget:
    """What the answer path needs of the survey (status, latest definition), or a 404."""
    survey = answer_target(db.session, survey_id)
    if survey is None:
        abort(404, message=f"No survey with id {survey_id}.")
    return survey


def _submission(row: dict[str, Any], contact: Contact | None) -> Submission:
    return Submission(answers=row["answers"], channel=row["channel"], partial=row["partial"],
                      client_response_id=row.get("client_response_id"), contact=contact,
                      submitted_at=row.get("submitted_at"), locale=row.get("locale"))


def _record(session: Session, survey: AnswerTarget, result: SubmitResult) -> ResponseRecord:
    """The JSON's record of a response just saved (the session's identity map holds its neighbours)."""
    response = result.response
    if response.survey_version_id == survey.latest_version_id:
        number = survey.latest_version_number or 0
    else:
        version = session.get(SurveyVersion, response.survey_version_id)
        number = version.number if version else 0
    contact = session.get(Contact, response.contact_id) if response.contact_id else None
    account = session.get(Account, response.account_id) if response.account_id else None
    return ResponseRecord.of(response, number,
                             contact.external_id if contact is not None and contact.erased_at is None else None,
                             account.external_id if account is not None else None, result.answers)


@blp.route("/surveys/<int:survey_id>/responses")
class SurveyResponses(MethodView):
    @blp.requires(Permission.SUBMIT_RESPONSES)
    @blp.arguments(ResponseSubmitSchema)
    @blp.response(201, ResponseSchema, description="A new response was recorded.", headers={
        "Location": {"description": "The response's URL.", "schema": {"type": "string"}}})
    @blp.alt_response(200, schema=ResponseSchema, success=True, description=(
        "The client_response_id was known: a partial response was completed or updated, or (with "
        "`Idempotent-Replay: true`) the same answers were sent again and nothing changed."), headers={
        "Idempotent-Replay": {"description": "`true` when nothing changed: the stored response is returned.",
                              "schema": {"type": "string", "enum": ["true"]}}})
    @blp.alt_response(409, response="CONFLICT", description=_CLOSED + " Or the client_response_id "
                      "belongs to a complete response with other answers: the first answers stand.")
    def post(self, body: dict[str, Any], survey_id: int):
        """Record a response

        Answers are checked against the survey's latest published version (a new
        response) or the version the response already answers: a bad value, an
        unknown question or an answer to a question that logic hides is a 422
        naming it in `errors.json.answers.<question_id>`. Without `partial: true`
        every shown required question must be answered.

        `client_response_id` makes the call idempotent per survey: a new id
        creates (201); the id of a partial response completes or updates it (200);
        the same answers again change nothing (200 with the stored response and
        the header `Idempotent-Replay: true`); different answers for a complete
        response are refused with a 409 naming the original response id (the
        first answers stand). A draft, paused or archived survey answers 409.
        The account's plan, segment, ARR, CSM and renewal date are copied into
        the response when it is created.
        """
        start_write()
        survey = answerable_or_404(survey_id)
        contact = live_contact(body["contact_external_id"]) if "contact_external_id" in body else None
        try:
            result = submit_response(db.session, survey, _submission(body, contact))
        except ValidationError as err:
            invalid(err)
        except (SurveyClosed, ResponseConflict) as err:
            conflict(err)
        record = _record(db.session, survey, result)
        location = url_for(".ResponseItem", response_id=result.response.id)  # before the commit expires it
        db.session.commit()
        if result.created:
            return record, 201, {"Location": location}
        return record, 200, {} if result.changed else {"Idempotent-Replay": "true"}


def _contacts_by_external_id(session: Session, external_ids: Iterable[str]) -> dict[str, Contact]:
    """Live contacts (never erased ones) by external_id, in one query."""
    wanted = set(external_ids)
    if not wanted:
        return {}
    rows = session.scalars(select(Contact).where(Contact.external_id.in_(wanted), Contact.erased_at.is_(None)))
    return {contact.external_id: contact for contact in rows}


def _submit_all(survey: AnswerTarget, rows: Sequence[dict[str, Any]]) -> list[SubmitResult]:
    """Record every row, or raise a ``ValidationError`` keyed by row index (the request then writes nothing)."""
    contacts = _contacts_by_external_id(db.session, (r["contact_external_id"] for r in rows
                                                     if "contact_external_id" in r))
    errors: dict[str, Any] = {}
    indexes: list[int] = []
    submissions: list[Submission] = []
    for index, row in enumerate(rows):
        wanted = row.get("contact_external_id")
        if wanted is not None and wanted not in contacts:
            errors[str(index)] = {"contact_external_id": [f"No contact with external_id {wanted[:200]!r}."]}
            continue
        indexes.append(index)
        submissions.append(_submission(row, contacts.get(wanted or "")))
    try:
        results = submit_responses(db.session, survey, submissions)
    except BatchRejected as err:
        errors.update((str(indexes[i]), messages) for i, messages in err.errors.items())
    if errors:
        raise ValidationError({"responses": dict(sorted(errors.items(), key=lambda item: int(item[0])))})
    return results


@blp.route("/surveys/<int:survey_id>/responses/batch")
class SurveyResponseBatch(MethodView):
    @blp.requires(Permission.SUBMIT_RESPONSES)
    @blp.arguments(ResponseBatchSchema)
    @blp.response(200, ResponseBatchResultSchema)
    @blp.alt_response(409, response="CONFLICT", description=_CLOSED)
    def post(self, body: dict[str, Any], survey_id: int):
        """Record up to 1,000 responses, all or nothing

        Each row is what a single submission takes, with the same idempotency
        rules. Every row is checked before the batch is committed; when any row
        is bad (including an unknown contact, a repeated client_response_id, or
        a complete response's id sent with other answers) the answer is a 422
        whose `errors.json.responses.<index>` names each bad row's fields
        (`answers.<question_id>` for an answer), and nothing is recorded.
        """
        start_write()
        survey = answerable_or_404(survey_id)
        if not survey.accepts_answers:
            conflict(SurveyClosed(survey))
        try:
            results = _submit_all(survey, body["responses"])
        except ValidationError as err:
            invalid(err)
        ids = [result.response.id for result in results]
        created = sum(result.created for result in results)
        updated = sum(not result.created and result.changed for result in results)
        db.session.commit()
        return {"created": created, "updated": updated, "unchanged": len(results) - created - updated, "ids": ids}


# --- reading ----------------------------------------------------------------------------------

def _responses_query() -> Select:
    return (select(Response, SurveyVersion.number, Contact.external_id, Contact.erased_at, Account.external_id)
            .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .outerjoin(Contact, Contact.id == Response.contact_id)
            .outerjoin(Account, Account.id == Response.account_id))


def _filtered(stmt: Select, *, survey: int | None = None, account: str | None = None, contact: str | None = None,
              from_=None, to=None, channel=None, score_band=None, partial: bool | None = None,
              cursor: Cursor | None = None) -> Select:
    conditions = []
    if survey is not None:
        conditions.append(Response.survey_id == survey)
    if account is not None:
        conditions.append(Account.external_id == account)
    if contact is not None:
        conditions += [Contact.external_id == contact, Contact.erased_at.is_(None)]
    if from_ is not None:
        conditions.append(Response.submitted_at >= from_)
    if to is not None:
        conditions.append(Response.submitted_at < to)
    if channel is not None:
        conditions.append(Response.channel == channel)
    if score_band is not None:
        conditions.append(exists().where(Answer.response_id == Response.id,
                                         Answer.nps_category == score_band.value))
    if partial is not None:
        conditions.append(Response.partial.is_(partial))
    if cursor is not None:
        conditions.append(or_(Response.submitted_at < cursor.submitted_at,
                              and_(Response.submitted_at == cursor.submitted_at, Response.id < cursor.response_id)))
    return stmt.where(*conditions)


def _answers_of(session: Session, response_ids: list[int]) -> dict[int, dict[str, AnswerValue]]:
    """The typed answers of many responses, in one query."""
    grouped: dict[int, dict[str, AnswerValue]] = defaultdict(dict)
    if response_ids:
        for row in session.scalars(select(Answer).where(Answer.response_id.in_(response_ids)).order_by(Answer.id)):
            grouped[row.response_id][row.question_id] = AnswerValue(
                row.question_id, QuestionType(row.question_type), score=row.score,
                choices=tuple(row.choices) if row.choices is not None else None, other=row.other_text,
                text=row.text)
    return grouped


def _records(session: Session, stmt: Select) -> list[ResponseRecord]:
    rows = session.execute(stmt).all()
    answers = _answers_of(session, [row[0].id for row in rows])
    return [ResponseRecord.of(response, number, None if erased_at else contact_id, account_id, answers[response.id])
            for response, number, contact_id, erased_at, account_id in rows]


def _next_link(cursor: str) -> str:
    args = request.args.to_dict()
    args["cursor"] = cursor
    return url_for(".Responses", _external=True, **args)


_PAGE_HEADERS = {
    "X-Next-Cursor": {"description": "Pass as `cursor` for the next page; absent on the last page.",
                      "schema": {"type": "string"}},
    "Link": {"description": "The next page's URL with `rel=\"next\"`; absent on the last page.",
             "schema": {"type": "string"}},
}


@blp.route("/responses")
class Responses(MethodView):
    @blp.requires(Permission.READ_RESPONSES)
    @blp.arguments(ResponseListArgs, location="query", as_kwargs=True)
    @blp.response(200, ResponseSchema(many=True), headers=_PAGE_HEADERS)
    def get(self, limit: int, **filters: Any):
        """List responses, newest first, a page at a time

        Filters combine with AND. Pages are cut by a cursor, so rows arriving
        meanwhile never shift or repeat a page: when more responses follow, the
        `X-Next-Cursor` header holds the value to pass as `cursor` for the next
        page (and `Link` its URL, `rel="next"`); the last page has neither.
        """
        stmt = _filtered(_responses_query(), **filters)
        records = _records(db.session, stmt.order_by(Response.submitted_at.desc(), Response.id.desc())
                           .limit(limit + 1))
        if len(records) <= limit:
            return records, 200, {}
        last = records[limit - 1]
        cursor = encode_cursor(last.submitted_at, last.id)
        return records[:limit], 200, {"X-Next-Cursor": cursor, "Link": f'<{_next_link(cursor)}>; rel="next"'}


@blp.route("/responses/<int:response_id>")
class ResponseItem(MethodView):
    @blp.requires(Permission.READ_RESPONSES)
    @blp.response(200, ResponseSchema)
    def get(self, response_id: int):
        """Get one response"""
        records = _records(db.session, _responses_query().where(Response.id == response_id))
        if not records:
            abort(404, message=f"No response with id {response_id}.")
        return records[0]
