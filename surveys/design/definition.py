"""The one definition of a valid survey: its questions, logic, texts and translations.

:func:`load_definition` is the boundary every writer goes through (the API, the
designer, the templates, the seed). It returns a normalised dict (defaults
filled in, ids generated) or raises a marshmallow ``ValidationError`` whose
messages name the question **by its id**, then the field::

    {"questions": {"q_reason": {"show_if": ["Must refer to an earlier question ..."]}}}
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from surveys.design.kinds import (
    CHOICE_TYPES, KINDS, RATING_MAX_POINTS, SCORE_TYPES, TEXT_MAX_DEFAULT, TEXT_MAX_LIMIT, QuestionType,
    score_range,
)
from surveys.design.placeholders import check_placeholders
from surveys.design.widget import DEFAULT_WIDGET, WidgetSchema
from surveys.journeys.triggers import (
    DEFAULT_THROTTLE, MAX_TRIGGERS, SendWindowSchema, ThrottleSchema, TriggerSchema,
)

QUESTION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
LOCALE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
PROMPT_MAX = 500
OPTION_MAX = 200
LABEL_MAX = 60
MAX_QUESTIONS = 50
MAX_OPTIONS = 50
DEFAULT_PRODUCT = "our product"
DEFAULT_THANK_YOU = {"title": "Thank you!", "message": "Your feedback helps us make {product} better."}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(max_length: int, required: bool = False, **kwargs: Any) -> fields.String:
    """A trimmed string with placeholders checked and control characters refused."""
    return Text(required=required, validate=validate.Length(min=1 if required else 0, max=max_length), **kwargs)


class Text(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if _CONTROL.search(text):
            raise ValidationError("Must not contain control characters.")
        check_placeholders(text)
        return text


class LabelsSchema(Schema):
    class Meta:
        unknown = RAISE

    min = _text(LABEL_MAX)
    max = _text(LABEL_MAX)


class ShowIfSchema(Schema):
    class Meta:
        unknown = RAISE

    question = fields.String(required=True, validate=validate.Regexp(QUESTION_ID, error="Not a question id."))
    in_ = fields.List(fields.Raw(), data_key="in", required=True, validate=validate.Length(min=1, max=100))


class QuestionSchema(Schema):
    """One question; which fields apply depends on ``type`` (checked in :meth:`check_kind`)."""

    class Meta:
        unknown = RAISE

    id = fields.String(validate=validate.Regexp(
        QUESTION_ID, error="Letters, digits, '-' and '_', at most 64, starting with a letter or digit."))
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in QuestionType]))
    prompt = _text(PROMPT_MAX)
    description = _text(PROMPT_MAX)
    required = fields.Boolean()
    options = fields.List(_text(OPTION_MAX, required=True), validate=validate.Length(max=MAX_OPTIONS))
    randomize = fields.Boolean()
    allow_other = fields.Boolean()
    min = fields.Integer(strict=True)
    max = fields.Integer(strict=True)
    labels = fields.Nested(LabelsSchema)
    placeholder = _text(200)
    show_if = fields.Nested(ShowIfSchema, allow_none=True)

    @validates_schema
    def check_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = data.get("type")
        if kind is None:
            return
        qtype = QuestionType(kind)
        errors: dict[str, list[str]] = {}
        if qtype in CHOICE_TYPES:
            _check_options(data, errors)
        else:
            for key in ("options", "randomize", "allow_other"):
                if key in data and data[key]:
                    errors[key] = [f"Only choice questions have {key}."]
        if qtype in SCORE_TYPES:
            _check_scale(qtype, data, errors)
        elif qtype is QuestionType.TEXT:
            if "min" in data:
                errors["min"] = ["Open text has no minimum; use max for the longest answer."]
            if "max" in data and not 1 <= data["max"] <= TEXT_MAX_LIMIT:
                errors["max"] = [f"The longest answer must be between 1 and {TEXT_MAX_LIMIT} characters."]
        else:
            for key in ("min", "max", "labels"):
                if key in data:
                    errors[key] = [f"A {qtype.value} question has no {key}."]
        if "placeholder" in data and qtype is not QuestionType.TEXT:
            errors["placeholder"] = ["Only open text questions have a placeholder."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def fill_defaults(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        qtype = QuestionType(data["type"])
        kind = KINDS[qtype]
        data.setdefault("prompt", "")
        if not data["prompt"]:
            data["prompt"] = kind.default_prompt
        data.setdefault("required", qtype in SCORE_TYPES)
        if qtype in SCORE_TYPES:
            low, high = kind.scale or (data.get("min", 1), data.get("max", 5))
            data["min"], data["max"] = low, high
            labels = data.get("labels") or {}
            defaults = kind.default_labels or ("", "")
            data["labels"] = {"min": labels.get("min") or defaults[0], "max": labels.get("max") or defaults[1]}
        if qtype is QuestionType.TEXT:
            data.setdefault("max", TEXT_MAX_DEFAULT)
        if qtype in CHOICE_TYPES:
            data.setdefault("randomize", False)
            data.setdefault("allow_other", False)
        if data.get("show_if") is None:
            data.pop("show_if", None)
        return data


def _check_options(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    options = data.get("options") or []
    if len(options) < 2:
        errors["options"] = ["A choice question needs at least 2 options."]
        return
    seen: set[str] = set()
    for option in options:
        if option.casefold() in seen:
            errors["options"] = [f"Option {option[:60]!r} appears twice."]
            return
        seen.add(option.casefold())


def _check_scale(qtype: QuestionType, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    fixed = KINDS[qtype].scale
    if fixed is not None:
        for key, value in (("min", fixed[0]), ("max", fixed[1])):
            if key in data and data[key] != value:
                errors[key] = [f"{qtype.value.upper()} is always {fixed[0]}–{fixed[1]}."]
        return
    low, high = data.get("min", 1), data.get("max", 5)
    if low not in (0, 1):
        errors["min"] = ["A rating starts at 0 or 1."]
    elif not low < high <= RATING_MAX_POINTS:
        errors["max"] = [f"A rating ends between {low + 1} and {RATING_MAX_POINTS}."]


class ThankYouSchema(Schema):
    class Meta:
        unknown = RAISE

    title = _text(120)
    message = _text(1000)


class QuestionTextsSchema(Schema):
    """The translatable texts of one question."""

    class Meta:
        unknown = RAISE

    prompt = _text(PROMPT_MAX)
    description = _text(PROMPT_MAX)
    options = fields.List(_text(OPTION_MAX, required=True))
    labels = fields.Nested(LabelsSchema)
    placeholder = _text(200)


class TranslationSchema(Schema):
    class Meta:
        unknown = RAISE

    questions = fields.Dict(keys=fields.String(), values=fields.Nested(QuestionTextsSchema), load_default=dict)
    thank_you = fields.Nested(ThankYouSchema)


class DefinitionSchema(Schema):
    """A whole survey definition. Questions are checked against each other in :meth:`check_logic`."""

    class Meta:
        unknown = RAISE

    product = _text(100)
    locale = fields.String(validate=validate.Regexp(LOCALE, error="A language tag such as 'en' or 'pt-BR'."))
    questions = fields.List(fields.Nested(QuestionSchema), required=True,
                            validate=validate.Length(min=1, max=MAX_QUESTIONS,
                                                     error=f"A survey has 1 to {MAX_QUESTIONS} questions."))
    thank_you = fields.Nested(ThankYouSchema)
    translations = fields.Dict(
        keys=fields.String(validate=validate.Regexp(LOCALE, error="A language tag such as 'fr' or 'pt-BR'.")),
        values=fields.Nested(TranslationSchema))
    # When and whom the survey asks (see surveys.journeys.triggers); versioned with the questions.
    triggers = fields.List(fields.Nested(TriggerSchema), validate=validate.Length(
        max=MAX_TRIGGERS, error=f"At most {MAX_TRIGGERS} triggers."))
    send_window = fields.Nested(SendWindowSchema, allow_none=True)
    throttle = fields.Nested(ThrottleSchema, allow_none=True)
    # How the in-product widget shows it and whether anonymous visitors may answer (surveys.design.widget).
    widget = fields.Nested(WidgetSchema, allow_none=True)

    @pre_load
    def ids_for_new_questions(self, data: Any, **kwargs: Any) -> Any:
        """Questions sent without an id get a stable one (``q1``, ``q2``... not already taken);
        so do triggers (``t1``, ``t2``...). Once stored with it, an item keeps its id."""
        if not isinstance(data, dict):
            return data
        for key, prefix in (("questions", "q"), ("triggers", "t")):
            if isinstance(data.get(key), list):
                data = {**data, key: _with_ids(data[key], prefix)}
        return data

    @validates_schema
    def check_logic(self, data: dict[str, Any], **kwargs: Any) -> None:
        questions = data.get("questions") or []
        errors: dict[int, dict[str, list[str]]] = {}
        earlier: dict[str, dict[str, Any]] = {}
        for index, question in enumerate(questions):
            qid = question.get("id")
            if qid in earlier:
                errors[index] = {"id": [f"Question id {qid!r} is used twice."]}
            elif question.get("show_if"):
                message = _show_if_problem(question["show_if"], earlier)
                if message:
                    errors[index] = {"show_if": [message]}
            earlier[qid] = question
        if errors:
            raise ValidationError({"questions": errors})
        _check_translations(data, earlier)
        trigger_ids: set[str] = set()
        for index, trigger in enumerate(data.get("triggers") or []):
            if trigger.get("id") in trigger_ids:
                raise ValidationError({"triggers": {index: {"id": [f"Trigger id {trigger['id']!r} is used twice."]}}})
            trigger_ids.add(trigger.get("id"))

    @post_load
    def fill_defaults(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["product"] = data.get("product") or DEFAULT_PRODUCT
        data.setdefault("locale", "en")
        thank_you = data.get("thank_you") or {}
        data["thank_you"] = {key: thank_you.get(key) or DEFAULT_THANK_YOU[key] for key in DEFAULT_THANK_YOU}
        data.setdefault("translations", {})
        data["triggers"] = data.get("triggers") or []
        data.setdefault("send_window", None)
        data["throttle"] = data.get("throttle") or dict(DEFAULT_THROTTLE)
        data["widget"] = {**DEFAULT_WIDGET, **(data.get("widget") or {})}
        return data


def _with_ids(items: list[Any], prefix: str) -> list[Any]:
    """Copies of ``items`` where those without an id get ``<prefix>N``, an id not already taken.

    Questions take the lowest free number; triggers count on from the highest ``tN`` present,
    so a new trigger does not take the id of one deleted in the same edit (invitations name it).
    """
    items = [dict(item) if isinstance(item, dict) else item for item in items]
    taken = {item.get("id") for item in items if isinstance(item, dict)}
    counter = 0
    if prefix == "t":
        counter = max((int(i[1:]) for i in taken if isinstance(i, str) and re.fullmatch(r"t\d{1,9}", i)),
                      default=0)
    for item in items:
        if isinstance(item, dict) and item.get("id") in (None, ""):
            counter += 1
            while f"{prefix}{counter}" in taken:
                counter += 1
            item["id"] = f"{prefix}{counter}"
            taken.add(item["id"])
    return items


def _show_if_problem(show_if: dict[str, Any], earlier: dict[str, dict[str, Any]]) -> str | None:
    target = earlier.get(show_if["question"])
    if target is None:
        return f"Must refer to an earlier question; {show_if['question']!r} is not one."
    qtype = QuestionType(target["type"])
    values = show_if["in_"]
    if qtype in SCORE_TYPES:
        low, high = score_range(target)
        bad = [v for v in values if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high]
        if bad:
            return f"Scores of {target['id']!r} are whole numbers from {low} to {high}; {bad[0]!r} is not."
    elif qtype is QuestionType.SINGLE_CHOICE:
        bad = [v for v in values if v not in target.get("options", [])]
        if bad:
            return f"{bad[0]!r} is not an option of {target['id']!r}."
    else:
        return "Logic can depend on a score or a single-choice question only."
    return None


def _check_translations(data: dict[str, Any], questions: dict[str, dict[str, Any]]) -> None:
    errors: dict[str, Any] = {}
    for locale, translation in (data.get("translations") or {}).items():
        for qid, texts in translation.get("questions", {}).items():
            question = questions.get(qid)
            if question is None:
                errors.setdefault(locale, {})[qid] = ["Not a question of this survey."]
            elif "options" in texts and len(texts["options"]) != len(question.get("options") or []):
                errors.setdefault(locale, {})[qid] = ["Translate every option, in the same order."]
    if errors:
        raise ValidationError({"translations": errors})


def _rekey_question_errors(messages: dict[str, Any], raw: Any) -> dict[str, Any]:
    """Name a bad question by its id rather than its position, where it has one."""
    question_errors = messages.get("questions")
    if not isinstance(question_errors, dict) or not isinstance(raw, dict):
        return messages
    raw_questions = raw.get("questions") if isinstance(raw.get("questions"), list) else []
    rekeyed: dict[str, Any] = {}
    for index, error in question_errors.items():
        key = str(index)
        if isinstance(index, int) and index < len(raw_questions) and isinstance(raw_questions[index], dict):
            qid = raw_questions[index].get("id")
            if isinstance(qid, str) and QUESTION_ID.match(qid) and qid not in rekeyed:
                key = qid
        rekeyed[key] = error
    return {**messages, "questions": rekeyed}


def load_definition(raw: Any) -> dict[str, Any]:
    """Validate and normalise a survey definition; raise ``ValidationError`` naming each question id."""
    schema = DefinitionSchema()
    try:
        data = schema.load(raw)
    except ValidationError as error:
        # The ids the load generated (a pure function of the input) name the bad questions.
        prepared = schema.ids_for_new_questions(raw) if isinstance(raw, dict) else raw
        raise ValidationError(_rekey_question_errors(error.normalized_messages(), prepared)) from None
    for question in data["questions"]:
        if "show_if" in question:
            question["show_if"] = {"question": question["show_if"]["question"], "in": question["show_if"]["in_"]}
    return data


def question_by_id(definition: dict[str, Any], question_id: str) -> dict[str, Any] | None:
    return next((q for q in definition["questions"] if q["id"] == question_id), None)
