"""Template filters and the context every page gets (who is logged in, what they may open)."""
from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup, escape

from feedback.auth.roles import Permission, Role

ROLE_BADGES = {Role.ADMIN: "text-bg-danger", Role.MANAGER: "text-bg-primary", Role.CSM: "text-bg-success",
               Role.VIEWER: "text-bg-secondary"}
_URL = re.compile(r"https?://[^\s<>\"']+")


def money(value: Decimal | int | float | None) -> str:
    """``48000`` -> ``$48,000``; cents only when there are some; None -> an em dash."""
    if value is None:
        return "—"
    symbol = current_app.config.get("CURRENCY_SYMBOL", "$")
    amount = Decimal(value)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{symbol}{text}"


def days_from_today(value: date | None, today: date | None = None) -> int | None:
    if value is None:
        return None
    return (value - (today or datetime.now(UTC).date())).days


def relative_days(value: date | None) -> str:
    """A human hint for a date: ``in 12 days``, ``tomorrow``, ``today``, ``3 days ago``."""
    days = days_from_today(value)
    if days is None:
        return ""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def short_date(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else "—"


def timestamp(value: datetime | None) -> Markup | str:
    """A UTC time in a ``<time>`` element a person can read and a machine can parse."""
    if value is None:
        return "—"
    value = value.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), value.strftime("%d %b %Y, %H:%M UTC"))


def attribute_value(value: Any) -> str:
    """Scalars as they are, lists and objects as compact JSON."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if value is None:
        return "null"
    return str(value)


def linkify(text: str) -> Markup:
    """Escape ``text`` and turn its http(s) URLs into links (for plain-text emails in the outbox)."""
    parts, last = [], 0
    for match in _URL.finditer(text):
        parts.append(escape(text[last:match.start()]))
        url = escape(match.group(0))
        parts.append(Markup('<a href="{0}">{0}</a>').format(url))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)


def role_badge_class(role: Role | str) -> str:
    return ROLE_BADGES.get(Role(role), "text-bg-secondary")


def _navigation() -> dict[str, Any]:
    user = current_user if current_user.is_authenticated else None

    def may(permission: Permission) -> bool:
        return user is not None and user.may(permission)

    return {
        "may": may,
        "Permission": Permission,
        "outbox_enabled": not current_app.config.get("SMTP_URL"),
    }


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")  # the form macros build attribute dicts
    for function in (money, relative_days, short_date, timestamp, attribute_value, linkify):
        app.add_template_filter(function)
    app.add_template_global(days_from_today)
    app.add_template_global(role_badge_class)  # globals reach imported macros; context does not
    app.context_processor(_navigation)
