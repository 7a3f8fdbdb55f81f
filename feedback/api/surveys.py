"""``/api/v1/surveys``: design, publish, pause and retire surveys; issue personal links."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import current_app, url_for
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import ValidationError
from sqlalchemy import select

from feedback.api.blueprint import ApiBlueprint
from feedback.api.common import PAGINATION, unprocessable
from feedback.api.survey_schemas import (
    DEFINITION_FIELDS,
    LinkPostSchema,
    PersonalLinkSchema,
    SurveyListArgs,
    SurveyPatchSchema,
    SurveyPostSchema,
    SurveySchema,
    SurveyVersionSchema,
    hosted_url,
)
from feedback.auth.access import current_principal
from feedback.auth.roles import Permission
from feedback.extensions import db
from surveys.audience.models import Contact
from surveys.audience.queries import page
from surveys.audience.services import get_contact
from surveys.db import begin_write
from surveys.delivery.links import sign_personal_link
from surveys.design.models import Survey, SurveyStatus
from surveys.design.services import (
    SurveyStateError,
    create_survey,
    publish,
    set_status,
    update_draft,
    versions_of,
)
from surveys.design.templates import BLANK, TEMPLATES

blp = ApiBlueprint("Surveys", __name__, url_prefix="/api/v1/surveys",
                   description="Surveys: a draft definition you edit, and the immutable versions you publish.")

ARCHIVED_READ_ONLY = "An archived survey cannot be edited; restore it first (PATCH status: paused or draft)."


def start_write() -> None:
    """Open a writing transaction (``BEGIN IMMEDIATE`` on SQLite, see :func:`surveys.db.begin_write`),
    so concurrent writers wait their turn instead of failing with "database is locked"."""
    begin_write(db.session)


def survey_or_404(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        abort(404, message=f"No survey with id {survey_id}.")
    return survey


def _first_message(messages: Any, path: str = "") -> str:
    """``"questions.nps.options: Only choice questions have options."``: the first error, located."""
    if isinstance(messages, dict) and messages:
        key, value = next(iter(messages.items()))
        return _first_message(value, f"{path}.{key}" if path else str(key))
    if isinstance(messages, list) and messages:
        return _first_message(messages[0], path)
    return f"{path}: {messages}" if path else str(messages)


def invalid(err: ValidationError) -> NoReturn:
    """A 422 in the API's shape: ``errors.json.<field>...`` (questions keyed by their id)."""
    db.session.rollback()
    messages = err.normalized_messages()
    abort(422, message=_first_message(messages), errors={"json": messages})


def conflict(err: Exception) -> NoReturn:
    db.session.rollback()
    abort(409, message=str(err))


def _definition_sent(body: dict[str, Any]) -> dict[str, Any]:
    return {key: body[key] for key in DEFINITION_FIELDS if key in body}


@blp.route("")
class Surveys(MethodView):
    @blp.requires(Permission.READ_SURVEYS)
    @blp.arguments(SurveyListArgs, location="query", as_kwargs=True)
    @blp.response(200, SurveySchema(many=True))
    @blp.paginate(**PAGINATION)
    def get(self, pagination_parameters, status: SurveyStatus | None = None):
        """List surveys

        Newest first. Pagination metadata (total, pages) is in the `X-Pagination` header.
        """
        stmt = select(Survey).order_by(Survey.id.desc())
        if status is not None:
            stmt = stmt.where(Survey.status == status)
        rows, pagination_parameters.item_count = page(
            db.session, stmt, number=pagination_parameters.page, size=pagination_parameters.page_size)
        return rows

    @blp.requires(Permission.DESIGN_SURVEYS)
    @blp.arguments(SurveyPostSchema)
    @blp.response(201, SurveySchema)
    def post(self, body: dict[str, Any]):
        """Create a survey (a draft)

        From a `template`, from definition fields (`questions`...), or both: the
        fields sent replace the template's. With neither, the survey starts as a
        one-question NPS. A bad definition is a 422 naming the question by its id
        and then the field: `errors.json.questions.<id>.<field>`. Nobody can answer
        the survey until it is published.
        """
        start_write()
        template = body.get("template")
        base = TEMPLATES[template].build() if template else dict(BLANK)
        try:
            survey = create_survey(db.session, body["name"], {**base, **_definition_sent(body)},
                                   template=template, created_by=current_principal().label)
        except ValidationError as err:
            invalid(err)
        db.session.commit()
        return survey, 201, {"Location": url_for(".SurveyItem", survey_id=survey.id)}


