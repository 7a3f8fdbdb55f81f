"""Triggers, send windows and throttles in plain words, for the designer and the publish diff.

Everything takes the canonical JSON of a loaded definition (what is stored) and returns text.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveys.journeys.durations import describe_offset, humanize_duration
from surveys.journeys.filters import describe_filter
from surveys.journeys.triggers import DATE, EVENT, DAY_NAMES, send_window_of, trigger_from_json

CHANNEL_NAMES = {"in_app": "in-app", "email": "email", "link": "personal link"}
REPEAT_NAMES = {"once": "first time only", "every": "every time"}
DAY_TITLES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FIELD_TITLES = {"account.renewal_date": "the account's renewal date", "contact.created_at": "the contact's creation"}

# A trigger's fields in the order the diff reports them, with their names in words.
TRIGGER_FIELD_NAMES = {"event": "event", "delay": "delay", "repeat": "repeat", "field": "date field",
                       "offset": "when", "every": "every", "warmup": "warm-up", "filters": "who",
                       "channels": "channels", "fallback_after": "fallback", "sample": "sample"}


def when_text(trigger: Mapping[str, Any]) -> str:
    """``"3 days after onboarding_completed (first time only)"``, ``"60 days before the account's renewal date"``."""
    t = trigger_from_json(trigger)
    if t.type == EVENT:
        delay = "Right after" if not t.delay else f"{humanize_duration(t.delay)} after"
        return f"{delay} {t.event} ({REPEAT_NAMES.get(t.repeat, t.repeat)})"
    if t.type == DATE:
        target = FIELD_TITLES.get(t.field or "", t.field)
        offset = describe_offset(t.offset)
        return f"On {target}" if offset == "on the day" else f"{offset.capitalize()} {target}"
    first = "from the contact's creation" if not t.warmup else f"first {humanize_duration(t.warmup)} after creation"
    return f"Every {humanize_duration(t.every)} per contact, {first}" if t.every else "Recurring"


def who_text(trigger: Mapping[str, Any]) -> str:
    t = trigger_from_json(trigger)
    return "Everyone" if not t.filters else "Only if " + " and ".join(describe_filter(f) for f in t.filters)


def channels_text(trigger: Mapping[str, Any]) -> str:
    t = trigger_from_json(trigger)
    names = [CHANNEL_NAMES.get(c, c) for c in t.channels]
    text = ", then ".join(names)
    if t.fallback_after is not None and len(names) > 1:
        text += f" (if in-app is not shown within {humanize_duration(t.fallback_after)})"
    return text.capitalize()


def sample_text(trigger: Mapping[str, Any]) -> str:
    sample = float(trigger.get("sample", 1.0))
    return "All matches" if sample >= 1 else f"{_percent(sample)} of matches"


def _percent(share: float) -> str:
    return f"{share * 100:.4g}%"


def describe_trigger(trigger: Mapping[str, Any]) -> str:
    """The whole trigger as one sentence."""
    return "; ".join((when_text(trigger), who_text(trigger), channels_text(trigger), sample_text(trigger))) + "."


def field_words(name: str, trigger: Mapping[str, Any]) -> str:
    """One field of a trigger in words (what the diff shows before → after)."""
    t = trigger_from_json(trigger)
    if name in ("event", "field"):
        return str(trigger.get(name) or "—")
    if name == "repeat":
        return REPEAT_NAMES.get(t.repeat, t.repeat)
    if name == "delay":
        return humanize_duration(t.delay)
    if name == "offset":
        return describe_offset(t.offset)
    if name in ("every", "warmup"):
        value = getattr(t, name)
        return humanize_duration(value) if value is not None else "—"
    if name == "fallback_after":
        return humanize_duration(t.fallback_after) if t.fallback_after is not None else "no fallback"
    if name == "filters":
        return who_text(trigger)
    if name == "channels":
        return ", then ".join(CHANNEL_NAMES.get(c, c) for c in t.channels)
    if name == "sample":
        return sample_text(trigger)
    return str(trigger.get(name))


def describe_send_window(window: Mapping[str, Any] | None) -> str:
    """``"Tue–Thu, 09:00–17:00 in the contact's timezone"``; ``None``: any time."""
    parsed = send_window_of({"send_window": window}) if window else None
    if parsed is None:
        return "Any time (unless the workspace sets a send window)"
    return f"{days_text(parsed.days)}, {window['start']}–{window['end']} in the contact's timezone"


def days_text(days: tuple[int, ...] | list[int]) -> str:
    """``(1, 2, 3)`` → ``"Tue–Thu"``; ``(0, 2, 4)`` → ``"Mon, Wed, Fri"``; all seven → ``"Every day"``."""
    days = sorted(set(days))
    if len(days) == len(DAY_NAMES):
        return "Every day"
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(_run_text(run) for run in runs)


def _run_text(run: list[int]) -> str:
    if len(run) < 3:
        return ", ".join(DAY_TITLES[d] for d in run)
    return f"{DAY_TITLES[run[0]]}–{DAY_TITLES[run[-1]]}"


def describe_throttle(throttle: Mapping[str, Any] | None) -> str:
    throttle = throttle or {}
    days, transactional = throttle.get("recontact_days"), bool(throttle.get("transactional"))
    if transactional:
        own = "no recontact limit of its own" if not days else f"not the same contact again within {days} days"
        return f"Transactional: the workspace recontact period does not apply; {own}"
    if days is None:
        return "The workspace recontact period"
    return f"Not the same contact again within {days} days (or the workspace period, if longer)"
