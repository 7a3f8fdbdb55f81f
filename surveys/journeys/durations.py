"""ISO 8601 durations as triggers write them: ``P3D``, ``-P60D``, ``PT12H``, ``P2W``, ``P1DT6H``.

Only fixed-length units are accepted. Years and months (``P1Y``, ``P1M``) are refused
because their length varies; a trigger says "30 days", not "a month". Components are
whole numbers. :func:`format_duration` writes the canonical form stored in survey
definitions (weeks become days, zero is ``P0D``), so equal durations compare equal as text.
"""
from __future__ import annotations

import re
from datetime import timedelta

# Far beyond any sensible trigger, well inside what timedelta can hold.
MAX_DAYS = 36_500

_ISO = re.compile(
    r"^(?P<sign>[-+])?P(?!$)"
    r"(?:(?P<weeks>\d+)W)?"
    r"(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$",
    re.IGNORECASE,
)
_CALENDAR = re.compile(r"^[-+]?P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T.*)?$", re.IGNORECASE)
_WORDS = re.compile(r"^\s*(?P<sign>-)?\s*(?P<n>\d+)\s*(?P<unit>weeks?|days?|hours?|minutes?)\s*$", re.IGNORECASE)
_UNIT_LETTER = {"week": "W", "day": "D", "hour": "TH", "minute": "TM"}


def parse_duration(text: str) -> timedelta:
    """``"P3D"`` → ``timedelta(days=3)``; raise ``ValueError`` with a sentence a person can act on."""
    if not isinstance(text, str):
        raise ValueError("Must be an ISO 8601 duration such as 'P3D' (3 days) or 'PT12H' (12 hours).")
    value = text.strip()
    match = _ISO.match(value)
    if match is None:
        raise ValueError(_why_not(value))
    parts = {k: int(v) for k, v in match.groupdict().items() if k != "sign" and v is not None}
    if parts.get("weeks", 0) * 7 + parts.get("days", 0) > MAX_DAYS:
        raise ValueError(f"At most {MAX_DAYS} days.")
    duration = timedelta(weeks=parts.get("weeks", 0), days=parts.get("days", 0), hours=parts.get("hours", 0),
                         minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
    if abs(duration) > timedelta(days=MAX_DAYS):
        raise ValueError(f"At most {MAX_DAYS} days.")
    return -duration if match.group("sign") == "-" else duration


def _why_not(value: str) -> str:
    if _CALENDAR.match(value) and re.search(r"\d+[YM]", value.split("T")[0], re.IGNORECASE):
        return "Years and months vary in length; use days (e.g. 'P30D' for 30 days)."
    words = _WORDS.match(value)
    if words:
        unit = words.group("unit").lower().rstrip("s")
        letter = _UNIT_LETTER[unit]
        iso = f"{'-' if words.group('sign') else ''}P{letter[:-1]}{words.group('n')}{letter[-1]}"
        return f"Write durations in ISO 8601: {value.strip()!r} is {iso!r}."
    return "Must be an ISO 8601 duration such as 'P3D' (3 days) or 'PT12H' (12 hours)."


def format_duration(duration: timedelta) -> str:
    """The canonical ISO text: ``P3D``, ``-P60D``, ``PT12H``, ``P1DT6H30M``, ``P0D``."""
    sign = "-" if duration < timedelta(0) else ""
    duration = abs(duration)
    days, seconds = duration.days, duration.seconds
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = f"{sign}P{days}D" if days else f"{sign}P"
    clock = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if n)
    if clock:
        out += "T" + clock
    return "P0D" if out in ("P", "-P") else out


def humanize_duration(duration: timedelta) -> str:
    """``timedelta(days=3)`` → ``"3 days"``; ``timedelta(days=1, hours=6)`` → ``"1 day 6 hours"``.

    A negative duration reads ``"-60 days"``; for a date offset prefer :func:`describe_offset`.
    """
    sign = "-" if duration < timedelta(0) else ""
    duration = abs(duration)
    hours, rest = divmod(duration.seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}{'' if n == 1 else 's'}"
             for n, unit in ((duration.days, "day"), (hours, "hour"), (minutes, "minute"), (secs, "second")) if n]
    return sign + (" ".join(parts) if parts else "0 days")


def describe_offset(offset: timedelta) -> str:
    """A date trigger's offset in words: ``"60 days before"``, ``"30 days after"``, ``"on the day"``."""
    if offset == timedelta(0):
        return "on the day"
    return f"{humanize_duration(abs(offset))} {'before' if offset < timedelta(0) else 'after'}"
