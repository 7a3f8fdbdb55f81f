"""Invitations: one contact, one survey version, one trigger firing, one channel at a time."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from surveys.db import Base, TimestampMixin, UTCDateTime

REASON_MAX = 500
FIRING_KEY_MAX = 255


class DeliveryChannel(enum.StrEnum):
    IN_APP = "in_app"  # shown by the widget on the contact's next page view
    EMAIL = "email"    # a mail whose first question is answerable in the mail
    LINK = "link"      # a personal link the customer hands out their own way


class InvitationState(enum.StrEnum):
    SCHEDULED = "scheduled"  # waiting for scheduled_for (and the send window), then dispatched
    SENT = "sent"            # mailed, or handed to the widget / the link's holder
    OPENED = "opened"        # the mail or the link was opened, or the widget showed it
    ANSWERED = "answered"    # a response came back (through any channel)
    SKIPPED = "skipped"      # a rule said no at send time (throttled, unsubscribed ...): see reason
    CANCELLED = "cancelled"  # answered elsewhere, or no longer eligible, before it went out
    FAILED = "failed"        # the channel refused it for good (SMTP 5xx, retries exhausted)


OPEN_STATES = frozenset({InvitationState.SCHEDULED, InvitationState.SENT, InvitationState.OPENED})
FINAL_STATES = frozenset(InvitationState) - OPEN_STATES


class Invitation(TimestampMixin, Base):
    """One request to one contact to answer one survey version, born of one trigger firing.

    ``firing_key`` names the firing (the event id, the date occurrence, the recurring
    period), so the unique constraint makes a replayed event or a re-run scan one
    invitation. ``channels`` is the trigger's preference order and ``channel`` the one
    in use; ``fallback_at`` is when an unshown in-app invitation moves to the next.

    Sending is at-most-once per attempt: ``send_started_at`` is written and committed
    before a mail leaves (compare-and-set on ``attempts``), so a retried job or a second
    dispatcher sees the attempt and never mails twice. ``claimed_until`` is the
    dispatcher's lease: a claimed row whose job was lost (Redis flushed, worker killed)
    is claimed again once the lease runs out.
    """

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("contact_id", "survey_version_id", "trigger_key", "firing_key",
                         name="uq_invitation_firing"),
        Index("ix_invitation_due", "state", "scheduled_for"),
        Index("ix_invitation_contact_sent", "contact_id", "sent_at"),
        Index("ix_invitation_account_sent", "account_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id", ondelete="CASCADE"))
    trigger_key: Mapped[str] = mapped_column(String(64))
    firing_key: Mapped[str] = mapped_column(String(FIRING_KEY_MAX))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    channel: Mapped[DeliveryChannel] = mapped_column(
        Enum(DeliveryChannel, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]))
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[InvitationState] = mapped_column(
        Enum(InvitationState, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=InvitationState.SCHEDULED)
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime())
    fallback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_id: Mapped[str | None] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<Invitation {self.id} contact={self.contact_id} survey={self.survey_id} {self.state.value}>"


class EmailBounce(Base):
    """A bounce or complaint reported back through the API; a hard one suppresses email to the contact."""

    __tablename__ = "email_bounce"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # hard | soft | complaint
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    message_id: Mapped[str | None] = mapped_column(String(255))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
