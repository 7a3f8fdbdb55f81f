"""Triggers: when a survey asks whom, through which channels (the survey definition's ``triggers``).

The JSON form lives in the survey definition (versioned with it, validated by
``surveys.design.definition.load_definition`` through :class:`TriggerSchema`,
:class:`SendWindowSchema` and :class:`ThrottleSchema`, which also write it back in
canonical form: ISO durations as :func:`~surveys.journeys.durations.format_duration`
writes them, filter shorthands expanded). :func:`parse_triggers`,
:func:`send_window_of` and :func:`throttle_of` turn a loaded definition into the frozen
dataclasses below, which the matcher, the scans, the eligibility trace and the
scheduler use::

    {"id": "t1", "type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "once",
     "filters": [{"field": "account.plan", "op": "in", "value": ["pro", "enterprise"]}],
     "channels": ["in_app", "email"], "fallback_after": "P5D", "sample": 0.2}
    {"id": "t2", "type": "date", "field": "account.renewal_date", "offset": "-P60D", ...}
    {"id": "t3", "type": "recurring", "every": "P90D", "warmup": "P30D", ...}
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from surveys.journeys.conditions import (  # noqa: F401 - part of this module's interface
    ATTRIBUTE_KEY,
    OPS,
    ORDER_OPS,
    SHORTHANDS,
    FilterSchema,
    Name,
    canonical_value,
    field_kind,
    parse_date_value,
    plain_number,
)
from surveys.journeys.durations import format_duration, parse_duration

EVENT, DATE, RECURRING = "event", "date", "recurring"
TRIGGER_TYPES = (EVENT, DATE, RECURRING)
REPEATS = ("once", "every")
CHANNELS = ("in_app", "email", "link")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_TRIGGERS = 20
MAX_FILTERS = 50
EVENT_NAME_MAX = 128
TRIGGER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

DATE_TRIGGER_FIELDS = ("account.renewal_date", "contact.created_at")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Filter:
    """``field`` is ``account.plan`` | ``account.segment`` | ``account.arr`` | ``account.csm_email`` |
    ``account.renewal_date`` | ``account.attributes.<k>`` | ``contact.<email|locale|timezone|created_at>`` |
    ``contact.attributes.<k>`` | ``properties.<k>`` (event triggers only)."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class SendWindow:
    days: tuple[int, ...]  # 0 = Monday
    start: time
    end: time  # end > start


@dataclass(frozen=True)
class Throttle:
    recontact_days: int | None = None  # None: the workspace default; else an override
    transactional: bool = False  # True: the workspace recontact period does not apply; recontact_days does


@dataclass(frozen=True)
class Trigger:
    key: str  # the trigger's stable id in the definition ("id")
    type: str  # "event" | "date" | "recurring"
    event: str | None = None
    delay: timedelta = timedelta(0)  # event: >= 0
    repeat: str = "once"  # event: "once" | "every"
    field: str | None = None  # date: "account.renewal_date" | "contact.created_at" | "*.attributes.<k>"
    offset: timedelta = timedelta(0)  # date: negative = before
    every: timedelta | None = None  # recurring: > 0
    warmup: timedelta = timedelta(0)  # recurring: first one this long after contact.created_at
    filters: tuple[Filter, ...] = ()
    channels: tuple[str, ...] = ("email",)  # preference order
    fallback_after: timedelta | None = None  # in_app not shown within this → next channel
    sample: float = 1.0  # 0 < sample <= 1


# --- fields ------------------------------------------------------------------------------------

def is_date_trigger_field(name: str) -> bool:
    return name in DATE_TRIGGER_FIELDS or (
        name.split(".")[0] in ("account", "contact") and field_kind(name) == "any")


