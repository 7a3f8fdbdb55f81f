"""Placeholders in survey texts: ``{contact.name}``, ``{account.name}``, ``{product}``.

A placeholder may carry its own fallback after a bar, used when the value is
missing: ``"Hi {contact.first_name|there}"``. Rendering returns plain text;
the page or email that shows it escapes it like any other text, so a name such
as ``<script>`` is shown, never run.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from marshmallow import ValidationError

PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)?)(?:\|([^{}]{0,60}))?\}")
FALLBACKS: dict[str, str] = {
    "contact.name": "there",
    "contact.first_name": "there",
    "account.name": "your team",
    "product": "our product",
}
VALUE_MAX = 120


def check_placeholders(text: str) -> None:
    """Raise ``ValidationError`` for a placeholder we cannot fill."""
    for match in PLACEHOLDER.finditer(text):
        if match.group(1) not in FALLBACKS:
            known = ", ".join("{" + name + "}" for name in FALLBACKS)
            raise ValidationError(f"Unknown placeholder {{{match.group(1)}}}; use one of {known}.")


def render(text: str, values: Mapping[str, str | None]) -> str:
    """``text`` with each placeholder replaced by its value, its own fallback, or ours."""
    def substitute(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(2)
        if name not in FALLBACKS:
            return match.group(0)
        value = (values.get(name) or "").strip()
        if value:
            return value[:VALUE_MAX]
        return fallback.strip() if fallback is not None else FALLBACKS[name]
    return PLACEHOLDER.sub(substitute, text)


def values_for(product: str | None, contact_name: str | None = None,
               account_name: str | None = None) -> dict[str, str | None]:
    """The placeholder values for one respondent (any of them may be unknown)."""
    first = contact_name.split()[0] if contact_name and contact_name.split() else None
    return {"product": product, "contact.name": contact_name, "contact.first_name": first,
            "account.name": account_name}
