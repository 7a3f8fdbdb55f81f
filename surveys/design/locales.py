"""Pick a survey's texts for a respondent's locale, with fallback.

``pt-BR`` falls back to ``pt``, then to the survey's own language. A
translation may cover only some texts; the rest stay in the survey's language.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any


def candidates(locale: str | None) -> list[str]:
    """``"pt_BR"`` → ``["pt-br", "pt"]``: the tags to try, most specific first."""
    if not locale:
        return []
    parts = locale.replace("_", "-").lower().split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def pick_locale(definition: dict[str, Any], wanted: Iterable[str | None]) -> str:
    """The first of ``wanted`` (a contact's locale, then the browser's...) the survey speaks."""
    available = {tag.lower(): tag for tag in definition.get("translations", {})}
    own = definition.get("locale", "en")
    for locale in wanted:
        for tag in candidates(locale):
            if tag == own.lower():
                return own
            if tag in available:
                return available[tag]
    return own


def localize(definition: dict[str, Any], locale: str) -> dict[str, Any]:
    """A copy of ``definition`` with the texts of ``locale`` laid over its own.

    Choice answers stay keyed by the survey's own option texts: each localized
    question keeps them in ``option_values`` beside the translated ``options``.
    """
    result = copy.deepcopy(definition)
    for question in result["questions"]:
        if "options" in question:
            question["option_values"] = list(question["options"])
    translation = definition.get("translations", {}).get(locale)
    result["shown_locale"] = locale if translation else definition.get("locale", "en")
    if not translation:
        return result
    for question in result["questions"]:
        texts = translation.get("questions", {}).get(question["id"], {})
        for key in ("prompt", "description", "placeholder", "options"):
            if texts.get(key):
                question[key] = texts[key]
        if texts.get("labels"):
            question["labels"] = {**question.get("labels", {}), **{k: v for k, v in texts["labels"].items() if v}}
    thank_you = translation.get("thank_you") or {}
    result["thank_you"] = {**result["thank_you"], **{k: v for k, v in thank_you.items() if v}}
    return result
