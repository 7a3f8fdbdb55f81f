"""What changed between two survey definitions, in words a publisher can check.

Each change is a JSON-able dict: ``{"kind": "added" | "removed" | "changed" |
"moved" | "survey", "question": id or None, "field": name or None,
"before": ..., "after": ..., "summary": "..."}``.
"""
from __future__ import annotations

from typing import Any

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
                for q in new["questions"]]
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
    return changes
