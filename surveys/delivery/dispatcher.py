"""The dispatcher's side of the database: claim due invitations, move unshown in-app ones on.

The database is the truth and Redis only the engine: a due invitation is a row,
and a claim is a lease (``claimed_until``) written in the same transaction that
reads it. A claimed row whose send job was lost (Redis flushed, worker killed)
is claimed again once the lease runs out, so nothing due is ever lost; a send
job that does run twice is harmless (see :mod:`surveys.delivery.sending`).

Several dispatchers may run at once: on PostgreSQL the claim reads with
``FOR UPDATE SKIP LOCKED`` (each takes rows the others have not locked); on
SQLite the caller opens the transaction with :func:`surveys.db.begin_write`,
which serialises writers. Either way no row is claimed twice within a lease.

In-app invitations are not dispatched: the widget shows them. Once one is not
shown by its ``fallback_at``, :func:`move_fallbacks` hands it to the next
channel of its ``channels`` (email), due at once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from surveys.delivery.models import DeliveryChannel, Invitation, InvitationState

DEFAULT_LEASE = timedelta(minutes=10)
DISPATCHED_CHANNELS = (DeliveryChannel.EMAIL, DeliveryChannel.LINK)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def claim_due(session: Session, *, now: datetime, limit: int = 500,
              lease: timedelta = DEFAULT_LEASE) -> list[int]:
    """Claim up to ``limit`` due email/link invitations for ``lease``; their ids, oldest due first.

    Due: scheduled, ``scheduled_for <= now``, no retry pending after ``now``
    (``next_attempt_at``), and not claimed by a lease still running. Flushes; the
    caller commits, then enqueues one send per id.
    """
    stmt = (select(Invitation.id)
            .where(Invitation.state == InvitationState.SCHEDULED,
                   Invitation.channel.in_(DISPATCHED_CHANNELS),
                   Invitation.scheduled_for <= now,
                   or_(Invitation.next_attempt_at.is_(None), Invitation.next_attempt_at <= now),
                   or_(Invitation.claimed_until.is_(None), Invitation.claimed_until < now))
            .order_by(Invitation.scheduled_for, Invitation.id)
            .limit(limit))
    if _is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    ids = list(session.scalars(stmt))
    if ids:
        session.execute(update(Invitation).where(Invitation.id.in_(ids))
                        .values(claimed_until=now + lease).execution_options(synchronize_session=False))
    return ids


def _next_channel(invitation: Invitation) -> DeliveryChannel | None:
    channels = [c for c in (invitation.channels or []) if c in DeliveryChannel._value2member_map_]
    current = invitation.channel.value
    later = channels[channels.index(current) + 1:] if current in channels else []
    return DeliveryChannel(later[0]) if later else None


def move_fallbacks(session: Session, *, now: datetime, limit: int = 1000) -> tuple[int, int]:
    """Hand in-app invitations not shown by their ``fallback_at`` to their next channel.

    "Not shown": still scheduled, or handed to the widget (sent) but never opened.
    The next channel of ``channels`` takes over, due ``now``; one with no channel
    left is cancelled with the reason. Returns (moved, cancelled). Flushes.
    """
    stmt = (select(Invitation)
            .where(Invitation.channel == DeliveryChannel.IN_APP,
                   Invitation.state.in_((InvitationState.SCHEDULED, InvitationState.SENT)),
                   Invitation.opened_at.is_(None),
                   Invitation.fallback_at.is_not(None), Invitation.fallback_at <= now)
            .order_by(Invitation.fallback_at, Invitation.id).limit(limit))
    if _is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True)
    moved = cancelled = 0
    for invitation in session.scalars(stmt):
        following = _next_channel(invitation)
        if following is None:
            invitation.state = InvitationState.CANCELLED
            invitation.reason = "not shown in the app in time, and no other channel to try"
            invitation.closed_at = now
            cancelled += 1
        else:
            invitation.details = {**(invitation.details or {}), "fallback_from": invitation.channel.value,
                                  "fallback_at": invitation.fallback_at.isoformat()}
            invitation.channel = following
            invitation.state = InvitationState.SCHEDULED
            invitation.sent_at = None  # handed to a widget that never showed it: nobody was asked
            invitation.scheduled_for = now
            invitation.claimed_until = None
            moved += 1
        invitation.fallback_at = None
    session.flush()
    return moved, cancelled
