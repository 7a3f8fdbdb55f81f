"""The widget's install page (managers and admins): the workspace's own snippet, its API, and its keys.

``/widget`` shows, for each active public key, the exact snippet to paste in the product (the
script tag with ``data-key``, the queue stub, an ``identify()``), whether identity verification
is on, and the browser origins the key allows. Admins (``MANAGE_KEYS``) edit those origins here
and create a public key when there is none; managers read. A bad origin is a 422 that shows the
page again with the message beside the key's origins, and nothing saved.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import escape
from sqlalchemy import select

from feedback.auth.access import requires
from feedback.auth.keys import create_key, public_key_plaintext, set_allowed_origins
from feedback.auth.models import ApiKey, KeyKind
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from feedback.web.keys import origin_lines
from surveys.db import db
from surveys.journeys.settings import read_settings

SCRIPT_PATH = "/w/v1/widget.js"
# Queues calls made before widget.js has loaded; the script replays ``feedback.q`` (same text as
# the comment at the top of feedback/widget/static/widget.js).
QUEUE_STUB = ('!function(f){f=window.feedback=window.feedback||{q:[]};["identify","track","show","reset","on"]'
              '.forEach(function(m){f[m]=f[m]||function(){f.q.push([m].concat([].slice.call(arguments)))}})}();')
DEFAULT_KEY_NAME = "Product widget"


@dataclass
class KeyView:
    """An active public key as the page shows it: ``plaintext`` is None when it cannot be shown again."""

    key: ApiKey
    plaintext: str | None
    snippet: str


def public_keys() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).where(ApiKey.kind == KeyKind.PUBLIC, ApiKey.revoked_at.is_(None))
                                   .order_by(ApiKey.created_at, ApiKey.id)))


def showable_key(key: ApiKey) -> str | None:
    return public_key_plaintext(key, current_app.config["SECRET_KEY"])


def script_url(base_url: str | None = None) -> str:
    return (base_url or current_app.config["BASE_URL"]).rstrip("/") + SCRIPT_PATH


def snippet(data_key: str, *, base_url: str | None = None, verified: bool = False,
            identify: str | None = None) -> str:
    """The HTML to paste before ``</body>``: the script tag, the queue stub and an example identify()."""
    call = identify or ('feedback.identify("CONTACT_EXTERNAL_ID", { email: "ada@example.com", name: "Ada Lovelace", '
                        'account_id: "ACCOUNT_EXTERNAL_ID", plan: "pro" }' + (", USER_HASH" if verified else "") + ");")
    return (f'<script async src="{escape(script_url(base_url))}" data-key="{escape(data_key)}"></script>\n'
            f"<script>\n  {QUEUE_STUB}\n  {call}\n</script>")


def _key_views(verified: bool) -> list[KeyView]:
    views = []
    for key in public_keys():
        plaintext = showable_key(key)
        views.append(KeyView(key, plaintext, snippet(plaintext or f"{key.prefix}_…", verified=verified)))
    return views


def _page(*, errors: dict[str, list[str]] | None = None, values: dict[str, str] | None = None, status: int = 200):
    settings = read_settings(db.session)
    return render_template(
        "web/widget/install.html", keys=_key_views(settings.widget_verify_identity), settings=settings,
        script_url=script_url(), queue_stub=QUEUE_STUB, form=ConfirmForm(), errors=errors or {}, values=values or {},
        may_manage_keys=current_user.may(Permission.MANAGE_KEYS), default_key_name=DEFAULT_KEY_NAME,
    ), status


@bp.get("/widget")
@requires(Permission.DESIGN_SURVEYS)
def widget_install():
    """The snippet with the workspace's public key, the API, identity verification and allowed origins."""
    return _page()


@bp.post("/widget/keys")
@requires(Permission.MANAGE_KEYS)
def create_widget_key():
    """A new public key for the widget, with its allowed origins (one per line)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = request.form.get("name", "").strip() or DEFAULT_KEY_NAME
    text = request.form.get("allowed_origins", "")
    try:
        key, _plaintext = create_key(db.session, name, KeyKind.PUBLIC, created_by=current_user,
                                     allowed_origins=origin_lines(text),
                                     derive_with=current_app.config["SECRET_KEY"])
    except ValueError as err:
        db.session.rollback()
        field, _, message = str(err).partition(": ")
        errors = {"new_" + (field if field in ("name", "allowed_origins") else "name"): [message or str(err)]}
        return _page(errors=errors, values={"new_name": name, "new_allowed_origins": text}, status=422)
    db.session.commit()
    flash(f"Public key “{key.name}” created. Paste its snippet in your product.", "success")
    return redirect(url_for("web.widget_install", _anchor=f"key-{key.id}"), code=303)


@bp.post("/widget/keys/<int:key_id>/origins")
@requires(Permission.MANAGE_KEYS)
def save_key_origins(key_id: int):
    """Replace an active public key's allowed origins (one per line; none: every browser is refused)."""
    key = db.get_or_404(ApiKey, key_id)
    if key.kind is not KeyKind.PUBLIC or not key.active:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    text = request.form.get("allowed_origins", "")
    try:
        set_allowed_origins(db.session, key, origin_lines(text))
    except ValueError as err:
        db.session.rollback()
        message = str(err).partition(": ")[2] or str(err)
        return _page(errors={f"origins-{key_id}": [message]}, values={f"origins-{key_id}": text}, status=422)
    db.session.commit()
    origins: list[Any] = key.allowed_origins
    flash(f"Allowed origins of “{key.name}” saved: " + (", ".join(origins) if origins else
                                                         "none, so every browser is refused") + ".", "success")
    return redirect(url_for("web.widget_install", _anchor=f"key-{key.id}"), code=303)
