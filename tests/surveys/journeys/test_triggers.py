"""Triggers in the survey definition: validation naming the field, canonical storage, parsing."""
from __future__ import annotations

import copy
from datetime import time, timedelta

import pytest
from marshmallow import ValidationError

from surveys.design.definition import load_definition
from surveys.journeys.triggers import (
    Filter, SendWindow, SendWindowSchema, Throttle, ThrottleSchema, Trigger, TriggerSchema, parse_triggers,
    send_window_of, throttle_of,
)

QUESTIONS = [{"id": "nps", "type": "nps"}]
ONBOARDING = {"type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "once",
              "filters": [{"field": "plan", "op": "in", "value": ["pro", "enterprise"]},
                          {"field": "properties.seats", "op": ">=", "value": 10}],
              "channels": ["in_app", "email"], "fallback_after": "P5D", "sample": 0.2}


def load(**fields):
    return load_definition({"questions": QUESTIONS, **fields})


def errors_of(**fields):
    with pytest.raises(ValidationError) as error:
        load(**fields)
    return error.value.normalized_messages()


def test_a_definition_without_triggers_gets_the_defaults():
    definition = load()
    assert definition["triggers"] == [] and definition["send_window"] is None
    assert definition["throttle"] == {"recontact_days": None, "transactional": False}
    assert parse_triggers(definition) == [] and send_window_of(definition) is None
    assert throttle_of(definition) == Throttle()
    assert parse_triggers({"questions": []}) == [] and throttle_of({}) == Throttle()  # older definitions


def test_the_issue_examples_are_stored_in_canonical_form():
    definition = load(triggers=[
        ONBOARDING,
        {"type": "date", "field": "account.renewal_date", "offset": "-P60D"},
        {"type": "recurring", "every": "P90D"},
        {"type": "event", "event": "ticket_closed", "delay": "PT36H", "repeat": "every",
         "filters": [{"field": "csm", "op": "exists"}, {"field": "arr", "op": ">", "value": "50000"}]},
    ])
    assert definition["triggers"] == [
        {"id": "t1", "type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "once",
         "filters": [{"field": "account.plan", "op": "in", "value": ["pro", "enterprise"]},
                     {"field": "properties.seats", "op": ">=", "value": 10}],
         "channels": ["in_app", "email"], "fallback_after": "P5D", "sample": 0.2},
        {"id": "t2", "type": "date", "field": "account.renewal_date", "offset": "-P60D", "filters": [],
         "channels": ["email"], "sample": 1.0},
        {"id": "t3", "type": "recurring", "every": "P90D", "warmup": "P0D", "filters": [], "channels": ["email"],
         "sample": 1.0},
        {"id": "t4", "type": "event", "event": "ticket_closed", "delay": "P1DT12H", "repeat": "every",
         "filters": [{"field": "account.csm_email", "op": "exists", "value": True},
                     {"field": "account.arr", "op": ">", "value": 50000}],
         "channels": ["email"], "sample": 1.0},
    ]
    # Loading the stored form again changes nothing (ids included).
    assert load_definition(copy.deepcopy(definition)) == definition


def test_parsed_triggers():
    definition = load(triggers=[ONBOARDING, {"id": "renewal", "type": "date", "field": "account.renewal_date",
                                             "offset": "-P60D", "channels": ["link"]},
                                {"type": "recurring", "every": "P90D", "warmup": "P2W"}])
    onboarding, renewal, recurring = parse_triggers(definition)
    assert onboarding == Trigger(
        key="t1", type="event", event="onboarding_completed", delay=timedelta(days=3), repeat="once",
        filters=(Filter("account.plan", "in", ("pro", "enterprise")), Filter("properties.seats", ">=", 10)),
        channels=("in_app", "email"), fallback_after=timedelta(days=5), sample=0.2)
    assert hash(onboarding)  # frozen all the way down
    assert renewal == Trigger(key="renewal", type="date", field="account.renewal_date",
                              offset=timedelta(days=-60), channels=("link",))
    assert recurring.key == "t2" and recurring.every == timedelta(days=90) and recurring.warmup == timedelta(days=14)


def test_generated_ids_are_stable_and_never_reuse_a_higher_number():
    first = load(triggers=[{"type": "recurring", "every": "P90D"}, {"type": "recurring", "every": "P30D"}])
    assert [t["id"] for t in first["triggers"]] == ["t1", "t2"]
    # Drop t1, add one: the new one does not become t1 again.
    edited = load(triggers=[first["triggers"][1], {"type": "recurring", "every": "P7D"}])
    assert [t["id"] for t in edited["triggers"]] == ["t2", "t3"]
    assert [t["id"] for t in load(triggers=[{"id": "x", "type": "recurring", "every": "P1D"},
                                            {"type": "recurring", "every": "P2D"}])["triggers"]] == ["x", "t1"]


