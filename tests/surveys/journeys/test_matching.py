"""Matching events against live surveys' event triggers: filters, repeat, sampling, delay."""
from __future__ import annotations

from datetime import timedelta

import pytest

from surveys.delivery.models import DeliveryChannel, InvitationState
from surveys.design.models import SurveyStatus
from surveys.design.services import publish, set_status, update_draft
from surveys.journeys.matching import (
    TOO_LATE,
    event_triggers,
    match_event,
    sample_reason,
)
from surveys.journeys.sampling import in_sample
from tests.surveys.journeys.journey_helpers import (
    NOW,
    QUESTIONS,
    event_row,
    invitations,
    live_survey,
    store,
)

ONBOARDING = {"id": "onb", "type": "event", "event": "onboarding_completed", "delay": "P3D"}


@pytest.fixture
def ana(make_account, make_contact):
    account = make_account(external_id="acme", plan="pro")
    return make_contact(external_id="ana", account_id=account.id)


def _match(session, event, now=NOW):
    created = match_event(session, event, now=now)
    session.commit()
    return created


def test_a_matching_event_schedules_an_invitation_after_its_delay(session, ana):
    survey = live_survey(session, {**ONBOARDING, "channels": ["in_app", "email"], "fallback_after": "P5D"})
    [event] = store(session, event_row("ana"))
    [invitation] = _match(session, event)
    assert invitation.state is InvitationState.SCHEDULED and invitation.reason is None
    assert (invitation.contact_id, invitation.account_id) == (ana.id, ana.account_id)
    assert (invitation.survey_id, invitation.survey_version_id) == (survey.id, survey.latest_version_id)
    assert (invitation.trigger_key, invitation.firing_key, invitation.event_id) == ("onb", "once", event.id)
    assert invitation.scheduled_for == NOW + timedelta(days=3)
    assert invitation.channel is DeliveryChannel.IN_APP and invitation.channels == ["in_app", "email"]
    assert invitation.fallback_at == NOW + timedelta(days=8)
    assert event.matched_at == NOW


def test_other_events_and_surveys_that_are_not_live_fire_nothing(session, ana):
    paused = live_survey(session, ONBOARDING, name="Paused")
    set_status(session, paused, SurveyStatus.PAUSED)
    live_survey(session, {**ONBOARDING, "event": "ticket_closed"}, name="Tickets")
    [event] = store(session, event_row("ana"))
    assert _match(session, event) == []
    assert event.matched_at == NOW  # matched: nothing to do


def test_only_the_latest_published_version_counts(session, ana):
    survey = live_survey(session, {**ONBOARDING, "event": "signed_up"})
    update_draft(session, survey, {"questions": QUESTIONS, "triggers": [ONBOARDING]})  # a draft: not yet live
    session.commit()
    [event] = store(session, event_row("ana"))
    assert _match(session, event) == []
    publish(session, survey)
    session.commit()
    [event] = store(session, event_row("ana", idempotency_key="again"))
    assert len(_match(session, event)) == 1


def test_every_live_survey_with_the_trigger_fires(session, ana):
    live_survey(session, ONBOARDING, name="One")
    live_survey(session, {**ONBOARDING, "id": "other", "delay": "P0D"}, name="Two")
    [event] = store(session, event_row("ana"))
    created = _match(session, event)
    assert sorted(i.scheduled_for for i in created) == [NOW, NOW + timedelta(days=3)]


@pytest.mark.parametrize("seats, fires", [(12, True), (10, True), (5, False), ("ten", False), (None, False)])
def test_property_filters(session, ana, seats, fires):
    live_survey(session, {**ONBOARDING, "filters": [{"field": "properties.seats", "op": ">=", "value": 10}]})
    properties = {} if seats is None else {"seats": seats}
    [event] = store(session, event_row("ana", properties=properties))
    assert len(_match(session, event)) == (1 if fires else 0)


