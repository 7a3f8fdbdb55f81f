"""Translations of a survey's texts: add a language, translate each text beside its original, remove one.

Saved into ``draft["translations"][locale]`` through ``update_draft`` like any other edit;
respondents see them once the draft is published.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from feedback.web.survey_common import (
    flatten,
    get_survey,
    save_draft,
    save_draft_and_flash,
)
from feedback.web.survey_drafts import (
    translatable_texts,
    translated_value,
    with_translation,
    without_translation,
)
from feedback.web.survey_forms import LocaleForm
from surveys.db import db
from surveys.design.definition import LOCALE
from surveys.design.models import Survey, SurveyStatus


def _locale_or_404(survey: Survey, locale: str) -> str:
    if not LOCALE.match(locale) or locale == survey.draft["locale"]:
        abort(404)
    return locale


@bp.post("/surveys/<int:survey_id>/translations")
@requires(Permission.DESIGN_SURVEYS)
def add_translation(survey_id: int):
    """Open the translation form of a new language (it is saved with its first texts)."""
    survey = get_survey(survey_id)
    form = LocaleForm()
    if not form.validate_on_submit():
        flash(" ".join(m for errors in form.errors.values() for m in errors), "danger")
        return redirect(url_for("web.survey", survey_id=survey_id, _anchor="translations"), code=303)
    locale = form.locale.data
    if locale == survey.draft["locale"]:
        flash(f"{locale} is the survey's own language; add another one.", "warning")
        return redirect(url_for("web.survey", survey_id=survey_id, _anchor="translations"), code=303)
    return redirect(url_for("web.survey_translation", survey_id=survey_id, locale=locale), code=303)


def _page(survey: Survey, locale: str, values: dict[str, str], problems: list[str], status: int = 200):
    rows = translatable_texts(survey.draft)
    return render_template(
        "web/surveys/translations.html", survey=survey, locale=locale, rows=rows, values=values,
        problems=problems, exists=locale in survey.draft.get("translations", {}), confirm=ConfirmForm(),
        editable=current_user.may(Permission.DESIGN_SURVEYS) and survey.status is not SurveyStatus.ARCHIVED,
    ), status


@bp.route("/surveys/<int:survey_id>/translations/<locale>", methods=["GET", "POST"])
@requires(Permission.READ_SURVEYS)
def survey_translation(survey_id: int, locale: str):
    """GET: every translatable text beside its original; POST (designers): save the translation."""
    survey = get_survey(survey_id)
    locale = _locale_or_404(survey, locale)
    if request.method == "GET":
        translation = survey.draft.get("translations", {}).get(locale, {})
        values = {row["name"]: translated_value(translation, row["path"]) for row in translatable_texts(survey.draft)}
        return _page(survey, locale, values, [])
    if not current_user.may(Permission.DESIGN_SURVEYS):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    messages = save_draft(survey, with_translation(survey.draft, locale, request.form))
    if messages is not None:
        survey = get_survey(survey_id)
        return _page(survey, locale, request.form.to_dict(), flatten(messages), 422)
    db.session.commit()
    flash(f"Translation {locale} saved in the draft. Publish to show it to respondents.", "success")
    return redirect(url_for("web.survey", survey_id=survey_id, _anchor="translations"), code=303)


@bp.post("/surveys/<int:survey_id>/translations/<locale>/delete")
@requires(Permission.DESIGN_SURVEYS)
def delete_translation(survey_id: int, locale: str):
    survey = get_survey(survey_id)
    locale = _locale_or_404(survey, locale)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    save_draft_and_flash(survey, without_translation(survey.draft, locale),
                         saved=f"Translation {locale} removed from the draft.")
    return redirect(url_for("web.survey", survey_id=survey_id, _anchor="translations"), code=303)
