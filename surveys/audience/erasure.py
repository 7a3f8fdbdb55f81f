"""Erasure of a person on request (GDPR art. 17 and its cousins).

The contact row stays so the account's aggregates (response counts, NPS) stay
true, but every personal field is cleared and its ``external_id`` is replaced
by an opaque tombstone. Packages that hold more personal data about a contact
(answers' free text, events, mail logs) register an *eraser*: a callable run in
the same transaction, so either everything is erased or nothing is.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from secrets import token_hex

from sqlalchemy.orm import Session

from surveys.audience.models import Contact, ErasureRecord
from surveys.db import utcnow

Eraser = Callable[[Session, Contact], None]
TOMBSTONE_PREFIX = "erased-"


def erase_contact(session: Session, contact: Contact, erasers: Sequence[Eraser] = (),
                  requested_by: str = "system") -> Contact:
    """Remove ``contact``'s personal data everywhere it is held; flush, the caller commits.

    ``requested_by`` (a teammate's email, an API key's prefix) goes into an
    :class:`ErasureRecord`, the proof that the request was carried out.
    Erasing an already erased contact is a no-op.
    """
    if contact.erased_at is not None:
        return contact
    for eraser in erasers:
        eraser(session, contact)
    contact.external_id = f"{TOMBSTONE_PREFIX}{token_hex(12)}"
    contact.email = None
    contact.name = None
    contact.attributes = {}
    contact.locale = None
    contact.timezone = None
    contact.erased_at = utcnow()
    contact.unsubscribed_at = contact.unsubscribed_at or contact.erased_at
    session.add(ErasureRecord(contact_id=contact.id, requested_by=requested_by[:320], erased_at=contact.erased_at))
    session.flush()
    return contact
