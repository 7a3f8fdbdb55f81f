"""Answers close invitations in the response's own transaction: answered and cancelled invitations,
and uninvited answers that count for the throttles; record_answered repairs stored ones, through a real
RQ worker."""
from __future__ import annotations

from datetime import timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from feedback.journeys.answers import RESPONSE_TRIGGER, record_answered
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
    assert queue.count == 0, "nothing waits for a job: the answer's transaction closed the invitations"
    assert states(session, mailed, in_app, elsewhere) == [
        ("answered", None), ("cancelled", "answered through email"), ("scheduled", None)]
    assert session.get(Invitation, mailed.id).answered_at == response.submitted_at
    assert session.scalars(select(Invitation).where(Invitation.trigger_key == RESPONSE_TRIGGER)).all() == []

    again = queue.enqueue(record_answered, [response.id])
    run_worker(app)
    assert again.return_value(refresh=True) == {"answered": 0, "created": 0, "cancelled": 0}, "safe to apply twice"


def test_an_uninvited_answer_gets_an_answered_row_that_throttles(app, session, queue, ada):
    survey = live_survey(session, "Website NPS")
    next_survey = live_survey(session, "Quarterly NPS")
    waiting = invite(session, ada, survey, sent_at=None, state=InvitationState.SCHEDULED)
    response = answer(session, survey, ada, channel=Channel.API)
    anonymous = answer(session, survey, None)

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
    newer = invite(session, ada, survey, sent_at=None, state=InvitationState.SCHEDULED)
    answer(session, survey, ada, client_response_id="web-1")  # the same response, completed
    assert states(session, newer) == [("scheduled", None)]
    assert len(session.scalars(select(Invitation).where(
        Invitation.firing_key == f"response:{response.id}")).all()) == 1


def test_a_link_of_another_contact_or_survey_is_not_taken_for_an_invitation(app, session, queue, ada, make_contact):
    survey = live_survey(session, "Onboarding NPS")
    bob = make_contact(name="Bob")
    bobs = invite(session, bob, survey, sent_at=utcnow() - timedelta(days=1))
    response = answer(session, survey, ada, client_response_id=f"link:{ada.id}:i{bobs.id}")
    assert states(session, bobs) == [("sent", None)]
    assert session.scalars(select(Invitation).where(Invitation.firing_key == f"response:{response.id}")).one()



def test_a_batch_closes_the_invitations_of_every_row(app, session, ada, make_contact):
    from feedback.responses.services import submit_responses

    survey = live_survey(session, "Onboarding NPS")
    bob = make_contact(name="Bob")
    waiting = invite(session, bob, survey, sent_at=None, state=InvitationState.SCHEDULED)
    results = submit_responses(session, survey, [Submission({"nps": 9}, contact=ada, client_response_id="b-1"),
                                                 Submission({"nps": 3}, contact=bob, channel=Channel.IMPORT)])
    session.commit()
    rows = session.scalars(select(Invitation).where(Invitation.trigger_key == RESPONSE_TRIGGER)
                           .order_by(Invitation.contact_id)).all()
    assert [r.firing_key for r in rows] == [f"response:{r.response.id}" for r in results]
    assert states(session, waiting) == [("cancelled", "answered through import")]


def test_a_refused_answer_leaves_the_invitations_alone(session, ada):
    survey = live_survey(session, "Onboarding NPS")
    waiting = invite(session, ada, survey, sent_at=None, state=InvitationState.SCHEDULED)
    with pytest.raises(ValidationError):
        submit_response(session, survey, Submission({"nps": 11}, contact=ada))
    session.rollback()
    assert states(session, waiting) == [("scheduled", None)]
