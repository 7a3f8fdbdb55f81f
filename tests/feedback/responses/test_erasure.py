"""Erasing a contact clears what they wrote in answers and keeps their scores and choices."""
from __future__ import annotations

from sqlalchemy import select

from feedback.responses.erasure import erase_answers
from feedback.responses.models import Answer, Response
from feedback.responses.services import Submission, submit_response
from surveys.audience.erasure import erase_contact


def answers_of(session, response_id):
    session.expire_all()
    rows = session.scalars(select(Answer).where(Answer.response_id == response_id))
    return {a.question_id: (a.score, a.nps_category, a.choices, a.other_text, a.text) for a in rows}


def test_the_eraser_is_registered(app):
    assert erase_answers in app.extensions["erasers"]


def test_erasing_clears_text_and_keeps_scores_and_choices(session, live_survey, customer, make_contact):
    mine = submit_response(session, live_survey, Submission(
        {"nps": 3, "why": "Ada here: exports are slow", "area": ["Alerts", "My own BI tool"]},
        contact=customer)).response
    other = submit_response(session, live_survey, Submission(
        {"nps": 10, "best": "Everything"}, contact=make_contact())).response
    session.commit()
    erase_contact(session, customer, [erase_answers], requested_by="dpo@example.com")
    session.commit()
    assert answers_of(session, mine.id) == {
        "nps": (3, "detractor", None, None, None),
        "why": (None, None, None, None, None),
        "area": (None, None, ["Alerts"], None, None),
    }
    assert answers_of(session, other.id)["best"][4] == "Everything", "other people's answers are untouched"
    assert session.get(Response, mine.id).account_plan == "pro", "the account snapshot is not personal data"


def test_erasing_someone_without_answers_changes_nothing(session, live_survey, customer, make_contact):
    response = submit_response(session, live_survey, Submission({"nps": 10, "best": "Speed"})).response
    session.commit()
    assert erase_answers(session, make_contact()) == 0
    assert answers_of(session, response.id)["best"][4] == "Speed"


def test_erasing_through_the_api(client, api_headers, session, live_survey, customer):
    response = submit_response(session, live_survey, Submission({"nps": 9, "best": "Great support from Bob"},
                                                                contact=customer)).response
    session.commit()
    assert client.delete("/api/v1/contacts/ada", headers=api_headers).status_code == 204
    assert answers_of(session, response.id) == {"nps": (9, "promoter", None, None, None),
                                                "best": (None, None, None, None, None)}
