"""shown and dismiss: what the widget did with an invitation, and how the throttles see it."""
from __future__ import annotations

import pytest

from surveys.audience.services import get_contact
from surveys.db import db, utcnow
from surveys.delivery.in_app import DISMISSED
from surveys.delivery.models import InvitationState
from surveys.journeys.eligibility import check_eligibility
from tests.feedback.widget.protocol import (  # noqa: F401 - fixture
    call,
    identify,
    in_app_survey,
    public_key,
)
from tests.invitation_helpers import make_invitation, reload


@pytest.fixture
def asked(client, session, public_key):
    """An identified contact's token and their due in-app invitation."""
    survey = in_app_survey(session)
    token = identify(client, public_key, "contact-42")["token"]
    invitation = make_invitation(session, contact=get_contact(db.session, "contact-42"), survey=survey,
                                 channel="in_app", channels=["in_app", "email"], fallback_at=utcnow())
    return token, invitation


def test_shown_opens_the_invitation_once(client, session, public_key, asked):
    token, invitation = asked
    response = call(client, "shown", {"key": public_key, "token": token, "invitation": invitation.id})
    assert response.get_json() == {"ok": True}
    opened = reload(session, invitation.id)
    assert opened.state is InvitationState.OPENED
    assert opened.sent_at is not None and opened.opened_at is not None
    assert opened.fallback_at is None  # shown: it no longer falls back to email
    first = opened.opened_at
    assert call(client, "shown", {"key": public_key, "token": token, "invitation": invitation.id}).status_code == 200
    assert reload(session, invitation.id).opened_at == first
    # Shown, it is no longer due.
    assert call(client, "poll", {"key": public_key, "token": token}).get_json() == {"due": None}


def test_dismiss_cancels_the_invitation_and_keeps_it_counted_as_asked(client, session, public_key, asked):
    token, invitation = asked
    call(client, "shown", {"key": public_key, "token": token, "invitation": invitation.id})
    response = call(client, "dismiss", {"key": public_key, "token": token, "invitation": invitation.id})
    assert response.get_json() == {"ok": True}
    dismissed = reload(session, invitation.id)
    assert dismissed.state is InvitationState.CANCELLED
    assert dismissed.reason == DISMISSED
    assert dismissed.sent_at is not None and dismissed.closed_at is not None
    assert call(client, "dismiss", {"key": public_key, "token": token, "invitation": invitation.id}
                ).status_code == 200
    assert reload(session, invitation.id).closed_at == dismissed.closed_at


def test_a_dismissal_without_shown_still_sets_sent_at(client, session, public_key, asked):
    token, invitation = asked
    call(client, "dismiss", {"key": public_key, "token": token, "invitation": invitation.id})
    assert reload(session, invitation.id).sent_at is not None


def test_a_dismissal_counts_for_the_recontact_throttle(client, session, public_key, asked):
    token, invitation = asked
    call(client, "dismiss", {"key": public_key, "token": token, "invitation": invitation.id})
    other = in_app_survey(session, name="Another survey")
    trace = check_eligibility(session, get_contact(db.session, "contact-42"), other, trigger=None, now=utcnow(),
                              channel="in_app")
    assert trace.verdict("recontact").passed is False


def test_an_answered_invitation_is_not_reopened_or_cancelled(client, session, public_key, asked):
    token, invitation = asked
    call(client, "answer", {"key": public_key, "token": token, "survey_id": invitation.survey_id,
                            "invitation": invitation.id, "response_key": "resp-key-0001", "answers": {"nps": 8},
                            "partial": True})
    call(client, "shown", {"key": public_key, "token": token, "invitation": invitation.id})
    call(client, "dismiss", {"key": public_key, "token": token, "invitation": invitation.id})
    assert reload(session, invitation.id).state is InvitationState.ANSWERED


def test_someone_elses_invitation_is_a_404(client, session, public_key, asked, make_contact):
    _token, invitation = asked
    other = identify(client, public_key, "someone-else")["token"]
    for endpoint in ("shown", "dismiss"):
        response = call(client, endpoint, {"key": public_key, "token": other, "invitation": invitation.id})
        assert response.status_code == 404
        assert response.get_json()["field"] == "invitation"
    assert reload(session, invitation.id).state is InvitationState.SCHEDULED


def test_a_manual_show_has_no_invitation_to_record(client, public_key):
    token = identify(client, public_key)["token"]
    for endpoint in ("shown", "dismiss"):
        assert call(client, endpoint, {"key": public_key, "token": token, "invitation": None}).get_json() == {
            "ok": True}
