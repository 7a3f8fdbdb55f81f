"""The demo's journeys: the triggers its live surveys carry, and two months of product events.

The events go in through the same service the events API uses, so the first
worker to run matches them against the triggers: the newest milestones become
invitations (mailed into the local outbox by the dispatcher), and the older ones
show up on each contact page with the rule that held them back (throttled by an
earlier survey, sampled out, not the first time ...).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audience.models import Contact
from surveys.journeys.events import record_events
from surveys.journeys.settings import workspace_settings

# Set on the surveys before their first version is published (see feedback.demo.surveys).
TRIGGERS: dict[str, dict[str, Any]] = {
    "quarterly": {"triggers": [{"type": "recurring", "every": "P90D", "warmup": "P30D",
                                "channels": ["email"], "sample": 0.5}],
                  "send_window": {"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:00"}},
    "onboarding": {"triggers": [{"type": "event", "event": "onboarding_completed", "delay": "P3D",
                                 "repeat": "once", "channels": ["in_app", "email"], "fallback_after": "P5D",
                                 "filters": [{"field": "plan", "op": "in", "value": ["pro", "enterprise"]}]}]},
    "support": {"triggers": [{"type": "event", "event": "ticket_closed", "delay": "PT2H", "repeat": "every",
                              "channels": ["email"],
                              "filters": [{"field": "properties.priority", "op": "in",
                                           "value": ["high", "urgent"]}]}],
                "throttle": {"recontact_days": 7, "transactional": True}},
}

PRIORITIES = ("low", "normal", "high", "urgent")
FEATURES = ("dashboards", "exports", "sso", "api", "alerts")


def seed_journeys(session: Session, now: datetime) -> int:
    """Workspace rules and about two months of events for the demo contacts; returns the event count."""
    settings = workspace_settings(session)
    settings.timezone = "Europe/London"
    contacts = list(session.scalars(select(Contact).order_by(Contact.external_id)))
    rows: list[dict[str, Any]] = []
    for index, contact in enumerate(contacts):
        started = now - timedelta(days=58 - (index * 5) % 55, hours=index % 9)
        rows.append(_event(contact, "signed_up", started, {"source": ("trial", "sales", "referral")[index % 3]}))
        if index % 4 != 3:
            rows.append(_event(contact, "onboarding_completed", started + timedelta(days=4 + index % 6),
                               {"seats": 5 + index * 3 % 40}))
        for n in range(index % 4):
            rows.append(_event(contact, "ticket_closed", started + timedelta(days=8 + n * 11 + index % 5),
                               {"priority": PRIORITIES[(index + n) % 4], "ticket": f"T-{1000 + index * 10 + n}"}))
        for n in range(2 + index % 3):
            rows.append(_event(contact, "feature_used", started + timedelta(days=6 + n * 9),
                               {"feature": FEATURES[(index + n) % len(FEATURES)]}))
    rows = [row for row in rows if row["occurred_at"] <= now.isoformat()]
    total = 0
    for start in range(0, len(rows), 1000):
        total += record_events(session, rows[start:start + 1000], now=now).created
    return total


def _event(contact: Contact, name: str, when: datetime, properties: dict[str, Any]) -> dict[str, Any]:
    return {"contact_external_id": contact.external_id, "name": name, "occurred_at": when.isoformat(),
            "properties": properties, "idempotency_key": f"demo:{contact.external_id}:{name}:{when:%Y%m%d%H}"}
