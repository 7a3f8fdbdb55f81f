"""answer: progressive submit into one in-app response, the next question named by the server."""
from __future__ import annotations

from sqlalchemy import select

from feedback.responses.models import Answer, Channel, Response
from surveys.audience.services import get_contact
from surveys.db import db
from surveys.delivery.models import Invitation, InvitationState
from tests.feedback.widget.protocol import (  # noqa: F401 - fixture
    IN_APP_NPS,
    call,
    count,
    identify,
    in_app_survey,
    public_key,
    visitor_token,
)
from tests.invitation_helpers import make_invitation, reload


def answer(client, key: str, token: str, survey_id: int, answers: dict, *, partial: bool,
           invitation: int | None = None, response_key: str = "resp-key-0001"):
    return call(client, "answer", {"key": key, "token": token, "survey_id": survey_id, "invitation": invitation,
                                   "response_key": response_key, "answers": answers, "partial": partial})


def test_a_score_then_its_follow_up_make_one_in_app_response_and_answer_the_invitation(
        client, session, public_key, make_account):
    account = make_account(external_id="acme", name="Acme", plan="pro", segment="smb", arr=12000)
    survey = in_app_survey(session)
    token = identify(client, public_key, "contact-42", {"account_id": "acme"})["token"]
    contact = get_contact(db.session, "contact-42")
    invitation = make_invitation(session, contact=contact, survey=survey, channel="in_app")
    due = call(client, "poll", {"key": public_key, "token": token}).get_json()["due"]
    call(client, "shown", {"key": public_key, "token": token, "invitation": invitation.id})

    score = answer(client, public_key, token, survey.id, {"nps": 3}, partial=True, invitation=invitation.id,
                   response_key=due["response_key"])
    assert score.status_code == 200
    assert score.get_json() == {"next": "why", "complete": False}
    response = db.session.scalars(select(Response)).one()
    assert response.partial is True
    assert reload(session, invitation.id).state is InvitationState.ANSWERED

    follow_up = answer(client, public_key, token, survey.id, {"nps": 3, "why": "Too slow"}, partial=False,
                       invitation=invitation.id, response_key=due["response_key"])
    assert follow_up.get_json() == {"next": None, "complete": True}
    response = db.session.scalars(select(Response)).one()
    assert response.channel is Channel.IN_APP
    assert response.partial is False
    assert response.client_response_id == f"link:{contact.id}:i{invitation.id}"
    assert (response.contact_id, response.account_id, response.account_plan, response.account_segment) == (
        contact.id, account.id, "pro", "smb")
    assert {a.question_id: (a.score, a.text) for a in db.session.scalars(select(Answer))} == {
        "nps": (3, None), "why": (None, "Too slow")}
    answered = reload(session, invitation.id)
    assert answered.state is InvitationState.ANSWERED and answered.sent_at is not None


def test_a_score_with_nothing_to_follow_completes_the_response(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key)["token"]
    outcome = answer(client, public_key, token, survey.id, {"nps": 8}, partial=True).get_json()
    assert outcome == {"next": None, "complete": True}
    assert db.session.scalars(select(Response)).one().partial is False


def test_a_changed_score_revises_the_response_and_its_follow_up(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key)["token"]
    assert answer(client, public_key, token, survey.id, {"nps": 2}, partial=True).get_json()["next"] == "why"
    assert answer(client, public_key, token, survey.id, {"nps": 10}, partial=True).get_json()["next"] == "best"
    assert count(Response) == 1
    assert db.session.scalars(select(Answer)).one().score == 10


def test_without_an_invitation_each_response_key_is_its_own_response(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key)["token"]
    contact = get_contact(db.session, "contact-42")
    answer(client, public_key, token, survey.id, {"nps": 9}, partial=True, response_key="first-key-001")
    answer(client, public_key, token, survey.id, {"nps": 7}, partial=True, response_key="second-key-02")
    keys = sorted(db.session.scalars(select(Response.client_response_id)))
    assert keys == [f"widget:{contact.id}:first-key-001", f"widget:{contact.id}:second-key-02"]
    # An uninvited answer counts for the throttles like any other: an answered row of its own.
    assert {i.state for i in db.session.scalars(select(Invitation))} == {InvitationState.ANSWERED}


def test_an_invalid_answer_is_a_422_naming_the_question_and_writes_nothing(client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key)["token"]
    off_scale = answer(client, public_key, token, survey.id, {"nps": 11}, partial=True)
    assert off_scale.status_code == 422
    assert off_scale.get_json()["field"] == "answers.nps"
    assert off_scale.get_json()["error"] == "invalid"
    assert answer(client, public_key, token, survey.id, {"nope": 1}, partial=True).get_json()["field"] == "answers.nope"
    assert answer(client, public_key, token, survey.id, {}, partial=True).get_json()["field"] == "answers"
    missing = answer(client, public_key, token, survey.id, {"why": "x"}, partial=True)
    assert missing.get_json()["field"] == "answers.why"  # hidden by logic without a low score
    assert answer(client, public_key, token, survey.id, {"nps": 1}, partial="yes").get_json()["field"] == "partial"
    bad_key = answer(client, public_key, token, survey.id, {"nps": 1}, partial=True, response_key="<x>")
    assert bad_key.get_json()["field"] == "response_key"
    assert count(Response) == 0


def test_answering_someone_elses_invitation_is_a_404(client, session, public_key, make_contact):
    survey = in_app_survey(session)
    invitation = make_invitation(session, contact=make_contact(), survey=survey, channel="in_app")
    token = identify(client, public_key)["token"]
    response = answer(client, public_key, token, survey.id, {"nps": 9}, partial=True, invitation=invitation.id)
    assert response.status_code == 404
    assert response.get_json()["field"] == "invitation"
    assert count(Response) == 0


def test_an_anonymous_visitor_answers_only_a_survey_that_allows_it(client, session, public_key):
    closed = in_app_survey(session, name="Identified only")
    open_ = in_app_survey(session, {**IN_APP_NPS, "widget": {"anonymous": True}}, name="Anyone")
    token = visitor_token(client, public_key)
    assert answer(client, public_key, token, closed.id, {"nps": 9}, partial=True).status_code == 403
    assert answer(client, public_key, token, open_.id, {"nps": 9}, partial=True).status_code == 200
    response = db.session.scalars(select(Response)).one()
    assert response.contact_id is None and response.channel is Channel.IN_APP
    assert response.client_response_id.startswith("widget:a:")


def test_a_paused_survey_takes_no_answers(client, session, public_key):
    from surveys.design.models import SurveyStatus
    from surveys.design.services import set_status

    survey = in_app_survey(session)
    set_status(session, survey, SurveyStatus.PAUSED)
    session.commit()
    token = identify(client, public_key)["token"]
    response = answer(client, public_key, token, survey.id, {"nps": 9}, partial=True)
    assert response.status_code == 409
    assert response.get_json()["error"] == "survey_closed"
