"""How a survey looks and who may answer it in the in-product widget: the definition's ``widget`` section.

``{"placement": "bottom-right" | "bottom-left" | "center", "brand_color": "#rrggbb",
"anonymous": bool}``; every key is optional and a definition stored before the section
existed reads as the defaults (:func:`widget_of`). Versioned with the questions: the widget
shows a survey with the settings of the version it asks.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

PLACEMENTS = ("bottom-right", "bottom-left", "center")
PLACEMENT_NAMES = {"bottom-right": "bottom right corner", "bottom-left": "bottom left corner",
                   "center": "centre of the page"}
DEFAULT_BRAND_COLOR = "#4f46e5"
DEFAULT_WIDGET: dict[str, Any] = {"placement": "bottom-right", "brand_color": DEFAULT_BRAND_COLOR, "anonymous": False}
_HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class BrandColor(fields.String):
    """``#rrggbb``, stored in lower case (so ``#4F46E5`` and ``#4f46e5`` are the same setting)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not _HEX_COLOR.match(text):
            raise ValidationError("A colour as #rrggbb, e.g. #4f46e5.")
        return text.lower()


class WidgetSchema(Schema):
    """The ``widget`` section of a definition; keys left out take their defaults."""

    class Meta:
        unknown = RAISE

    placement = fields.String(validate=validate.OneOf(PLACEMENTS, error="One of: " + ", ".join(PLACEMENTS) + "."),
                              metadata={"description": "Where the widget opens: " + ", ".join(PLACEMENTS)
                                                       + " (default bottom-right)."})
    brand_color = BrandColor(metadata={"description": f"The colour of its buttons, #rrggbb (default "
                                                      f"{DEFAULT_BRAND_COLOR}).", "pattern": _HEX_COLOR.pattern,
                                       "example": DEFAULT_BRAND_COLOR})
    anonymous = fields.Boolean(metadata={
        "description": "true: visitors who never called identify() may answer it (shown with show()); "
                       "default false: identified contacts only."})


def widget_of(definition: Mapping[str, Any] | None) -> dict[str, Any]:
    """The widget settings of a stored definition, the defaults filling whatever is missing."""
    return {**DEFAULT_WIDGET, **((definition or {}).get("widget") or {})}


def shown_color(value: Any) -> str:
    """``value`` if it is a ``#rrggbb`` colour (lower case), else the default: for a colour picker."""
    return value.lower() if isinstance(value, str) and _HEX_COLOR.match(value) else DEFAULT_BRAND_COLOR


def field_words(name: str, widget: Mapping[str, Any]) -> str:
    """One setting in words: ``"bottom right corner"``, ``"#4f46e5"``, ``"identified contacts only"``."""
    value = widget.get(name, DEFAULT_WIDGET.get(name))
    if name == "placement":
        return PLACEMENT_NAMES.get(value, str(value))
    if name == "anonymous":
        return "anyone, even without identify()" if value else "identified contacts only"
    return str(value)


WIDGET_FIELD_NAMES = {"placement": "placement", "brand_color": "brand colour", "anonymous": "who may answer"}


def describe_widget(widget: Mapping[str, Any] | None) -> str:
    """The whole section in one line, for the designer."""
    settings = {**DEFAULT_WIDGET, **(widget or {})}
    who = "anyone may answer, even without identify()" if settings["anonymous"] else "identified contacts answer"
    return f"Opens in the {field_words('placement', settings)}, brand colour {settings['brand_color']}; {who}"