@pytest.mark.parametrize(("trigger", "field", "words"), [
    ({"type": "event", "event": "x", "delay": "-P3D"}, "delay", "cannot be negative"),
    ({"type": "event", "event": "x", "delay": "-3 days"}, "delay", "cannot be negative"),
    ({"type": "event", "event": "x", "delay": "3 days"}, "delay", "'P3D'"),
    ({"type": "event", "event": "x", "delay": "P1M"}, "delay", "use days"),
    ({"type": "event", "event": "x", "delay": "P400D"}, "delay", "At most"),
    ({"type": "event"}, "event", "needs the event"),
    ({"type": "event", "event": "  "}, "event", ""),
    ({"type": "event", "event": "x", "repeat": "twice"}, "repeat", "Must be one of"),
    ({"type": "event", "event": "x", "field": "account.renewal_date"}, "field", "no field"),
    ({"type": "date"}, "field", "needs the date field"),
    ({"type": "date", "field": "account.plan"}, "field", "A date field"),
    ({"type": "date", "field": "account.renewal_date", "delay": "P1D"}, "delay", "no delay"),
    ({"type": "recurring"}, "every", "how often"),
    ({"type": "recurring", "every": "P0D"}, "every", "at least 1 day"),
    ({"type": "recurring", "every": "-P9D"}, "every", "at least 1 day"),
    ({"type": "recurring", "every": "P9D", "warmup": "-P1D"}, "warmup", "negative"),
    ({"type": "birthday"}, "type", "Must be one of"),
    ({"type": "event", "event": "x", "channels": ["sms"]}, "channels", "Must be one of"),
    ({"type": "event", "event": "x", "channels": ["email", "email"]}, "channels", "twice"),
    ({"type": "event", "event": "x", "channels": []}, "channels", "1 to 3"),
    ({"type": "event", "event": "x", "sample": 0}, "sample", "above 0"),
    ({"type": "event", "event": "x", "sample": 1.5}, "sample", "at most 1"),
    ({"type": "event", "event": "x", "sample": "lots"}, "sample", "number"),
    ({"type": "event", "event": "x", "fallback_after": "P5D"}, "fallback_after", "in_app is the first"),
    ({"type": "event", "event": "x", "channels": ["email", "in_app"], "fallback_after": "P5D"},
     "fallback_after", "in_app is the first"),
    ({"type": "event", "event": "x", "channels": ["in_app"], "fallback_after": "P5D"}, "fallback_after",
     "fall back to"),
    ({"type": "event", "event": "x", "colour": "red"}, "colour", "Unknown field"),
])
def test_bad_triggers_are_named_by_index_and_field(trigger, field, words):
    messages = errors_of(triggers=[{"type": "recurring", "every": "P9D"}, trigger])
    assert list(messages) == ["triggers"] and list(messages["triggers"]) == [1]
    assert field in messages["triggers"][1], messages
    assert words in str(messages["triggers"][1][field])


@pytest.mark.parametrize(("filter_", "field", "words"), [
    ({"field": "properties.seats", "op": ">=", "value": "ten"}, "value", "'ten' is not"),
    ({"field": "account.arr", "op": ">=", "value": "2026-01-01"}, "value", "a number"),
    ({"field": "account.renewal_date", "op": "<", "value": 5}, "value", "ISO date"),
    ({"field": "account.plan", "op": ">", "value": 3}, "op", "text"),
    ({"field": "account.arr", "op": "contains", "value": "1"}, "op", "text and lists"),
    ({"field": "plan", "op": "in", "value": "pro"}, "value", "list"),
    ({"field": "plan", "op": "in", "value": []}, "value", "list"),
    ({"field": "plan", "op": "=", "value": None}, "value", "exists"),
    ({"field": "plan", "op": "=", "value": {"a": 1}}, "value", "text"),
    ({"field": "plan", "op": "exists", "value": "yes"}, "value", "true"),
    ({"field": "plan", "op": "~", "value": "x"}, "op", "Must be one of"),
    ({"field": "billing.plan", "op": "=", "value": "x"}, "field", "Unknown field"),
    ({"field": "account.name", "op": "=", "value": "x"}, "field", "Unknown field"),
    ({"field": "account.attributes.", "op": "=", "value": "x"}, "field", "Unknown field"),
    ({"field": "properties", "op": "exists"}, "field", "Unknown field"),
    ({"field": "plan", "op": "=", "value": "x" * 501}, "value", "500"),
    ({"field": "plan", "op": "contains", "value": ""}, "value", "1 to"),
])
def test_bad_filters_are_named_by_position(filter_, field, words):
    messages = errors_of(triggers=[{"type": "event", "event": "x", "filters": [{"field": "plan", "op": "exists"},
                                                                              filter_]}])
    assert field in messages["triggers"][0]["filters"][1], messages
    assert words in str(messages["triggers"][0]["filters"][1][field])


