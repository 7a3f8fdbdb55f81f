"""The question editor: add, edit, move and delete a question, and preview an edit before saving.

Every change builds the survey's new whole definition from its draft
(:mod:`feedback.web.survey_drafts`) and saves it through ``update_draft``; a
definition error is shown beside the field it names and nothing is saved.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from marshmallow import ValidationError
from wtforms import SelectChoice

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from feedback.web.survey_common import (
    add_errors,
    flatten,
    get_survey,
    question_errors,
    save_draft,
    save_draft_and_flash,
)
from feedback.web.survey_drafts import (
    RESERVED_IDS,
    DraftError,
    build_question,
    index_of,
    logic_targets,
    moved,
    next_question_id,
    nps_bands_in,
    with_question,
    without,
)
from feedback.web.survey_forms import QUESTION_FIELDS, QuestionForm
from feedback.web.survey_preview import framed, preview_html, unavailable
from surveys.db import db
from surveys.design.definition import load_definition
from surveys.design.kinds import (
    KINDS,
    NPS_BANDS,
    TEXT_MAX_DEFAULT,
    QuestionType,
    score_range,
)
from surveys.design.models import Survey, SurveyStatus

NEW = "new"


def _editable_survey(survey_id: int) -> Survey:
    survey = get_survey(survey_id)
    if survey.status is SurveyStatus.ARCHIVED:
        flash("This survey is archived; restore it to edit it.", "warning")
        abort(redirect(url_for("web.survey", survey_id=survey_id), code=303))
    return survey


def _published_ids(survey: Survey) -> set[str]:
    """Ids frozen by a published version: answers point at them, so they never change."""
    latest = survey.latest_version
    return {q["id"] for q in latest.definition["questions"]} if latest else set()


def _question_type(qid: str, survey: Survey) -> tuple[dict[str, Any] | None, str]:
    """(the saved question or None for a new one, its type); 404 for an unknown id or type."""
    if qid == NEW:
        qtype = request.values.get("type", "")
        if qtype not in set(QuestionType):
            abort(404)
        return None, qtype
    position = index_of(survey.draft, qid)
    if position is None:
        abort(404)
    question = survey.draft["questions"][position]
    return question, question["type"]


def _form(survey: Survey, question: dict[str, Any] | None, qtype: str) -> QuestionForm:
    form = QuestionForm()
    position = index_of(survey.draft, question["id"]) if question else None
    form.logic_question.choices = [SelectChoice("", "Always")] + [
        SelectChoice(q["id"], f"Only when {q['id']} ({KINDS[QuestionType(q['type'])].title}) is…")
        for q in logic_targets(survey.draft, position)]
    if request.method == "GET":
        form.fill(question or _new_question(survey, qtype))
    form.type.data = qtype  # the type is fixed: a different kind is a new question
    if question and question["id"] in _published_ids(survey):
        form.id.data = question["id"]  # stable once published, whatever was sent
    return form


def _new_question(survey: Survey, qtype: str) -> dict[str, Any]:
    """The defaults a new question of ``qtype`` starts with."""
    kind = KINDS[QuestionType(qtype)]
    question: dict[str, Any] = {"id": next_question_id(survey.draft, qtype), "type": qtype,
                                "prompt": kind.default_prompt, "required": kind.is_score}
    if kind.is_score:
        low, high = kind.scale or (1, 5)
        question.update(min=low, max=high, labels=dict(zip(("min", "max"), kind.default_labels or ("", ""))))
    if kind.is_choice:
        question["options"] = ["First option", "Second option"]
    if qtype == QuestionType.TEXT:
        question["max"] = TEXT_MAX_DEFAULT
    return question


def _candidate(survey: Survey, question: dict[str, Any] | None, form: QuestionForm) -> tuple[dict, str]:
    """The would-be definition with the form's question in it, and that question's id.

    Raises :class:`DraftError` for a form value that cannot become a question.
    """
    data = form.to_input(request.form)
    if not data.id:
        data.id = question["id"] if question else next_question_id(survey.draft, data.type)
    if data.id in RESERVED_IDS and (question is None or question["id"] != data.id):
        raise DraftError("id", f"“{data.id}” is reserved; choose another id.")
    position = index_of(survey.draft, question["id"]) if question else None
    new = build_question(data, survey.draft, position)
    return with_question(survey.draft, new, replacing=question["id"] if question else None), data.id


def _show_errors(form: QuestionForm, messages: dict[str, Any], keys: tuple[str, ...], qtype: str) -> list[str]:
    """Put definition errors on the form's fields; return those that belong to no field."""
    own, others = question_errors(messages, keys)
    for field, value in own.items():
        if field == "labels" and isinstance(value, dict):
            for end, end_messages in value.items():
                add_errors(getattr(form, f"label_{end}", form.label_min), flatten(end_messages))
            continue
        target = "max_length" if field == "max" and qtype == QuestionType.TEXT else QUESTION_FIELDS.get(field, field)
        form_field = getattr(form, target, None) if target in form else None
        if form_field is None:
            others.extend(flatten(value, field))
        else:
            add_errors(form_field, flatten(value))
    return others


