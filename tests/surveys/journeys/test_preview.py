"""The trigger preview: who a trigger would have hit in the last 30 days, and why the others not."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from surveys.journeys.models import Event
from surveys.journeys.preview import ROW_LIMIT, preview_trigger
from surveys.journeys.sampling import in_sample
from surveys.journeys.settings import workspace_settings
from surveys.journeys.triggers import parse_triggers
from tests.surveys.journeys.throttle_helpers import NOW, invite, live_survey

DAY = timedelta(days=1)


@pytest.fixture
def acme(make_account):
    return make_account(name="Acme", plan="pro")


def event(session, contact, name, days_ago, **properties):
    session.add(Event(contact_id=contact.id, account_id=contact.account_id, name=name,
                      occurred_at=NOW - days_ago * DAY, properties=properties))
    session.commit()


def preview(session, survey, key=None, definition=None, **kw):
    definition = definition or survey.draft
    triggers = parse_triggers(definition)
    trigger = next(t for t in triggers if key is None or t.key == key)
    return preview_trigger(session, survey, trigger, definition, now=NOW, **kw)


def counts(result) -> dict[str, int]:
    return {name: getattr(result, name) for name in
            ("matched", "filtered_out", "sampled_out", "unreachable", "throttled", "invited")}


def test_an_event_trigger_over_the_last_30_days(session, make_account, make_contact, acme):
    survey = live_survey(session, "Onboarding NPS", triggers=[{
        "type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "every",
        "filters": [{"field": "plan", "op": "=", "value": "pro"}]}])
    globex = make_account(name="Globex", plan="starter")
    ada = make_contact(name="Ada", account_id=acme.id)
    bob = make_contact(name="Bob", account_id=globex.id)
    cy = make_contact(name="Cy", account_id=make_account(name="Initech", plan="pro").id,
                      unsubscribed_at=NOW - 40 * DAY)
    dee = make_contact(name="Dee", account_id=make_account(name="Hooli", plan="pro").id)
    event(session, ada, "onboarding_completed", 20)
    event(session, ada, "onboarding_completed", 10)   # within Ada's 30 days after the first
    event(session, bob, "onboarding_completed", 15)   # starter plan
    event(session, cy, "onboarding_completed", 12)    # unsubscribed
    event(session, dee, "onboarding_completed", 45)   # before the window
    event(session, dee, "signed_up", 5)               # another event
    result = preview(session, survey)
    assert counts(result) == {"matched": 4, "filtered_out": 1, "sampled_out": 0, "unreachable": 1,
                              "throttled": 1, "invited": 1}
    rows = [(r.label, r.at, r.outcome) for r in result.rows]
    assert rows == [("Ada", NOW - 17 * DAY, "invited"), ("Bob", NOW - 12 * DAY, "filtered_out"),
                    ("Cy", NOW - 9 * DAY, "unreachable"), ("Ada", NOW - 7 * DAY, "throttled")]
    assert result.rows[3].detail == "throttled until 2026-11-16 by survey 'Onboarding NPS'"
    assert result.rows[1].detail == "plan = pro: no (account.plan is 'starter')"
    assert result.rows[2].detail == "unsubscribed on 2026-09-24"


def test_once_counts_the_first_event_of_each_contact(session, make_contact, acme):
    survey = live_survey(session, "Once", triggers=[{"type": "event", "event": "ticket_closed", "repeat": "once"}])
    ada = make_contact(account_id=acme.id)
    for days_ago in (25, 15, 5):
        event(session, ada, "ticket_closed", days_ago)
    assert counts(preview(session, survey))["matched"] == 1


def test_real_invitations_and_the_account_limit_throttle(session, make_contact, acme):
    settings = workspace_settings(session)
    settings.account_limit = 2
    session.commit()
    survey = live_survey(session, "Onboarding NPS", triggers=[{"type": "event", "event": "x"}])
    other = live_survey(session, "Quarterly NPS")
    people = [make_contact(name=f"P{n}", account_id=acme.id) for n in range(4)]
    invite(session, people[0], other, sent_at=NOW - 28 * DAY)  # before the window, still throttles P0
    for n, person in enumerate(people):
        event(session, person, "x", 20 - n)
    result = preview(session, survey)
    assert [(r.label, r.outcome) for r in result.rows] == [
        ("P0", "throttled"), ("P1", "invited"), ("P2", "throttled"), ("P3", "throttled")]
    assert result.rows[0].detail == "throttled until 2026-11-05 by survey 'Quarterly NPS'"
    assert result.rows[2].detail == ("account Acme got 2 invitations in the last 30 days; "
                                     "next possible 2026-11-05")


def test_sampling_is_the_same_as_when_sending(session, make_contact, acme):
    survey = live_survey(session, "Sampled", triggers=[{"id": "s", "type": "event", "event": "x", "sample": 0.3}],
                         throttle={"recontact_days": None, "transactional": True})
    settings = workspace_settings(session)
    settings.account_limit = 0
    session.commit()
    people = [make_contact(account_id=acme.id) for _ in range(30)]
    for person in people:
        event(session, person, "x", 3)
    result = preview(session, survey)
    asked = sum(in_sample(p.id, survey.id, "s", 0.3) for p in people)
    assert (result.invited, result.sampled_out) == (asked, 30 - asked)
    assert 0 < asked < 30
    assert {r.detail for r in result.rows if r.outcome == "sampled_out"} == {
        "sampled out: 30 % of contacts are asked"}


def test_a_date_trigger_finds_the_dates_that_fell_in_the_window(session, make_account, make_contact):
    survey = live_survey(session, "Renewal", triggers=[{"type": "date", "field": "account.renewal_date",
                                                        "offset": "-P60D"}])
    soon = make_contact(name="Soon", account_id=make_account(name="A", renewal_date=date(2026, 12, 20)).id)
    make_contact(name="Later", account_id=make_account(name="B", renewal_date=date(2027, 3, 1)).id)
    make_contact(name="Past", account_id=make_account(name="C", renewal_date=date(2026, 10, 1)).id)
    result = preview(session, survey)
    assert [(r.label, r.at) for r in result.rows] == [("Soon", datetime(2026, 10, 21, tzinfo=UTC))]
    assert result.rows[0].contact_id == soon.id and result.invited == 1


def test_a_recurring_trigger_after_its_warm_up(session, make_contact, acme):
    survey = live_survey(session, "Relationship", triggers=[{"type": "recurring", "every": "P90D",
                                                            "warmup": "P30D"}])
    make_contact(name="New", account_id=acme.id, created_at=NOW - 45 * DAY)     # first one 15 days ago
    make_contact(name="Old", account_id=acme.id, created_at=NOW - 200 * DAY)    # 170 days ago, 80 days ago
    make_contact(name="Fresh", account_id=acme.id, created_at=NOW - 10 * DAY)   # not yet
    result = preview(session, survey)
    assert [(r.label, r.at) for r in result.rows] == [("New", NOW - 15 * DAY)]


def test_the_draft_can_be_previewed_and_rows_stop_at_the_limit(session, make_contact, acme):
    survey = live_survey(session, "Draft only")
    draft = {**survey.draft, "triggers": [{"id": "new", "type": "event", "event": "x", "repeat": "every"}],
             "throttle": {"recontact_days": None, "transactional": True}}
    settings = workspace_settings(session)
    settings.account_limit = 0
    session.commit()
    ada = make_contact(account_id=acme.id)
    for n in range(ROW_LIMIT + 10):
        session.add(Event(contact_id=ada.id, name="x", occurred_at=NOW - timedelta(hours=n + 1), properties={}))
    session.commit()
    result = preview(session, survey, "new", definition=draft)
    assert result.matched == result.invited == ROW_LIMIT + 10 and len(result.rows) == ROW_LIMIT
