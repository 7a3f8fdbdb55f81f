"""show(survey_id): a manual show of a live survey, to identified people or (when allowed) anyone."""
from __future__ import annotations

from surveys.audience.services import get_contact
from surveys.db import db, utcnow
from surveys.design.models import SurveyStatus
from surveys.design.services import set_status
from tests.feedback.widget.protocol import (  # noqa: F401 - fixture
    IN_APP_NPS,
    call,
    identify,
    in_app_survey,
    public_key,
    visitor_token,
)


def show(client, key: str, token: str, survey_id):
    return call(client, "show", {"key": key, "token": token, "survey_id": survey_id})


def test_a_live_survey_is_shown_to_an_identified_contact(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key)["token"]
    response = show(client, public_key, token, survey.id)
    assert response.status_code == 200
    due = response.get_json()["due"]
    assert due["invitation"] is None
    assert due["survey"]["id"] == survey.id
    assert due["response_key"] != show(client, public_key, token, survey.id).get_json()["due"]["response_key"]


def test_a_paused_survey_is_a_409_and_an_unknown_one_a_404(client, session, public_key):
    survey = in_app_survey(session)
    set_status(session, survey, SurveyStatus.PAUSED)
    session.commit()
    token = identify(client, public_key)["token"]
    paused = show(client, public_key, token, survey.id)
    assert paused.status_code == 409
    assert paused.get_json()["error"] == "survey_closed"
    assert show(client, public_key, token, survey.id + 100).status_code == 404
    assert show(client, public_key, token, "abc").get_json()["field"] == "survey_id"


def test_anonymous_visitors_see_only_surveys_that_allow_them(client, session, public_key):
    closed = in_app_survey(session, name="Identified only")
    open_ = in_app_survey(session, {**IN_APP_NPS, "widget": {"anonymous": True}}, name="Anyone")
    token = visitor_token(client, public_key)
    refused = show(client, public_key, token, closed.id)
    assert refused.status_code == 403
    assert refused.get_json()["error"] == "anonymous_not_allowed"
    allowed = show(client, public_key, token, open_.id)
    assert allowed.status_code == 200
    assert allowed.get_json()["due"]["survey"]["id"] == open_.id


def test_an_unsubscribed_contact_is_not_asked(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key)["token"]
    get_contact(db.session, "contact-42").unsubscribed_at = utcnow()
    session.commit()
    response = show(client, public_key, token, survey.id)
    assert response.status_code == 200
    assert response.get_json()["due"] is None
