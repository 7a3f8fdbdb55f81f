"""validate_answers and coerce_answer: every kind's bad input, and typed values back."""
from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from surveys.design.answers import AnswerValue, coerce_answer, validate_answers
from surveys.design.definition import load_definition
from surveys.design.kinds import NpsCategory, QuestionType

DEFINITION = load_definition({"questions": [
    {"id": "nps", "type": "nps"},
    {"id": "csat", "type": "csat", "required": False},
    {"id": "ces", "type": "ces", "required": False},
    {"id": "stars", "type": "rating", "min": 1, "max": 10, "required": False},
    {"id": "plan", "type": "single_choice", "options": ["Free", "Pro", "Enterprise"], "required": True},
    {"id": "source", "type": "single_choice", "options": ["Search", "Friend"], "allow_other": True},
    {"id": "uses", "type": "multiple_choice", "options": ["Reports", "Alerts", "API"], "allow_other": True},
    {"id": "strict", "type": "multiple_choice", "options": ["A", "B"]},
    {"id": "comment", "type": "text", "max": 100},
]})


def check(raw: dict[str, Any], partial: bool = True, **kw: Any) -> dict[str, AnswerValue]:
    return validate_answers(DEFINITION, raw, partial=partial, **kw)


def errors(raw: dict[str, Any], partial: bool = True, **kw: Any) -> Any:
    with pytest.raises(ValidationError) as caught:
        check(raw, partial, **kw)
    return caught.value.messages["answers"]


@pytest.mark.parametrize("value, shown", [(11, "11"), (-1, "-1"), ("nine", "'nine'"), (9.5, "9.5"),
                                          (True, "True"), ("9", "'9'"), ([9], "[9]"), ({"v": 9}, "{'v': 9}")])
def test_bad_scores_name_the_range_and_the_value(value, shown):
    assert errors({"nps": value}) == {"nps": [f"A score is a whole number from 0 to 10; got {shown}."]}


def test_a_whole_float_is_the_same_score():
    # JSON has one number type: 9.0 from a JavaScript client is the score 9.
    assert check({"nps": 9.0})["nps"].score == 9
    assert isinstance(check({"nps": 9.0})["nps"].score, int)


@pytest.mark.parametrize("qid, low, high", [("csat", 1, 5), ("ces", 1, 7), ("stars", 1, 10)])
def test_each_scale_has_its_own_range(qid, low, high):
    assert check({qid: low})[qid].score == low
    assert check({qid: high})[qid].score == high
    assert errors({qid: low - 1}) == {qid: [f"A score is a whole number from {low} to {high}; got {low - 1}."]}
    assert errors({qid: high + 1}) == {qid: [f"A score is a whole number from {low} to {high}; got {high + 1}."]}


def test_nps_scores_carry_their_category():
    assert [check({"nps": s})["nps"].nps_category for s in (0, 6, 7, 8, 9, 10)] == [
        NpsCategory.DETRACTOR, NpsCategory.DETRACTOR, NpsCategory.PASSIVE, NpsCategory.PASSIVE,
        NpsCategory.PROMOTER, NpsCategory.PROMOTER]
    assert check({"csat": 5})["csat"].nps_category is None


def test_required_questions_on_a_complete_response():
    assert errors({"nps": None}, partial=False) == {"nps": ["An answer is required."],
                                                    "plan": ["An answer is required."]}
    assert errors({"nps": 9}, partial=False) == {"plan": ["An answer is required."]}
    assert set(check({"nps": 9, "plan": "Pro"}, partial=False)) == {"nps", "plan"}


def test_a_partial_response_may_skip_required_questions_but_not_everything():
    assert set(check({"nps": 3})) == {"nps"}
    assert errors({"nps": None}) == ["Answer at least one question."]
    assert errors({}) == ["Answer at least one question."]


def test_unknown_question_ids_are_refused():
    assert errors({"nps": 9, "ghost": 1}) == {"ghost": ["Not a question of this survey version."]}


