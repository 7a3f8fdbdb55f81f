"""An invitation's send attempts: the compare-and-set, the outcomes, the interrupted-attempt rule."""
from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.db import utcnow
from surveys.delivery.models import InvitationState
from surveys.delivery.sending import (
    MAX_ATTEMPTS,
    attempt_is_stale,
    busy_neighbour,
    mark_failed,
    mark_handing_over,
    mark_opened,
    mark_sent,
    resolve_interrupted,
    retry_later,
    start_attempt,
)
from tests.invitation_helpers import live_survey, make_invitation, reload

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def invitation(session, make_contact):
    return make_invitation(session, contact=make_contact(), survey=live_survey(session), scheduled_for=NOW)


def test_only_one_attempt_starts_and_it_is_counted(session, invitation):
    first = start_attempt(session, invitation.id, now=NOW)
    assert first is not None and first.attempts == 1 and first.send_started_at == NOW
    assert first.claimed_until == NOW + timedelta(minutes=10), "the lease covers the attempt"
    session.commit()
    assert start_attempt(session, invitation.id, now=NOW) is None, "an open attempt blocks a second one"
    session.rollback()
    assert reload(session, invitation.id).attempts == 1


def test_an_attempt_starts_only_on_a_scheduled_invitation(session, invitation):
    invitation.state = InvitationState.CANCELLED
    session.commit()
    assert start_attempt(session, invitation.id, now=NOW) is None
    assert start_attempt(session, 999_999, now=NOW) is None


def test_sent_records_the_time_the_throttles_count(session, invitation):
    attempt = start_attempt(session, invitation.id, now=NOW)
    mark_sent(session, attempt, now=NOW)
    session.commit()
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.SENT and stored.sent_at == NOW
    assert stored.claimed_until is None and "send_phase" not in stored.details


def test_retries_back_off_1_5_30_minutes_then_fail_with_the_reason(session, invitation):
    now = NOW
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        attempt = start_attempt(session, invitation.id, now=now)
        due = retry_later(session, attempt, "SMTP 451 4.3.0 busy", now)
        session.commit()
        waits.append(due - now)
        assert start_attempt(session, invitation.id, now=due - timedelta(seconds=1)) is None, "not before the backoff"
        session.rollback()
        now = due
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)]
    attempt = start_attempt(session, invitation.id, now=now)
    assert attempt.attempts == MAX_ATTEMPTS
    assert retry_later(session, attempt, "SMTP 451 4.3.0 busy", now) is None
    session.commit()
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.FAILED
    assert stored.reason == "SMTP 451 4.3.0 busy after 4 attempts"
    assert stored.closed_at == now


def test_a_permanent_failure_keeps_its_reason(session, invitation):
    attempt = start_attempt(session, invitation.id, now=NOW)
    mark_failed(session, attempt, "SMTP 550 5.1.1 user unknown", now=NOW)
    session.commit()
    stored = reload(session, invitation.id)
    assert (stored.state, stored.reason) == (InvitationState.FAILED, "SMTP 550 5.1.1 user unknown")


def test_an_attempt_interrupted_before_the_end_of_data_is_retried(session, invitation):
    attempt = start_attempt(session, invitation.id, now=NOW)
    session.commit()
    assert not attempt_is_stale(attempt, NOW + timedelta(minutes=9))
    assert attempt_is_stale(attempt, NOW + timedelta(minutes=10))
    assert resolve_interrupted(session, attempt, now=NOW + timedelta(minutes=10)) is True
    session.commit()
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.SCHEDULED and stored.send_started_at is None
    assert stored.attempts == 1, "the lost attempt still counts"
    assert start_attempt(session, invitation.id, now=NOW + timedelta(minutes=10)).attempts == 2


def test_an_attempt_interrupted_after_the_end_of_data_is_never_sent_again(session, invitation):
    attempt = start_attempt(session, invitation.id, now=NOW)
    mark_handing_over(session, attempt)
    session.commit()
    assert resolve_interrupted(session, attempt, now=NOW + timedelta(minutes=10)) is False
    session.commit()
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.SENT and stored.details["delivery"] == "unconfirmed"
    assert stored.sent_at is not None, "the throttles count it: it may well have arrived"


def test_interrupted_attempts_count_towards_the_limit(session, invitation):
    invitation.attempts = MAX_ATTEMPTS - 1
    session.commit()
    attempt = start_attempt(session, invitation.id, now=NOW)
    assert resolve_interrupted(session, attempt, now=NOW + timedelta(minutes=10)) is False
    session.commit()
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.FAILED
    assert stored.reason.endswith("after 4 attempts")


def test_a_send_waits_while_another_to_the_same_account_is_on_its_way(session, make_account, make_contact):
    account = make_account()
    survey = live_survey(session)
    first = make_invitation(session, contact=make_contact(account_id=account.id), survey=survey, scheduled_for=NOW)
    second = make_invitation(session, contact=make_contact(account_id=account.id), survey=survey, scheduled_for=NOW)
    other = make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW)
    assert not busy_neighbour(session, second)
    start_attempt(session, first.id, now=NOW)
    session.commit()
    assert busy_neighbour(session, second), "same account, attempt open"
    assert not busy_neighbour(session, other)
    mark_sent(session, first, now=NOW)
    session.commit()
    assert not busy_neighbour(session, second), "sent: the throttles see it now"


def test_opening_moves_sent_to_opened_once(session, invitation):
    kwargs = {"contact_id": invitation.contact_id, "survey_id": invitation.survey_id, "now": NOW}
    assert mark_opened(session, invitation.id, **kwargs) is False, "a scheduled one was never sent"
    attempt = start_attempt(session, invitation.id, now=NOW)
    mark_sent(session, attempt, now=NOW)
    assert mark_opened(session, invitation.id, **kwargs | {"contact_id": invitation.contact_id + 1}) is False
    assert mark_opened(session, invitation.id, **kwargs) is True
    assert mark_opened(session, invitation.id, **kwargs) is False
    session.commit()
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.OPENED and stored.opened_at == NOW
