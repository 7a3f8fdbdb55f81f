"""The trigger editor's form, without JSON: request fields ⇄ a trigger's definition JSON, and errors back.

The form is plain named inputs (no WTForms: the filter rows vary in number). :func:`read_trigger_form`
turns a POST into the JSON the definition stores plus any error a form can spot on its own (a
number that is not one); everything else is judged by ``load_definition``, whose messages
:func:`place_errors` puts beside the input they name (``triggers.<i>.delay`` → the delay input).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from surveys.journeys.durations import parse_duration
from surveys.journeys.triggers import CHANNELS, DATE, EVENT, RECURRING

MAX_ROWS = 50
# Filter fields offered in the row's select: value → label, grouped. "…attributes"/"properties"
# take a name in the row's key input.
FIELD_GROUPS = (
    ("Account", (("account.plan", "Plan"), ("account.segment", "Segment"), ("account.arr", "ARR"),
                 ("account.csm_email", "CSM email"), ("account.renewal_date", "Renewal date"),
                 ("account.attributes", "Account attribute…"))),
    ("Contact", (("contact.email", "Email"), ("contact.locale", "Language"), ("contact.timezone", "Timezone"),
                 ("contact.created_at", "Created"), ("contact.attributes", "Contact attribute…"))),
    ("Event (event triggers only)", (("properties", "Event property…"),)),
)
KEYED_FIELDS = ("account.attributes", "contact.attributes", "properties")
OPS = (("=", "is"), ("!=", "is not"), ("in", "is one of"), ("not in", "is none of"), (">", "is more than"),
       (">=", "is at least"), ("<", "is less than"), ("<=", "is at most"), ("contains", "contains"),
       ("exists", "is set"), ("not exists", "is not set"))
DATE_FIELDS = (("account.renewal_date", "Account renewal date"), ("contact.created_at", "Contact created"),
               ("account.attributes", "Account attribute (a date)…"),
               ("contact.attributes", "Contact attribute (a date)…"))
CHANNEL_LABELS = {"in_app": "In-app (widget)", "email": "Email", "link": "Personal link"}
TYPE_LABELS = {EVENT: "Event milestone", DATE: "Date milestone", RECURRING: "Recurring"}
DAY_LABELS = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
              ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"))

# A trigger field of the definition → the form input its errors belong to.
INPUT_FOR = {"type": "type", "event": "event", "delay": "delay_amount", "repeat": "repeat", "field": "date_field",
             "offset": "offset_days", "every": "every_days", "warmup": "warmup_days", "channels": "channels",
             "fallback_after": "fallback_days", "sample": "sample_percent"}
# Messages written for API callers, said again for people using the form.
FORM_WORDING = {"sample_percent": "Ask a share above 0% and at most 100%."}


@dataclass
class FilterRow:
    field: str = ""
    key: str = ""
    op: str = "="
    value: str = ""


@dataclass
class TriggerForm:
    """What the editor shows: input values, filter rows, and errors keyed by input name."""

    values: dict[str, str]
    rows: list[FilterRow]
    errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


DEFAULTS = {"type": EVENT, "event": "", "delay_amount": "0", "delay_unit": "days", "repeat": "once",
            "date_field": "account.renewal_date", "date_key": "", "offset_days": "30", "offset_direction": "before",
            "every_days": "90", "warmup_days": "30", "channel_1": "email", "channel_2": "", "channel_3": "",
            "fallback_days": "", "sample_percent": "100"}


# --- JSON → form -------------------------------------------------------------------------------

def form_from_trigger(trigger: Mapping[str, Any] | None, kind: str = EVENT) -> TriggerForm:
    """The editor filled from a stored trigger (or a new one of ``kind``), plus one blank filter row."""
    values = dict(DEFAULTS, type=kind)
    if trigger is None:
        return TriggerForm(values, [FilterRow()])
    values["type"] = trigger["type"]
    if trigger["type"] == EVENT:
        amount, unit = _amount_and_unit(parse_duration(trigger.get("delay") or "P0D"))
        values.update(event=trigger.get("event") or "", delay_amount=amount, delay_unit=unit,
                      repeat=trigger.get("repeat", "once"))
    elif trigger["type"] == DATE:
        name = trigger.get("field") or ""
        base, key = _split_field(name)
        offset = parse_duration(trigger.get("offset") or "P0D")
        values.update(date_field=base, date_key=key, offset_days=_days(abs(offset)),
                      offset_direction="before" if offset < timedelta(0) else "after")
    else:
        values.update(every_days=_days(parse_duration(trigger.get("every") or "P1D")),
                      warmup_days=_days(parse_duration(trigger.get("warmup") or "P0D")))
    channels = list(trigger.get("channels") or ["email"]) + ["", ""]
    values.update(channel_1=channels[0], channel_2=channels[1], channel_3=channels[2])
    fallback = trigger.get("fallback_after")
    values["fallback_days"] = _days(parse_duration(fallback)) if fallback else ""
    values["sample_percent"] = _percent(float(trigger.get("sample", 1.0)))
    rows = [_row_from_filter(f) for f in trigger.get("filters") or []]
    return TriggerForm(values, rows + [FilterRow()])


def _amount_and_unit(duration: timedelta) -> tuple[str, str]:
    if duration.total_seconds() % 86400 == 0:
        return str(duration.days), "days"
    return f"{round(duration.total_seconds() / 3600)}", "hours"


def _days(duration: timedelta) -> str:
    return str(round(duration.total_seconds() / 86400))


def _percent(share: float) -> str:
    return f"{share * 100:.4g}"


def _split_field(name: str) -> tuple[str, str]:
    for base in KEYED_FIELDS:
        if name.startswith(base + "."):
            return base, name[len(base) + 1:]
    return name, ""


def _row_from_filter(f: Mapping[str, Any]) -> FilterRow:
    base, key = _split_field(f["field"])
    op, value = f["op"], f.get("value")
    if op == "exists":
        return FilterRow(base, key, "exists" if value in (True, None) else "not exists", "")
    if isinstance(value, list):
        text = ", ".join(_text(v) for v in value)
    else:
        text = _text(value)
    return FilterRow(base, key, op, text)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# --- form → JSON -------------------------------------------------------------------------------

def read_trigger_form(form: Mapping[str, str], key: str) -> tuple[dict[str, Any], TriggerForm]:
    """The trigger JSON a POST describes (id ``key``), and the form to show again with any errors.

    Only the fields of the chosen type are read. Blank filter rows and rows ticked "remove" are dropped;
    ``state.rows`` keeps the shown rows, and ``row_of[i]`` (``state.values["_rows"]``) maps the i-th
    filter of the JSON back to its row for error placement.
    """
    values = {name: (form.get(name) or "").strip() for name in DEFAULTS}
    rows = _rows(form)
    state = TriggerForm(values, rows)
    kind = values["type"] if values["type"] in (EVENT, DATE, RECURRING) else EVENT
    state.values["type"] = kind
    trigger: dict[str, Any] = {"id": key, "type": kind}
    if kind == EVENT:
        if values["event"]:
            trigger["event"] = values["event"]
        amount = _whole(state, "delay_amount", values["delay_amount"] or "0")
        unit = "H" if values["delay_unit"] == "hours" else "D"
        if amount is not None:
            trigger["delay"] = f"{'-' if amount < 0 else ''}P{'T' if unit == 'H' else ''}{abs(amount)}{unit}"
        trigger["repeat"] = values["repeat"] or "once"
    elif kind == DATE:
        base = values["date_field"]
        if base in KEYED_FIELDS[:2]:
            if not values["date_key"]:
                state.error("date_key", "Name the attribute that holds the date.")
            trigger["field"] = f"{base}.{values['date_key']}"
        else:
            trigger["field"] = base
        days = _whole(state, "offset_days", values["offset_days"] or "0", minimum=0)
        if days is not None:
            trigger["offset"] = f"{'-' if values['offset_direction'] == 'before' and days else ''}P{days}D"
    else:
        every = _whole(state, "every_days", values["every_days"], required="How many days between two surveys?")
        if every is not None:
            trigger["every"] = f"{'-' if every < 0 else ''}P{abs(every)}D"
        warmup = _whole(state, "warmup_days", values["warmup_days"] or "0", minimum=0)
        if warmup is not None:
            trigger["warmup"] = f"P{warmup}D"
    trigger["filters"], row_of = _filters(state, rows, kind)
    state.values["_rows"] = row_of  # type: ignore[assignment]
    trigger["channels"] = [c for c in (values["channel_1"], values["channel_2"], values["channel_3"]) if c]
    if values["fallback_days"]:
        fallback = _whole(state, "fallback_days", values["fallback_days"], minimum=1)
        if fallback is not None:
            trigger["fallback_after"] = f"P{fallback}D"
    trigger["sample"] = _sample(state, values["sample_percent"])
    return trigger, state


def _rows(form: Mapping[str, str]) -> list[FilterRow]:
    try:
        count = min(int(form.get("filter_rows") or 0), MAX_ROWS + 1)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        if form.get(f"filter-{i}-remove"):
            continue
        rows.append(FilterRow(*((form.get(f"filter-{i}-{part}") or "").strip()
                                for part in ("field", "key", "op", "value"))))
    return rows


def _filters(state: TriggerForm, rows: list[FilterRow], kind: str) -> tuple[list[dict[str, Any]], list[int]]:
    filters, row_of = [], []
    for index, row in enumerate(rows):
        if not row.field:
            continue
        name = row.field
        if row.field in KEYED_FIELDS:
            if not row.key:
                state.error(f"filter-{index}-key", "Name the attribute or property.")
            name = f"{row.field}.{row.key}"
        op, value = row.op or "=", row.value
        item: dict[str, Any]
        if op == "exists":
            item = {"field": name, "op": "exists", "value": True}
        elif op == "not exists":
            item = {"field": name, "op": "exists", "value": False}
        elif op in ("in", "not in"):
            item = {"field": name, "op": op, "value": [v.strip() for v in value.split(",") if v.strip()]}
        else:
            item = {"field": name, "op": op, "value": value}
        filters.append(item)
        row_of.append(index)
    return filters, row_of


def _whole(state: TriggerForm, name: str, text: str, *, minimum: int | None = None,
           required: str | None = None) -> int | None:
    if not text:
        if required:
            state.error(name, required)
        return None
    try:
        number = int(text)
    except ValueError:
        state.error(name, "A whole number, please.")
        return None
    if minimum is not None and number < minimum:
        state.error(name, f"At least {minimum}.")
        return None
    if abs(number) > 36_500:
        state.error(name, "That is more than 100 years.")
        return None
    return number


def _sample(state: TriggerForm, text: str) -> float:
    if not text:
        return 1.0
    try:
        percent = float(text.rstrip("%"))
    except ValueError:
        state.error("sample_percent", "A percentage such as 20.")
        return 1.0
    if not 0 < percent <= 100:
        state.error("sample_percent", FORM_WORDING["sample_percent"])
        return 1.0
    return round(percent / 100, 6)


# --- definition errors → inputs ----------------------------------------------------------------

def place_errors(state: TriggerForm, messages: Mapping[str, Any], index: int, flatten) -> None:
    """Put ``load_definition``'s messages about trigger ``index`` beside their inputs; the rest in problems."""
    for top, value in messages.items():
        own = value.get(index, value.get(str(index))) if top == "triggers" and isinstance(value, Mapping) else None
        if own is not None:
            if isinstance(own, Mapping):
                _place_trigger(state, own, flatten)
                continue
        state.problems.extend(flatten(value, "" if str(top).startswith("_") else str(top)))


def _place_trigger(state: TriggerForm, errors: Mapping[str, Any], flatten) -> None:
    row_of: list[int] = state.values.get("_rows") or []  # type: ignore[assignment]
    for name, value in errors.items():
        if name == "filters" and isinstance(value, Mapping):
            for position, row_errors in value.items():
                position = int(position)
                row = row_of[position] if position < len(row_of) else None
                if row is None or not isinstance(row_errors, Mapping):
                    state.problems.extend(flatten(row_errors, f"Filter {position + 1}"))
                    continue
                for part, part_messages in row_errors.items():
                    state.errors.setdefault(f"filter-{row}-{part}", []).extend(flatten(part_messages))
            continue
        target = INPUT_FOR.get(str(name))
        if target is None:
            state.problems.extend(flatten(value, str(name)))
            continue
        lines = flatten(value)
        if target in FORM_WORDING:
            lines = [FORM_WORDING[target]]
        state.errors.setdefault(target, []).extend(lines)


def channel_choices() -> list[tuple[str, str]]:
    return [(c, CHANNEL_LABELS[c]) for c in CHANNELS]
