"""``/s/<token>``: the public survey page, one question at a time, plain form posts.

GET shows a step and never writes (link scanners prefetch GETs): ``?q=<id>``
picks a question already on the respondent's path, ``?score=<n>`` only
*preselects* the first question's score (the respondent still confirms it),
``?lang=`` asks for a language. POST saves one question's answer at once, as a
partial response until the last shown question completes it, then redirects
(303) to the next step, so a reload never posts twice.

The page is public: no login, no session, no CSRF token. A forged cross-site
post would have to name the respondent's key, a 128-bit random value it cannot
know, so it can only start a new anonymous response of its own; that is
accepted. Posts are rate limited per address instead.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, redirect, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from feedback.extensions import limiter
from feedback.responses.models import Channel
from feedback.responses.services import (
    ResponseConflict,
    Submission,
    SurveyClosed,
    submit_response,
)
from feedback.web.hosted.blueprint import bp
from feedback.web.hosted.flow import Flow
from feedback.web.hosted.opened import note_opened
from feedback.web.hosted.parsing import InputError, posted_prefill, read_answer
from feedback.web.hosted.rendering import (
    THANK_YOU,
    Prefill,
    render_message,
    render_step,
)
from feedback.web.hosted.respondent import (
    COOKIE,
    COOKIE_MAX_AGE,
    Respondent,
    Unanswerable,
    find_respondent,
)
from feedback.web.hosted.texts import texts_for
from surveys.db import begin_write, db
from surveys.design.answers import AnswerValue, validate_answers
from surveys.design.kinds import SCORE_TYPES, QuestionType

POST_LIMIT = "60 per minute"
MESSAGES = {404: "invalid", 410: "expired", 409: "closed", 413: "too_large", 429: "too_many"}


def message_page(status: int) -> Response:
    """The friendly page for a link that cannot be answered, in the browser's language."""
    texts = texts_for(request.accept_languages.values())
    key = MESSAGES[status]
    body = render_message(texts[f"{key}_title"], texts[f"{key}_text"], locale=texts["lang"])
    return make_response(body, status)


@bp.errorhandler(413)
@bp.errorhandler(429)
def _refused(error: HTTPException) -> Response:
    db.session.rollback()
    return message_page(error.code or 400)


@bp.route("/s/<token>", methods=["GET", "POST"], endpoint="respond")
@limiter.limit(POST_LIMIT, methods=["POST"])
def respond(token: str):
    if request.method == "POST":
        begin_write(db.session())  # before the first read: concurrent answers queue on SQLite
    elif request.method == "GET":
        note_opened(token)  # an invitation's personal link was opened: SENT -> OPENED
    try:
        respondent = find_respondent(db.session, token)
    except Unanswerable as error:
        return message_page(error.status)
    if not respondent.survey.accepts_answers:
        return message_page(409)
    flow = Flow.load(db.session, respondent)
    return _answer(flow) if request.method == "POST" else _show(flow)


def _show(flow: Flow) -> Any:
    wanted = request.args.get("q")
    if wanted == THANK_YOU and (flow.response is None or flow.complete):
        return render_step(flow.step(THANK_YOU))
    if wanted in flow.visible_ids():
        return render_step(flow.step(wanted))
    if wanted is None and flow.complete:
        return render_step(flow.step(THANK_YOU))
    question_id = flow.resume_at()
    step = flow.step(question_id)
    preset = _preset_score(flow, question_id)
    if preset is not None and step.prefill.score is None:
        step.prefill = Prefill(score=preset)
    return render_step(step)


def _preset_score(flow: Flow, question_id: str) -> int | None:
    """``?score=`` for the first question when it is a score question and the score fits; else None."""
    question = flow.question(question_id)
    raw = request.args.get("score", "")
    if question is None or question_id != flow.visible_ids()[0] or QuestionType(question["type"]) not in SCORE_TYPES:
        return None
    if not raw.isdigit() or not question["min"] <= int(raw) <= question["max"]:
        return None
    return int(raw)


def _invalid(flow: Flow, question_id: str, message: str, prefill: Prefill | None = None) -> tuple[str, int]:
    db.session.rollback()
    return render_step(flow.step(question_id, prefill=prefill, error=message)), 422


