"""How the designer shows definitions and changes in words: template globals of the ``web`` blueprint.

Everything here returns plain text (or lists of it); templates escape it like any other text.
"""
from __future__ import annotations

from typing import Any

from feedback.web.blueprint import bp
from feedback.web.survey_common import STATUS_BADGES
from feedback.web.survey_drafts import describe_condition, kind_title, logic_summary
from surveys.design.kinds import KINDS, QuestionType

FIELD_NAMES = {"type": "Type", "prompt": "Question", "description": "Help text", "required": "Required",
               "options": "Options", "randomize": "Random order", "allow_other": "“Other” option",
               "min": "Lowest score", "max": "Highest score", "labels": "End labels",
               "placeholder": "Placeholder", "show_if": "Logic", "product": "Product name",
               "locale": "Language", "thank_you": "Thank-you step", "translations": "Translations",
               "triggers": "Trigger", "send_window": "Send window", "throttle": "Recontact rule",
               "widget": "Widget"}


def describe_value(field: str | None, value: Any, definition: dict[str, Any] | None = None) -> list[str]:
    """A value of a changed field as lines of text (empty list: nothing)."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if field == "show_if":
        target = None
        if definition:
            target = next((q for q in definition["questions"] if q["id"] == value["question"]), None)
        return [f"Shown when {value['question']} is {describe_condition(target, list(value['in']))}"]
    if field == "labels":
        return [f"{value.get('min') or '—'} … {value.get('max') or '—'}"]
    if field == "thank_you":
        return [value.get("title", ""), value.get("message", "")]
    if field == "translations":
        return [f"Languages: {', '.join(sorted(value))}"]
    if field == "type":
        return [kind_title(value)] if value in set(QuestionType) else [str(value)]
    if isinstance(value, bool):
        return ["Yes" if value else "No"]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def change_lines(change: dict[str, Any], before_definition: dict | None, after_definition: dict | None
                 ) -> tuple[list[str], list[str]]:
    """(before, after) of one change from ``diff_definitions``, readable."""
    field = change.get("field")
    if change["kind"] == "moved":
        return [" → ".join(change["before"])], [" → ".join(change["after"])]
    return (describe_value(field, change.get("before"), before_definition),
            describe_value(field, change.get("after"), after_definition))


def question_facts(question: dict[str, Any]) -> list[str]:
    """Short facts under a question in the designer: scale, options, limits."""
    facts: list[str] = []
    qtype = QuestionType(question["type"])
    kind = KINDS[qtype]
    if kind.is_score:
        labels = question.get("labels") or {}
        facts.append(f"{question.get('min')}–{question.get('max')}: {labels.get('min') or '…'} → "
                     f"{labels.get('max') or '…'}")
    if kind.is_choice:
        count = len(question.get("options") or [])
        extras = [e for e, on in (("random order", question.get("randomize")),
                                  ("“Other”", question.get("allow_other"))) if on]
        facts.append(f"{count} options" + (f" · {', '.join(extras)}" if extras else ""))
    if qtype is QuestionType.TEXT:
        facts.append(f"Up to {question.get('max')} characters")
    return facts


bp.add_app_template_global(logic_summary, "logic_summary")
bp.add_app_template_global(kind_title, "kind_title")
bp.add_app_template_global(change_lines, "change_lines")
bp.add_app_template_global(question_facts, "question_facts")
bp.add_app_template_global(lambda status: STATUS_BADGES.get(status, "text-bg-secondary"), "survey_badge_class")
bp.add_app_template_global(FIELD_NAMES, "FIELD_NAMES")
