"""Locales: picking a survey's language for a respondent, with fallback, and partial translations."""
from __future__ import annotations

import pytest

from surveys.design.definition import load_definition
from surveys.design.locales import candidates, localize, pick_locale

DEFINITION = load_definition({
    "locale": "en",
    "questions": [
        {"id": "nps", "type": "nps", "prompt": "Would you recommend {product}?"},
        {"id": "plan", "type": "single_choice", "prompt": "Which plan?", "options": ["Free", "Pro"]},
        {"id": "why", "type": "text", "prompt": "Why?", "placeholder": "Tell us"},
    ],
    "thank_you": {"title": "Thanks!", "message": "We read every answer."},
    "translations": {
        "pt": {"questions": {"nps": {"prompt": "Recomendaria {product}?"}}},
        "pt-BR": {"questions": {"nps": {"prompt": "Você recomendaria {product}?"}}},
        "fr": {"questions": {
            "nps": {"prompt": "Recommanderiez-vous {product} ?", "labels": {"min": "Pas du tout"}},
            "plan": {"options": ["Gratuite", "Pro"]},
        }, "thank_you": {"title": "Merci !"}},
    },
})


def test_candidates_go_from_specific_to_general():
    assert candidates("pt_BR") == ["pt-br", "pt"]
    assert candidates("zh-Hant-TW") == ["zh-hant-tw", "zh-hant", "zh"]
    assert candidates(None) == [] and candidates("") == []


@pytest.mark.parametrize("wanted, picked", [
    (["pt-BR"], "pt-BR"),
    (["pt_br"], "pt-BR"),
    (["pt-PT"], "pt"),
    (["pt"], "pt"),
    (["fr-CA"], "fr"),
    (["de-AT"], "en"),
    ([None], "en"),
    ([], "en"),
    (["en-GB", "fr"], "en"),
    (["de", "fr-FR"], "fr"),
    ([None, "pt-BR"], "pt-BR"),
])
def test_pick_locale_falls_back(wanted, picked):
    assert pick_locale(DEFINITION, wanted) == picked


def test_pick_locale_of_a_survey_in_another_language():
    french = load_definition({"locale": "fr", "questions": [{"type": "nps"}]})
    assert pick_locale(french, ["fr-BE"]) == "fr"
    assert pick_locale(french, ["en"]) == "fr"


def test_localize_lays_translated_texts_over_the_original():
    french = localize(DEFINITION, "fr")
    nps, plan, why = french["questions"]
    assert nps["prompt"] == "Recommanderiez-vous {product} ?"
    assert nps["labels"] == {"min": "Pas du tout", "max": "Extremely likely"}, "untranslated label stays"
    assert plan["prompt"] == "Which plan?", "an untranslated prompt stays in the survey's language"
    assert plan["options"] == ["Gratuite", "Pro"]
    assert plan["option_values"] == ["Free", "Pro"], "answers keep the canonical option texts"
    assert why["placeholder"] == "Tell us"
    assert french["thank_you"] == {"title": "Merci !", "message": "We read every answer."}
    assert french["shown_locale"] == "fr"


def test_localize_does_not_touch_the_original():
    localize(DEFINITION, "fr")
    assert DEFINITION["questions"][0]["prompt"] == "Would you recommend {product}?"
    assert "option_values" not in DEFINITION["questions"][1]


def test_localize_to_the_own_or_an_unknown_locale_keeps_the_texts():
    for locale in ("en", "de"):
        same = localize(DEFINITION, locale)
        assert [q["prompt"] for q in same["questions"]] == [q["prompt"] for q in DEFINITION["questions"]]
        assert same["shown_locale"] == "en"
        assert same["questions"][1]["option_values"] == ["Free", "Pro"]


def test_a_partial_translation_only_replaces_what_it_has():
    brazilian = localize(DEFINITION, "pt-BR")
    assert [q["prompt"] for q in brazilian["questions"]] == ["Você recomendaria {product}?", "Which plan?", "Why?"]
    assert brazilian["thank_you"] == DEFINITION["thank_you"]
