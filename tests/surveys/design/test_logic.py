"""Logic: which questions a respondent sees, answers to hidden questions, and score changes."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from surveys.design.answers import validate_answers, visible_questions
from surveys.design.definition import load_definition
from surveys.design.templates import TEMPLATES

NPS = load_definition(TEMPLATES["nps_relationship"].build())
CHURN = load_definition(TEMPLATES["churn_reason"].build())


def visible(definition, raw) -> list[str]:
    answers = validate_answers(definition, raw, partial=True) if raw else {}
    return [q["id"] for q in visible_questions(definition, answers)]


@pytest.mark.parametrize("score, follow_up", [(0, "disappointed"), (6, "disappointed"), (7, "improve"),
                                              (8, "improve"), (9, "value_most"), (10, "value_most")])
def test_each_band_sees_its_own_follow_up(score, follow_up):
    assert visible(NPS, {"nps": score}) == ["nps", follow_up]


def test_before_the_score_no_follow_up_is_shown():
    assert [q["id"] for q in visible_questions(NPS, {})] == ["nps"]


def test_single_choice_logic():
    assert visible(CHURN, {"reason": "Missing features"}) == ["reason", "missing", "come_back"]
    assert visible(CHURN, {"reason": "Too expensive"}) == ["reason", "come_back"]
    assert visible(CHURN, {"reason": "Went bankrupt"}) == ["reason", "come_back"], "'other' shows no follow-up"


def test_an_answer_to_a_hidden_question_is_rejected():
    with pytest.raises(ValidationError) as caught:
        validate_answers(NPS, {"nps": 3, "value_most": "Everything"}, partial=True)
    assert caught.value.messages == {"answers": {
        "value_most": ["Hidden by logic: shown only when 'nps' is one of [9, 10]."]}}


def test_a_follow_up_without_its_score_is_rejected():
    with pytest.raises(ValidationError, match="Hidden by logic"):
        validate_answers(NPS, {"disappointed": "Slow"}, partial=True)


def test_a_follow_up_may_come_after_the_score_was_stored():
    existing = validate_answers(NPS, {"nps": 3}, partial=True)
    merged = validate_answers(NPS, {"disappointed": "Slow exports"}, partial=False, existing=existing)
    assert {qid: a.as_json() for qid, a in merged.items()} == {"nps": 3, "disappointed": "Slow exports"}


def test_a_changed_score_drops_the_now_hidden_follow_up():
    existing = validate_answers(NPS, {"nps": 3, "disappointed": "Slow exports"}, partial=True)
    merged = validate_answers(NPS, {"nps": 9}, partial=True, existing=existing)
    assert {qid: a.as_json() for qid, a in merged.items()} == {"nps": 9}


def test_a_changed_score_in_the_same_band_keeps_the_follow_up():
    existing = validate_answers(NPS, {"nps": 3, "disappointed": "Slow exports"}, partial=True)
    merged = validate_answers(NPS, {"nps": 5}, partial=True, existing=existing)
    assert merged["disappointed"].text == "Slow exports" and merged["nps"].score == 5


def test_a_hidden_required_question_is_not_required():
    definition = load_definition({"questions": [
        {"id": "nps", "type": "nps"},
        {"id": "why", "type": "text", "required": True, "show_if": {"question": "nps", "in": [0, 1, 2]}},
    ]})
    assert validate_answers(definition, {"nps": 9}, partial=False).keys() == {"nps"}
    with pytest.raises(ValidationError) as caught:
        validate_answers(definition, {"nps": 1}, partial=False)
    assert caught.value.messages == {"answers": {"why": ["An answer is required."]}}


def test_a_question_behind_a_hidden_question_is_hidden_too():
    definition = load_definition({"questions": [
        {"id": "nps", "type": "nps"},
        {"id": "area", "type": "single_choice", "options": ["Product", "Support"],
         "show_if": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}},
        {"id": "support_why", "type": "text", "show_if": {"question": "area", "in": ["Support"]}},
    ]})
    existing = validate_answers(definition, {"nps": 2, "area": "Support", "support_why": "Slow"}, partial=True)
    assert visible(definition, {"nps": 2, "area": "Support"}) == ["nps", "area", "support_why"]
    merged = validate_answers(definition, {"nps": 10}, partial=True, existing=existing)
    assert merged.keys() == {"nps"}, "the chain of follow-ups goes with the score that showed it"
