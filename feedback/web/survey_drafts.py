"""Whole-definition edits the designer makes to a survey's draft, without Flask or the database.

Every designer action (edit one question, move it, delete it, change the
settings or a translation) builds the *new whole definition* here from
``survey.draft``; the view then hands it to
:func:`surveys.design.services.update_draft`, which validates it with
``load_definition``. Nothing here validates beyond what a form can get wrong
(a score that is not a number); the definition schema is the one judge.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from surveys.design.kinds import (
    CHOICE_TYPES,
    KINDS,
    NPS_BANDS,
    SCORE_TYPES,
    QuestionType,
    score_range,
)

THANK_YOU = "__thank_you__"  # the preview's id of the closing step (see hosted.rendering)
RESERVED_IDS = frozenset({"new"})  # /questions/new is the "add a question" page
BAND_LABELS = {"detractors": "detractors", "passives": "passives", "promoters": "promoters"}


class DraftError(ValueError):
    """A form value the designer cannot turn into a definition; ``field`` names the form field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- reading a definition ----------------------------------------------------------------------

def index_of(definition: Mapping[str, Any], question_id: str) -> int | None:
    return next((i for i, q in enumerate(definition["questions"]) if q["id"] == question_id), None)


def logic_targets(definition: Mapping[str, Any], before: int | None = None) -> list[dict[str, Any]]:
    """The questions a question at position ``before`` (None: a new last one) may depend on:
    earlier score and single-choice questions."""
    earlier = definition["questions"][:before] if before is not None else definition["questions"]
    return [q for q in earlier
            if q["type"] in SCORE_TYPES or q["type"] == QuestionType.SINGLE_CHOICE]


def next_question_id(definition: Mapping[str, Any], qtype: str) -> str:
    """A readable free id for a new question: ``nps`` for the first NPS, else ``q4``, ``q5``..."""
    taken = {q["id"] for q in definition["questions"]}
    if qtype in ("nps", "csat", "ces") and qtype not in taken:
        return qtype
    n = len(taken) + 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def _ranges(values: Iterable[int]) -> str:
    """``[0, 1, 2, 5, 9, 10]`` → ``0–2, 5, 9–10``."""
    numbers = sorted(set(values))
    parts: list[str] = []
    start = prev = None
    for n in numbers + [None]:
        if start is not None and (n is None or n != prev + 1):
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(parts)


def nps_bands_in(values: Iterable[Any]) -> tuple[list[str], list[int]]:
    """Split NPS scores into whole bands and the scores left over."""
    chosen = {v for v in values if isinstance(v, int)}
    bands = [name for name, scores in NPS_BANDS.items() if set(scores) <= chosen]
    covered = {s for name in bands for s in NPS_BANDS[name]}
    return bands, sorted(chosen - covered)


def describe_condition(target: Mapping[str, Any] | None, values: list[Any]) -> str:
    """``0–6 (detractors)``, ``1–3``, ``“Yes” or “Partly”``: the values of a logic rule in words."""
    if target is not None and target["type"] == QuestionType.NPS:
        bands, rest = nps_bands_in(values)
        parts = [f"{_ranges(NPS_BANDS[b])} ({BAND_LABELS[b]})" for b in bands]
        if rest:
            parts.append(_ranges(rest))
        return " or ".join(parts)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return _ranges(values)
    return " or ".join(f"“{v}”" for v in values)


def logic_summary(question: Mapping[str, Any], definition: Mapping[str, Any]) -> str | None:
    """``Shown when nps is 0–6 (detractors)``, or None for a question always shown."""
    show_if = question.get("show_if")
    if not show_if:
        return None
    target = next((q for q in definition["questions"] if q["id"] == show_if["question"]), None)
    return f"Shown when {show_if['question']} is {describe_condition(target, list(show_if['in']))}"


# --- building a question from the editor's form ------------------------------------------------

@dataclass
class QuestionInput:
    """What the question editor sent, already typed by its form (see ``survey_forms.QuestionForm``)."""

    type: str
    id: str | None
    prompt: str = ""
    description: str = ""
    required: bool = False
    options: str = ""
    randomize: bool = False
    allow_other: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    label_min: str = ""
    label_max: str = ""
    placeholder: str = ""
    logic_question: str = ""
    logic_values: dict[str, list[str]] = field(default_factory=dict)  # target id → checked values
    logic_bands: dict[str, list[str]] = field(default_factory=dict)   # NPS target id → checked bands


