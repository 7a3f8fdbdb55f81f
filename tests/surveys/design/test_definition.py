"""load_definition: defaults, generated ids, each kind's rules, logic, translations; errors by question id."""
from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from surveys.design.definition import DEFAULT_PRODUCT, DEFAULT_THANK_YOU, load_definition, question_by_id
from surveys.design.kinds import NPS_PROMPT, TEXT_MAX_DEFAULT


def errors_of(raw: Any) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        load_definition(raw)
    return caught.value.messages


def question_errors(raw: Any, qid: str) -> dict[str, list[str]]:
    return errors_of(raw)["questions"][qid]


def one(question: dict[str, Any]) -> dict[str, Any]:
    return {"questions": [{"id": "q", **question}]}


def test_defaults_are_filled_in():
    definition = load_definition({"questions": [{"type": "nps"}, {"type": "text"}, {"type": "rating"}]})
    nps, text, rating = definition["questions"]
    assert nps == {"id": "q1", "type": "nps", "prompt": NPS_PROMPT, "required": True, "min": 0, "max": 10,
                   "labels": {"min": "Not at all likely", "max": "Extremely likely"}}
    assert (text["required"], text["max"]) == (False, TEXT_MAX_DEFAULT)
    assert (rating["min"], rating["max"], rating["required"]) == (1, 5, True)
    assert definition["product"] == DEFAULT_PRODUCT
    assert definition["locale"] == "en"
    assert definition["thank_you"] == DEFAULT_THANK_YOU
    assert definition["translations"] == {}


def test_choice_defaults_and_kept_texts_are_trimmed():
    definition = load_definition({"product": "  Acme CRM ", "questions": [
        {"id": "plan", "type": "single_choice", "prompt": "  Which plan?  ", "options": [" Free", "Pro "]}]})
    question = definition["questions"][0]
    assert question["prompt"] == "Which plan?"
    assert question["options"] == ["Free", "Pro"]
    assert (question["randomize"], question["allow_other"], question["required"]) == (False, False, False)
    assert definition["product"] == "Acme CRM"


def test_missing_ids_are_generated_without_clashing_with_given_ones():
    definition = load_definition({"questions": [{"type": "nps"}, {"id": "q2", "type": "text"}, {"type": "text"},
                                                {"id": "", "type": "text"}]})
    assert [q["id"] for q in definition["questions"]] == ["q1", "q2", "q3", "q4"]


def test_input_is_not_modified():
    raw = {"questions": [{"type": "nps"}]}
    load_definition(raw)
    assert raw == {"questions": [{"type": "nps"}]}


def test_errors_name_the_question_id_and_the_field():
    raw = {"questions": [{"id": "score", "type": "nps"}, {"id": "why", "type": "text", "max": 0}]}
    assert errors_of(raw) == {"questions": {"why": {"max": [
        "The longest answer must be between 1 and 10000 characters."]}}}


def test_a_question_without_a_valid_id_is_named_by_position():
    assert "id" in errors_of({"questions": [{"id": "bad id!", "type": "nps"}]})["questions"]["0"]


@pytest.mark.parametrize("raw, field", [
    ({"questions": []}, "questions"),
    ({"questions": [{"type": "nps"}] * 51}, "questions"),
    ({}, "questions"),
    ({"questions": [{"type": "nps"}], "colour": "red"}, "colour"),
    ({"questions": [{"type": "nps"}], "locale": "English"}, "locale"),
])
def test_survey_level_errors(raw, field):
    assert field in errors_of(raw)


def test_not_a_dict_is_an_error_not_a_crash():
    assert errors_of("a survey") == {"_schema": ["Invalid input type."]}
    assert errors_of({"questions": "nps"}) == {"questions": ["Not a valid list."]}


def test_unknown_question_fields_are_refused():
    assert question_errors(one({"type": "nps", "colour": "red"}), "q") == {"colour": ["Unknown field."]}


def test_unknown_type_is_refused():
    assert "type" in question_errors(one({"type": "slider"}), "q")


def test_missing_type_is_refused():
    assert "type" in question_errors(one({"prompt": "Hello"}), "q")


def test_duplicate_ids_are_refused():
    raw = {"questions": [{"id": "a", "type": "nps"}, {"id": "a", "type": "csat"}]}
    assert question_errors(raw, "a") == {"id": ["Question id 'a' is used twice."]}


# --- scores -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, low, high", [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7)])
def test_standard_scores_have_fixed_ranges(kind, low, high):
    question = load_definition(one({"type": kind}))["questions"][0]
    assert (question["min"], question["max"]) == (low, high)
    assert load_definition(one({"type": kind, "min": low, "max": high}))["questions"][0]["max"] == high
    assert "min" in question_errors(one({"type": kind, "min": low + 1}), "q")
    assert "max" in question_errors(one({"type": kind, "max": high - 1}), "q")


