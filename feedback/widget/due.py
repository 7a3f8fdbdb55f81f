"""``<Due>``: everything the widget needs to ask one survey, in the respondent's language.

Texts are localised (the contact's locale, then the browser's) and their
placeholders filled in as **plain text**: the client inserts every text with
``textContent``, never as HTML, so a survey text or a contact name such as
``<img onerror=...>`` is shown, never run. The appearance comes from the
definition's ``widget`` section, with defaults when it has none.

Choice questions list ``options`` as ``{"value", "label"}``: the label is shown
(translated), the value is what an answer sends back (the survey's own option text).
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from feedback.widget.texts import widget_texts
from surveys.audience.models import Contact
from surveys.design.kinds import CHOICE_TYPES, SCORE_TYPES, TEXT_MAX_DEFAULT, QuestionType, score_range
from surveys.design.locales import localize, pick_locale
from surveys.design.placeholders import render, values_for
from surveys.design.widget import DEFAULT_WIDGET, PLACEMENTS, shown_color, widget_of


def allows_anonymous(definition: Mapping[str, Any]) -> bool:
    """Whether people who did not identify may answer (``"widget": {"anonymous": true}``)."""
    return widget_of(definition).get("anonymous") is True


def appearance(definition: Mapping[str, Any]) -> dict[str, str]:
    """Placement and brand colour, each its default when absent or not one we can use."""
    settings = widget_of(definition)
    placement = settings.get("placement")
    return {"placement": placement if placement in PLACEMENTS else DEFAULT_WIDGET["placement"],
            "brand_color": shown_color(settings.get("brand_color"))}


def pick_survey_locale(definition: Mapping[str, Any], contact: Contact | None, browser: Sequence[str]) -> str:
    """The locale the survey is shown in: the contact's, then the browser's, then the survey's own."""
    return pick_locale(dict(definition), [contact.locale if contact else None, *browser])


def _rendered(text: Any, values: Mapping[str, str | None]) -> str | None:
    return render(text, values) if isinstance(text, str) and text else None


def _choices(question: Mapping[str, Any], values: Mapping[str, str | None], seed: str) -> list[dict[str, str]]:
    labels = [render(option, values) for option in question.get("options", [])]
    pairs = list(zip(question.get("option_values", question.get("options", [])), labels, strict=False))
    if question.get("randomize"):
        random.Random(f"{seed}:{question['id']}").shuffle(pairs)  # fixed per respondent
    return [{"value": value, "label": label} for value, label in pairs]


def shown_question(question: Mapping[str, Any], values: Mapping[str, str | None], seed: str) -> dict[str, Any]:
    """One localised question as the widget renders it: every key always present (None when n/a)."""
    qtype = QuestionType(question["type"])
    shown: dict[str, Any] = {
        "id": question["id"], "type": qtype.value, "prompt": render(question.get("prompt") or "", values),
        "description": _rendered(question.get("description"), values), "required": bool(question.get("required")),
        "options": None, "allow_other": False, "min": None, "max": None, "labels": None,
        "placeholder": None, "max_length": None, "show_if": question.get("show_if")}
    if qtype in SCORE_TYPES:
        shown["min"], shown["max"] = score_range(dict(question))
        labels = question.get("labels") or {}
        shown["labels"] = {"min": render(labels.get("min") or "", values),
                           "max": render(labels.get("max") or "", values)}
    elif qtype in CHOICE_TYPES:
        shown["options"] = _choices(question, values, seed)
        shown["allow_other"] = bool(question.get("allow_other"))
    else:
        shown["placeholder"] = _rendered(question.get("placeholder"), values)
        shown["max_length"] = question.get("max", TEXT_MAX_DEFAULT)
    return shown


def build_due(*, survey_id: int, version_number: int, definition: Mapping[str, Any], contact: Contact | None,
              invitation_id: int | None, response_key: str, browser_locales: Sequence[str]) -> dict[str, Any]:
    """The ``<Due>`` of the widget protocol for one survey version and respondent."""
    locale = pick_survey_locale(definition, contact, browser_locales)
    shown = localize(dict(definition), locale)
    account = contact.account if contact is not None else None
    values = values_for(shown.get("product"), contact.name if contact else None, account.name if account else None)
    thank_you = shown.get("thank_you") or {}
    return {
        "invitation": invitation_id,
        "survey": {
            "id": survey_id, "version": version_number, "locale": shown["shown_locale"],
            "questions": [shown_question(q, values, response_key) for q in shown["questions"]],
            "thank_you": {"title": render(thank_you.get("title") or "Thank you!", values),
                          "message": render(thank_you.get("message") or "", values)},
            "appearance": appearance(definition),
            "texts": widget_texts([shown["shown_locale"]]),
        },
        "response_key": response_key,
    }