def option_lines(text: str) -> list[str]:
    """Options typed one per line; blank lines are ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def build_question(data: QuestionInput, definition: Mapping[str, Any], position: int | None) -> dict[str, Any]:
    """The question dict the form describes. Raises :class:`DraftError` for an unusable logic choice."""
    qtype = QuestionType(data.type)
    question: dict[str, Any] = {"type": qtype.value, "prompt": data.prompt, "required": data.required}
    if data.id:
        question["id"] = data.id
    if data.description:
        question["description"] = data.description
    if qtype in CHOICE_TYPES:
        question.update(options=option_lines(data.options), randomize=data.randomize,
                        allow_other=data.allow_other)
    if qtype in SCORE_TYPES:
        question["labels"] = {"min": data.label_min, "max": data.label_max}
        if qtype is QuestionType.RATING:
            question.update({k: v for k, v in (("min", data.min), ("max", data.max)) if v is not None})
    if qtype is QuestionType.TEXT:
        if data.max_length is not None:
            question["max"] = data.max_length
        if data.placeholder:
            question["placeholder"] = data.placeholder
    show_if = _build_logic(data, definition, position)
    if show_if:
        question["show_if"] = show_if
    return question


def _build_logic(data: QuestionInput, definition: Mapping[str, Any], position: int | None) -> dict | None:
    target_id = data.logic_question
    if not target_id:
        return None
    target = next((q for q in logic_targets(definition, position) if q["id"] == target_id), None)
    if target is None:
        raise DraftError("logic_question", "Choose an earlier score or single-choice question.")
    raw = list(data.logic_values.get(target_id, []))
    if target["type"] == QuestionType.SINGLE_CHOICE:
        values: list[Any] = [o for o in target.get("options", []) if o in raw]
    else:
        low, high = score_range(target)
        try:
            scores = {int(v) for v in raw}
        except ValueError:
            raise DraftError("logic_question", "Scores are whole numbers.") from None
        for band in data.logic_bands.get(target_id, []) if target["type"] == QuestionType.NPS else []:
            scores.update(NPS_BANDS.get(band, ()))
        values = sorted(s for s in scores if low <= s <= high)
    if not values:
        what = "option" if target["type"] == QuestionType.SINGLE_CHOICE else "score"
        raise DraftError("logic_question", f"Tick at least one {what} of {target_id}, or show the question always.")
    return {"question": target_id, "in": values}


# --- whole-definition edits --------------------------------------------------------------------

def _copy(definition: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(definition))


def _rename_references(definition: dict[str, Any], old: str, new: str) -> None:
    """A question renamed before its first publish: logic and translations follow it."""
    for question in definition["questions"]:
        if question.get("show_if") and question["show_if"]["question"] == old:
            question["show_if"]["question"] = new
    for translation in definition.get("translations", {}).values():
        texts = translation.get("questions", {})
        if old in texts:
            texts[new] = texts.pop(old)


def with_question(definition: Mapping[str, Any], question: dict[str, Any],
                  replacing: str | None = None) -> dict[str, Any]:
    """A copy of ``definition`` with ``question`` in place of ``replacing`` (None: appended)."""
    result = _copy(definition)
    position = index_of(result, replacing) if replacing else None
    if position is None:
        result["questions"].append(question)
        return result
    old = result["questions"][position]
    if question.get("options") is not None and old.get("options") != question.get("options"):
        _drop_option_translations(result, old["id"])
    result["questions"][position] = question
    if question.get("id") and question["id"] != old["id"]:
        _rename_references(result, old["id"], question["id"])
    return result


def _drop_option_translations(definition: dict[str, Any], question_id: str) -> None:
    """Options changed: their translations no longer line up, so they are dropped (the rest stays)."""
    for translation in definition.get("translations", {}).values():
        texts = translation.get("questions", {}).get(question_id)
        if texts:
            texts.pop("options", None)


def moved(definition: Mapping[str, Any], question_id: str, step: int) -> dict[str, Any]:
    """A copy with the question moved ``step`` places (-1 up, +1 down), clamped at the ends."""
    result = _copy(definition)
    position = index_of(result, question_id)
    if position is None:
        return result
    target = min(max(position + step, 0), len(result["questions"]) - 1)
    questions = result["questions"]
    questions.insert(target, questions.pop(position))
    return result


def without(definition: Mapping[str, Any], question_id: str) -> dict[str, Any]:
    """A copy without the question (and without its translations)."""
    result = _copy(definition)
    result["questions"] = [q for q in result["questions"] if q["id"] != question_id]
    for translation in result.get("translations", {}).values():
        translation.get("questions", {}).pop(question_id, None)
    return result


def with_settings(definition: Mapping[str, Any], product: str, title: str, message: str) -> dict[str, Any]:
    result = _copy(definition)
    result["product"] = product
    result["thank_you"] = {"title": title, "message": message}
    return result


# --- translations ------------------------------------------------------------------------------

def _question_texts(question: Mapping[str, Any], number: int) -> list[dict[str, Any]]:
    qid = question["id"]
    texts: list[tuple[str, str, str, tuple]] = [("prompt", "Question", question["prompt"], (qid, "prompt"))]
    if question.get("description"):
        texts.append(("description", "Description", question["description"], (qid, "description")))
    for i, option in enumerate(question.get("options") or []):
        texts.append((f"option-{i}", f"Option {i + 1}", option, (qid, "options", i)))
    labels = question.get("labels") or {}
    for end, label in (("min", "Label of the lowest score"), ("max", "Label of the highest score")):
        if labels.get(end):
            texts.append((f"label-{end}", label, labels[end], (qid, "labels", end)))
    if question.get("placeholder"):
        texts.append(("placeholder", "Placeholder", question["placeholder"], (qid, "placeholder")))
    group = f"Question {number} ({qid})"
    return [{"name": f"q-{qid}-{key}", "label": label, "original": original, "path": path, "group": group}
            for key, label, original, path in texts]


def translatable_texts(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every text a translation may cover, in page order: ``{name, label, original, path, group}``.

    ``name`` is the form field's name, ``path`` where the text lives in a translation.
    """
    rows = [row for n, question in enumerate(definition["questions"], start=1)
            for row in _question_texts(question, n)]
    for key, label in (("title", "Thank-you title"), ("message", "Thank-you message")):
        rows.append({"name": f"thank_you-{key}", "label": label, "original": definition["thank_you"][key],
                     "path": ("thank_you", key), "group": "Closing step"})
    return rows


