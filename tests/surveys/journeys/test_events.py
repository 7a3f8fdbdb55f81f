"""Recording events: validation naming the row and field, contacts created on the fly, idempotency."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys.audience.erasure import erase_contact
from surveys.audience.models import Contact
from surveys.journeys.events import (
    NEW_EVENTS_KEY,
    EventBatchInvalid,
    erase_events,
    record_events,
)
from surveys.journeys.models import Event
from tests.surveys.journeys.journey_helpers import NOW, event_row


def _count(session, model=Event) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def _errors(session, rows, now=NOW) -> dict:
    with pytest.raises(EventBatchInvalid) as caught:
        record_events(session, rows, now=now)
    session.rollback()
    return caught.value.messages["events"]


def test_events_are_stored_for_known_contacts(session, make_account, make_contact):
    account = make_account()
    contact = make_contact(external_id="u-1", account_id=account.id)
    result = record_events(session, [
        event_row("u-1", properties={"seats": 12, "plan": "pro"}, idempotency_key="k1"),
        event_row("u-1", name="ticket_closed", at=NOW - timedelta(days=3)),
    ], now=NOW)
    session.commit()
    assert (result.created, result.duplicates, result.contacts_created) == (2, 0, 0)
    assert result.ids == result.created_ids and len(set(result.ids)) == 2
    first, second = (session.get(Event, i) for i in result.ids)
    assert (first.contact_id, first.account_id, first.name) == (contact.id, account.id, "onboarding_completed")
    assert first.properties == {"seats": 12, "plan": "pro"} and first.idempotency_key == "k1"
    assert first.occurred_at == NOW and first.received_at == NOW and first.matched_at is None
    assert second.occurred_at == NOW - timedelta(days=3) and second.idempotency_key is None


def test_occurred_at_defaults_to_now(session, make_contact):
    make_contact(external_id="u-1")
    result = record_events(session, [{"contact_external_id": "u-1", "name": "signed_up"}], now=NOW)
    assert session.get(Event, result.ids[0]).occurred_at == NOW


@pytest.mark.parametrize("when, message", [
    ("2099-01-01T00:00:00Z", "Must not be more than a day in the future."),
    ("1970-01-01T00:00:00Z", "Must be on or after 2000-01-01."),
    ((NOW + timedelta(days=1, minutes=1)).isoformat(), "Must not be more than a day in the future."),
    ("2026-11-03T10:00:00", "Not a valid aware datetime."),
    ("yesterday", "Not a valid datetime."),
])
def test_implausible_times_name_the_row_and_field(session, make_contact, when, message):
    make_contact(external_id="u-1")
    errors = _errors(session, [event_row("u-1"), {**event_row("u-1"), "occurred_at": when}])
    assert list(errors) == ["1"]
    assert errors["1"] == {"occurred_at": [message]}
    assert _count(session) == 0


def test_a_day_ahead_is_accepted(session, make_contact):
    make_contact(external_id="u-1")
    record_events(session, [event_row("u-1", at=NOW + timedelta(hours=23))], now=NOW)
    assert _count(session) == 1


def test_ten_thousand_properties_are_refused_by_name(session, make_contact):
    make_contact(external_id="u-1")
    errors = _errors(session, [event_row("u-1", properties={f"p{i}": i for i in range(10_000)})])
    assert errors == {"0": {"properties": ["At most 100 properties; got 10000."]}}


@pytest.mark.parametrize("properties, fragment", [
    ({"blob": "x" * 20_000}, "Larger than 16384 bytes"),
    ({"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, "Nested deeper than 5 levels."),
    ({"": 1}, "Property names are 1 to 64"),
    ([1, 2], "Must be a JSON object."),
    ({"n": float("nan")}, "finite"),
])
def test_bad_properties_name_the_field(session, make_contact, properties, fragment):
    make_contact(external_id="u-1")
    errors = _errors(session, [event_row("u-1", properties=properties)])
    assert fragment in errors["0"]["properties"][0]


@pytest.mark.parametrize("name", ["", "has space", "-leading", "x" * 129, "tab\tname", 42])
def test_bad_names_are_refused(session, make_contact, name):
    make_contact(external_id="u-1")
    errors = _errors(session, [event_row("u-1", name=name)])
    assert "name" in errors["0"]


def test_unknown_fields_and_missing_ones_are_named(session):
    errors = _errors(session, [{"name": "x", "colour": "red"}, "not an object"])
    assert errors["0"]["contact_external_id"] == ["Missing data for required field."]
    assert errors["0"]["colour"] == ["Unknown field."]
    assert errors["1"] == {"_schema": ["Invalid input type."]}


@pytest.mark.parametrize("rows", [[], [{}] * 1001, "events"])
def test_batch_size_is_bounded(session, rows):
    with pytest.raises(EventBatchInvalid) as caught:
        record_events(session, rows, now=NOW)
    assert "Send 1 to 1000 events per batch" in caught.value.messages["events"][0]


def test_unknown_contact_without_email_or_account_is_refused_and_nothing_written(session, make_contact):
    make_contact(external_id="u-1")
    errors = _errors(session, [event_row("u-1"), event_row("ghost")])
    assert errors == {"1": {"contact_external_id": [
        "No contact with external_id 'ghost'; send email or account_external_id to create one."]}}
    assert _count(session) == 0


def test_unknown_contact_is_created_from_email_and_account(session, make_account):
    account = make_account(external_id="acme")
    result = record_events(session, [
        event_row("new-1", account_external_id="acme", email="Ana@ACME.example", contact_name="Ana Lima"),
        event_row("new-2", email="bo@example.com"),
        event_row("new-1", name="ticket_closed"),  # the same new contact again: created once
    ], now=NOW)
    session.commit()
    assert (result.created, result.contacts_created) == (3, 2)
    ana = session.scalar(select(Contact).where(Contact.external_id == "new-1"))
    assert (ana.email, ana.name, ana.account_id) == ("Ana@acme.example", "Ana Lima", account.id)
    bo = session.scalar(select(Contact).where(Contact.external_id == "new-2"))
    assert (bo.email, bo.account_id) == ("bo@example.com", None)
    events = [session.get(Event, i) for i in result.ids]
    assert [e.contact_id for e in events] == [ana.id, bo.id, ana.id]
    assert events[0].account_id == account.id


def test_a_later_row_may_carry_the_data_that_creates_the_contact(session):
    result = record_events(session, [event_row("new-1"), event_row("new-1", email="x@example.com")], now=NOW)
    assert result.contacts_created == 1 and result.created == 2


def test_an_unknown_account_is_not_invented(session):
    errors = _errors(session, [event_row("new-1", account_external_id="nope", email="x@example.com")])
    assert errors == {"0": {"account_external_id": [
        "No account with external_id 'nope'; create it through /accounts first."]}}
    assert _count(session, Contact) == 0


def test_known_contacts_are_never_changed_by_events(session, make_account, make_contact):
    contact = make_contact(external_id="u-1", email="old@example.com", name="Old")
    record_events(session, [event_row("u-1", email="new@example.com", contact_name="New",
                                      account_external_id="missing-account")], now=NOW)
    session.commit()
    session.refresh(contact)
    assert (contact.email, contact.name, contact.account_id) == ("old@example.com", "Old", None)


def test_the_same_idempotency_key_is_one_event_in_a_batch_and_across_batches(session, make_contact):
    make_contact(external_id="u-1")
    first = record_events(session, [event_row("u-1", idempotency_key="k1"),
                                    event_row("u-1", idempotency_key="k1", name="other_name"),
                                    event_row("u-1", idempotency_key="k2")], now=NOW)
    session.commit()
    assert (first.created, first.duplicates) == (2, 1)
    assert first.ids[0] == first.ids[1] != first.ids[2]
    assert session.get(Event, first.ids[0]).name == "onboarding_completed"  # the first row wins
    again = record_events(session, [event_row("u-1", idempotency_key="k2"), event_row("u-1", idempotency_key="k3")],
                          now=NOW + timedelta(hours=1))
    session.commit()
    assert (again.created, again.duplicates) == (1, 1)
    assert again.ids[0] == first.ids[2] and again.created_ids == [again.ids[1]]
    assert _count(session) == 3


def test_new_events_are_marked_for_matching_after_commit(session, make_contact):
    make_contact(external_id="u-1")
    session.commit()
    result = record_events(session, [event_row("u-1", idempotency_key="k1")], now=NOW)
    assert session.info[NEW_EVENTS_KEY] == set(result.created_ids)
    session.rollback()  # a rollback forgets them
    assert NEW_EVENTS_KEY not in session.info
    record_events(session, [event_row("u-1", idempotency_key="k1")], now=NOW)
    session.commit()
    duplicate = record_events(session, [event_row("u-1", idempotency_key="k1")], now=NOW)
    assert duplicate.created_ids == [] and NEW_EVENTS_KEY not in session.info


def test_a_thousand_row_batch_is_stored(session, make_contact):
    for n in range(10):
        make_contact(external_id=f"u-{n}")
    rows = [event_row(f"u-{i % 10}", idempotency_key=f"k{i}", properties={"i": i}) for i in range(1000)]
    result = record_events(session, rows, now=NOW)
    session.commit()
    assert result.created == 1000 and len(set(result.ids)) == 1000
    assert session.get(Event, result.ids[999]).properties == {"i": 999}


def test_erasing_a_contact_clears_their_events_properties(session, make_contact):
    contact = make_contact(external_id="u-1")
    result = record_events(session, [event_row("u-1", properties={"email": "ana@example.com"},
                                               idempotency_key="ana@example.com:1")], now=NOW)
    session.commit()
    erase_contact(session, contact, [erase_events], requested_by="test")
    session.commit()
    event = session.get(Event, result.ids[0])
    session.refresh(event)
    assert (event.properties, event.idempotency_key, event.name) == ({}, None, "onboarding_completed")