def _editor_page(survey: Survey, question: dict[str, Any] | None, qtype: str, form: QuestionForm,
                 problems: list[str] | None = None, status: int = 200):
    position = index_of(survey.draft, question["id"]) if question else None
    return render_template(
        "web/surveys/question.html", survey=survey, question=question, qtype=qtype, kind=KINDS[QuestionType(qtype)],
        form=form, problems=problems or [], targets=logic_targets(survey.draft, position),
        logic=_logic_state(form, question, survey.draft), bands=NPS_BANDS, score_range=score_range,
        id_locked=bool(question and question["id"] in _published_ids(survey)),
        qid=question["id"] if question else NEW,
    ), status


def _logic_state(form: QuestionForm, question: dict[str, Any] | None, definition: dict[str, Any]
                 ) -> dict[str, set[str]]:
    """Which logic boxes are ticked: ``{target id: {"band:detractors", "3", "Yes"}}``, from the
    submitted form after a POST, from the saved rule on a GET (NPS rules tick whole bands and
    leave only the other scores in the custom row)."""
    if request.method == "POST":
        data = form.to_input(request.form)
        state = {t: set(values) for t, values in data.logic_values.items()}
        for target, bands in data.logic_bands.items():
            state.setdefault(target, set()).update(f"band:{b}" for b in bands)
        return state
    show_if = (question or {}).get("show_if")
    if not show_if:
        return {}
    target = show_if["question"]
    values = list(show_if["in"])
    position = index_of(definition, target)
    if position is not None and definition["questions"][position]["type"] == QuestionType.NPS:
        bands, rest = nps_bands_in(values)
        return {target: {f"band:{b}" for b in bands} | {str(v) for v in rest}}
    return {target: {str(v) for v in values}}


@bp.route("/surveys/<int:survey_id>/questions/<qid>", methods=["GET", "POST"])
@requires(Permission.DESIGN_SURVEYS)
def edit_question(survey_id: int, qid: str):
    """GET the editor; POST saves the question (``qid`` "new" adds one of ``?type=``)."""
    survey = _editable_survey(survey_id)
    question, qtype = _question_type(qid, survey)
    form = _form(survey, question, qtype)
    if request.method == "GET" or not form.validate_on_submit():
        return _editor_page(survey, question, qtype, form, status=200 if request.method == "GET" else 422)
    try:
        definition, new_id = _candidate(survey, question, form)
    except DraftError as err:
        add_errors(getattr(form, err.field), [err.message])
        return _editor_page(survey, question, qtype, form, status=422)
    position = index_of(definition, new_id)
    messages = save_draft(survey, definition)
    if messages is not None:
        survey = get_survey(survey_id)
        problems = _show_errors(form, messages, (new_id, str(position)), qtype)
        return _editor_page(survey, question, qtype, form, problems, 422)
    db.session.commit()
    flash("Question added." if question is None else "Question saved.", "success")
    return redirect(url_for("web.survey", survey_id=survey_id, _anchor=f"q-{new_id}"), code=303)


