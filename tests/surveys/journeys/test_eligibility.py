"""The eligibility trace: every rule, in order, with the sentence a person reads."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.delivery.models import InvitationState
from surveys.design.models import SurveyStatus
from surveys.design.services import set_status
from surveys.journeys.eligibility import check_eligibility, describe_window
from surveys.journeys.explain import explain
from surveys.journeys.models import Event
from surveys.journeys.sampling import in_sample
from surveys.journeys.settings import workspace_settings
from surveys.journeys.triggers import parse_triggers, send_window_of
from tests.surveys.journeys.throttle_helpers import NOW, invite, live_survey

ORDER = ["survey_live", "contact_active", "unsubscribed", "channel", "recontact", "account_limit",
         "open_invitation", "timezone", "send_window"]
PRO_TRIGGER = {"id": "onboarded", "type": "event", "event": "onboarding_completed", "channels": ["email"],
               "filters": [{"field": "plan", "op": "in", "value": ["pro", "enterprise"]},
                           {"field": "properties.seats", "op": ">=", "value": 10}]}


@pytest.fixture
def acme(make_account):
    return make_account(name="Acme", plan="pro")


@pytest.fixture
def ada(make_contact, acme):
    return make_contact(name="Ada", account_id=acme.id, timezone="Europe/Paris")


@pytest.fixture
def survey(session):
    return live_survey(session, "Onboarding NPS", triggers=[PRO_TRIGGER])


def trace_of(session, contact, survey, *, trigger=None, now=NOW, **kw):
    return check_eligibility(session, contact, survey, trigger=trigger, now=now, **kw)


def details(trace) -> dict[str, str]:
    return {v.rule: v.detail for v in trace.verdicts}


def test_an_eligible_contact_passes_every_rule_in_order(session, ada, survey):
    trace = trace_of(session, ada, survey)
    assert [v.rule for v in trace.verdicts] == ORDER
    assert trace.eligible and trace.send_at == NOW
    assert details(trace) == {
        "survey_live": "survey 'Onboarding NPS' is live (version 1)",
        "contact_active": "contact is active",
        "unsubscribed": "subscribed",
        "channel": "reachable by email",
        "recontact": "not invited before; recontact period 30 days",
        "account_limit": "account Acme got 0 of 3 invitations allowed in the last 30 days",
        "open_invitation": "no open invitation for this survey",
        "timezone": "sends in Europe/Paris (the contact's timezone)",
        "send_window": "no send window: sends at any hour",
    }


def test_a_trigger_adds_one_verdict_per_filter_and_the_sample(session, ada, survey):
    trigger = parse_triggers(survey.latest_version.definition)[0]
    trace = trace_of(session, ada, survey, trigger=trigger, properties={"seats": 12})
    rules = [v.rule for v in trace.verdicts]
    assert rules[:4] == ORDER[:4] and rules[4:7] == ["filters", "filters", "sample"] and rules[7:] == ORDER[4:]
    assert trace.eligible
    assert trace.verdicts[6].detail == "no sampling: every match is asked"
    failing = trace_of(session, ada, survey, trigger=trigger, properties={"seats": "ten"})
    assert not failing.eligible and failing.send_at is None
    assert [v.detail for v in failing.failed] == ["properties.seats is 'ten', not a number"]


def test_a_failed_filter_says_which_and_why(session, make_account, make_contact, survey):
    starter = make_contact(account_id=make_account(name="Globex", plan="starter").id)
    trigger = parse_triggers(survey.latest_version.definition)[0]
    trace = trace_of(session, starter, survey, trigger=trigger, properties={"seats": 50})
    [failed] = trace.failed
    assert failed.rule == "filters" and "starter" in failed.detail and "plan" in failed.detail


def test_sampled_out_says_how_many_are_asked(session, make_contact, acme):
    survey = live_survey(session, "Sampled", triggers=[{"type": "event", "event": "x", "sample": 0.2}])
    trigger = parse_triggers(survey.latest_version.definition)[0]
    people = [make_contact(account_id=acme.id) for _ in range(12)]
    outside = next(p for p in people if not in_sample(p.id, survey.id, trigger.key, 0.2))
    trace = trace_of(session, outside, survey, trigger=trigger)
    assert [(v.rule, v.detail) for v in trace.failed] == [("sample", "sampled out: 20 % of contacts are asked")]
    inside = [p for p in people if in_sample(p.id, survey.id, trigger.key, 0.2)]
    for person in inside:
        assert trace_of(session, person, survey, trigger=trigger).verdict("sample").detail == \
            "sampled in: 20 % of contacts are asked"


def test_a_survey_that_is_not_live(session, ada, survey):
    set_status(session, survey, SurveyStatus.PAUSED)
    session.commit()
    assert trace_of(session, ada, survey).failed[0].detail == "survey 'Onboarding NPS' is paused"


def test_erased_and_unsubscribed_contacts_never(session, ada, survey, make_contact):
    ada.unsubscribed_at = datetime(2026, 11, 2, 16, 30, tzinfo=UTC)
    gone = make_contact(email=None, erased_at=datetime(2026, 10, 1, tzinfo=UTC))
    session.commit()
    assert [(v.rule, v.detail) for v in trace_of(session, ada, survey).failed] == [
        ("unsubscribed", "unsubscribed on 2026-11-02")]
    assert [v.rule for v in trace_of(session, gone, survey).failed] == ["contact_active", "channel"]


def test_a_suppressed_address_stops_email_only(session, ada, make_contact, acme):
    ada.email_suppressed_at = NOW - timedelta(days=1)
    ada.email_suppressed_reason = "hard bounce (550 5.1.1 mailbox unavailable)"
    nobody = make_contact(email=None, account_id=acme.id)
    session.commit()
    email_only = live_survey(session, "By email", triggers=[{"type": "event", "event": "x", "channels": ["email"]}])
    in_app_first = live_survey(session, "In app", triggers=[
        {"type": "event", "event": "x", "channels": ["in_app", "email"]}])
    channel = trace_of(session, ada, email_only).verdict("channel")
    assert not channel.passed and channel.detail == "email suppressed: hard bounce (550 5.1.1 mailbox unavailable)"
    channel = trace_of(session, ada, in_app_first).verdict("channel")
    assert channel.passed and channel.detail.startswith("reachable by in-app (email suppressed: hard bounce")
    assert trace_of(session, ada, in_app_first, channel="email").verdict("channel").passed is False
    assert trace_of(session, nobody, email_only).verdict("channel").detail == "email: no address"


def test_an_open_invitation_of_this_survey_blocks_another(session, ada, survey):
    waiting = invite(session, ada, survey, sent_at=None, state=InvitationState.SCHEDULED,
                     scheduled_for=NOW + timedelta(days=2))
    verdict = trace_of(session, ada, survey).verdict("open_invitation")
    assert not verdict.passed
    assert verdict.detail == (f"an open invitation for this survey already exists (#{waiting.id}, scheduled, email, "
                              "scheduled for 2026-11-05 10:00 UTC)")
    assert trace_of(session, ada, survey, invitation_id=waiting.id).eligible


def test_outside_the_send_window_moves_the_send_to_the_next_slot(session, ada):
    survey = live_survey(session, "Windowed", send_window={"days": ["tue", "wed", "thu"], "start": "09:00",
                                                            "end": "17:00"})
    friday = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    trace = trace_of(session, ada, survey, now=friday)
    window = trace.verdict("send_window")
    assert trace.eligible and window.passed
    assert window.detail == "outside send window → next slot Tue 2026-11-24 09:00 Europe/Paris"
    assert window.until == trace.send_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    tuesday_morning = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    inside = trace_of(session, ada, survey, now=tuesday_morning)
    assert inside.verdict("send_window").detail == "inside the send window (Tue–Thu 09:00–17:00 Europe/Paris)"
    assert inside.send_at == tuesday_morning


def test_the_workspace_window_applies_when_the_survey_has_none(session, ada, survey):
    settings = workspace_settings(session)
    settings.send_window = {"days": ["mon", "wed", "fri"], "start": "10:00", "end": "12:00"}
    session.commit()
    trace = trace_of(session, ada, survey)  # Tuesday 11:00 in Paris
    assert trace.verdict("send_window").detail == "outside send window → next slot Wed 2026-11-04 10:00 Europe/Paris"
    assert describe_window(send_window_of({"send_window": settings.send_window})) == "Mon, Wed, Fri 10:00–12:00"


def test_an_invalid_timezone_falls_back_to_the_workspace_and_says_so(session, ada, survey):
    settings = workspace_settings(session)
    settings.timezone = "America/New_York"
    settings.send_window = {"days": ["tue"], "start": "09:00", "end": "17:00"}
    ada.timezone = "Mars/Base"
    session.commit()
    trace = trace_of(session, ada, survey)  # 05:00 in New York
    assert trace.verdict("timezone").passed
    assert trace.verdict("timezone").detail.startswith("fell back to workspace timezone America/New_York: "
                                                       "contact timezone 'Mars/Base' is not valid")
    assert trace.send_at == datetime(2026, 11, 3, 14, 0, tzinfo=UTC)


def test_throttled_contacts_are_not_eligible_and_say_until_when(session, ada, survey):
    other = live_survey(session, "Quarterly NPS")
    invite(session, ada, other, sent_at=NOW - timedelta(days=2))
    trace = trace_of(session, ada, survey)
    assert not trace.eligible and trace.send_at is None
    [throttled] = trace.failed
    assert (throttled.rule, throttled.detail, throttled.until) == (
        "recontact", "throttled until 2026-12-01 by survey 'Quarterly NPS'", NOW + timedelta(days=28))


def test_explain_traces_each_trigger_against_the_latest_event(session, ada, survey):
    session.add_all([
        Event(contact_id=ada.id, account_id=ada.account_id, name="onboarding_completed",
              occurred_at=NOW - timedelta(days=9), properties={"seats": 40}),
        Event(contact_id=ada.id, account_id=ada.account_id, name="onboarding_completed",
              occurred_at=NOW - timedelta(days=1), properties={"seats": 3}),
    ])
    session.commit()
    result = explain(session, ada, survey, now=NOW)
    [only] = result.triggers
    assert only.trigger.key == "onboarded" and only.event.properties == {"seats": 3}
    assert [v.detail for v in only.trace.failed] == ["properties.seats >= 10: no (properties.seats is 3)"]
    assert result.base.eligible and not result.eligible and result.send_at is None
