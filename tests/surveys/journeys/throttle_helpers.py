"""Builders the eligibility, throttle and preview tests share: live surveys and past invitations."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from surveys.audience.models import Contact
from surveys.delivery.models import DeliveryChannel, Invitation, InvitationState
from surveys.design.models import Survey
from surveys.design.services import create_survey, publish

# A Tuesday, 10:00 UTC.
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
QUESTIONS = [{"id": "nps", "type": "nps"}]


def live_survey(session: Session, name: str = "Onboarding NPS", **definition: Any) -> Survey:
    """A published survey whose definition holds ``definition`` (triggers, send_window, throttle)."""
    survey = create_survey(session, name, {"questions": QUESTIONS, **definition})
    publish(session, survey)
    session.commit()
    return survey


def invite(session: Session, contact: Contact, survey: Survey, *, sent_at: datetime | None,
           state: InvitationState = InvitationState.SENT, channel: str = "email",
           scheduled_for: datetime | None = None, key: str | None = None) -> Invitation:
    """An invitation row as the dispatcher would leave it; committed."""
    invitation = Invitation(
        contact_id=contact.id, account_id=contact.account_id, survey_id=survey.id,
        survey_version_id=survey.latest_version_id, trigger_key="t1",
        firing_key=key or f"test:{(sent_at or scheduled_for or NOW).isoformat()}:{state.value}:{channel}",
        channel=DeliveryChannel(channel), channels=[channel], state=state,
        scheduled_for=scheduled_for or sent_at or NOW, sent_at=sent_at, attempts=1 if sent_at else 0, details={})
    session.add(invitation)
    session.commit()
    return invitation