@pytest.mark.parametrize("plan, fires", [("pro", True), ("enterprise", True), ("free", False), (None, False)])
def test_audience_filters_read_the_account(session, make_account, make_contact, plan, fires):
    account = make_account(plan=plan)
    make_contact(external_id="bo", account_id=account.id)
    live_survey(session, {**ONBOARDING, "filters": [{"field": "plan", "op": "in", "value": ["pro", "enterprise"]}]})
    [event] = store(session, event_row("bo"))
    assert len(_match(session, event)) == (1 if fires else 0)


def test_repeat_once_fires_the_first_time_only_whatever_the_version(session, ana):
    survey = live_survey(session, ONBOARDING)
    first, second = store(session, event_row("ana", idempotency_key="1"), event_row("ana", idempotency_key="2"))
    assert len(_match(session, first)) == 1
    assert _match(session, second) == []
    update_draft(session, survey, {"questions": QUESTIONS, "triggers": [{**ONBOARDING, "delay": "P1D"}]})
    publish(session, survey)
    session.commit()
    [third] = store(session, event_row("ana", idempotency_key="3"))
    assert _match(session, third) == []
    assert len(invitations(session)) == 1


def test_repeat_every_fires_on_each_event_and_a_replay_fires_nothing_new(session, ana):
    live_survey(session, {**ONBOARDING, "repeat": "every", "delay": "P0D"})
    first, second = store(session, event_row("ana", name="onboarding_completed", idempotency_key="1"),
                          event_row("ana", at=NOW - timedelta(hours=1), idempotency_key="2"))
    assert len(_match(session, first)) == 1 and len(_match(session, second)) == 1
    assert _match(session, first) == []  # the same event again (a job run twice)
    assert sorted(i.firing_key for i in invitations(session)) == sorted([f"event:{first.id}", f"event:{second.id}"])


def test_sampled_out_contacts_get_a_skipped_invitation_with_the_reason(session, make_contact):
    survey = live_survey(session, {**ONBOARDING, "sample": 0.2})
    contacts = [make_contact(external_id=f"c{n}") for n in range(40)]
    inside = {c.id for c in contacts if in_sample(c.id, survey.id, "onb", 0.2)}
    assert 0 < len(inside) < 40
    for event in store(session, *[event_row(c.external_id) for c in contacts]):
        _match(session, event)
    rows = invitations(session)
    assert len(rows) == 40
    for row in rows:
        if row.contact_id in inside:
            assert row.state is InvitationState.SCHEDULED and row.reason is None
        else:
            assert row.state is InvitationState.SKIPPED and row.reason == "sampled out (20 %)"
            assert row.closed_at == NOW and row.fallback_at is None


def test_sample_reason_reads_as_a_percentage():
    assert sample_reason(0.2) == "sampled out (20 %)"
    assert sample_reason(0.125) == "sampled out (12.5 %)"


def test_an_old_event_is_scheduled_for_now_unless_it_is_too_late(session, ana):
    live_survey(session, ONBOARDING)
    [late] = store(session, event_row("ana", at=NOW - timedelta(days=5)))
    [invitation] = _match(session, late)
    assert invitation.scheduled_for == NOW
    live_survey(session, {**ONBOARDING, "id": "other"}, name="Other")
    [ancient] = store(session, event_row("ana", at=NOW - TOO_LATE - timedelta(days=3, minutes=1)))
    assert _match(session, ancient) == []
    assert ancient.matched_at == NOW


def test_an_erased_contact_fires_nothing(session, ana):
    live_survey(session, ONBOARDING)
    [event] = store(session, event_row("ana"))
    ana.erased_at = NOW
    session.commit()
    assert _match(session, event) == []


def test_triggers_read_once_serve_a_batch(session, ana):
    live_survey(session, ONBOARDING, {"id": "dates", "type": "date", "field": "contact.created_at"})
    triggers = event_triggers(session)
    assert list(triggers) == ["onboarding_completed"]
    [event] = store(session, event_row("ana"))
    assert len(match_event(session, event, now=NOW, triggers=triggers)) == 1