def _answer(flow: Flow) -> Any:
    form = request.form
    stored = dict(flow.answers)
    carried = _carried(flow, form.get("carry"))
    question_id = form.get("q", "")
    question = flow.question(question_id)
    if question is None or question_id not in flow.visible_ids():
        return _invalid(flow, flow.resume_at(), flow.texts["not_on_path"])
    skip = form.get("action") == "skip"
    try:
        value = None if skip else read_answer(question, form)
    except InputError as error:
        return _invalid(flow, question_id, flow.texts[error.key].format(**error.params), posted_prefill(form))
    if value is None and question["required"]:
        return _invalid(flow, question_id, flow.texts["required"], posted_prefill(form))
    try:
        merged = _merge(flow, question_id, value)
    except ValidationError as error:
        return _invalid(flow, question_id, _message(error, question_id), posted_prefill(form))
    answers = {**carried, question_id: value}
    if flow.complete and flow.missing_required(merged):
        return _hold(flow, merged, answers)
    following = flow.after(question_id, merged)
    missing = flow.missing_required(merged) if following is None else []
    complete = following is None and not missing
    if merged and (merged != stored or (complete and not flow.complete)):
        try:
            _save(flow, answers, complete)
        except SurveyClosed:
            db.session.rollback()
            return message_page(409)
        except ResponseConflict:  # cannot happen with may_revise; the first answers stand
            db.session.rollback()
        except ValidationError as error:
            return _invalid(flow, question_id, _message(error, question_id), posted_prefill(form))
    return _after_answer(flow, following or (missing[0] if missing else THANK_YOU), complete)


def _carried(flow: Flow, raw: str | None) -> dict[str, Any]:
    """Answers held in the form (see :func:`_hold`), laid over the stored ones when still valid."""
    if not raw or not flow.complete:
        return {}
    try:
        carried = json.loads(raw)
        if not isinstance(carried, dict):
            return {}
        flow.answers = validate_answers(flow.definition, carried, partial=True, existing=flow.answers)
    except (ValueError, ValidationError):
        return {}
    return carried


def _hold(flow: Flow, merged: dict[str, AnswerValue], answers: dict[str, Any]) -> str:
    """A complete response stays complete (the service's rule), so a changed answer that reveals
    a required follow-up is held in the form, unsaved, until that follow-up is answered too."""
    db.session.rollback()
    flow.answers = merged
    step = flow.step(flow.missing_required(merged)[0])
    step.hidden["carry"] = json.dumps(answers)
    return render_step(step)


def _merge(flow: Flow, question_id: str, value: Any) -> dict[str, AnswerValue]:
    """The answers once ``value`` is laid over the stored ones (checked, not yet saved)."""
    if value is None and question_id not in flow.answers:
        return dict(flow.answers)
    if value is None and set(flow.answers) == {question_id}:
        return {}  # un-answering the only answer: nothing left to store
    return validate_answers(flow.definition, {question_id: value}, partial=True, existing=flow.answers)


def _save(flow: Flow, answers: dict[str, Any], complete: bool) -> None:
    respondent = flow.respondent
    respondent.ensure_key()
    submit_response(db.session, respondent.survey, Submission(
        answers=answers, channel=Channel.LINK, partial=not complete,
        client_response_id=respondent.client_response_id, contact=respondent.contact, locale=flow.locale,
        may_revise=True))  # Back and a new answer revise the same response
    db.session.commit()


def _message(error: ValidationError, question_id: str) -> str:
    messages = error.messages.get("answers") if isinstance(error.messages, dict) else None
    if isinstance(messages, dict):
        own = messages.get(question_id)
        if own:
            return " ".join(own)
        return " ".join(f"{qid}: {' '.join(text)}" for qid, text in messages.items())
    return " ".join(messages) if isinstance(messages, list) else "This answer cannot be saved."


def _after_answer(flow: Flow, next_step: str, complete: bool) -> Response:
    respondent: Respondent = flow.respondent
    response = redirect(flow.url(next_step), code=303)
    if respondent.personal or respondent.anonymous_key is None:
        return response
    path = f"/s/{respondent.token}"
    if complete:  # a finished respondent who opens the link again starts afresh
        response.delete_cookie(COOKIE, path=path)
    else:
        response.set_cookie(COOKIE, respondent.anonymous_key, max_age=COOKIE_MAX_AGE, path=path, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    return response
