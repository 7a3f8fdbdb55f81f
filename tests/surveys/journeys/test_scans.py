"""Date-relative and recurring trigger scans: each date fires once, each period comes round once."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from surveys.audience.models import Contact
from surveys.delivery.models import InvitationState
from surveys.design.models import SurveyStatus
from surveys.design.services import set_status
from surveys.journeys.sampling import in_sample
from surveys.journeys.scans import (
    date_field,
    fire_moment,
    scan_date_triggers,
    scan_recurring,
)
from tests.surveys.journeys.journey_helpers import NOW, invitations, live_survey

RENEWAL = {"id": "renewal", "type": "date", "field": "account.renewal_date", "offset": "-P60D"}
RECURRING = {"id": "rel", "type": "recurring", "every": "P90D", "warmup": "P30D"}
TODAY = NOW.date()


def _dates(session, now=NOW, **kw):
    report = scan_date_triggers(session, now=now, **kw)
    session.commit()
    return report


def _recurring(session, now=NOW, **kw):
    report = scan_recurring(session, now=now, **kw)
    session.commit()
    return report


def _by_contact(session) -> dict[str, list]:
    found: dict[str, list] = {}
    for invitation in invitations(session):
        found.setdefault(session.get(Contact, invitation.contact_id).external_id, []).append(invitation)
    return found


def test_a_renewal_date_fires_for_every_contact_of_the_account_once(session, make_account, make_contact):
    live_survey(session, RENEWAL)
    due = make_account(renewal_date=TODAY + timedelta(days=60))
    yesterday = make_account(renewal_date=TODAY + timedelta(days=59))
    too_old = make_account(renewal_date=TODAY + timedelta(days=57))
    not_yet = make_account(renewal_date=TODAY + timedelta(days=61))
    for account, names in ((due, ["a1", "a2", "gone"]), (yesterday, ["b1"]), (too_old, ["c1"]), (not_yet, ["d1"])):
        for name in names:
            make_contact(external_id=name, account_id=account.id, erased_at=NOW if name == "gone" else None)
    make_contact(external_id="no-account")
    report = _dates(session)
    found = _by_contact(session)
    assert sorted(found) == ["a1", "a2", "b1"]
    assert report.scheduled == 3 and report.sampled_out == 0
    [a1] = found["a1"]
    assert a1.firing_key == f"account.renewal_date={(TODAY + timedelta(days=60)).isoformat()}"
    assert a1.scheduled_for == fire_moment(TODAY + timedelta(days=60), timedelta(days=-60))
    assert a1.state is InvitationState.SCHEDULED and a1.trigger_key == "renewal" and a1.event_id is None
    assert found["b1"][0].scheduled_for == NOW.replace(hour=0) - timedelta(days=1)
    # Scanning again (an hour later, or twice at once) schedules nothing new.
    assert _dates(session, now=NOW + timedelta(hours=1)).scheduled == 0
    assert len(invitations(session)) == 3


def test_a_renewal_moved_to_next_year_fires_again(session, make_account, make_contact):
    live_survey(session, RENEWAL)
    account = make_account(renewal_date=TODAY + timedelta(days=60))
    make_contact(external_id="a1", account_id=account.id)
    _dates(session)
    account.renewal_date = TODAY + timedelta(days=60 + 365)
    session.commit()
    assert _dates(session).scheduled == 0
    assert _dates(session, now=NOW + timedelta(days=365)).scheduled == 1
    keys = sorted(i.firing_key for i in invitations(session))
    assert keys == sorted(f"account.renewal_date={d.isoformat()}"
                          for d in (TODAY + timedelta(days=60), TODAY + timedelta(days=425)))


def test_contact_created_at_plus_thirty_days(session, make_contact):
    live_survey(session, {"id": "d30", "type": "date", "field": "contact.created_at", "offset": "P30D"})
    make_contact(external_id="due", created_at=NOW - timedelta(days=30, hours=1))
    make_contact(external_id="early", created_at=NOW - timedelta(days=29))
    make_contact(external_id="missed", created_at=NOW - timedelta(days=33))
    _dates(session)
    found = _by_contact(session)
    assert list(found) == ["due"]
    assert found["due"][0].scheduled_for == NOW - timedelta(hours=1)
    assert found["due"][0].firing_key == f"contact.created_at={(TODAY - timedelta(days=30)).isoformat()}"


def test_dates_held_in_attributes(session, make_account, make_contact):
    live_survey(session, {"id": "end", "type": "date", "field": "account.attributes.contract.end", "offset": "-P7D"},
                {"id": "bday", "type": "date", "field": "contact.attributes.birthday"}, name="Dates")
    week = (TODAY + timedelta(days=7)).isoformat()
    values = {"iso": week, "stamp": f"{week}T08:00:00Z", "garbage": "soon", "short": str(TODAY.year + 1),
              "number": 20261110, "later": (TODAY + timedelta(days=30)).isoformat()}
    for name, value in values.items():
        account = make_account(attributes={"contract.end": value})
        make_contact(external_id=name, account_id=account.id)
    make_contact(external_id="birthday", attributes={"birthday": TODAY.isoformat()})
    _dates(session)
    found = _by_contact(session)
    assert sorted(found) == ["birthday", "iso", "stamp"]
    assert found["stamp"][0].firing_key == f"account.attributes.contract.end={week}"
    assert found["birthday"][0].firing_key == f"contact.attributes.birthday={TODAY.isoformat()}"


def test_filters_and_sampling_apply_to_date_triggers(session, make_account, make_contact):
    survey = live_survey(session, {**RENEWAL, "sample": 0.5,
                                   "filters": [{"field": "contact.attributes.role", "op": "=", "value": "admin"}]})
    account = make_account(renewal_date=TODAY + timedelta(days=60))
    admins = [make_contact(account_id=account.id, attributes={"role": "admin"}) for _ in range(12)]
    make_contact(external_id="user", account_id=account.id, attributes={"role": "user"})
    report = _dates(session, batch_size=5)
    rows = invitations(session)
    assert len(rows) == 12 == report.scheduled + report.sampled_out and report.examined == 13
    for row in rows:
        sampled_in = in_sample(row.contact_id, survey.id, "renewal", 0.5)
        assert row.state is (InvitationState.SCHEDULED if sampled_in else InvitationState.SKIPPED)
    assert {r.contact_id for r in rows} == {a.id for a in admins}


def test_scans_work_in_batches(session, make_account, make_contact):
    live_survey(session, RENEWAL)
    account = make_account(renewal_date=TODAY + timedelta(days=60))
    for _ in range(7):
        make_contact(account_id=account.id)
    batches = []
    report = _dates(session, batch_size=3, after_batch=lambda: batches.append(session.commit()))
    assert report.scheduled == 7 and len(batches) == 3


def test_surveys_that_are_not_live_are_not_scanned(session, make_account, make_contact):
    survey = live_survey(session, RENEWAL, RECURRING)
    set_status(session, survey, SurveyStatus.PAUSED)
    account = make_account(renewal_date=TODAY + timedelta(days=60))
    make_contact(account_id=account.id, created_at=NOW - timedelta(days=400))
    assert _dates(session).examined == 0 and _recurring(session).examined == 0


@pytest.mark.parametrize("name", ["account.plan", "deal.close_date", "contact.email", "account.attributes."])
def test_fields_that_hold_no_date_are_refused(name):
    with pytest.raises(ValueError):
        date_field(name)


def test_fire_moment_counts_a_date_from_midnight_utc():
    assert fire_moment(date(2026, 12, 1), timedelta(days=-1)).isoformat() == "2026-11-30T00:00:00+00:00"


# --- recurring -----------------------------------------------------------------------------------

def test_recurring_first_after_the_warmup_then_every_period(session, make_contact):
    survey = live_survey(session, RECURRING)
    make_contact(external_id="warm", created_at=NOW - timedelta(days=31))
    make_contact(external_id="new", created_at=NOW - timedelta(days=10))
    make_contact(external_id="old", created_at=NOW - timedelta(days=400))
    make_contact(external_id="gone", created_at=NOW - timedelta(days=400), erased_at=NOW)
    assert _recurring(session).scheduled == 2
    found = _by_contact(session)
    assert sorted(found) == ["old", "warm"]
    warm_due = NOW - timedelta(days=1)
    assert found["warm"][0].scheduled_for == warm_due and found["warm"][0].firing_key == warm_due.date().isoformat()
    assert found["old"][0].scheduled_for == NOW  # long overdue: now, not a backlog
    assert (found["old"][0].trigger_key, found["old"][0].survey_id) == ("rel", survey.id)
    assert _recurring(session, now=NOW + timedelta(hours=1)).scheduled == 0
    # The new contact's warm-up ends 20 days on: asked then, on time.
    assert _recurring(session, now=NOW + timedelta(days=20)).scheduled == 1
    assert _by_contact(session)["new"][0].scheduled_for == NOW + timedelta(days=20)
    assert _recurring(session, now=NOW + timedelta(days=88)).scheduled == 0
    assert _recurring(session, now=NOW + timedelta(days=89)).scheduled == 1  # warm's period came round
    assert _recurring(session, now=NOW + timedelta(days=90)).scheduled == 1  # then old's
    found = _by_contact(session)
    assert [i.scheduled_for for i in found["warm"]] == [warm_due, warm_due + timedelta(days=90)]
    assert [i.scheduled_for for i in found["old"]] == [NOW, NOW + timedelta(days=90)]
    assert [i.firing_key for i in found["old"]] == [NOW.date().isoformat(), (NOW + timedelta(days=90)).date().isoformat()]


def test_recurring_counts_only_its_own_survey_and_trigger(session, make_contact):
    live_survey(session, RECURRING, name="Relationship")
    live_survey(session, {**RECURRING, "every": "P30D"}, name="Pulse")
    make_contact(created_at=NOW - timedelta(days=40))
    assert _recurring(session).scheduled == 2
    assert _recurring(session, now=NOW + timedelta(days=30)).scheduled == 1  # the pulse only


def test_recurring_applies_filters(session, make_account, make_contact):
    live_survey(session, {**RECURRING, "filters": [{"field": "segment", "op": "=", "value": "enterprise"}]})
    enterprise, smb = make_account(segment="enterprise"), make_account(segment="smb")
    make_contact(external_id="in", account_id=enterprise.id, created_at=NOW - timedelta(days=40))
    make_contact(external_id="out", account_id=smb.id, created_at=NOW - timedelta(days=40))
    report = _recurring(session)
    assert report.examined == 2 and list(_by_contact(session)) == ["in"]
