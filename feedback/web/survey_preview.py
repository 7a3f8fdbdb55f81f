"""The designer's preview: a survey's draft (or one of its versions) exactly as a respondent sees it.

The HTML comes from ``feedback.web.hosted.rendering.render_preview`` (the hosted page's
own templates), imported when first used so the designer works while that module is absent.
The preview is framed by the designer, so it allows same-origin framing only.
"""
from __future__ import annotations

from typing import Any

from flask import Response, abort, make_response, render_template, request
from sqlalchemy import select

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.survey_common import get_survey
from feedback.web.survey_drafts import THANK_YOU, index_of
from surveys.db import db
from surveys.design.models import SurveyVersion


def preview_html(definition: dict[str, Any], question_id: str | None, locale: str | None) -> str | None:
    """The respondent's page for that step, or None when the hosted page is not installed."""
    try:
        from feedback.web.hosted.rendering import render_preview
    except ImportError:
        return None
    return render_preview(definition, question_id=question_id, locale=locale)


def framed(html: str, status: int = 200) -> Response:
    """A preview response the designer (same origin) may show in its iframe."""
    response = make_response(html, status)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def unavailable() -> Response:
    return framed(render_template("web/surveys/preview_unavailable.html"), 503)


@bp.get("/surveys/<int:survey_id>/preview")
@requires(Permission.READ_SURVEYS)
def survey_preview(survey_id: int):
    """``?question=<id>`` (default the first; ``__thank_you__`` the closing step), ``?locale=<tag>``,
    ``?version=<n>`` (default the draft)."""
    survey = get_survey(survey_id)
    definition = survey.draft
    version = request.args.get("version", type=int)
    if version is not None:
        row = db.session.scalar(select(SurveyVersion).where(SurveyVersion.survey_id == survey_id,
                                                            SurveyVersion.number == version))
        if row is None:
            abort(404)
        definition = row.definition
    question = request.args.get("question") or None
    if question is not None and question != THANK_YOU and index_of(definition, question) is None:
        abort(404)
    locale = request.args.get("locale") or None
    if locale is not None and locale not in definition.get("translations", {}) and locale != definition["locale"]:
        locale = None  # an unknown language shows the survey's own, as a respondent would see it
    html = preview_html(definition, question, locale)
    return unavailable() if html is None else framed(html)
