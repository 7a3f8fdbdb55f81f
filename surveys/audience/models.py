"""Accounts (the customer companies) and contacts (the people we ask)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.db import Base, TimestampMixin, UTCDateTime

EXTERNAL_ID_MAX = 255
NAME_MAX = 255
EMAIL_MAX = 320
LABEL_MAX = 64  # plan, segment, timezone
LOCALE_MAX = 35  # BCP 47 tags are at most 35 characters in practice


class Account(TimestampMixin, Base):
    """A customer company, keyed by the id the CRM gives it."""

    __tablename__ = "account"
    __table_args__ = (CheckConstraint("arr >= 0", name="arr_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    plan: Mapped[str | None] = mapped_column(String(LABEL_MAX), index=True)
    segment: Mapped[str | None] = mapped_column(String(LABEL_MAX), index=True)
    arr: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), index=True)
    csm_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX), index=True)
    renewal_date: Mapped[date | None] = mapped_column(Date, index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<Account {self.external_id!r}>"


class Contact(TimestampMixin, Base):
    """A person at an account (or on their own) who may be surveyed.

    An erased contact keeps its row, so the account's aggregates stay true, but
    every personal field is gone and ``erased_at`` is set.
    """

    __tablename__ = "contact"
    __table_args__ = (Index("ix_contact_email", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX), unique=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    timezone: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    locale: Mapped[str | None] = mapped_column(String(LOCALE_MAX))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A hard bounce or complaint stops email to this person; other channels still reach them.
    email_suppressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    email_suppressed_reason: Mapped[str | None] = mapped_column(String(500))

    account: Mapped[Account | None] = relationship(lazy="joined", innerjoin=False)

    def __repr__(self) -> str:
        return f"<Contact {self.external_id!r}>"


class ErasureRecord(Base):
    """Proof that a person was erased: when, and on whose request. Holds no personal data."""

    __tablename__ = "erasure_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str] = mapped_column(String(EMAIL_MAX))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())
