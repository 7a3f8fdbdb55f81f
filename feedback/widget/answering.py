"""``answer``: one step of the widget's progressive submit.

The first score is sent alone the moment it is clicked (a partial response);
each follow-up updates the same response, found by its ``client_response_id``:

- for an invitation, ``link:<contact id>:i<invitation id>``, the key that marks the
  invitation answered in the same transaction (:mod:`feedback.journeys.answers`);
- otherwise ``widget:<contact id | a:visitor>:<response_key>``.

The answer names what to ask ``next``: the visible question after the ones this
step answered (server-side logic, so a score that reveals a follow-up gets it),
None when nothing follows. A step after which nothing follows and no required
question is missing completes the response, even if the client said partial.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from feedback.responses.models import Channel
from feedback.responses.services import (
    Submission,
    SurveyClosed,
    answer_values,
    find_by_client_id,
    submit_response,
)
from feedback.widget.body import id_field
from feedback.widget.caller import Caller
from feedback.widget.due import allows_anonymous, pick_survey_locale
from feedback.widget.errors import WidgetError, invalid
from surveys.delivery.models import Invitation
from surveys.design.answers import AnswerValue, validate_answers, visible_questions
from surveys.design.models import SurveyVersion
from surveys.design.services import AnswerTarget, answer_target

RESPONSE_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


@dataclass(frozen=True)
class Step:
    survey_id: int
    invitation_id: int | None
    response_key: str
    answers: Mapping[str, Any]
    partial: bool


@dataclass(frozen=True)
class Outcome:
    next: str | None
    complete: bool


def read_step(body: Mapping[str, Any]) -> Step:
    """The step's fields, checked; 422 naming the first bad one."""
    survey_id = id_field(dict(body), "survey_id")
    invitation_id = id_field(dict(body), "invitation", required=False)
    key = body.get("response_key")
    if not isinstance(key, str) or not RESPONSE_KEY.match(key):
        raise invalid("response_key", "response_key is required: the one the due survey came with.")
    answers = body.get("answers")
    if not isinstance(answers, dict):
        raise invalid("answers", "answers must be an object of question id → answer.")
    partial = body.get("partial", False)
    if not isinstance(partial, bool):
        raise invalid("partial", "partial must be true or false.")
    assert survey_id is not None
    return Step(survey_id, invitation_id, key, answers, partial)


def _client_response_id(session: Session, caller: Caller, step: Step) -> str:
    if step.invitation_id is None:
        return f"widget:{caller.respondent}:{step.response_key}"
    invitation = session.get(Invitation, step.invitation_id)
    if (caller.contact is None or invitation is None or invitation.contact_id != caller.contact.id
            or invitation.survey_id != step.survey_id):
        raise WidgetError(404, "not_found", f"No invitation {step.invitation_id} for you to this survey.",
                          "invitation")
    return f"link:{caller.contact.id}:i{invitation.id}"


def _target(session: Session, caller: Caller, survey_id: int) -> AnswerTarget:
    target = answer_target(session, survey_id)
    if target is None:
        raise WidgetError(404, "not_found", f"No survey {survey_id}.", "survey_id")
    if not target.accepts_answers:
        raise WidgetError(409, "survey_closed", str(SurveyClosed(target)), "survey_id")
    assert target.definition is not None
    if caller.contact is None and not allows_anonymous(target.definition):
        raise WidgetError(403, "anonymous_not_allowed",
                          "This survey takes answers only from identified people: call identify first.")
    return target


def _field_error(error: ValidationError) -> WidgetError:
    messages = error.messages.get("answers", error.messages) if isinstance(error.messages, dict) else error.messages
    if isinstance(messages, dict) and messages:
        qid, problem = next(iter(messages.items()))
        text = problem[0] if isinstance(problem, list) and problem else str(problem)
        return invalid(f"answers.{qid}", str(text))
    text = messages[0] if isinstance(messages, list) and messages else "Invalid answers."
    return invalid("answers", str(text))


def following(definition: Mapping[str, Any], answered: list[str], merged: Mapping[str, AnswerValue]) -> str | None:
    """The visible question after the last of ``answered`` (or the first unanswered one)."""
    shown = [q["id"] for q in visible_questions(definition, merged)]
    positions = [shown.index(qid) for qid in answered if qid in shown]
    if not positions:
        return next((qid for qid in shown if qid not in merged), None)
    after = max(positions) + 1
    return shown[after] if after < len(shown) else None


def record(session: Session, caller: Caller, step: Step, browser_locales: list[str]) -> Outcome:
    """Save the step (see the module docstring); flushes, the caller commits."""
    target = _target(session, caller, step.survey_id)
    client_id = _client_response_id(session, caller, step)
    existing = find_by_client_id(session, target.id, client_id)
    if existing is not None:
        version = session.get(SurveyVersion, existing.survey_version_id)
        assert version is not None
        definition, prior = version.definition, answer_values(session, existing.id)
    else:
        definition, prior = target.definition, {}
    assert definition is not None
    try:
        merged = validate_answers(definition, step.answers, partial=True, existing=prior)
    except ValidationError as error:
        raise _field_error(error) from None
    after = following(definition, list(step.answers), merged)
    missing = [q["id"] for q in visible_questions(definition, merged) if q.get("required") and q["id"] not in merged]
    complete = not step.partial or (after is None and not missing)
    try:
        result = submit_response(session, target, Submission(
            answers=step.answers, channel=Channel.IN_APP, partial=not complete, client_response_id=client_id,
            contact=caller.contact, locale=pick_survey_locale(definition, caller.contact, browser_locales),
            may_revise=True))
    except ValidationError as error:
        raise _field_error(error) from None
    except SurveyClosed as error:  # paused since it was read
        raise WidgetError(409, "survey_closed", str(error), "survey_id") from None
    return Outcome(next=after, complete=not result.response.partial)