class Duration(fields.String):
    """An ISO 8601 duration between ``minimum`` and ``maximum``; loads as a ``timedelta``."""

    def __init__(self, *, minimum: timedelta | None = None, maximum: timedelta | None = None,
                 too_small: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("format", "duration")
        super().__init__(**kwargs)
        self.minimum, self.maximum, self.too_small = minimum, maximum, too_small

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if self.minimum is not None and self.minimum >= timedelta(0) and text.startswith("-"):
            raise ValidationError(self.too_small or "Must not be negative.")
        try:
            duration = parse_duration(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if self.minimum is not None and duration < self.minimum:
            raise ValidationError(self.too_small or f"At least {format_duration(self.minimum)}.")
        if self.maximum is not None and abs(duration) > self.maximum:
            raise ValidationError(f"At most {format_duration(self.maximum)}.")
        return duration

    def _serialize(self, value, attr, obj, **kwargs):
        return format_duration(value) if isinstance(value, timedelta) else value


# --- triggers ----------------------------------------------------------------------------------

_BY_TYPE = {EVENT: ("event", "delay", "repeat"), DATE: ("field", "offset"), RECURRING: ("every", "warmup")}
_REQUIRED = {EVENT: "event", DATE: "field", RECURRING: "every"}
_REQUIRED_MESSAGE = {
    EVENT: "An event trigger needs the event's name, e.g. 'onboarding_completed'.",
    DATE: "A date trigger needs the date field, e.g. 'account.renewal_date'.",
    RECURRING: "A recurring trigger needs how often, e.g. 'P90D'.",
}


class TriggerSchema(Schema):
    """One trigger. Which fields apply depends on ``type`` (checked in :meth:`check_type`)."""

    class Meta:
        unknown = RAISE

    id = fields.String(validate=validate.Regexp(
        TRIGGER_ID, error="Letters, digits, '-' and '_', at most 64, starting with a letter or digit."),
        metadata={"description": "Stable id (generated as t1, t2... when left out); invitations refer to it.",
                  "example": "t1"})
    type = fields.String(required=True, validate=validate.OneOf(TRIGGER_TYPES), metadata={
        "description": "event: after a journey event; date: N days before/after a date field; recurring: "
                       "every N days per contact.", "example": "event"})
    event = Name(validate=validate.Length(min=1, max=EVENT_NAME_MAX), metadata={
        "description": "(event) The event's name as sent to POST /events.", "example": "onboarding_completed"})
    delay = Duration(minimum=timedelta(0), maximum=timedelta(days=365),
                     too_small="A delay cannot be negative: the survey is asked after the event (e.g. 'P3D').",
                     metadata={"description": "(event) How long after the event, ISO 8601 (default P0D: "
                                              "at once).", "example": "P3D"})
    repeat = fields.String(validate=validate.OneOf(REPEATS), metadata={
        "description": "(event) once: only the first time the event happens (default); every: each time.",
        "example": "once"})
    field = fields.String(metadata={
        "description": "(date) account.renewal_date, contact.created_at, or a date in account.attributes.<key> "
                       "/ contact.attributes.<key>.", "example": "account.renewal_date"})
    offset = Duration(maximum=timedelta(days=3650), metadata={
        "description": "(date) When, relative to the date: -P60D is 60 days before, P30D 30 days after "
                       "(default P0D: on the day).", "example": "-P60D"})
    every = Duration(minimum=timedelta(days=1), maximum=timedelta(days=3650),
                     too_small="Every at least 1 day (e.g. 'P90D').", metadata={
                         "description": "(recurring) How often per contact, at least P1D.", "example": "P90D"})
    warmup = Duration(minimum=timedelta(0), maximum=timedelta(days=3650),
                      too_small="The warm-up cannot be negative.", metadata={
                          "description": "(recurring) The first one this long after the contact was created "
                                         "(default P0D).", "example": "P30D"})
    filters = fields.List(fields.Nested(FilterSchema), validate=validate.Length(
        max=MAX_FILTERS, error=f"At most {MAX_FILTERS} filters."), metadata={
        "description": "Who qualifies: every filter must pass (AND)."})
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), validate=validate.Length(
        min=1, max=len(CHANNELS), error="1 to 3 channels: in_app, email, link."), metadata={
        "description": "In order of preference (default [email]); each at most once.",
        "example": ["in_app", "email"]})
    fallback_after = Duration(allow_none=True, minimum=timedelta(hours=1), maximum=timedelta(days=365),
                              too_small="At least PT1H.", metadata={
                                  "description": "When in_app comes first: not shown within this long, use the "
                                                 "next channel.", "example": "P5D"})
    sample = fields.Float(validate=validate.Range(min=0, max=1, min_inclusive=False, error=(
        "A share of matches above 0 and at most 1 (0.2 asks 20%).")), metadata={
        "description": "Ask this share of matches, the same contacts every time (default 1).", "example": 0.2})

    @validates_schema
    def check_type(self, data: dict[str, Any], **kwargs: Any) -> None:
        kind = data["type"]
        errors: dict[str, Any] = {}
        for other, names in _BY_TYPE.items():
            for name in names:
                if other != kind and name in data:
                    errors[name] = [f"A {kind} trigger has no {name}."]
        required = _REQUIRED[kind]
        if data.get(required) in (None, ""):
            errors[required] = [_REQUIRED_MESSAGE[kind]]
        if kind == DATE and data.get("field") and not is_date_trigger_field(data["field"]):
            errors["field"] = ["A date field: account.renewal_date, contact.created_at, or "
                               "account.attributes.<key> / contact.attributes.<key>."]
        channels = data.get("channels") or ["email"]
        repeated = next((c for i, c in enumerate(channels) if c in channels[:i]), None)
        if repeated:
            errors["channels"] = [f"{repeated!r} is listed twice."]
        if data.get("fallback_after") is not None:
            if channels[0] != "in_app":
                errors["fallback_after"] = ["Fallback applies when in_app is the first channel."]
            elif len(channels) < 2:
                errors["fallback_after"] = ["Add a channel after in_app to fall back to."]
        filter_errors = {i: {"field": ["Event properties can only filter event triggers."]}
                         for i, f in enumerate(data.get("filters") or [])
                         if kind != EVENT and f["field"].startswith("properties.")}
        if filter_errors:
            errors["filters"] = filter_errors
        if errors:
            raise ValidationError(errors)

    @post_load
    def canonical(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        kind = data["type"]
        out: dict[str, Any] = {"type": kind} if "id" not in data else {"id": data["id"], "type": kind}
        if kind == EVENT:
            out.update(event=data["event"], delay=format_duration(data.get("delay", timedelta(0))),
                       repeat=data.get("repeat", "once"))
        elif kind == DATE:
            out.update(field=data["field"], offset=format_duration(data.get("offset", timedelta(0))))
        else:
            out.update(every=format_duration(data["every"]),
                       warmup=format_duration(data.get("warmup", timedelta(0))))
        out.update(filters=data.get("filters", []), channels=data.get("channels") or ["email"])
        if data.get("fallback_after") is not None:
            out["fallback_after"] = format_duration(data["fallback_after"])
        out["sample"] = float(data.get("sample", 1.0))
        return out


# --- send window and throttle ------------------------------------------------------------------

class Clock(fields.String):
    """``"09:00"``: a wall-clock time, hours and minutes."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        match = _CLOCK.match(text)
        if match is None:
            raise ValidationError("A time of day as HH:MM, e.g. '09:00'.")
        return time(int(match.group(1)), int(match.group(2)))


class SendWindowSchema(Schema):
    """When invitations may go out, in the contact's timezone."""

    class Meta:
        unknown = RAISE

    days = fields.List(fields.String(), required=True, validate=validate.Length(
        min=1, max=14, error="At least one day."), metadata={
        "description": "Days of the week: mon, tue, wed, thu, fri, sat, sun.", "example": ["tue", "wed", "thu"]})
    start = Clock(required=True, metadata={"description": "From (HH:MM, local).", "example": "09:00"})
    end = Clock(required=True, metadata={"description": "Until (HH:MM, local), after start.", "example": "17:00"})

    @validates_schema
    def check(self, data: dict[str, Any], **kwargs: Any) -> None:
        bad = [d for d in data["days"] if _day_number(d) is None]
        if bad:
            raise ValidationError({"days": [f"{str(bad[0])[:20]!r} is not a day: use mon, tue ... sun."]})
        if data["end"] <= data["start"]:
            raise ValidationError({"end": ["The window must end after it starts (same day, e.g. 09:00–17:00)."]})

    @post_load
    def canonical(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        numbers = sorted({_day_number(d) for d in data["days"]})
        return {"days": [DAY_NAMES[n] for n in numbers], "start": data["start"].strftime("%H:%M"),
                "end": data["end"].strftime("%H:%M")}


_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day_number(name: Any) -> int | None:
    """``"tue"`` / ``"Tuesday"`` → 1; anything else → ``None``."""
    if not isinstance(name, str):
        return None
    text = name.strip().lower()
    for names in (DAY_NAMES, _FULL_DAYS):
        if text in names:
            return names.index(text)
    return None


class ThrottleSchema(Schema):
    """The survey's own recontact rule (the workspace's applies when left out)."""

    class Meta:
        unknown = RAISE

    recontact_days = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=3650),
                                    metadata={"description": "Days before the same contact may be asked again "
                                                             "(null: the workspace's). Without transactional it "
                                                             "can only lengthen the workspace period.",
                                              "example": 60})
    transactional = fields.Boolean(metadata={
        "description": "true: the workspace recontact period does not apply (e.g. after each support "
                       "ticket); recontact_days, if set, does.", "example": False})

    @validates_schema
    def check(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("recontact_days") == 0 and not data.get("transactional"):
            raise ValidationError({"recontact_days": ["0 days only for a transactional survey."]})

    @post_load
    def canonical(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return {"recontact_days": data.get("recontact_days"), "transactional": bool(data.get("transactional"))}


DEFAULT_THROTTLE = {"recontact_days": None, "transactional": False}


# --- from a loaded definition ------------------------------------------------------------------

def _duration(value: Any, default: timedelta | None = timedelta(0)) -> timedelta | None:
    return default if value in (None, "") else parse_duration(value)


def trigger_from_json(item: Mapping[str, Any], index: int = 0) -> Trigger:
    """One canonical trigger dict as a :class:`Trigger` (``key`` ``t<index+1>`` if it has no id)."""
    return Trigger(
        key=item.get("id") or f"t{index + 1}", type=item["type"], event=item.get("event"),
        delay=_duration(item.get("delay")), repeat=item.get("repeat", "once"), field=item.get("field"),
        offset=_duration(item.get("offset")), every=_duration(item.get("every"), None),
        warmup=_duration(item.get("warmup")),
        filters=tuple(Filter(f["field"], f["op"], _frozen(f.get("value"))) for f in item.get("filters") or ()),
        channels=tuple(item.get("channels") or ("email",)),
        fallback_after=_duration(item.get("fallback_after"), None), sample=float(item.get("sample", 1.0)))


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def parse_triggers(definition: Mapping[str, Any]) -> list[Trigger]:
    """The triggers of a loaded (validated, canonical) definition; ``[]`` when it has none."""
    return [trigger_from_json(item, index) for index, item in enumerate(definition.get("triggers") or ())]


def send_window_of(definition: Mapping[str, Any]) -> SendWindow | None:
    """The survey's own send window, or ``None`` (then the workspace's applies, if any).

    Also reads the workspace's stored ``send_window`` (same JSON shape): pass ``{"send_window": value}``.
    """
    window = definition.get("send_window")
    if not window:
        return None
    days = tuple(sorted({n for n in (_day_number(d) for d in window.get("days") or ()) if n is not None}))
    start, end = (time.fromisoformat(window[k]) for k in ("start", "end"))
    return SendWindow(days=days, start=start, end=end)


def throttle_of(definition: Mapping[str, Any]) -> Throttle:
    throttle = definition.get("throttle") or {}
    return Throttle(recontact_days=throttle.get("recontact_days"),
                    transactional=bool(throttle.get("transactional", False)))
