"""Triggers, send windows and throttles in words, and in the publish diff."""
from __future__ import annotations

import copy

from surveys.design.definition import load_definition
from surveys.design.diff import diff_definitions
from surveys.journeys.describe import days_text, describe_send_window, describe_throttle, describe_trigger

BASE = load_definition({"questions": [{"id": "nps", "type": "nps"}], "triggers": [
    {"type": "event", "event": "onboarding_completed", "delay": "P3D",
     "filters": [{"field": "plan", "op": "in", "value": ["pro", "enterprise"]}],
     "channels": ["in_app", "email"], "fallback_after": "P5D", "sample": 0.2},
    {"type": "date", "field": "account.renewal_date", "offset": "-P60D"},
]})


def test_triggers_in_words():
    onboarding, renewal = BASE["triggers"]
    assert describe_trigger(onboarding) == (
        "3 days after onboarding_completed (first time only); Only if plan in pro, enterprise; "
        "In-app, then email (if in-app is not shown within 5 days); 20% of matches.")
    assert describe_trigger(renewal) == (
        "60 days before the account's renewal date; Everyone; Email; All matches.")
    recurring = load_definition({"questions": [{"type": "nps"}], "triggers": [
        {"type": "recurring", "every": "P90D", "warmup": "P30D", "channels": ["link"]}]})["triggers"][0]
    assert describe_trigger(recurring).startswith("Every 90 days per contact, first 30 days after creation; ")


def test_windows_and_throttles_in_words():
    assert days_text([1, 2, 3]) == "Tue–Thu"
    assert days_text([0, 2, 4]) == "Mon, Wed, Fri"
    assert days_text([0, 1, 5, 6]) == "Mon, Tue, Sat, Sun"
    assert days_text(range(7)) == "Every day"
    assert describe_send_window({"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:00"}) == \
        "Tue–Thu, 09:00–17:00 in the contact's timezone"
    assert describe_send_window(None).startswith("Any time")
    assert describe_throttle(None) == "The workspace recontact period"
    assert "60 days" in describe_throttle({"recontact_days": 60, "transactional": False})
    assert describe_throttle({"recontact_days": 7, "transactional": True}).startswith("Transactional")


def test_first_publication_lists_triggers_and_the_send_window():
    new = copy.deepcopy(BASE)
    new["send_window"] = {"days": ["tue"], "start": "09:00", "end": "12:00"}
    changes = diff_definitions(None, new)
    assert [(c["kind"], c.get("trigger"), c["field"]) for c in changes] == [
        ("added", None, None), ("added", "t1", "triggers"), ("added", "t2", "triggers"),
        ("survey", None, "send_window")]
    assert changes[1]["summary"].startswith("Trigger 't1' added: 3 days after onboarding_completed")
    assert changes[1]["after"].startswith("t1: 3 days after")
    assert changes[3]["after"] == "Tue, 09:00–12:00 in the contact's timezone"


def test_trigger_edits_are_reported_field_by_field():
    new = copy.deepcopy(BASE)
    new["triggers"][0]["delay"] = "P5D"
    new["triggers"][0]["filters"] = []
    new["triggers"][0]["sample"] = 1.0
    del new["triggers"][1]
    new["triggers"].append({"id": "t3", "type": "recurring", "every": "P90D", "warmup": "P0D", "filters": [],
                            "channels": ["email"], "sample": 1.0})
    new["throttle"] = {"recontact_days": 60, "transactional": False}
    changes = diff_definitions(BASE, new)
    assert [c["summary"] for c in changes] == [
        "Trigger 't2' removed: 60 days before the account's renewal date; Everyone; Email; All matches.",
        "Trigger 't1': delay 3 days → 5 days",
        "Trigger 't1': who Only if plan in pro, enterprise → Everyone",
        "Trigger 't1': sample 20% of matches → All matches",
        "Trigger 't3' added: Every 90 days per contact, from the contact's creation; Everyone; Email; All matches.",
        "Recontact rule: The workspace recontact period → Not the same contact again within 60 days "
        "(or the workspace period, if longer)",
    ]
    assert (changes[1]["before"], changes[1]["after"]) == ("t1 · delay: 3 days", "t1 · delay: 5 days")


def test_a_type_change_is_one_change_and_no_change_is_none():
    new = copy.deepcopy(BASE)
    new["triggers"][1] = {"id": "t2", "type": "recurring", "every": "P30D", "warmup": "P0D", "filters": [],
                          "channels": ["email"], "sample": 1.0}
    changes = diff_definitions(BASE, new)
    assert len(changes) == 1 and changes[0]["kind"] == "changed" and changes[0]["trigger"] == "t2"
    assert diff_definitions(BASE, copy.deepcopy(BASE)) == []


def test_definitions_stored_before_triggers_existed_compare_as_defaults():
    old = {key: value for key, value in BASE.items() if key not in ("triggers", "send_window", "throttle")}
    new = copy.deepcopy(old) | {"triggers": [], "send_window": None,
                                "throttle": {"recontact_days": None, "transactional": False}}
    assert diff_definitions(old, new) == []
