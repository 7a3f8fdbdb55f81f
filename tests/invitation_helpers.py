"""Builders the delivery tests share: a live survey, a customer, invitations due now."""
from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback.jobs import QUEUE_NAMES
from surveys.db import utcnow
from surveys.delivery.models import DeliveryChannel, Invitation, InvitationState
from surveys.design.models import Survey
from surveys.design.services import create_survey, publish

NPS_WITH_FOLLOW_UPS = {"product": "Acme Cloud", "questions": [
    {"id": "nps", "type": "nps"},
    {"id": "why", "type": "text", "prompt": "What disappointed you?",
     "show_if": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}},
    {"id": "best", "type": "text", "prompt": "What do you value most?", "show_if": {"question": "nps", "in": [9, 10]}},
]}

_firing = itertools.count(1)


def live_survey(session: Session, definition: dict[str, Any] | None = None, name: str = "Onboarding NPS") -> Survey:
    survey = create_survey(session, name, definition or NPS_WITH_FOLLOW_UPS)
    publish(session, survey)
    session.commit()
    return survey


def make_invitation(session: Session, *, contact, survey: Survey, channel: str = "email",
                    channels: list[str] | None = None, scheduled_for: datetime | None = None,
                    **values: Any) -> Invitation:
    """A scheduled invitation (committed), due ``scheduled_for`` (default: now)."""
    fields = {"state": InvitationState.SCHEDULED, "attempts": 0, "details": {}, "trigger_key": "t1",
              "firing_key": f"test:{next(_firing)}"} | values
    invitation = Invitation(
        contact_id=contact.id, account_id=contact.account_id, survey_id=survey.id,
        survey_version_id=survey.latest_version_id, channel=DeliveryChannel(channel),
        channels=channels or [channel], scheduled_for=scheduled_for or utcnow(), **fields)
    session.add(invitation)
    session.commit()
    return invitation


def reload(session: Session, invitation_id: int) -> Invitation:
    """The invitation as stored now (other sessions' commits included)."""
    session.commit()
    invitation = session.scalar(select(Invitation).where(Invitation.id == invitation_id)
                                .execution_options(populate_existing=True))
    assert invitation is not None
    return invitation


def empty_queues(app) -> None:
    queues = app.extensions["rq"]
    for name in QUEUE_NAMES:
        queues.queue(name).empty()
