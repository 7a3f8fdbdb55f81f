"""Answer validation against a survey version: kinds, ranges, choices and logic.

:func:`validate_answers` is the one check every channel's answers go through
(API, hosted page, email click, widget). It returns typed
:class:`AnswerValue` objects or raises a ``ValidationError`` shaped
``{"answers": {question_id: [message]}}``.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from surveys.design.kinds import (
    OTHER_TEXT_MAX, SCORE_TYPES, TEXT_MAX_DEFAULT, NpsCategory, QuestionType, nps_category, score_range,
)


class AnswerError(ValueError):
    """One answer is not acceptable for its question; the message says why."""


@dataclass(frozen=True)
class AnswerValue:
    """A typed answer: exactly one of score, choices (with other) or text is set."""

    question_id: str
    type: QuestionType
    score: int | None = None
    choices: tuple[str, ...] | None = None
    other: str | None = None
    text: str | None = None

    @property
    def nps_category(self) -> NpsCategory | None:
        return nps_category(self.score) if self.type is QuestionType.NPS and self.score is not None else None

    def as_json(self) -> Any:
        """The value as a client sent it: a score, a choice, a list of choices, or text."""
        if self.score is not None:
            return self.score
        if self.type is QuestionType.SINGLE_CHOICE:
            return self.choices[0] if self.choices else self.other
        if self.type is QuestionType.MULTIPLE_CHOICE:
            return [*(self.choices or ()), *([self.other] if self.other else [])]
        return self.text


def _score(question: dict[str, Any], value: Any) -> int:
    low, high = score_range(question)
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise AnswerError(f"A score is a whole number from {low} to {high}; got {_show(value)}.")
    if not low <= value <= high:
        raise AnswerError(f"A score is a whole number from {low} to {high}; got {value}.")
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _choice(question: dict[str, Any], value: Any, other: list[str]) -> str | None:
    """The option ``value`` names, or None after putting it in ``other`` (if allowed)."""
    if not isinstance(value, str):
        raise AnswerError(f"A choice is one of the options as text; got {_show(value)}.")
    value = value.strip()
    if value in question["options"]:
        return value
    if question.get("allow_other") and value:
        if len(value) > OTHER_TEXT_MAX:
            raise AnswerError(f"The 'other' answer is at most {OTHER_TEXT_MAX} characters.")
        other.append(value)
        return None
    raise AnswerError(f"{_show(value)} is not one of the options.")


def _text(question: dict[str, Any], value: Any) -> str | None:
    if not isinstance(value, str):
        raise AnswerError(f"An open answer is text; got {_show(value)}.")
    text = value.replace("\x00", "").strip()
    longest = question.get("max", TEXT_MAX_DEFAULT)
    if len(text) > longest:
        raise AnswerError(f"At most {longest:,} characters; this answer has {len(text):,}.")
    return text or None


def coerce_answer(question: dict[str, Any], value: Any) -> AnswerValue | None:
    """The typed answer to ``question``, or None when ``value`` is no answer (null, blank, [])."""
    qtype = QuestionType(question["type"])
    qid = question["id"]
    if value is None:
        return None
    if qtype in SCORE_TYPES:
        return AnswerValue(qid, qtype, score=_score(question, value))
    if qtype is QuestionType.TEXT:
        text = _text(question, value)
        return AnswerValue(qid, qtype, text=text) if text else None
    other: list[str] = []
    if qtype is QuestionType.SINGLE_CHOICE:
        if isinstance(value, str) and not value.strip():
            return None  # an empty "other" box is no answer, as blank text is
        chosen = _choice(question, value, other)
        return AnswerValue(qid, qtype, choices=(chosen,) if chosen else (), other=other[0] if other else None)
    if not isinstance(value, list):
        raise AnswerError("Multiple choice answers are a list of options.")
    chosen_many = [c for c in (_choice(question, v, other) for v in value) if c is not None]
    if len(other) > 1:
        raise AnswerError("At most one 'other' answer.")
    if len(set(chosen_many)) != len(chosen_many):
        raise AnswerError("An option is chosen twice.")
    if not chosen_many and not other:
        return None
    ordered = tuple(o for o in question["options"] if o in chosen_many)
    return AnswerValue(qid, qtype, choices=ordered, other=other[0] if other else None)


def is_shown(question: dict[str, Any], answers: Mapping[str, AnswerValue],
             shown: set[str] | None = None) -> bool:
    """Whether logic shows ``question`` given the answers so far.

    ``shown`` holds the ids already known to be shown: a question that depends
    on a hidden question is hidden too.
    """
    rule = question.get("show_if")
    if not rule:
        return True
    if shown is not None and rule["question"] not in shown:
        return False
    answer = answers.get(rule["question"])
    if answer is None:
        return False
    if answer.score is not None:
        return answer.score in rule["in"]
    return bool(answer.choices) and answer.choices[0] in rule["in"]


def visible_questions(definition: Mapping[str, Any], answers: Mapping[str, AnswerValue]) -> list[dict[str, Any]]:
    """The questions a respondent with ``answers`` sees, in order."""
    shown: set[str] = set()
    result = []
    for question in definition["questions"]:
        if is_shown(question, answers, shown):
            shown.add(question["id"])
            result.append(question)
    return result


def validate_answers(definition: Mapping[str, Any], raw: Mapping[str, Any], *, partial: bool,
                     existing: Mapping[str, AnswerValue] | None = None) -> dict[str, AnswerValue]:
    """The full set of answers after laying ``raw`` over ``existing``; raise on any bad one.

    - an unknown question id, a bad value, or an answer to a question that logic
      hides is an error naming that question;
    - a complete (not ``partial``) response must answer every shown required question;
    - an earlier answer that the new ones hide (the score changed) is dropped.
    """
    questions = {q["id"]: q for q in definition["questions"]}
    errors: dict[str, list[str]] = {}
    merged: dict[str, AnswerValue] = dict(existing or {})
    for qid, value in raw.items():
        question = questions.get(qid)
        if question is None:
            errors[qid] = ["Not a question of this survey version."]
            continue
        try:
            answer = coerce_answer(question, value)
        except AnswerError as error:
            errors[qid] = [str(error)]
            continue
        if answer is None:
            merged.pop(qid, None)
        else:
            merged[qid] = answer
    if errors:
        raise ValidationError({"answers": errors})
    shown = {q["id"] for q in visible_questions(definition, merged)}
    for qid in raw:
        if qid in merged and qid not in shown:
            rule = questions[qid]["show_if"]
            errors[qid] = [f"Hidden by logic: shown only when {rule['question']!r} is one of {rule['in']}."]
    for qid in [qid for qid in merged if qid not in shown]:
        del merged[qid]
    if not partial:
        for qid in shown:
            if questions[qid]["required"] and qid not in merged and qid not in errors:
                errors[qid] = ["An answer is required."]
    if not merged and not errors:
        raise ValidationError({"answers": ["Answer at least one question."]})
    if errors:
        raise ValidationError({"answers": errors})
    return merged
