"""Responses in the web UI: a survey's stored answers, and the account page's survey history."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request, url_for
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.responses import queries
from feedback.responses.models import Answer, Channel, Response
from feedback.responses.services import answer_values
from feedback.web.blueprint import bp
from surveys.audience.models import Account
from surveys.db import db
from surveys.design.answers import visible_questions
from surveys.design.kinds import NpsCategory, QuestionType, score_range
from surveys.design.models import Survey
from surveys.design.placeholders import render, values_for

PER_PAGE = 25
MAX_PAGE = 10_000
HISTORY_SIZE = 10


def filters_from(args: MultiDict[str, str]) -> queries.ResponseFilters:
    """Filters from the query string; an unknown value is ignored rather than an error."""
    def pick(enum_type: Any, value: str | None) -> Any:
        try:
            return enum_type(value) if value else None
        except ValueError:
            return None
    status = args.get("status")
    return queries.ResponseFilters(channel=pick(Channel, args.get("channel")),
                                   status=status if status in queries.STATUSES else None,
                                   category=pick(NpsCategory, args.get("category")))


@dataclass
class Row:
    """One line of the responses table."""

    response: Response
    nps: Answer | None
    comment: str | None


def _rows(responses: list[Response]) -> list[Row]:
    answers = queries.answers_of(db.session, [r.id for r in responses])
    rows = []
    for response in responses:
        order = {q["id"]: i for i, q in enumerate(response.version.definition["questions"])}
        mine = sorted(answers[response.id], key=lambda a: order.get(a.question_id, len(order)))
        nps = next((a for a in mine if a.question_type == QuestionType.NPS.value), None)
        comment = next((a.text for a in mine if a.text), None)
        rows.append(Row(response, nps, comment))
    return rows


def _survey_url(survey_id: int) -> str:
    """The designer's page when it is installed, else the list of surveys."""
    if "web.survey" in current_app.view_functions:
        return url_for("web.survey", survey_id=survey_id)
    return url_for("web.surveys")


@bp.get("/surveys/<int:survey_id>/responses")
@requires(Permission.READ_RESPONSES)
def survey_responses(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    filters = filters_from(request.args)
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    pagination = db.paginate(queries.survey_responses(survey.id, filters), page=page, per_page=PER_PAGE,
                             error_out=False)
    args = {k: v for k, v in (("channel", filters.channel), ("status", filters.status),
                              ("category", filters.category)) if v}
    return render_template(
        "web/responses/index.html", survey=survey, filters=filters, pagination=pagination,
        rows=_rows(list(pagination.items)), totals=queries.survey_totals(db.session, survey.id),
        channels=list(Channel), categories=list(NpsCategory), args=args, survey_url=_survey_url(survey.id),
        hosted_url=url_for("hosted.respond", token=survey.token, _external=True))


@dataclass
class AnswerLine:
    """One question of the answered version and what the respondent did with it."""

    question: dict[str, Any]
    prompt: str
    answer: Answer | None
    shown: bool
    scale: tuple[int, int] | None


@bp.get("/responses/<int:response_id>")
@requires(Permission.READ_RESPONSES)
def response(response_id: int):
    response = db.get_or_404(Response, response_id, options=[
        selectinload(Response.contact), selectinload(Response.account), selectinload(Response.version),
        selectinload(Response.survey)])
    definition = response.version.definition
    stored = {a.question_id: a for a in queries.answers_of(db.session, [response.id])[response.id]}
    shown = {q["id"] for q in visible_questions(definition, answer_values(db.session, response.id))}
    contact = response.contact
    values = values_for(definition.get("product"), contact.name if contact else None,
                        response.account.name if response.account else None)
    lines = [AnswerLine(q, render(q["prompt"], values), stored.get(q["id"]), q["id"] in shown,
                        score_range(q) if q["type"] in {t.value for t in _SCORES} else None)
             for q in definition["questions"]]
    return render_template("web/responses/show.html", response=response, lines=lines,
                           survey_url=_survey_url(response.survey_id))


_SCORES = (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING)


@bp.app_template_global()
def survey_history(account: Account) -> dict[str, Any]:
    """The account page's "Survey history" section: its latest responses and how many there are."""
    return {"rows": queries.account_history(db.session, account.id, HISTORY_SIZE),
            "count": queries.account_response_count(db.session, account.id)}


CHANNEL_LABELS = {Channel.LINK: "Survey page", Channel.EMAIL: "Email", Channel.IN_APP: "In-app",
                  Channel.API: "API", Channel.IMPORT: "Import"}


@bp.app_template_global()
def channel_label(channel: Channel | str) -> str:
    return CHANNEL_LABELS.get(Channel(channel), str(channel))


@bp.app_template_filter()
def category_badge(category: str | None) -> str:
    """The Bootstrap badge class of an NPS category."""
    return {"promoter": "text-bg-success", "passive": "text-bg-warning",
            "detractor": "text-bg-danger"}.get(category or "", "text-bg-light border")
