"""Journey events (what happened to a contact) and the workspace's asking rules."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import Base, UTCDateTime, utcnow

EVENT_NAME_MAX = 128
IDEMPOTENCY_KEY_MAX = 255
TIMEZONE_MAX = 64
WIDGET_SECRET_MAX = 64

DEFAULT_RECONTACT_DAYS = 30
DEFAULT_ACCOUNT_LIMIT = 3
DEFAULT_ACCOUNT_PERIOD_DAYS = 30


class Event(Base):
    """One thing that happened to a contact (``onboarding_completed``, ``ticket_closed`` ...).

    ``account_id`` is the contact's account when the event arrived, so the account's
    journey history stays true if the contact moves. ``matched_at`` is set once the
    event has been matched against the live surveys' triggers (by a job, after commit).
    """

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_contact_name_occurred", "contact_id", "name", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(EVENT_NAME_MAX), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(IDEMPOTENCY_KEY_MAX), unique=True)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.name!r} contact={self.contact_id}>"


class WorkspaceSettings(Base):
    """The installation's asking rules: one row (id 1), created with defaults on first use.

    ``send_window`` is ``None`` (send at any hour) or ``{"days": ["tue", ...], "start":
    "09:00", "end": "17:00"}`` in the contact's timezone; ``timezone`` is the fallback for
    contacts without a valid one, and the zone reports use.
    """

    __tablename__ = "workspace_settings"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    timezone: Mapped[str] = mapped_column(String(TIMEZONE_MAX), default="UTC")
    recontact_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RECONTACT_DAYS)
    account_limit: Mapped[int] = mapped_column(Integer, default=DEFAULT_ACCOUNT_LIMIT)
    account_period_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_ACCOUNT_PERIOD_DAYS)
    send_window: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The in-product widget: identify() is trusted unless verification is on; then its
    # user_hash must be HMAC-SHA256(external id, widget_secret).
    widget_verify_identity: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    widget_secret: Mapped[str | None] = mapped_column(String(WIDGET_SECRET_MAX))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
