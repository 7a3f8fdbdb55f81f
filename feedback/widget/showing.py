"""What the widget should show: the contact's due in-app invitation, or a survey asked for by ``show()``."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from feedback.widget.caller import Caller
from feedback.widget.due import allows_anonymous, build_due
from feedback.widget.errors import WidgetError
from surveys.delivery.in_app import has_due, next_due
from surveys.design.models import Survey, SurveyStatus


def new_response_key() -> str:
    return secrets.token_urlsafe(16)


def browser_locales() -> list[str]:
    return list(request.accept_languages.values())[:5]


def due_of(survey: Survey, caller: Caller, invitation_id: int | None) -> dict[str, Any]:
    version = survey.latest_version
    assert version is not None  # only live surveys get here
    return build_due(survey_id=survey.id, version_number=version.number, definition=version.definition,
                     contact=caller.contact, invitation_id=invitation_id, response_key=new_response_key(),
                     browser_locales=browser_locales())


def anything_due(session: Session, caller: Caller, *, now: datetime) -> bool:
    """Whether the contact may have a due in-app invitation: a read, so that most polls never write."""
    return caller.contact is not None and has_due(session, caller.contact.id, now=now)


def due_invitation(session: Session, caller: Caller, *, now: datetime) -> dict[str, Any] | None:
    """The ``<Due>`` of the contact's oldest due in-app invitation still eligible, or None.

    Ineligible invitations met on the way are skipped (see
    :func:`surveys.delivery.in_app.next_due`), so the caller has opened a write
    transaction (``begin_write``). Flushes; the caller commits.
    """
    if caller.contact is None:
        return None
    invitation = next_due(session, caller.contact.id, now=now)
    if invitation is None:
        return None
    survey = session.get(Survey, invitation.survey_id)
    assert survey is not None
    return due_of(survey, caller, invitation.id)


def survey_to_show(session: Session, caller: Caller, survey_id: int) -> Survey:
    """The survey a manual ``show()`` names: live (else 409), and open to this caller (anonymous
    visitors only when the survey allows anonymous answers, else 403)."""
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise WidgetError(404, "not_found", f"No survey {survey_id}.", "survey_id")
    if survey.status is not SurveyStatus.LIVE or survey.latest_version is None:
        raise WidgetError(409, "survey_closed", f"Survey {survey_id} is {survey.status.value}: it takes no answers.",
                          "survey_id")
    if caller.contact is None and not allows_anonymous(survey.latest_version.definition):
        raise WidgetError(403, "anonymous_not_allowed",
                          "This survey takes answers only from identified people: call identify first.")
    return survey
