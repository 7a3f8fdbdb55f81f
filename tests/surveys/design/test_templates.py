"""Templates: each one is a valid survey with the logic it promises."""
from __future__ import annotations

import pytest

from surveys.design.answers import validate_answers, visible_questions
from surveys.design.definition import load_definition
from surveys.design.kinds import NPS_PROMPT
from surveys.design.templates import BLANK, TEMPLATES


def test_the_five_templates_exist():
    assert set(TEMPLATES) == {"nps_relationship", "nps_onboarding", "csat_support", "ces_task", "churn_reason"}
    for key, template in TEMPLATES.items():
        assert template.key == key and template.name and template.summary


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_template_loads_and_can_be_answered(key):
    definition = load_definition(TEMPLATES[key].build())
    first = definition["questions"][0]
    value = first.get("options", [None])[0] if "options" in first else first["min"]
    answers = validate_answers(definition, {first["id"]: value}, partial=True)
    assert answers[first["id"]].as_json() == value
    assert len(visible_questions(definition, answers)) >= 2, "every template asks a follow-up"


def test_build_returns_a_copy():
    built = TEMPLATES["nps_relationship"].build()
    built["questions"].clear()
    assert TEMPLATES["nps_relationship"].build()["questions"]


def test_nps_templates_follow_up_by_band():
    definition = load_definition(TEMPLATES["nps_relationship"].build())
    follow_ups = {q["id"]: q["show_if"]["in"] for q in definition["questions"] if "show_if" in q}
    assert follow_ups == {"disappointed": list(range(7)), "improve": [7, 8], "value_most": [9, 10]}
    assert definition["questions"][0]["prompt"] == NPS_PROMPT


def test_blank_is_one_nps_question():
    definition = load_definition(BLANK)
    assert [(q["id"], q["type"]) for q in definition["questions"]] == [("q1", "nps")]
