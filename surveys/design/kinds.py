"""The question kinds and what each accepts: score ranges, choices, text.

Every kind is described once here; the definition schema, answer validation,
the designer and the hosted page all read these descriptions.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class QuestionType(enum.StrEnum):
    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    RATING = "rating"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TEXT = "text"


@dataclass(frozen=True)
class Kind:
    """What a question type looks like and accepts."""

    type: QuestionType
    title: str
    default_prompt: str
    scale: tuple[int, int] | None = None  # fixed (min, max) of a standard score
    default_labels: tuple[str, str] | None = None

    @property
    def is_score(self) -> bool:
        return self.type in SCORE_TYPES

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES


SCORE_TYPES = frozenset({QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING})
CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})

NPS_PROMPT = "How likely are you to recommend {product} to a friend or colleague?"

KINDS: dict[QuestionType, Kind] = {kind.type: kind for kind in (
    Kind(QuestionType.NPS, "NPS (0–10)", NPS_PROMPT, (0, 10), ("Not at all likely", "Extremely likely")),
    Kind(QuestionType.CSAT, "CSAT (1–5)", "How satisfied are you with {product}?", (1, 5),
         ("Very unsatisfied", "Very satisfied")),
    Kind(QuestionType.CES, "CES (1–7)", "How easy was it to get what you needed today?", (1, 7),
         ("Very difficult", "Very easy")),
    Kind(QuestionType.RATING, "Rating (1–N)", "How would you rate {product}?", None, ("Poor", "Excellent")),
    Kind(QuestionType.SINGLE_CHOICE, "Single choice", "Which of these best describes you?"),
    Kind(QuestionType.MULTIPLE_CHOICE, "Multiple choice", "Which of these do you use?"),
    Kind(QuestionType.TEXT, "Open text", "Anything else you would like to tell us?"),
)}

RATING_MAX_POINTS = 10
TEXT_MAX_DEFAULT = 2000
TEXT_MAX_LIMIT = 10_000
OTHER_TEXT_MAX = 500


class NpsCategory(enum.StrEnum):
    DETRACTOR = "detractor"
    PASSIVE = "passive"
    PROMOTER = "promoter"


def nps_category(score: int) -> NpsCategory:
    """Detractor 0–6, passive 7–8, promoter 9–10."""
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


# Named score bands the designer offers for logic ("show only to detractors").
NPS_BANDS: dict[str, tuple[int, ...]] = {
    "detractors": tuple(range(0, 7)),
    "passives": (7, 8),
    "promoters": (9, 10),
}


def score_range(question: dict) -> tuple[int, int]:
    """The inclusive (min, max) of a score question, standard or as set on a rating."""
    kind = KINDS[QuestionType(question["type"])]
    if kind.scale is not None:
        return kind.scale
    return question.get("min", 1), question.get("max", 5)