def translated_value(translation: Mapping[str, Any], path: tuple) -> str:
    """The current translation of the text at ``path`` ('' when untranslated)."""
    if path[0] == "thank_you":
        return (translation.get("thank_you") or {}).get(path[1], "")
    texts = translation.get("questions", {}).get(path[0], {})
    value: Any = texts.get(path[1])
    if len(path) == 3:
        if isinstance(value, list):
            value = value[path[2]] if path[2] < len(value) else None
        elif isinstance(value, dict):
            value = value.get(path[2])
        else:
            value = None
    return value or ""


def with_translation(definition: Mapping[str, Any], locale: str, form: Mapping[str, str]) -> dict[str, Any]:
    """A copy with the translation of ``locale`` rebuilt from the form's fields.

    A blank field means "not translated" (the original is shown). Options are all
    or nothing in a translation, so a blank option keeps its original text.
    """
    result = _copy(definition)
    questions: dict[str, dict[str, Any]] = {}
    thank_you: dict[str, str] = {}
    options: dict[str, list[tuple[str, str]]] = {}
    for row in translatable_texts(definition):
        value = (form.get(row["name"]) or "").strip()
        path = row["path"]
        if path[0] == "thank_you":
            if value:
                thank_you[path[1]] = value
        elif path[1] == "options":
            options.setdefault(path[0], []).append((value, row["original"]))
        elif value:
            texts = questions.setdefault(path[0], {})
            if path[1] == "labels":
                texts.setdefault("labels", {})[path[2]] = value
            else:
                texts[path[1]] = value
    for qid, pairs in options.items():
        if any(value for value, _ in pairs):
            questions.setdefault(qid, {})["options"] = [value or original for value, original in pairs]
    translation: dict[str, Any] = {"questions": questions}
    if thank_you:
        translation["thank_you"] = thank_you
    result.setdefault("translations", {})[locale] = translation
    return result


def without_translation(definition: Mapping[str, Any], locale: str) -> dict[str, Any]:
    result = _copy(definition)
    result.get("translations", {}).pop(locale, None)
    return result


def kind_title(qtype: str) -> str:
    return KINDS[QuestionType(qtype)].title