@blp.route("/<int:survey_id>")
class SurveyItem(MethodView):
    @blp.requires(Permission.READ_SURVEYS)
    @blp.response(200, SurveySchema)
    def get(self, survey_id: int):
        """Get one survey"""
        return survey_or_404(survey_id)

    @blp.requires(Permission.DESIGN_SURVEYS)
    @blp.arguments(SurveyPatchSchema)
    @blp.response(200, SurveySchema)
    @blp.alt_response(409, response="CONFLICT",
                      description="Not a possible status change, or an edit of an archived survey.")
    def patch(self, body: dict[str, Any], survey_id: int):
        """Edit the draft, rename, or change the status

        Definition fields sent (`questions`, `product`, `locale`, `thank_you`,
        `translations`) replace the draft's, the rest is kept; the result is
        validated whole (422 naming the question id and field). Published
        versions never change: publish to make the edit live. `status` pauses,
        resumes, archives or restores; a move the survey cannot make is a 409, as
        is editing an archived survey (restore it in the same request to edit it).
        """
        start_write()
        survey = survey_or_404(survey_id)
        status = body.get("status")
        try:
            if status is not None and survey.status is SurveyStatus.ARCHIVED:
                set_status(db.session, survey, status)  # restore first, then edit
            definition = _definition_sent(body)
            if (definition or "name" in body) and survey.status is SurveyStatus.ARCHIVED:
                raise SurveyStateError(ARCHIVED_READ_ONLY)
            if definition:
                update_draft(db.session, survey, {**survey.draft, **definition})
            if "name" in body:
                survey.name = body["name"]
            if status is not None:
                set_status(db.session, survey, status)
        except ValidationError as err:
            invalid(err)
        except SurveyStateError as err:
            conflict(err)
        db.session.commit()
        return survey


@blp.route("/<int:survey_id>/publish")
class SurveyPublish(MethodView):
    @blp.requires(Permission.DESIGN_SURVEYS)
    @blp.response(201, SurveyVersionSchema)
    @blp.alt_response(409, response="CONFLICT",
                      description="Nothing changed since the last version, or the survey is archived.")
    def post(self, survey_id: int):
        """Publish the draft as a new version

        Freezes the draft as version n+1 (with the changes since version n) and
        makes a draft survey live; a paused survey stays paused. New responses
        answer this version; earlier responses keep pointing at theirs.
        """
        start_write()
        survey = survey_or_404(survey_id)
        try:
            version = publish(db.session, survey, published_by=current_principal().label)
        except SurveyStateError as err:
            conflict(err)
        db.session.commit()
        return version, 201, {"Location": url_for(".SurveyVersions", survey_id=survey.id)}


@blp.route("/<int:survey_id>/versions")
class SurveyVersions(MethodView):
    @blp.requires(Permission.READ_SURVEYS)
    @blp.response(200, SurveyVersionSchema(many=True))
    def get(self, survey_id: int):
        """List the published versions, newest first"""
        survey = survey_or_404(survey_id)
        return versions_of(db.session, survey.id)


def live_contact(external_id: str, location: str = "json") -> Contact:
    """The contact with this id, or a 422 naming ``contact_external_id``; erased contacts are unknown."""
    contact = get_contact(db.session, external_id)
    if contact is None or contact.erased_at is not None:
        unprocessable(location, "contact_external_id", f"No contact with external_id {external_id[:200]!r}.")
    return contact


@blp.route("/<int:survey_id>/links")
class SurveyLinks(MethodView):
    @blp.requires(Permission.SUBMIT_RESPONSES)
    @blp.arguments(LinkPostSchema)
    @blp.response(201, PersonalLinkSchema)
    def post(self, body: dict[str, Any], survey_id: int):
        """Create a personal link for a contact

        The link opens the survey's hosted page and records the answers as that
        contact (and their account). It is signed, so it cannot be altered, and
        stops working after `expires_in_days`. Each link records one response:
        opening it again continues or revises that response.
        """
        survey = survey_or_404(survey_id)
        contact = live_contact(body["contact_external_id"])
        now, ttl = time.time(), LinkPostSchema.ttl(body)
        token = sign_personal_link(current_app.config["SECRET_KEY"], survey.id, contact.id, ttl=ttl, now=now)
        expires_at = datetime.fromtimestamp(int(now + ttl.total_seconds()), UTC)
        return {"url": hosted_url(token), "expires_at": expires_at}, 201

