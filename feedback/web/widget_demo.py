"""``/widget/demo`` (managers and admins): a page of the app itself that embeds the widget.

It plays the product engineer's page: the snippet with a public key this origin may use,
``identify()`` of a demo contact (with its ``user_hash``, computed here as the product's server
would, when identity verification is on), and buttons that call ``show()`` and ``track()``.
Same-origin, which the real thing never is; the tests use a host page on another origin.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask import render_template, request
from sqlalchemy import select

from feedback.auth.access import requires
from feedback.auth.keys import normalize_origin
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.widget_install import public_keys, showable_key, snippet
from surveys.audience.models import Contact
from surveys.db import db
from surveys.design.models import Survey, SurveyStatus
from surveys.journeys.settings import read_settings

DEMO_EVENTS = ("onboarding_completed", "feature_used", "report_exported")


def user_hash(secret: str, external_id: str) -> str:
    """What the product's server computes: hex HMAC-SHA256 of the external id, the secret's text as key."""
    return hmac.new(secret.encode(), external_id.encode(), hashlib.sha256).hexdigest()


def _origin() -> str:
    return normalize_origin(request.host_url)


def _key_for(origin: str) -> tuple[Any, str | None]:
    """The first public key that can be shown and allows ``origin``; else the first that can be shown."""
    shown = [(key, plaintext) for key in public_keys() if (plaintext := showable_key(key))]
    for key, plaintext in shown:
        if origin in (key.allowed_origins or []):
            return key, plaintext
    return shown[0] if shown else (None, None)


def _contact() -> Contact | None:
    """``?contact=<external id>``, else the first contact who may be asked."""
    query = select(Contact).where(Contact.erased_at.is_(None))
    wanted = request.args.get("contact", "").strip()
    if wanted:
        return db.session.scalar(query.where(Contact.external_id == wanted))
    return db.session.scalar(query.where(Contact.unsubscribed_at.is_(None)).order_by(Contact.external_id).limit(1))


def _identify_call(contact: Contact, secret: str | None) -> str:
    traits: dict[str, Any] = {key: value for key, value in (
        ("email", contact.email), ("name", contact.name), ("locale", contact.locale), ("timezone", contact.timezone),
        ("account_id", contact.account.external_id if contact.account else None),
        ("plan", contact.account.plan if contact.account else None)) if value}
    args = [json.dumps(contact.external_id), json.dumps(traits, ensure_ascii=False)]
    if secret:
        args.append(json.dumps(user_hash(secret, contact.external_id)))
    # Inside <script>: "</" must not close it, whatever a name holds.
    return f"feedback.identify({', '.join(args)});".replace("</", "<\\/")


@bp.get("/widget/demo")
@requires(Permission.DESIGN_SURVEYS)
def widget_demo():
    """A host page with the widget alive: identify a demo contact, then show a survey or track an event."""
    origin = _origin()
    key, plaintext = _key_for(origin)
    contact = _contact()
    settings = read_settings(db.session)
    secret = settings.widget_secret if settings.widget_verify_identity else None
    identify = _identify_call(contact, secret) if contact else ""
    surveys = list(db.session.scalars(select(Survey).where(Survey.status == SurveyStatus.LIVE).order_by(Survey.name)))
    contacts = list(db.session.scalars(select(Contact).where(Contact.erased_at.is_(None))
                                       .order_by(Contact.external_id).limit(200)))
    return render_template(
        "web/widget/demo.html", key=key, origin=origin, origin_allowed=bool(key and origin in key.allowed_origins),
        snippet=snippet(plaintext, base_url=request.host_url, identify=identify) if plaintext else None,
        contact=contact, contacts=contacts, surveys=surveys, events=DEMO_EVENTS, verified=bool(secret))
