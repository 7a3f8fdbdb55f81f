"""Surveys in the web UI: the list, creating one, the designer page, its settings, publishing,
version history and the status moves. Questions, translations and the preview live in the
``survey_questions``, ``survey_translations`` and ``survey_preview`` modules imported below.

Readers (``READ_SURVEYS``: CSMs, viewers) see every page read-only; every POST needs
``DESIGN_SURVEYS`` (managers, admins).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web import (  # noqa: F401
    survey_display,
    survey_preview,
    survey_questions,
    survey_translations,
)
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from feedback.web.survey_common import (
    flatten,
    get_survey,
    has_endpoint,
    hosted_link,
    save_draft,
    status_actions,
)
from feedback.web.survey_drafts import with_settings
from feedback.web.survey_forms import BLANK_CHOICE, NewSurveyForm, SettingsForm
from surveys.db import db
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.design.services import (
    NothingToPublish,
    SurveyStateError,
    create_survey,
    has_unpublished_changes,
    pending_changes,
    publish,
    set_status,
    versions_of,
)
from surveys.design.templates import TEMPLATES


@bp.get("/surveys")
@requires(Permission.READ_SURVEYS)
def surveys():
    rows = db.session.scalars(select(Survey).order_by(Survey.updated_at.desc(), Survey.id.desc())).all()
    return render_template("web/surveys/index.html", surveys=rows, unpublished=has_unpublished_changes)


def _new_page(form: NewSurveyForm, status: int = 200):
    return render_template("web/surveys/new.html", form=form, templates=TEMPLATES), status


@bp.get("/surveys/new")
@requires(Permission.DESIGN_SURVEYS)
def new_survey():
    form = NewSurveyForm()
    if request.args.get("template") in TEMPLATES:
        form.template.data = request.args["template"]
    return _new_page(form)


@bp.post("/surveys/new", endpoint="create_survey")
@requires(Permission.DESIGN_SURVEYS)
def create_survey_view():
    form = NewSurveyForm()
    if not form.validate_on_submit():
        return _new_page(form, 422)
    template = None if form.template.data == BLANK_CHOICE else form.template.data
    survey = create_survey(db.session, form.name.data, template=template, created_by=current_user.email)
    db.session.commit()
    flash(f"“{survey.name}” is ready to edit. Nobody sees it until you publish it.", "success")
    return redirect(url_for("web.survey", survey_id=survey.id), code=303)


def designer_context(survey: Survey) -> dict:
    """What the designer page and its partials need."""
    return {
        "survey": survey, "definition": survey.draft, "changes": pending_changes(survey),
        "actions": status_actions(survey), "hosted_url": hosted_link(survey),
        "responses_url": (url_for("web.survey_responses", survey_id=survey.id)
                          if has_endpoint("web.survey_responses") else None),
        "editable": current_user.may(Permission.DESIGN_SURVEYS) and survey.status is not SurveyStatus.ARCHIVED,
        "confirm": ConfirmForm(), "locales": sorted(survey.draft.get("translations", {})),
    }


@bp.get("/surveys/<int:survey_id>")
@requires(Permission.READ_SURVEYS)
def survey(survey_id: int):
    survey = get_survey(survey_id)
    form = SettingsForm(formdata=None, name=survey.name, product=survey.draft["product"],
                        thank_you_title=survey.draft["thank_you"]["title"],
                        thank_you_message=survey.draft["thank_you"]["message"])
    return render_template("web/surveys/designer.html", settings=form, **designer_context(survey))


@bp.post("/surveys/<int:survey_id>/settings")
@requires(Permission.DESIGN_SURVEYS)
def save_survey_settings(survey_id: int):
    survey = get_survey(survey_id)
    form = SettingsForm()
    errors = None
    if form.validate_on_submit():
        survey.name = form.name.data
        definition = with_settings(survey.draft, form.product.data, form.thank_you_title.data,
                                   form.thank_you_message.data)
        errors = save_draft(survey, definition)
        if errors is None:
            db.session.commit()
            flash("Settings saved.", "success")
            return redirect(url_for("web.survey", survey_id=survey.id), code=303)
        survey = get_survey(survey_id)
        _settings_errors(form, errors)
    return render_template("web/surveys/designer.html", settings=form, **designer_context(survey)), 422


def _settings_errors(form: SettingsForm, errors: dict) -> None:
    """Definition errors beside their settings field; anything else as a flash message."""
    for key, value in errors.items():
        if key == "thank_you" and isinstance(value, dict):
            for part, messages in value.items():
                target = getattr(form, f"thank_you_{part}", form.thank_you_title)
                target.errors = list(target.errors) + flatten(messages)
        elif key == "product":
            form.product.errors = list(form.product.errors) + flatten(value)
        else:
            for message in flatten(value, "" if key == "_survey" else key):
                flash(message, "danger")


# --- publishing and versions -------------------------------------------------------------------

@bp.route("/surveys/<int:survey_id>/publish", methods=["GET", "POST"])
@requires(Permission.READ_SURVEYS)
def publish_survey(survey_id: int):
    """GET: what publishing would change; POST (designers): publish the draft as the next version."""
    if request.method == "POST":
        if not current_user.may(Permission.DESIGN_SURVEYS):
            abort(403)
        return _publish(survey_id)
    survey = get_survey(survey_id)
    latest = survey.latest_version
    return render_template("web/surveys/publish.html", survey=survey, changes=pending_changes(survey),
                           before=latest.definition if latest else None, after=survey.draft,
                           confirm=ConfirmForm(), actions=status_actions(survey))


def _publish(survey_id: int):
    survey = get_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        version = publish(db.session, survey, published_by=current_user.email)
    except NothingToPublish:
        db.session.rollback()
        flash("Nothing to publish: the draft is the same as the live version.", "info")
        return redirect(url_for("web.survey", survey_id=survey_id), code=303)
    except SurveyStateError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return redirect(url_for("web.publish_survey", survey_id=survey_id), code=303)
    db.session.commit()
    paused = " (the survey is paused: resume it to take answers)" if survey.status is SurveyStatus.PAUSED else ""
    flash(f"Version {version.number} is live{paused}.", "success")
    return redirect(url_for("web.survey", survey_id=survey_id), code=303)


@bp.get("/surveys/<int:survey_id>/versions")
@requires(Permission.READ_SURVEYS)
def survey_versions(survey_id: int):
    survey = get_survey(survey_id)
    versions = versions_of(db.session, survey_id)
    # Each version's diff reads against the one before it (for the logic wording).
    previous = {v.number: versions[i + 1].definition if i + 1 < len(versions) else None
                for i, v in enumerate(versions)}
    return render_template("web/surveys/versions.html", survey=survey, versions=versions, previous=previous,
                           pending=has_unpublished_changes(survey))


@bp.get("/surveys/<int:survey_id>/versions/<int:number>")
@requires(Permission.READ_SURVEYS)
def survey_version(survey_id: int, number: int):
    survey = get_survey(survey_id)
    version = db.session.scalar(select(SurveyVersion).where(SurveyVersion.survey_id == survey_id,
                                                            SurveyVersion.number == number))
    if version is None:
        abort(404)
    return render_template("web/surveys/version.html", survey=survey, version=version,
                           definition=version.definition)


# --- status ------------------------------------------------------------------------------------

def _move_status(survey_id: int, endpoint: str):
    survey = get_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action = next((a for a in status_actions(survey) if a.endpoint == endpoint), None)
    if action is None:
        flash(f"A {survey.status.value} survey cannot do that.", "warning")
        return redirect(url_for("web.survey", survey_id=survey_id), code=303)
    try:
        set_status(db.session, survey, action.target)
    except SurveyStateError as err:
        db.session.rollback()
        flash(str(err), "danger")
        return redirect(url_for("web.survey", survey_id=survey_id), code=303)
    db.session.commit()
    flash(STATUS_MESSAGES[action.target], "success")
    return redirect(url_for("web.survey", survey_id=survey_id), code=303)


STATUS_MESSAGES = {
    SurveyStatus.LIVE: "Resumed: the survey takes answers again.",
    SurveyStatus.PAUSED: "Paused: new answers are refused until you resume it.",
    SurveyStatus.ARCHIVED: "Archived: it takes no answers and its results are kept.",
    SurveyStatus.DRAFT: "Restored as a draft.",
}


@bp.post("/surveys/<int:survey_id>/pause")
@requires(Permission.DESIGN_SURVEYS)
def pause_survey(survey_id: int):
    return _move_status(survey_id, "web.pause_survey")


@bp.post("/surveys/<int:survey_id>/resume")
@requires(Permission.DESIGN_SURVEYS)
def resume_survey(survey_id: int):
    return _move_status(survey_id, "web.resume_survey")


@bp.post("/surveys/<int:survey_id>/archive")
@requires(Permission.DESIGN_SURVEYS)
def archive_survey(survey_id: int):
    return _move_status(survey_id, "web.archive_survey")


@bp.post("/surveys/<int:survey_id>/restore")
@requires(Permission.DESIGN_SURVEYS)
def restore_survey(survey_id: int):
    return _move_status(survey_id, "web.restore_survey")
