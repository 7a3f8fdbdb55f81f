"""Reading one question's answer from the hosted page's plain HTML form.

Fields: ``score`` (a score button's value, or ``preset`` when the respondent kept
a preselected score), ``choice`` (one or many option values; ``__other__`` picks
"Other", whose text is ``other``), ``text``. The value returned is what
:func:`surveys.design.answers.validate_answers` takes; it does the real checks.
"""
from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from feedback.web.hosted.rendering import OTHER, Prefill
from surveys.design.kinds import SCORE_TYPES, QuestionType, score_range

_INTEGER = re.compile(r"^\s*-?\d{1,6}\s*$")


class InputError(ValueError):
    """The posted value cannot be an answer; ``key`` names the message in the page's texts."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def read_answer(question: dict[str, Any], form: MultiDict[str, str]) -> Any:
    """The raw answer to ``question`` in ``form``: an int, an option, a list of options, text or None."""
    qtype = QuestionType(question["type"])
    if qtype in SCORE_TYPES:
        return _score(question, form.get("score") or form.get("preset") or "")
    if qtype is QuestionType.TEXT:
        return form.get("text") or None
    picked = [value for value in form.getlist("choice") if value]
    other = (form.get("other") or "").strip()
    if any(value not in question["options"] and value != OTHER for value in picked):
        raise InputError("bad_choice")  # "other" text comes in its own field, never as a made-up option
    if OTHER in picked:
        if not question.get("allow_other"):
            raise InputError("bad_choice")
        if not other:
            raise InputError("other_needed")
        picked = [value for value in picked if value != OTHER] + [other]
    if qtype is QuestionType.SINGLE_CHOICE:
        if len(picked) > 1:
            raise InputError("bad_choice")
        return picked[0] if picked else None
    return picked or None


def _score(question: dict[str, Any], raw: str) -> int | None:
    if not raw.strip():
        return None
    low, high = score_range(question)
    if not _INTEGER.match(raw) or not low <= int(raw) <= high:
        raise InputError("bad_score", low=low, high=high)
    return int(raw)


def posted_prefill(form: MultiDict[str, str]) -> Prefill:
    """What the respondent just sent, to show it again beside an error."""
    score = form.get("score") or form.get("preset") or ""
    return Prefill(score=int(score) if _INTEGER.match(score) and len(score.strip()) < 4 else None,
                   choices=tuple(form.getlist("choice")), other=form.get("other") or "",
                   text=form.get("text") or "")