@pytest.mark.parametrize("low, high, ok", [
    (1, 5, True), (0, 10, True), (1, 10, True), (1, 2, True),
    (1, 11, False), (1, 1, False), (2, 5, False), (-1, 5, False), (0, 0, False),
])
def test_rating_scales(low, high, ok):
    raw = one({"type": "rating", "min": low, "max": high})
    if ok:
        assert load_definition(raw)["questions"][0]["max"] == high
    else:
        assert set(question_errors(raw, "q")) & {"min", "max"}


def test_scale_bounds_must_be_integers():
    assert "max" in question_errors(one({"type": "rating", "max": 5.5}), "q")
    assert "max" in question_errors(one({"type": "rating", "max": "5"}), "q")


def test_labels_are_kept_or_defaulted():
    question = load_definition(one({"type": "rating", "max": 10, "labels": {"min": "Awful"}}))["questions"][0]
    assert question["labels"] == {"min": "Awful", "max": "Excellent"}
    assert "labels" in question_errors(one({"type": "rating", "labels": {"middle": "Meh"}}), "q")


@pytest.mark.parametrize("field, value", [("options", ["a", "b"]), ("allow_other", True), ("randomize", True),
                                          ("placeholder", "Type here")])
def test_score_questions_refuse_choice_and_text_fields(field, value):
    assert field in question_errors(one({"type": "nps", field: value}), "q")


# --- choices ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["single_choice", "multiple_choice"])
def test_choices_need_two_unique_options(kind):
    assert question_errors(one({"type": kind, "options": ["Only"]}), "q") == {
        "options": ["A choice question needs at least 2 options."]}
    assert question_errors(one({"type": kind}), "q") == {"options": ["A choice question needs at least 2 options."]}
    assert question_errors(one({"type": kind, "options": ["Yes", "yes"]}), "q") == {
        "options": ["Option 'yes' appears twice."]}
    assert "options" in question_errors(one({"type": kind, "options": ["Yes", ""]}), "q")


def test_choices_allow_other_and_randomize():
    question = load_definition(one({"type": "multiple_choice", "options": ["a", "b"], "allow_other": True,
                                    "randomize": True}))["questions"][0]
    assert (question["allow_other"], question["randomize"]) == (True, True)


@pytest.mark.parametrize("field, value", [("min", 1), ("max", 3), ("labels", {"min": "a"})])
def test_choices_refuse_scales(field, value):
    assert field in question_errors(one({"type": "single_choice", "options": ["a", "b"], field: value}), "q")


def test_too_many_options_are_refused():
    assert "options" in question_errors(one({"type": "single_choice", "options": [str(n) for n in range(51)]}), "q")


# --- text -------------------------------------------------------------------------------------

def test_text_max_length():
    assert load_definition(one({"type": "text", "max": 280}))["questions"][0]["max"] == 280
    assert "max" in question_errors(one({"type": "text", "max": 10_001}), "q")
    assert "min" in question_errors(one({"type": "text", "min": 1}), "q")
    assert load_definition(one({"type": "text", "placeholder": "Tell us more"}))["questions"][0]["placeholder"]


def test_long_prompt_is_refused():
    assert "prompt" in question_errors(one({"type": "text", "prompt": "x" * 501}), "q")


# --- texts: placeholders and control characters -----------------------------------------------

def test_unknown_placeholder_is_refused_with_the_known_ones_listed():
    message = question_errors(one({"type": "nps", "prompt": "Hi {contact.phone}"}), "q")["prompt"][0]
    assert message.startswith("Unknown placeholder {contact.phone}")
    assert "{contact.name}" in message and "{product}" in message


def test_known_placeholders_and_fallbacks_are_accepted():
    prompt = "Hi {contact.first_name|there}, how is {product} at {account.name}?"
    assert load_definition(one({"type": "nps", "prompt": prompt}))["questions"][0]["prompt"] == prompt


@pytest.mark.parametrize("where", ["prompt", "option", "thank_you"])
def test_control_characters_are_refused(where):
    bad = "Hello\x07there"
    if where == "prompt":
        raw = one({"type": "nps", "prompt": bad})
        assert question_errors(raw, "q")["prompt"] == ["Must not contain control characters."]
    elif where == "option":
        raw = one({"type": "single_choice", "options": ["a", bad]})
        assert question_errors(raw, "q")["options"] == {1: ["Must not contain control characters."]}
    else:
        raw = {"questions": [{"type": "nps"}], "thank_you": {"title": bad}}
        assert errors_of(raw) == {"thank_you": {"title": ["Must not contain control characters."]}}