def test_property_filters_only_on_event_triggers():
    messages = errors_of(triggers=[{"type": "date", "field": "account.renewal_date",
                                    "filters": [{"field": "properties.seats", "op": "exists"}]}])
    assert "Event properties" in messages["triggers"][0]["filters"][0]["field"][0]


def test_filter_values_are_canonical():
    definition = load(triggers=[{"type": "event", "event": "x", "filters": [
        {"field": "arr", "op": ">=", "value": "10000.50"},
        {"field": "account.arr", "op": "in", "value": ["100", 200.0]},
        {"field": "renewal_date", "op": "<", "value": "2026-12-03"},
        {"field": "contact.created_at", "op": ">", "value": "2026-01-01T10:00:00"},
        {"field": "properties.seats", "op": ">", "value": "12"},
        {"field": "properties.day", "op": "<=", "value": "2026-05-01"},
        {"field": "contact.attributes.beta", "op": "=", "value": True},
        {"field": "segment", "op": "=", "value": "  SMB "},
        {"field": "account.attributes.region", "op": "exists", "value": False},
    ]}])
    assert [f["value"] for f in definition["triggers"][0]["filters"]] == [
        10000.5, [100, 200], "2026-12-03", "2026-01-01T10:00:00+00:00", 12, "2026-05-01", True, "SMB", False]


def test_limits():
    many = [{"type": "recurring", "every": "P9D"}] * 21
    assert "At most 20 triggers" in str(errors_of(triggers=many)["triggers"])
    assert len(load(triggers=many[:20])["triggers"]) == 20
    filters = [{"field": "plan", "op": "exists"}] * 51
    assert "At most 50 filters" in str(errors_of(triggers=[{"type": "event", "event": "x", "filters": filters}]))


def test_duplicate_trigger_ids():
    messages = errors_of(triggers=[{"id": "a", "type": "recurring", "every": "P9D"},
                                   {"id": "a", "type": "recurring", "every": "P9D"}])
    assert messages == {"triggers": {1: {"id": ["Trigger id 'a' is used twice."]}}}
    assert "id" in errors_of(triggers=[{"id": "bad id!", "type": "recurring", "every": "P9D"}])["triggers"][0]


def test_send_window():
    definition = load(send_window={"days": ["Thu", "tue", "wednesday", "tue"], "start": "9:00", "end": "17:30"})
    assert definition["send_window"] == {"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:30"}
    assert send_window_of(definition) == SendWindow(days=(1, 2, 3), start=time(9), end=time(17, 30))
    assert load(send_window=None)["send_window"] is None
    assert send_window_of({"send_window": {"days": ["mon"], "start": "08:00", "end": "09:00"}}).days == (0,)


@pytest.mark.parametrize(("window", "field"), [
    ({"days": ["tue"], "start": "17:00", "end": "09:00"}, "end"),
    ({"days": ["tue"], "start": "09:00", "end": "09:00"}, "end"),
    ({"days": ["tue"], "start": "25:00", "end": "26:00"}, "start"),
    ({"days": ["tue"], "start": "09:00", "end": "5pm"}, "end"),
    ({"days": [], "start": "09:00", "end": "17:00"}, "days"),
    ({"days": ["tuesday-ish"], "start": "09:00", "end": "17:00"}, "days"),
    ({"days": [2], "start": "09:00", "end": "17:00"}, "days"),
    ({"start": "09:00", "end": "17:00"}, "days"),
    ({"days": ["tue"], "start": "09:00", "end": "17:00", "tz": "UTC"}, "tz"),
])
def test_bad_send_windows_name_the_field(window, field):
    assert field in errors_of(send_window=window)["send_window"]


def test_throttle():
    assert load(throttle={"recontact_days": 60})["throttle"] == {"recontact_days": 60, "transactional": False}
    assert throttle_of(load(throttle={"recontact_days": 7, "transactional": True})) == Throttle(7, True)
    assert throttle_of(load(throttle={"recontact_days": 0, "transactional": True})) == Throttle(0, True)
    assert load(throttle=None)["throttle"] == {"recontact_days": None, "transactional": False}
    for bad in ({"recontact_days": -1}, {"recontact_days": "60"}, {"recontact_days": 0}, {"recontact_days": 5000},
                {"recontact_days": 1.5}):
        assert "recontact_days" in errors_of(throttle=bad)["throttle"], bad
    assert "transactional" in errors_of(throttle={"transactional": "maybe"})["throttle"]


def test_the_schemas_work_on_their_own():
    assert TriggerSchema().load({"type": "recurring", "every": "P1W"})["every"] == "P7D"
    assert SendWindowSchema().load({"days": ["sat"], "start": "10:00", "end": "12:00"})["days"] == ["sat"]
    assert ThrottleSchema().load({}) == {"recontact_days": None, "transactional": False}
