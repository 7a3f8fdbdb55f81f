"""Audience and property filters: does this contact (its account, the event) match a trigger?

Evaluation never raises on the data it reads: a value of the wrong type (``"ten"``
compared with ``>= 10``) fails the filter with a detail saying so. Text compares
case-insensitively; numbers compare as numbers wherever both sides are numeric
(``"10"`` from an event equals ``10``); dates compare by day when either side is a
plain date. A field that is not set fails every test except ``!=``, ``not in`` and
``exists: false``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from surveys.journeys.conditions import ORDER_OPS, parse_date_value, plain_number
from surveys.journeys.triggers import Filter

_SHORT_NAMES = {"account.plan": "plan", "account.segment": "segment", "account.arr": "ARR",
                "account.csm_email": "CSM", "account.renewal_date": "renewal date"}
_MISSING = object()


@dataclass
class FilterVerdict:
    filter: Filter
    passed: bool
    detail: str


def evaluate_filters(filters, *, contact, account, properties=None) -> list[FilterVerdict]:
    """One verdict per filter, in order (every filter must pass for the trigger to match)."""
    return [_evaluate(f, _lookup(f.field, contact, account, properties)) for f in filters]


def describe_filter(f: Filter) -> str:
    """``"plan in pro, enterprise"``, ``"properties.seats >= 10"``, ``"CSM is set"``."""
    name = _SHORT_NAMES.get(f.field, f.field)
    if f.op == "exists":
        return f"{name} is {'set' if f.value in (True, None) else 'not set'}"
    return f"{name} {f.op} {_show_value(f.value)}"


def _show_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_show_value(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _lookup(field: str, contact: Any, account: Any, properties: Any) -> Any:
    namespace, _, rest = field.partition(".")
    if namespace == "properties":
        source = properties if isinstance(properties, dict) else {}
        return source.get(rest, _MISSING)
    owner = account if namespace == "account" else contact
    if owner is None:
        return _MISSING
    if rest.startswith("attributes."):
        attributes = getattr(owner, "attributes", None)
        return attributes.get(rest.removeprefix("attributes."), _MISSING) if isinstance(attributes, dict) else _MISSING
    return getattr(owner, rest, _MISSING)


def _is_set(value: Any) -> bool:
    return value is not _MISSING and value is not None and value != "" and value != []


def _shown(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        value = plain_number(value)
    text = repr(value) if isinstance(value, str) else _show_value(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _evaluate(f: Filter, actual: Any) -> FilterVerdict:
    rule = describe_filter(f)
    if f.op == "exists":
        passed = _is_set(actual) == (f.value in (True, None))
        return FilterVerdict(f, passed, f"{rule}: {'yes' if passed else 'no'} "
                                        f"({f.field} is {_shown(actual) if _is_set(actual) else 'not set'})")
    if not _is_set(actual):
        passed = f.op in ("!=", "not in")
        return FilterVerdict(f, passed, f"{rule}: {'yes' if passed else 'no'} ({f.field} is not set)")
    try:
        passed = _test(f.op, actual, f.value)
    except _WrongType as wrong:
        return FilterVerdict(f, False, f"{f.field} is {_shown(actual)}, not {wrong.wanted}")
    return FilterVerdict(f, passed, f"{rule}: {'yes' if passed else 'no'} ({f.field} is {_shown(actual)})")


class _WrongType(Exception):
    def __init__(self, wanted: str) -> None:
        super().__init__(wanted)
        self.wanted = wanted


def _test(op: str, actual: Any, expected: Any) -> bool:
    if op == "=":
        return _equal(actual, expected)
    if op == "!=":
        return not _equal(actual, expected)
    if op == "in":
        return any(_equal(actual, item) for item in expected)
    if op == "not in":
        return not any(_equal(actual, item) for item in expected)
    if op == "contains":
        if isinstance(actual, str):
            return str(expected).casefold() in actual.casefold()
        if isinstance(actual, (list, tuple)):
            return any(_equal(item, expected) for item in actual)
        raise _WrongType("a text or a list")
    if op in ORDER_OPS:
        left, right = _comparable(actual, expected)
        return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]
    raise ValueError(f"unknown op {op!r}")


def _comparable(actual: Any, expected: Any) -> tuple[Any, Any]:
    """Both sides as numbers or as dates/datetimes of the same kind; :class:`_WrongType` otherwise."""
    number = plain_number(expected)
    if number is not None:
        value = plain_number(actual)
        if value is None:
            raise _WrongType("a number")
        return value, number
    moment = parse_date_value(expected)
    value = parse_date_value(actual)
    if moment is None or value is None:
        raise _WrongType("a date")
    return _same_kind(value, moment)


def _same_kind(left: date | datetime, right: date | datetime) -> tuple[Any, Any]:
    # A plain date on either side compares by (UTC) day.
    if isinstance(left, datetime) and isinstance(right, datetime):
        return left, right
    return _as_day(left), _as_day(right)


def _as_day(moment: date | datetime) -> date:
    return moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return str(actual).casefold() == str(expected).casefold()
    if not isinstance(actual, str) or not isinstance(expected, str):
        left, right = plain_number(actual), plain_number(expected)
        if left is not None and right is not None:
            return left == right
    if isinstance(actual, (date, datetime)):
        moment = parse_date_value(expected)
        if moment is None:
            return False
        left, right = _same_kind(actual, moment)
        return left == right
    return str(actual).strip().casefold() == str(expected).strip().casefold()
