"""diff_definitions: what publishing would change, in words."""
from __future__ import annotations

import copy

from surveys.design.definition import load_definition
from surveys.design.diff import diff_definitions

OLD = load_definition({"questions": [
    {"id": "nps", "type": "nps"},
    {"id": "why", "type": "text", "prompt": "Why?"},
    {"id": "plan", "type": "single_choice", "options": ["Free", "Pro"]},
]})


def changed(**edits):
    new = copy.deepcopy(OLD)
    for key, value in edits.items():
        new[key] = value
    return new


def kinds(changes):
    return [(c["kind"], c["question"], c["field"]) for c in changes]


def test_first_publication_lists_every_question_as_added():
    changes = diff_definitions(None, OLD)
    assert kinds(changes) == [("added", "nps", None), ("added", "why", None), ("added", "plan", None)]
    assert changes[1]["after"] == "Why?" and changes[1]["summary"] == "Question 'why' added"


def test_no_change_is_an_empty_diff():
    assert diff_definitions(OLD, copy.deepcopy(OLD)) == []


def test_added_and_removed_questions():
    new = copy.deepcopy(OLD)
    new["questions"] = [OLD["questions"][0], OLD["questions"][2], {"id": "extra", "type": "text", "prompt": "More?"}]
    changes = diff_definitions(OLD, new)
    assert kinds(changes) == [("removed", "why", None), ("added", "extra", None)]
    assert changes[0]["before"] == "Why?" and changes[1]["after"] == "More?"


def test_changed_fields_carry_before_and_after():
    new = copy.deepcopy(OLD)
    new["questions"][1]["prompt"] = "What could we do better?"
    new["questions"][2]["options"] = ["Free", "Pro", "Enterprise"]
    new["questions"][1]["show_if"] = {"question": "nps", "in": [0, 1]}
    changes = diff_definitions(OLD, new)
    assert kinds(changes) == [("changed", "why", "prompt"), ("changed", "why", "show_if"),
                              ("changed", "plan", "options")]
    prompt = changes[0]
    assert (prompt["before"], prompt["after"]) == ("Why?", "What could we do better?")
    assert prompt["summary"] == "Question 'why': prompt changed"
    assert changes[1]["summary"] == "Question 'why': show if changed"
    assert changes[1]["before"] is None


def test_moved_questions():
    new = copy.deepcopy(OLD)
    new["questions"] = [OLD["questions"][2], OLD["questions"][0], OLD["questions"][1]]
    changes = diff_definitions(OLD, new)
    assert kinds(changes) == [("moved", None, None)]
    assert changes[0]["before"] == ["nps", "why", "plan"] and changes[0]["after"] == ["plan", "nps", "why"]


def test_removing_a_question_is_not_a_move():
    new = copy.deepcopy(OLD)
    del new["questions"][0]
    assert [c["kind"] for c in diff_definitions(OLD, new)] == ["removed"]


def test_survey_fields():
    new = changed(product="Acme CRM", thank_you={"title": "Cheers", "message": "Bye"},
                  translations={"fr": {"questions": {}}})
    changes = diff_definitions(OLD, new)
    assert kinds(changes) == [("survey", None, "product"), ("survey", None, "thank_you"),
                              ("survey", None, "translations")]
    assert changes[0]["summary"] == "Product changed"
    assert (changes[0]["before"], changes[0]["after"]) == ("our product", "Acme CRM")


def test_changes_are_json_able():
    import json

    new = copy.deepcopy(OLD)
    new["questions"][0]["required"] = False
    assert json.loads(json.dumps(diff_definitions(OLD, new)))[0]["after"] is False
