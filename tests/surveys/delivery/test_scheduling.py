"""Scheduling and cancelling invitations: one per firing, cancellation keeps what was sent."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from surveys.audience.models import Contact
from surveys.db import begin_write, db
from surveys.delivery.models import InvitationState
from surveys.delivery.scheduling import (
    cancel_open_invitations,
    firing_exists,
    schedule_invitation,
)
from surveys.design.models import Survey, SurveyVersion
from surveys.journeys.triggers import Trigger
from tests.surveys.journeys.journey_helpers import NOW, invitations, live_survey

TRIGGER = Trigger(key="t1", type="event", event="signed_up", channels=("email", "link"))


@pytest.fixture
def survey(session):
    return live_survey(session, {"id": "t1", "type": "event", "event": "signed_up"})


def _schedule(session, contact, survey, firing_key="once", trigger=TRIGGER, **kw):
    return schedule_invitation(session, contact=contact, survey=survey, version=survey.latest_version,
                               trigger=trigger, firing_key=firing_key, due_at=NOW, **kw)


def test_a_firing_is_scheduled_once(session, survey, make_contact):
    contact = make_contact()
    first = _schedule(session, contact, survey)
    assert first is not None and first.state is InvitationState.SCHEDULED and first.channel == "email"
    assert first.channels == ["email", "link"] and first.fallback_at is None and first.attempts == 0
    assert _schedule(session, contact, survey) is None
    assert _schedule(session, contact, survey, firing_key="other") is not None
    session.commit()
    assert len(invitations(session)) == 2
    assert firing_exists(session, contact_id=contact.id, survey_id=survey.id, trigger_key="t1", firing_key="other")
    assert not firing_exists(session, contact_id=contact.id, survey_id=survey.id, trigger_key="t2")


def test_in_app_first_with_a_fallback_gets_its_fallback_time(session, survey, make_contact):
    trigger = Trigger(key="t1", type="event", channels=("in_app", "email"), fallback_after=timedelta(days=5))
    invitation = _schedule(session, make_contact(), survey, trigger=trigger)
    assert invitation.channel == "in_app" and invitation.fallback_at == NOW + timedelta(days=5)


def test_a_skip_reason_records_a_skipped_invitation(session, survey, make_contact):
    invitation = _schedule(session, make_contact(), survey, skip_reason="sampled out (20 %)",
                           now=NOW + timedelta(minutes=1))
    assert invitation.state is InvitationState.SKIPPED and invitation.reason == "sampled out (20 %)"
    assert invitation.closed_at == NOW + timedelta(minutes=1)


def test_concurrent_schedulers_of_one_firing_create_one_invitation(app, session, survey, make_contact):
    contact = make_contact()
    survey_id, contact_id = survey.id, contact.id
    barrier = threading.Barrier(4)
    results: list[object] = []

    def worker():
        with app.app_context():
            own = Session(db.engine)
            try:
                barrier.wait()
                begin_write(own)
                mine = own.get(Survey, survey_id)
                version = own.get(SurveyVersion, mine.latest_version_id)
                result = schedule_invitation(own, contact=own.get(Contact, contact_id), survey=mine, version=version,
                                             trigger=TRIGGER, firing_key="once", due_at=NOW)
                own.commit()
                results.append(result is not None)
            except Exception as err:  # noqa: BLE001 - reported below
                results.append(err)
            finally:
                own.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results, key=str) == [False, False, False, True]
    assert len(invitations(session)) == 1


def test_cancel_open_invitations_keeps_the_final_ones_and_sent_at(session, survey, make_contact):
    contact, other = make_contact(), make_contact()
    scheduled = _schedule(session, contact, survey, firing_key="a")
    sent = _schedule(session, contact, survey, firing_key="b")
    sent.state, sent.sent_at = InvitationState.SENT, NOW
    answered = _schedule(session, contact, survey, firing_key="c")
    answered.state = InvitationState.ANSWERED
    theirs = _schedule(session, other, survey, firing_key="a")
    session.commit()
    later = NOW + timedelta(hours=2)
    assert cancel_open_invitations(session, contact.id, survey.id, "answered through link", now=later) == 2
    session.commit()
    session.expire_all()
    assert scheduled.state is InvitationState.CANCELLED and scheduled.reason == "answered through link"
    assert scheduled.closed_at == later
    assert sent.state is InvitationState.CANCELLED and sent.sent_at == NOW
    assert answered.state is InvitationState.ANSWERED and theirs.state is InvitationState.SCHEDULED
    assert cancel_open_invitations(session, contact.id, survey.id, "again", now=later) == 0
