"""What changed between two survey definitions, in words a publisher can check.

Each change is a JSON-able dict: ``{"kind": "added" | "removed" | "changed" |
"moved" | "survey", "question": id or None, "field": name or None,
"before": ..., "after": ..., "summary": "..."}``.

Trigger changes have ``field`` ``"triggers"`` and a ``"trigger"`` key (its id); send window
and throttle changes are ``"survey"`` changes of ``send_window`` / ``throttle``; each changed
widget setting is a ``"survey"`` change of ``widget`` with a ``"setting"`` key (placement,
brand_color, anonymous). Their ``before``/``after`` are already words ("t1 · delay: 3 days"),
not the stored JSON.
"""
from __future__ import annotations

from typing import Any

from surveys.design.widget import WIDGET_FIELD_NAMES, widget_of
from surveys.design.widget import field_words as widget_words
from surveys.journeys.describe import (
    TRIGGER_FIELD_NAMES, describe_send_window, describe_throttle, describe_trigger, field_words,
)
from surveys.journeys.triggers import DEFAULT_THROTTLE

QUESTION_FIELDS = ("type", "prompt", "description", "required", "options", "randomize", "allow_other",
                   "min", "max", "labels", "placeholder", "show_if")
SURVEY_FIELDS = ("product", "locale", "thank_you", "translations")


def _change(kind: str, summary: str, question: str | None = None, field: str | None = None,
            before: Any = None, after: Any = None) -> dict[str, Any]:
    return {"kind": kind, "question": question, "field": field, "before": before, "after": after,
            "summary": summary}


def diff_definitions(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """The changes from ``old`` (None: nothing published yet) to ``new``."""
    if old is None:
        return [_change("added", f"Question {q['id']!r} added", q["id"], after=q.get("prompt"))
                for q in new["questions"]] + _trigger_changes({}, new) + _asking_changes({}, new) + _widget_changes(
                    {}, new)
    changes: list[dict[str, Any]] = []
    before = {q["id"]: q for q in old["questions"]}
    after = {q["id"]: q for q in new["questions"]}
    for qid, question in before.items():
        if qid not in after:
            changes.append(_change("removed", f"Question {qid!r} removed", qid, before=question.get("prompt")))
    for qid, question in after.items():
        if qid not in before:
            changes.append(_change("added", f"Question {qid!r} added", qid, after=question.get("prompt")))
            continue
        for field in QUESTION_FIELDS:
            if before[qid].get(field) != question.get(field):
                changes.append(_change("changed", f"Question {qid!r}: {field.replace('_', ' ')} changed", qid,
                                       field, before[qid].get(field), question.get(field)))
    kept_before = [qid for qid in before if qid in after]
    kept_after = [qid for qid in after if qid in before]
    if kept_before != kept_after:
        changes.append(_change("moved", "Questions reordered", before=kept_before, after=kept_after))
    for field in SURVEY_FIELDS:
        if old.get(field) != new.get(field):
            changes.append(_change("survey", f"{field.replace('_', ' ').capitalize()} changed", None, field,
                                   old.get(field), new.get(field)))
    return changes + _trigger_changes(old, new) + _asking_changes(old, new) + _widget_changes(old, new)


def _trigger_change(kind: str, key: str, summary: str, before: Any = None, after: Any = None) -> dict[str, Any]:
    return {**_change(kind, summary, None, "triggers", before, after), "trigger": key}


def _trigger_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    before = {t["id"]: t for t in old.get("triggers") or []}
    after = {t["id"]: t for t in new.get("triggers") or []}
    changes: list[dict[str, Any]] = []
    for key, trigger in before.items():
        if key not in after:
            words = describe_trigger(trigger)
            changes.append(_trigger_change("removed", key, f"Trigger {key!r} removed: {words}",
                                           before=f"{key}: {words}"))
    for key, trigger in after.items():
        if key not in before:
            words = describe_trigger(trigger)
            changes.append(_trigger_change("added", key, f"Trigger {key!r} added: {words}", after=f"{key}: {words}"))
        elif before[key]["type"] != trigger["type"]:
            old_words, new_words = describe_trigger(before[key]), describe_trigger(trigger)
            changes.append(_trigger_change("changed", key, f"Trigger {key!r}: {old_words} → {new_words}",
                                           f"{key}: {old_words}", f"{key}: {new_words}"))
        else:
            for name, title in TRIGGER_FIELD_NAMES.items():
                if before[key].get(name) == trigger.get(name):
                    continue
                old_words, new_words = field_words(name, before[key]), field_words(name, trigger)
                changes.append(_trigger_change("changed", key, f"Trigger {key!r}: {title} {old_words} → {new_words}",
                                               f"{key} · {title}: {old_words}", f"{key} · {title}: {new_words}"))
    return changes


def _asking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """The send window and the recontact rule, when they changed (a missing one is the default)."""
    changes = []
    if old.get("send_window") != new.get("send_window"):
        was, now = describe_send_window(old.get("send_window")), describe_send_window(new.get("send_window"))
        changes.append(_change("survey", f"Send window: {was} → {now}", None, "send_window", was, now))
    if (old.get("throttle") or DEFAULT_THROTTLE) != (new.get("throttle") or DEFAULT_THROTTLE):
        was, now = describe_throttle(old.get("throttle")), describe_throttle(new.get("throttle"))
        changes.append(_change("survey", f"Recontact rule: {was} → {now}", None, "throttle", was, now))
    return changes


def _widget_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Each widget setting that changed (a definition without the section has the defaults)."""
    was, now = widget_of(old), widget_of(new)
    changes = []
    for name, title in WIDGET_FIELD_NAMES.items():
        if was[name] != now[name]:
            before, after = widget_words(name, was), widget_words(name, now)
            changes.append({**_change("survey", f"Widget · {title}: {before} → {after}", None, "widget",
                                      f"{title.capitalize()}: {before}", f"{title.capitalize()}: {after}"),
                            "setting": name})
    return changes
