"""After-commit listeners for saved responses: where follow-up work (sentiment, loop rules) starts.

A service marks each response it writes with :func:`mark_saved`; when the
session commits, every listener registered with :func:`on_responses_saved`
is called once with the ids. A rollback forgets them, so no job ever sees a
response that was not stored. Listeners enqueue jobs; they must not write.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

Listener = Callable[[Sequence[int]], None]
_KEY = "feedback.saved_responses"
_EXTENSION = "response_listeners"
log = logging.getLogger(__name__)


def mark_saved(session: Session, response_id: int) -> None:
    session.info.setdefault(_KEY, set()).add(response_id)


def on_responses_saved(app: Flask, listener: Listener) -> None:
    """Call ``listener(response_ids)`` after each commit that saved responses."""
    app.extensions.setdefault(_EXTENSION, []).append(listener)


def _after_commit(session: Session) -> None:
    # SQLAlchemy fires after_commit for a released SAVEPOINT too (a caller may answer
    # inside begin_nested()); only the real commit may announce the ids.
    if session.in_nested_transaction():
        return
    ids = session.info.pop(_KEY, None)
    if not ids or not has_app_context():
        return
    for listener in current_app.extensions.get(_EXTENSION, []):
        try:
            listener(sorted(ids))
        except Exception:  # noqa: BLE001 - the answers are stored; a failed enqueue must not fail the request
            log.exception("after-commit listener %r failed for responses %s", listener, sorted(ids))


def _after_soft_rollback(session: Session, previous) -> None:
    # A savepoint rolled back (a lost idempotency race) keeps the outer transaction's marks.
    if not previous.nested:
        session.info.pop(_KEY, None)


def init_app(app: Flask) -> None:
    app.extensions.setdefault(_EXTENSION, [])
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
