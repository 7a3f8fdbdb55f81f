"""The widget protocol's endpoints, ``POST /w/v1/<name>``: parse, call a service, answer JSON.

Every body is JSON (whatever the content type) and carries ``key``; see the
README's "The in-product widget" for the protocol. Writers open their
transaction with ``begin_write`` before their first read of what they change.
"""
from __future__ import annotations

from typing import Any

from feedback.widget import answering, tokens, tracking
from feedback.widget.blueprint import bp
from feedback.widget.body import id_field, text_field, widget_body
from feedback.widget.caller import current_caller
from feedback.widget.errors import WidgetError, invalid
from feedback.widget.identity import hash_matches, upsert_identified, verification_on
from feedback.widget.keys import authenticate
from feedback.widget.limits import widget_limits
from feedback.widget.showing import anything_due, browser_locales, due_invitation, due_of, survey_to_show
from surveys.audience.models import EXTERNAL_ID_MAX
from surveys.db import begin_write, db, utcnow
from surveys.delivery.in_app import contact_invitation, mark_dismissed, mark_shown
from surveys.journeys.settings import read_settings

OK = {"ok": True}


@bp.route("/identify", methods=["POST"])
@widget_limits()
def identify():
    key = authenticate()
    body = widget_body()
    external_id = text_field(body, "external_id", max_length=EXTERNAL_ID_MAX)
    assert external_id is not None
    traits = body.get("traits") or {}
    if not isinstance(traits, dict):
        raise invalid("traits", "traits must be an object.")
    settings = read_settings(db.session)
    verifying = verification_on(settings)
    if verifying and not hash_matches(settings, external_id, body.get("user_hash")):
        db.session.rollback()  # unverified: nothing about that contact is read or written
        return {"token": tokens.issue(key.id, None)[1], "verified": False, "contact": None}
    begin_write(db.session)
    contact = upsert_identified(db.session, external_id, traits)
    db.session.commit()
    return {"token": tokens.issue(key.id, contact.id, verified=verifying)[1], "verified": True,
            "contact": {"external_id": contact.external_id}}


@bp.route("/visitor", methods=["POST"])
@widget_limits()
def visitor():
    key = authenticate()
    return {"token": tokens.issue(key.id, None)[1]}


@bp.route("/track", methods=["POST"])
@widget_limits()
def track():
    caller = current_caller()
    if caller.contact is None:
        raise invalid("token", "identify first: events of anonymous visitors are not recorded.")
    rows = tracking.event_rows(widget_body().get("events"), caller.contact)
    now = utcnow()
    begin_write(db.session)
    result = tracking.store(db.session, rows, now=now)
    due = due_invitation(db.session, caller, now=now) if anything_due(db.session, caller, now=now) else None
    db.session.commit()
    return {"recorded": result.created, "due": due}


@bp.route("/poll", methods=["POST"])
@widget_limits()
def poll():
    caller = current_caller()
    now = utcnow()
    if not anything_due(db.session, caller, now=now):
        db.session.rollback()
        return {"due": None}
    begin_write(db.session)
    due = due_invitation(db.session, caller, now=now)
    db.session.commit()
    return {"due": due}


@bp.route("/show", methods=["POST"])
@widget_limits()
def show():
    caller = current_caller()
    survey_id = id_field(widget_body(), "survey_id")
    assert survey_id is not None
    survey = survey_to_show(db.session, caller, survey_id)
    if caller.contact is not None and caller.contact.unsubscribed_at is not None:
        return {"due": None, "reason": "This person unsubscribed from surveys."}
    due = due_of(survey, caller, None)
    db.session.rollback()
    return {"due": due}


def _invitation_change(change) -> dict[str, Any]:
    """``shown`` and ``dismiss``: apply ``change`` to the caller's invitation (idempotent)."""
    caller = current_caller()
    invitation_id = id_field(widget_body(), "invitation", required=False)
    if invitation_id is None or caller.contact is None:
        return OK  # a manual show() has no invitation: nothing to record
    begin_write(db.session)
    invitation = contact_invitation(db.session, invitation_id, caller.contact.id)
    if invitation is None:
        raise WidgetError(404, "not_found", f"No invitation {invitation_id} for you.", "invitation")
    change(db.session, invitation, now=utcnow())
    db.session.commit()
    return OK


@bp.route("/shown", methods=["POST"])
@widget_limits()
def shown():
    return _invitation_change(mark_shown)


@bp.route("/dismiss", methods=["POST"])
@widget_limits()
def dismiss():
    return _invitation_change(mark_dismissed)


@bp.route("/answer", methods=["POST"])
@widget_limits("WIDGET_ANSWER_RATE_LIMIT")
def answer():
    caller = current_caller()
    step = answering.read_step(widget_body())
    begin_write(db.session)
    outcome = answering.record(db.session, caller, step, browser_locales())
    db.session.commit()
    return {"next": outcome.next, "complete": outcome.complete}