def test_every_bad_answer_is_reported_at_once():
    assert set(errors({"nps": 11, "plan": "Gold", "comment": 5})) == {"nps", "plan", "comment"}


# --- choices ----------------------------------------------------------------------------------

def test_single_choice():
    assert check({"plan": "Pro"})["plan"] == AnswerValue("plan", QuestionType.SINGLE_CHOICE, choices=("Pro",))
    assert check({"plan": "  Pro "})["plan"].choices == ("Pro",)
    assert errors({"plan": "Gold"}) == {"plan": ["'Gold' is not one of the options."]}
    assert errors({"plan": "pro"}) == {"plan": ["'pro' is not one of the options."]}
    assert errors({"plan": 1}) == {"plan": ["A choice is one of the options as text; got 1."]}
    assert errors({"plan": ["Pro"]}) == {"plan": ["A choice is one of the options as text; got ['Pro']."]}


def test_single_choice_other_text_when_allowed():
    answer = check({"source": "A podcast"})["source"]
    assert (answer.choices, answer.other) == ((), "A podcast")
    assert answer.as_json() == "A podcast"
    assert "source" in errors({"source": "x" * 501})


def test_multiple_choice_keeps_the_options_order_and_one_other():
    answer = check({"uses": ["API", "Our own dashboards", "Reports"]})["uses"]
    assert (answer.choices, answer.other) == (("Reports", "API"), "Our own dashboards")
    assert answer.as_json() == ["Reports", "API", "Our own dashboards"]


@pytest.mark.parametrize("value, message", [
    ("Reports", "Multiple choice answers are a list of options."),
    (["Reports", "Reports"], "An option is chosen twice."),
    (["x", "y"], "At most one 'other' answer."),
    ([1], "A choice is one of the options as text; got 1."),
])
def test_multiple_choice_rules(value, message):
    assert errors({"uses": value}) == {"uses": [message]}


def test_multiple_choice_without_allow_other_refuses_unknown_options():
    assert errors({"strict": ["A", "C"]}) == {"strict": ["'C' is not one of the options."]}


def test_an_empty_choice_is_no_answer():
    assert check({"nps": 9, "uses": [], "plan": "", "source": "   "}).keys() == {"nps"}


# --- text -------------------------------------------------------------------------------------

def test_text_is_trimmed_and_blank_is_no_answer():
    assert check({"comment": "  Great support \x00"})["comment"].text == "Great support"
    assert check({"nps": 9, "comment": "   "}).keys() == {"nps"}


def test_five_megabytes_of_text_is_refused_with_a_clear_message():
    huge = "x" * (5 * 1024 * 1024)
    assert errors({"comment": huge}) == {"comment": [f"At most 100 characters; this answer has {len(huge):,}."]}


def test_default_text_limit_is_two_thousand():
    definition = load_definition({"questions": [{"id": "t", "type": "text"}]})
    assert validate_answers(definition, {"t": "x" * 2000}, partial=False)["t"].text == "x" * 2000
    with pytest.raises(ValidationError, match="At most 2,000 characters"):
        validate_answers(definition, {"t": "x" * 2001}, partial=False)


def test_text_must_be_text():
    assert errors({"comment": 42}) == {"comment": ["An open answer is text; got 42."]}


def test_markup_in_answers_is_kept_verbatim():
    value = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
    assert check({"comment": value})["comment"].text == value


# --- as_json and coerce_answer ----------------------------------------------------------------

def test_as_json_gives_back_what_a_client_sent():
    answers = check({"nps": 0, "plan": "Free", "uses": ["Alerts"], "comment": "Slow"})
    assert {qid: a.as_json() for qid, a in answers.items()} == {
        "nps": 0, "plan": "Free", "uses": ["Alerts"], "comment": "Slow"}


def test_coerce_answer_none_is_no_answer():
    question = DEFINITION["questions"][0]
    assert coerce_answer(question, None) is None
    assert coerce_answer(question, 7) == AnswerValue("nps", QuestionType.NPS, score=7)
