"""Erasing a person's free text from their answers (the responses package's eraser).

:func:`surveys.audience.erasure.erase_contact` calls every registered eraser
with ``(session, contact)`` before it clears the contact, in the same
transaction. What a person *wrote* (open answers, "other" texts) may name
them or others, so it goes; scores and chosen options stay, so NPS, CSAT and
choice counts stay true. The response rows keep their account snapshot: it
describes the customer company, not the person.
"""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from feedback.responses.models import Answer, Response
from surveys.audience.models import Contact

ERASERS = "erasers"  # the app.extensions key erase_contact's callers read


def erase_answers(session: Session, contact: Contact) -> int:
    """Set ``text`` and ``other_text`` to NULL on every answer of ``contact``; return how many rows had any."""
    of_contact = select(Response.id).where(Response.contact_id == contact.id).scalar_subquery()
    result = session.execute(
        update(Answer)
        .where(Answer.response_id.in_(of_contact), (Answer.text.is_not(None)) | (Answer.other_text.is_not(None)))
        .values(text=None, other_text=None)
        .execution_options(synchronize_session="fetch"))
    session.flush()
    return result.rowcount


def init_app(app: Flask) -> None:
    """Register :func:`erase_answers` with the app's erasers (once)."""
    erasers = app.extensions.setdefault(ERASERS, [])
    if erase_answers not in erasers:
        erasers.append(erase_answers)
