"""One contact's page: their fields, journey events, invitations, and the eligibility panel
("why wasn't this person surveyed?": pick a survey, read every rule's verdict)."""
from __future__ import annotations

from flask import render_template, request
from sqlalchemy import func, select

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from surveys.audience.models import Contact
from surveys.db import db, utcnow
from surveys.delivery.models import Invitation
from surveys.design.models import Survey, SurveyStatus
from surveys.journeys.describe import when_text
from surveys.journeys.eligibility import definition_of
from surveys.journeys.explain import SurveyTrace, explain
from surveys.journeys.models import Event

EVENTS_SHOWN = 50
INVITATIONS_SHOWN = 50
SURVEY_FIELD = "survey"


def _surveys() -> list[Survey]:
    """The surveys one may check a contact against: every one not archived, live first."""
    order = (Survey.status != SurveyStatus.LIVE, func.lower(Survey.name), Survey.id)
    return list(db.session.scalars(select(Survey).where(Survey.status != SurveyStatus.ARCHIVED).order_by(*order)))


def _chosen_survey(surveys: list[Survey]) -> tuple[Survey | None, str | None]:
    """The survey named by ``?survey=``, or the reason it names none a person can act on."""
    raw = request.args.get(SURVEY_FIELD, "").strip()
    if not raw:
        return None, None
    if not raw.isdigit() or len(raw) > 18:
        return None, "Choose a survey from the list."
    survey = next((s for s in surveys if s.id == int(raw)), None) or db.session.get(Survey, int(raw))
    if survey is None:
        return None, f"No survey with id {raw}."
    return survey, None


def _trigger_summaries(survey: Survey) -> dict[str, str]:
    return {item.get("id"): when_text(item) for item in definition_of(survey).get("triggers") or []}


@bp.get("/contacts/<int:contact_id>")
@requires(Permission.READ_AUDIENCE)
def contact(contact_id: int):
    person = db.get_or_404(Contact, contact_id)
    surveys = _surveys()
    survey, survey_error = _chosen_survey(surveys)
    trace: SurveyTrace | None = None
    if survey is not None and person.erased_at is None:
        trace = explain(db.session, person, survey, now=utcnow())
    events = db.session.scalars(select(Event).where(Event.contact_id == person.id)
                                .order_by(Event.occurred_at.desc(), Event.id.desc()).limit(EVENTS_SHOWN)).all()
    invitations = db.session.execute(
        select(Invitation, Survey.name).join(Survey, Survey.id == Invitation.survey_id)
        .where(Invitation.contact_id == person.id)
        .order_by(func.coalesce(Invitation.sent_at, Invitation.scheduled_for).desc(), Invitation.id.desc())
        .limit(INVITATIONS_SHOWN)).all()
    page = render_template(
        "web/contacts/show.html", contact=person, account=person.account, surveys=surveys, survey=survey,
        survey_error=survey_error, trace=trace, summaries=_trigger_summaries(survey) if survey else {},
        events=events, invitations=invitations, events_shown=EVENTS_SHOWN)
    return page, 422 if survey_error else 200
