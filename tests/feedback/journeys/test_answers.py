"""The response listener: answered and cancelled invitations, and uninvited answers that count, through a
real RQ worker."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback.journeys.answers import (
    RESPONSE_TRIGGER,
    enqueue_record_answered,
    record_answered,
)
from feedback.responses.models import Channel
from feedback.responses.services import Submission, submit_response
from feedback.worker import make_worker
from surveys.db import db, utcnow
from surveys.delivery.models import DeliveryChannel, Invitation, InvitationState
from surveys.journeys.eligibility import check_eligibility
from tests.surveys.journeys.throttle_helpers import invite, live_survey


@pytest.fixture
def queue(app):
    queues = app.extensions["rq"]
    queues.queue().empty()
    return queues.queue()


@pytest.fixture
def ada(make_account, make_contact):
    return make_contact(name="Ada", account_id=make_account(name="Acme").id)


def run_worker(app) -> None:
    db.session.commit()  # end the test's read, so that it sees what the worker writes
    assert make_worker(app).work(burst=True)
    db.session.commit()


def states(session, *invitations) -> list[tuple[str, str | None]]:
    session.expire_all()
    return [(i.state.value, i.reason) for i in (session.get(Invitation, x.id) for x in invitations)]


def answer(session, survey, contact, *, channel=Channel.LINK, client_response_id=None, partial=False):
    result = submit_response(session, survey, Submission({"nps": 9}, channel=channel, contact=contact,
                                                         client_response_id=client_response_id, partial=partial))
    session.commit()
    return result.response


def test_the_invitation_whose_link_was_used_is_answered_and_the_others_cancelled(app, session, queue, ada):
    survey = live_survey(session, "Onboarding NPS")
    other = live_survey(session, "Quarterly NPS")
    mailed = invite(session, ada, survey, sent_at=utcnow() - timedelta(days=1))
    in_app = invite(session, ada, survey, sent_at=None, state=InvitationState.SCHEDULED, channel="in_app")
    elsewhere = invite(session, ada, other, sent_at=None, state=InvitationState.SCHEDULED)

    response = answer(session, survey, ada, channel=Channel.EMAIL, client_response_id=f"link:{ada.id}:i{mailed.id}")
    assert queue.count == 1, "the listener enqueued one job"
    assert states(session, mailed, in_app) == [("sent", None), ("scheduled", None)], "the listener wrote nothing"

    run_worker(app)
    assert states(session, mailed, in_app, elsewhere) == [
        ("answered", None), ("cancelled", "answered through email"), ("scheduled", None)]
    assert session.get(Invitation, mailed.id).answered_at == response.submitted_at
    assert session.scalars(select(Invitation).where(Invitation.trigger_key == RESPONSE_TRIGGER)).all() == []

    again = queue.enqueue(record_answered, [response.id])
    run_worker(app)
    assert again.return_value(refresh=True) == {"answered": 0, "created": 0, "cancelled": 0}, "safe to run twice"


def test_an_uninvited_answer_gets_an_answered_row_that_throttles(app, session, queue, ada):
    survey = live_survey(session, "Website NPS")
    next_survey = live_survey(session, "Quarterly NPS")
    waiting = invite(session, ada, survey, sent_at=None, state=InvitationState.SCHEDULED)
    response = answer(session, survey, ada, channel=Channel.API)
    anonymous = answer(session, survey, None)
    run_worker(app)

    session.expire_all()
    [row] = session.scalars(select(Invitation).where(Invitation.trigger_key == RESPONSE_TRIGGER)).all()
    assert (row.contact_id, row.account_id, row.survey_id, row.survey_version_id) == (
        ada.id, ada.account_id, survey.id, response.survey_version_id)
    assert (row.firing_key, row.channel, row.state) == (
        f"response:{response.id}", DeliveryChannel.LINK, InvitationState.ANSWERED)
    assert row.sent_at == row.answered_at == response.submitted_at
    assert states(session, waiting) == [("cancelled", "answered through api")]
    assert not session.scalars(select(Invitation).where(Invitation.firing_key == f"response:{anonymous.id}")).all()

    trace = check_eligibility(session, ada, next_survey, trigger=None, now=utcnow())
    assert trace.verdict("recontact").detail.endswith("by survey 'Website NPS'")

    record_answered([response.id])  # again, outside a worker: still one row
    assert len(session.scalars(select(Invitation).where(Invitation.trigger_key == RESPONSE_TRIGGER)).all()) == 1


def test_a_later_invitation_is_not_cancelled_by_a_revised_answer(app, session, queue, ada):
    survey = live_survey(session, "Onboarding NPS")
    response = answer(session, survey, ada, client_response_id="web-1", partial=True)
    run_worker(app)
    newer = invite(session, ada, survey, sent_at=None, state=InvitationState.SCHEDULED)
    answer(session, survey, ada, client_response_id="web-1")  # the same response, completed
    assert queue.count == 1
    run_worker(app)
    assert states(session, newer) == [("scheduled", None)]
    assert len(session.scalars(select(Invitation).where(
        Invitation.firing_key == f"response:{response.id}")).all()) == 1


def test_a_link_of_another_contact_or_survey_is_not_taken_for_an_invitation(app, session, queue, ada, make_contact):
    survey = live_survey(session, "Onboarding NPS")
    bob = make_contact(name="Bob")
    bobs = invite(session, bob, survey, sent_at=utcnow() - timedelta(days=1))
    response = answer(session, survey, ada, client_response_id=f"link:{ada.id}:i{bobs.id}")
    run_worker(app)
    assert states(session, bobs) == [("sent", None)]
    assert session.scalars(select(Invitation).where(Invitation.firing_key == f"response:{response.id}")).one()


def test_the_listener_is_registered_once(app):
    assert app.extensions["response_listeners"].count(enqueue_record_answered) == 1