def test_newlines_and_markup_are_kept_as_text():
    prompt = 'Line one\nLine two <script>alert(1)</script> "><img src=x onerror=alert(1)>'
    assert load_definition(one({"type": "text", "prompt": prompt}))["questions"][0]["prompt"] == prompt


# --- logic ------------------------------------------------------------------------------------

NPS_THEN = [{"id": "nps", "type": "nps"}]


def with_follow_up(show_if: dict[str, Any], before: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"questions": [*(before if before is not None else NPS_THEN),
                          {"id": "why", "type": "text", "show_if": show_if}]}


def test_show_if_on_an_earlier_score():
    definition = load_definition(with_follow_up({"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}))
    assert question_by_id(definition, "why")["show_if"] == {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}


def test_show_if_null_is_dropped():
    assert "show_if" not in load_definition(with_follow_up(None))["questions"][1]


def test_show_if_on_an_earlier_single_choice():
    before = [{"id": "plan", "type": "single_choice", "options": ["Free", "Pro"]}]
    assert load_definition(with_follow_up({"question": "plan", "in": ["Pro"]}, before))
    assert question_errors(with_follow_up({"question": "plan", "in": ["Gold"]}, before), "why") == {
        "show_if": ["'Gold' is not an option of 'plan'."]}


def test_show_if_must_point_to_an_earlier_question():
    raw = {"questions": [{"id": "why", "type": "text", "show_if": {"question": "nps", "in": [1]}},
                         {"id": "nps", "type": "nps"}]}
    assert question_errors(raw, "why") == {"show_if": ["Must refer to an earlier question; 'nps' is not one."]}
    assert "show_if" in question_errors(with_follow_up({"question": "ghost", "in": [1]}), "why")


def test_show_if_cannot_point_to_itself():
    raw = {"questions": [{"id": "nps", "type": "nps", "show_if": {"question": "nps", "in": [1]}}]}
    assert "show_if" in question_errors(raw, "nps")


@pytest.mark.parametrize("values", [[11], [-1], [9.5], ["9"], [True], []])
def test_show_if_values_must_be_in_range(values):
    assert "show_if" in question_errors(with_follow_up({"question": "nps", "in": values}), "why")


def test_show_if_range_follows_the_rating_scale():
    before = [{"id": "stars", "type": "rating", "min": 1, "max": 3}]
    assert load_definition(with_follow_up({"question": "stars", "in": [1, 3]}, before))
    assert question_errors(with_follow_up({"question": "stars", "in": [4]}, before), "why") == {
        "show_if": ["Scores of 'stars' are whole numbers from 1 to 3; 4 is not."]}


@pytest.mark.parametrize("kind, extra", [("text", {}), ("multiple_choice", {"options": ["a", "b"]})])
def test_show_if_cannot_depend_on_text_or_multiple_choice(kind, extra):
    before = [{"id": "first", "type": kind, **extra}]
    assert question_errors(with_follow_up({"question": "first", "in": ["a"]}, before), "why") == {
        "show_if": ["Logic can depend on a score or a single-choice question only."]}


def test_show_if_refuses_unknown_keys():
    assert "show_if" in question_errors(with_follow_up({"question": "nps", "in": [1], "not_in": [2]}), "why")


# --- translations -----------------------------------------------------------------------------

CHOICE = [{"id": "plan", "type": "single_choice", "options": ["Free", "Pro"]}]


def test_translations_are_kept():
    translations = {"fr": {"questions": {"plan": {"prompt": "Quelle offre ?", "options": ["Gratuite", "Pro"]}},
                           "thank_you": {"title": "Merci !"}}}
    definition = load_definition({"questions": CHOICE, "translations": translations})
    assert definition["translations"] == translations


def test_translations_must_match_question_ids_and_option_counts():
    raw = {"questions": CHOICE, "translations": {"fr": {"questions": {
        "plan": {"options": ["Gratuite"]}, "ghost": {"prompt": "Boo"}}}}}
    assert errors_of(raw) == {"translations": {"fr": {
        "plan": ["Translate every option, in the same order."], "ghost": ["Not a question of this survey."]}}}


def test_translations_refuse_bad_locales_and_unknown_fields():
    assert "translations" in errors_of({"questions": CHOICE, "translations": {"French": {}}})
    assert "translations" in errors_of({"questions": CHOICE, "translations": {"fr": {"questions": {
        "plan": {"type": "nps"}}}}})


def test_translated_texts_are_checked_like_the_originals():
    raw = {"questions": CHOICE, "translations": {"fr": {"questions": {"plan": {"prompt": "Salut {contact.age}"}}}}}
    assert "translations" in errors_of(raw)
