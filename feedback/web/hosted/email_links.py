"""``/e/<token>/<score>``: a score clicked in an invitation email.

The token is the invitation's personal link (the same as ``/s/<token>``), so
the click answers *as that contact*, into the one response the link records
(``client_response_id`` ``link:<contact>:i<invitation>``). The view:

1. checks the link (altered or expired: the friendly error page, nothing
   written) and the score against the first question (not on its scale: 422);
2. records the score through :func:`feedback.responses.services.submit_response`
   (channel email): partial while a follow-up may come, complete when the score
   was all the survey asks. A second click with another score revises it
   (``may_revise``), so the respondent may change their mind;
3. marks the invitation OPENED;
4. redirects to the hosted page at the next question (or the thank-you step).

Mail links are followed by GET, so this GET writes, unlike the hosted page's.
A ``HEAD`` (what many link checkers send) writes nothing. A scanner that follows
every link with GET records the last score it followed; the respondent's own
click then revises it.
"""
from __future__ import annotations

from flask import redirect, request
from marshmallow import ValidationError

from feedback.extensions import limiter
from feedback.responses.models import Channel
from feedback.responses.services import Submission, SurveyClosed, submit_response
from feedback.web.hosted.blueprint import bp
from feedback.web.hosted.flow import Flow
from feedback.web.hosted.opened import open_invitation
from feedback.web.hosted.rendering import THANK_YOU, render_message
from feedback.web.hosted.respondent import Unanswerable, find_respondent
from feedback.web.hosted.views import message_page
from surveys.db import begin_write, db
from surveys.delivery.links import is_personal_token
from surveys.design.answers import validate_answers
from surveys.design.kinds import SCORE_TYPES, QuestionType, score_range

CLICK_LIMIT = "60 per minute"


@bp.route("/e/<token>/<int:score>", methods=["GET"], endpoint="email_score")
@limiter.limit(CLICK_LIMIT)
def email_score(token: str, score: int):
    if not is_personal_token(token):
        return message_page(404)
    writes = request.method == "GET"  # never on HEAD
    if writes:
        begin_write(db.session())  # before the first read: a second click queues behind the first
    try:
        respondent = find_respondent(db.session, token)
    except Unanswerable as error:
        db.session.rollback()
        return message_page(error.status)
    if not respondent.survey.accepts_answers:
        db.session.rollback()
        return message_page(409)
    flow = Flow.load(db.session, respondent)
    first = flow.visible_ids()[0]
    question = flow.question(first)
    if question is None or QuestionType(question["type"]) not in SCORE_TYPES:
        db.session.rollback()
        return message_page(404)
    low, high = score_range(question)
    if not low <= score <= high:
        db.session.rollback()
        return _off_scale(flow, low, high)
    if not writes:
        db.session.rollback()
        return redirect(flow.url(first), code=303)
    return _record(flow, first, score)


def _off_scale(flow: Flow, low: int, high: int):
    texts = flow.texts
    body = render_message(texts["invalid_title"], texts["bad_score"].format(low=low, high=high), locale=texts["lang"])
    return body, 422


def _record(flow: Flow, question_id: str, score: int):
    """Open the invitation, save the score (which answers it), commit; redirect to what comes next."""
    respondent = flow.respondent
    assert respondent.link is not None
    # Opened first, so the answer below (same transaction) closes it as answered with both times.
    open_invitation(respondent.link)
    try:
        merged = validate_answers(flow.definition, {question_id: score}, partial=True, existing=flow.answers)
        following = flow.after(question_id, merged)
        missing = flow.missing_required(merged) if following is None else []
        complete = following is None and not missing
        submit_response(db.session, respondent.survey, Submission(
            answers={question_id: score}, channel=Channel.EMAIL, partial=not complete,
            client_response_id=respondent.client_response_id, contact=respondent.contact, locale=flow.locale,
            may_revise=True))
    except SurveyClosed:
        db.session.rollback()
        return message_page(409)
    except ValidationError:
        # A complete response whose new score would need a follow-up it lacks: the first
        # answers stand, and the hosted page lets the respondent change them properly.
        db.session.rollback()
        return redirect(flow.url(question_id), code=303)
    db.session.commit()
    next_step = following or (missing[0] if missing else THANK_YOU)
    return redirect(flow.url(next_step), code=303)
