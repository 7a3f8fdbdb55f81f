"""submit_response: store once, complete partials, replay idempotently, snapshot the account."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from feedback.responses.models import Answer, Channel, Response
from feedback.responses.services import (
    ResponseConflict, Submission, SurveyClosed, answer_values, find_by_client_id, submit_response,
)
from surveys.audience.models import Account
from surveys.design.models import SurveyStatus
from surveys.design.services import create_survey, publish, set_status, update_draft


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def stored(session, response) -> dict:
    return {qid: value.as_json() for qid, value in answer_values(session, response.id).items()}


def test_a_complete_response_is_stored_with_typed_answers(session, live_survey, customer):
    result = submit_response(session, live_survey, Submission(
        {"nps": 3, "why": "Exports time out", "area": ["Reports", "Dashboards"]}, channel=Channel.LINK,
        contact=customer, locale="en-GB"))
    session.commit()
    response = result.response
    assert (result.created, result.changed) == (True, True)
    assert (response.partial, response.channel, response.locale) == (False, Channel.LINK, "en-GB")
    assert response.completed_at is not None and response.survey_version_id == live_survey.latest_version_id
    assert (response.contact_id, response.account_id) == (customer.id, customer.account_id)
    rows = {a.question_id: a for a in session.scalars(select(Answer).where(Answer.response_id == response.id))}
    assert (rows["nps"].score, rows["nps"].nps_category, rows["nps"].question_type) == (3, "detractor", "nps")
    assert rows["why"].text == "Exports time out" and rows["why"].score is None
    assert (rows["area"].choices, rows["area"].other_text) == (["Reports"], "Dashboards")


@pytest.mark.parametrize("score, category", [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"),
                                             (9, "promoter"), (10, "promoter")])
def test_the_nps_category_is_stored(session, live_survey, score, category):
    response = submit_response(session, live_survey, Submission({"nps": score})).response
    assert session.scalar(select(Answer.nps_category).where(Answer.response_id == response.id)) == category


def test_a_partial_response_is_completed_later(session, live_survey, customer):
    first = submit_response(session, live_survey, Submission(
        {"nps": 2}, partial=True, client_response_id="inv-1", contact=customer))
    session.commit()
    assert first.response.partial and first.response.completed_at is None
    second = submit_response(session, live_survey, Submission(
        {"why": "Too slow"}, client_response_id="inv-1", contact=customer))
    session.commit()
    assert (second.created, second.changed, second.response.id) == (False, True, first.response.id)
    assert not second.response.partial and second.response.completed_at is not None
    assert stored(session, second.response) == {"nps": 2, "why": "Too slow"}
    assert count(session, Response) == 1


def test_a_partial_update_stays_partial(session, live_survey):
    submit_response(session, live_survey, Submission({"nps": 2}, partial=True, client_response_id="k"))
    again = submit_response(session, live_survey, Submission({"nps": 9}, partial=True, client_response_id="k"))
    assert again.response.partial and again.changed
    assert stored(session, again.response) == {"nps": 9}


def test_a_changed_score_drops_the_stored_hidden_follow_up(session, live_survey):
    submit_response(session, live_survey, Submission({"nps": 2, "why": "Slow"}, partial=True,
                                                     client_response_id="k"))
    again = submit_response(session, live_survey, Submission({"nps": 10, "best": "Alerts"}, client_response_id="k"))
    session.commit()
    assert stored(session, again.response) == {"nps": 10, "best": "Alerts"}
    assert count(session, Answer) == 2


def test_the_same_answers_again_are_a_replay(session, live_survey):
    first = submit_response(session, live_survey, Submission({"nps": 9, "best": "Speed"}, client_response_id="k"))
    session.commit()
    updated_at = first.response.updated_at
    again = submit_response(session, live_survey, Submission({"nps": 9, "best": "Speed"}, client_response_id="k"))
    assert (again.created, again.changed, again.response.id) == (False, False, first.response.id)
    assert again.response.updated_at == updated_at
    assert count(session, Response) == 1 and count(session, Answer) == 2


def test_different_answers_to_a_complete_response_conflict(session, live_survey):
    first = submit_response(session, live_survey, Submission({"nps": 9}, client_response_id="k")).response
    session.commit()
    with pytest.raises(ResponseConflict) as caught:
        submit_response(session, live_survey, Submission({"nps": 3}, client_response_id="k"))
    assert caught.value.response.id == first.id
    assert "the first answers stand" in str(caught.value)
    session.rollback()
    assert stored(session, first) == {"nps": 9}


def test_may_revise_lets_a_respondent_change_their_mind(session, live_survey):
    first = submit_response(session, live_survey, Submission({"nps": 9}, channel=Channel.EMAIL,
                                                              client_response_id="k")).response
    revised = submit_response(session, live_survey, Submission({"nps": 4}, channel=Channel.EMAIL,
                                                                client_response_id="k", may_revise=True))
    session.commit()
    assert (revised.response.id, revised.changed) == (first.id, True)
    assert stored(session, first) == {"nps": 4}
    assert session.scalar(select(Answer.nps_category)) == "detractor"


def test_a_complete_response_stays_complete(session, live_survey):
    submit_response(session, live_survey, Submission({"nps": 2}, client_response_id="k"))
    again = submit_response(session, live_survey, Submission({"why": "Slow"}, partial=True, client_response_id="k",
                                                              may_revise=True))
    assert not again.response.partial


def test_client_ids_are_per_survey(session, live_survey):
    other = create_survey(session, "Other", {"questions": [{"id": "nps", "type": "nps"}]})
    publish(session, other)
    a = submit_response(session, live_survey, Submission({"nps": 1}, client_response_id="same")).response
    b = submit_response(session, other, Submission({"nps": 10}, client_response_id="same")).response
    assert a.id != b.id
    assert find_by_client_id(session, other.id, "same").id == b.id
    assert find_by_client_id(session, other.id, "missing") is None


def test_responses_without_a_client_id_are_each_new(session, live_survey):
    for _ in range(2):
        submit_response(session, live_survey, Submission({"nps": 9}))
    assert count(session, Response) == 2


def test_the_account_snapshot_stays_after_the_account_changes(session, live_survey, customer):
    response = submit_response(session, live_survey, Submission({"nps": 8}, contact=customer)).response
    session.commit()
    account = session.get(Account, customer.account_id)
    account.plan, account.segment, account.arr = "enterprise", "enterprise", Decimal("250000")
    account.csm_email, account.renewal_date = "someone.else@example.com", date(2031, 6, 30)
    session.commit()
    session.expire_all()
    response = session.get(Response, response.id)
    assert (response.account_plan, response.account_segment, response.account_arr, response.account_csm_email,
            response.account_renewal_date) == ("pro", "mid-market", Decimal("48000.00"), "csm@example.com",
                                               date(2030, 1, 31))


def test_an_anonymous_response_has_no_contact_or_snapshot(session, live_survey):
    response = submit_response(session, live_survey, Submission({"nps": 8})).response
    assert (response.contact_id, response.account_id, response.account_plan) == (None, None, None)


def test_a_contact_without_an_account(session, live_survey, make_contact):
    loner = make_contact()
    response = submit_response(session, live_survey, Submission({"nps": 8}, contact=loner)).response
    assert (response.contact_id, response.account_id) == (loner.id, None)


def test_submitted_at_may_be_in_the_past(session, live_survey):
    when = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    response = submit_response(session, live_survey, Submission({"nps": 8}, channel=Channel.IMPORT,
                                                                 submitted_at=when)).response
    session.commit()
    session.expire_all()
    response = session.get(Response, response.id)
    assert response.submitted_at == when and response.completed_at == when
    assert response.created_at > when + timedelta(days=30)


@pytest.mark.parametrize("status", [SurveyStatus.PAUSED, SurveyStatus.ARCHIVED])
def test_a_closed_survey_takes_no_answers(session, live_survey, status):
    set_status(session, live_survey, status)
    with pytest.raises(SurveyClosed) as caught:
        submit_response(session, live_survey, Submission({"nps": 9}))
    assert caught.value.status is status
    assert str(caught.value) == f"This survey is {status.value}."
    assert count(session, Response) == 0


def test_a_draft_takes_no_answers(session):
    draft = create_survey(session, "Draft")
    with pytest.raises(SurveyClosed, match="has not been published"):
        submit_response(session, draft, Submission({"q1": 9}))


def test_a_paused_survey_refuses_the_follow_up_of_a_partial(session, live_survey):
    submit_response(session, live_survey, Submission({"nps": 2}, partial=True, client_response_id="k"))
    set_status(session, live_survey, SurveyStatus.PAUSED)
    with pytest.raises(SurveyClosed):
        submit_response(session, live_survey, Submission({"why": "Slow"}, client_response_id="k"))


def test_bad_answers_write_nothing(session, live_survey):
    with pytest.raises(ValidationError) as caught:
        submit_response(session, live_survey, Submission({"nps": 11, "best": "x"}))
    assert caught.value.messages == {"answers": {"nps": ["A score is a whole number from 0 to 10; got 11."]}}
    with pytest.raises(ValidationError) as caught:
        submit_response(session, live_survey, Submission({"nps": 3, "best": "x"}))
    assert list(caught.value.messages["answers"]) == ["best"]
    assert count(session, Response) == 0 and count(session, Answer) == 0


def test_a_bad_update_leaves_the_partial_as_it_was(session, live_survey):
    first = submit_response(session, live_survey, Submission({"nps": 2}, partial=True,
                                                              client_response_id="k")).response
    session.commit()
    with pytest.raises(ValidationError):
        submit_response(session, live_survey, Submission({"best": "hidden"}, client_response_id="k"))
    session.rollback()
    assert stored(session, first) == {"nps": 2}
    assert session.get(Response, first.id).partial


def test_a_response_answers_the_version_it_started_on(session, live_survey):
    first = submit_response(session, live_survey, Submission({"nps": 2}, partial=True,
                                                              client_response_id="k")).response
    v1 = first.survey_version_id
    update_draft(session, live_survey, {"questions": [{"id": "nps", "type": "nps"}, {"id": "new", "type": "text"}]})
    publish(session, live_survey)
    done = submit_response(session, live_survey, Submission({"why": "Slow"}, client_response_id="k")).response
    assert done.survey_version_id == v1, "the follow-up is checked against v1, where 'why' exists"
    assert stored(session, done) == {"nps": 2, "why": "Slow"}
