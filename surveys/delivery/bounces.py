"""Bounces and complaints reported back by the mail provider: stored, and they stop email.

A bounce names its mail by ``message_id`` (our ``<invitation-N@domain>``) and/or
its address by ``email``. Each is stored as an :class:`EmailBounce`. Then:

- a **hard** bounce or a **complaint**, or a third **soft** bounce of the address
  within 30 days, suppresses email to every contact with that address
  (``Contact.email_suppressed_at`` / ``_reason``): the other channels still reach
  them, so it is not an unsubscribe;
- the invitation a hard or soft bounce names is FAILED with the reason (its mail
  never arrived, so the throttles stop counting it). A complaint's mail did
  arrive: its invitation keeps its state.

An address or message id we do not know is stored all the same (``unmatched``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveys.audience.models import EMAIL_MAX, Contact
from surveys.delivery.models import REASON_MAX, EmailBounce, Invitation, InvitationState
from surveys.delivery.sending import mark_failed

KINDS = ("hard", "soft", "complaint")
SOFT_LIMIT = 3
SOFT_PERIOD = timedelta(days=30)
MESSAGE_ID_MAX = 255
MAX_BATCH_BOUNCES = 1000


class BounceRowSchema(Schema):
    """One reported bounce: ``email`` and/or ``message_id``, its ``kind``, a ``reason``."""

    class Meta:
        unknown = RAISE

    email = fields.Email(validate=validate.Length(max=EMAIL_MAX), metadata={
        "description": "The address that bounced (case does not matter)."})
    message_id = fields.String(validate=validate.Length(min=1, max=MESSAGE_ID_MAX), metadata={
        "description": "The Message-ID of the mail that bounced, with or without <>: e.g. "
                       "<invitation-42@feedback.example.com>."})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "hard (the address does not exist), soft (temporary: full mailbox...) or complaint "
                       "(marked as spam)."})
    reason = fields.String(allow_none=True, validate=validate.Length(max=REASON_MAX), metadata={
        "description": "The provider's words, e.g. '550 5.1.1 user unknown'."})

    @validates_schema
    def names_something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("email") and not data.get("message_id"):
            raise ValidationError("Give the bounced email, its message_id, or both.", "email")

    @post_load
    def normalise(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("email"):
            data["email"] = data["email"].strip().lower()
        if data.get("message_id"):
            data["message_id"] = normalise_message_id(data["message_id"])
        data["reason"] = " ".join((data.get("reason") or "").split()) or None
        return data


def normalise_message_id(value: str) -> str:
    value = value.strip().strip("<>").strip()
    return f"<{value}>"


@dataclass
class BounceResult:
    received: int = 0
    suppressed: int = 0           # contacts whose email this batch suppressed
    invitations_failed: int = 0
    unmatched: int = 0            # bounces that named no contact we know


def _contacts_with(session: Session, email: str | None) -> list[Contact]:
    if not email:
        return []
    return list(session.scalars(select(Contact).where(func.lower(Contact.email) == email)))


def _soft_count(session: Session, email: str, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(EmailBounce).where(
        EmailBounce.email == email, EmailBounce.kind == "soft", EmailBounce.reported_at > now - SOFT_PERIOD)) or 0


def _suppression_reason(kind: str, reason: str | None, soft_count: int) -> str | None:
    said = f": {reason}" if reason else ""
    if kind == "hard":
        return f"hard bounce{said}"
    if kind == "complaint":
        return f"spam complaint{said}"
    if soft_count >= SOFT_LIMIT:
        return f"{soft_count} soft bounces within {SOFT_PERIOD.days} days{said}"
    return None


def record_bounce(session: Session, row: Mapping[str, Any], *, now: datetime, result: BounceResult) -> None:
    """Store one loaded row and apply it (see the module docstring). Flushes."""
    invitation = (session.scalar(select(Invitation).where(Invitation.message_id == row["message_id"]))
                  if row.get("message_id") else None)
    owner = session.get(Contact, invitation.contact_id) if invitation is not None else None
    email = row.get("email") or ((owner.email or "").lower() if owner is not None else "")
    contacts = {c.id: c for c in _contacts_with(session, email)}
    if owner is not None:
        contacts.setdefault(owner.id, owner)
    session.add(EmailBounce(contact_id=owner.id if owner is not None else next(iter(contacts), None),
                            email=email, kind=row["kind"], reason=row.get("reason"),
                            message_id=row.get("message_id"), reported_at=now))
    session.flush()
    result.received += 1
    if not contacts and invitation is None:
        result.unmatched += 1
    soft = _soft_count(session, email, now) if row["kind"] == "soft" and email else 0
    suppression = _suppression_reason(row["kind"], row.get("reason"), soft)
    if suppression is not None:
        for contact in contacts.values():
            if contact.email_suppressed_at is None:
                contact.email_suppressed_at = now
                contact.email_suppressed_reason = suppression[:REASON_MAX]
                result.suppressed += 1
    if (invitation is not None and row["kind"] != "complaint"
            and invitation.state in (InvitationState.SCHEDULED, InvitationState.SENT)):
        said = f": {row['reason']}" if row.get("reason") else ""
        mark_failed(session, invitation, f"{row['kind']} bounce{said}", now=now)
        result.invitations_failed += 1
    session.flush()


def record_bounces(session: Session, rows: Iterable[Mapping[str, Any]], *, now: datetime) -> BounceResult:
    """Store and apply every loaded row, in order. Flushes; the caller commits."""
    result = BounceResult()
    for row in rows:
        record_bounce(session, row, now=now, result=result)
    return result