@bp.route("/surveys/<int:survey_id>/questions/new", methods=["GET", "POST"], endpoint="new_question")
@requires(Permission.DESIGN_SURVEYS)
def new_question(survey_id: int):
    return edit_question(survey_id, NEW)


@bp.post("/surveys/<int:survey_id>/questions/<qid>/preview")
@requires(Permission.DESIGN_SURVEYS)
def preview_question_draft(survey_id: int, qid: str):
    """The preview of the editor's unsaved form: 200 with the page's HTML, 422 with the errors as JSON.

    Builds the would-be definition exactly as saving would, and saves nothing.
    """
    survey = get_survey(survey_id)
    question, qtype = _question_type(qid, survey)
    form = _form(survey, question, qtype)
    if not form.validate_on_submit():
        return jsonify(errors=flatten({name: f.errors for name, f in form._fields.items() if f.errors})), 422
    try:
        definition, new_id = _candidate(survey, question, form)
        definition = load_definition(definition)
    except DraftError as err:
        return jsonify(errors=[err.message]), 422
    except ValidationError as err:
        return jsonify(errors=flatten(err.normalized_messages())), 422
    html = preview_html(definition, new_id, None)
    return unavailable() if html is None else framed(html)


def _dependents(definition: dict[str, Any], qid: str) -> list[str]:
    return [q["id"] for q in definition["questions"] if (q.get("show_if") or {}).get("question") == qid]


def _logic_blocks_move(definition: dict[str, Any], qid: str, step: int) -> str | None:
    """Why swapping with the neighbour would break logic (a rule reads an *earlier* answer), or None."""
    questions = definition["questions"]
    position = index_of(definition, qid)
    neighbour = position + step if position is not None else -1
    if not 0 <= neighbour < len(questions):
        return None
    upper, lower = sorted((questions[position], questions[neighbour]), key=questions.index)
    if (lower.get("show_if") or {}).get("question") == upper["id"]:
        return (f"Not moved: {lower['id']} is shown depending on the answer to {upper['id']}, "
                f"so it stays below it. Change its logic first to move it.")
    return None


@bp.post("/surveys/<int:survey_id>/questions/<qid>/move")
@requires(Permission.DESIGN_SURVEYS)
def move_question(survey_id: int, qid: str):
    """Move one place up or down (``direction`` = up | down)."""
    survey = _editable_survey(survey_id)
    if not ConfirmForm().validate_on_submit() or index_of(survey.draft, qid) is None:
        abort(400 if index_of(survey.draft, qid) is not None else 404)
    step = -1 if request.form.get("direction") == "up" else 1
    blocker = _logic_blocks_move(survey.draft, qid, step)
    if blocker:
        flash(blocker, "warning")
        return redirect(url_for("web.survey", survey_id=survey_id, _anchor=f"q-{qid}"), code=303)
    save_draft_and_flash(survey, moved(survey.draft, qid, step), refused="Not moved: ")
    return redirect(url_for("web.survey", survey_id=survey_id, _anchor=f"q-{qid}"), code=303)


@bp.post("/surveys/<int:survey_id>/questions/<qid>/delete")
@requires(Permission.DESIGN_SURVEYS)
def delete_question(survey_id: int, qid: str):
    survey = _editable_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if index_of(survey.draft, qid) is None:
        abort(404)
    dependents = _dependents(survey.draft, qid)
    if dependents:
        flash(f"{qid} decides when {', '.join(dependents)} is shown; change that logic first.", "danger")
        return redirect(url_for("web.survey", survey_id=survey_id, _anchor=f"q-{qid}"), code=303)
    save_draft_and_flash(survey, without(survey.draft, qid), saved=f"Question {qid} deleted from the draft.")
    return redirect(url_for("web.survey", survey_id=survey_id, _anchor="questions"), code=303)
