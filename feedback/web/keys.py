"""API keys (admins): list, create (the key is shown once), revoke.

A public key is created with the browser origins allowed to use it (one per line) and
can be shown again on the widget's install page (``derive_with``, see feedback.auth.keys).
"""
from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import TextAreaField

from feedback.auth.access import requires
from feedback.auth.keys import create_key, list_keys, revoke_key
from feedback.auth.models import ApiKey, KeyKind, User
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp, no_store
from feedback.web.forms import ConfirmForm, KeyForm
from surveys.db import db


def origin_lines(text: str | None) -> list[str]:
    """The non-blank lines of a textarea (commas and spaces separate too)."""
    return [part for part in (text or "").replace(",", " ").split() if part]


class NewKeyForm(KeyForm):
    allowed_origins = TextAreaField(
        "Allowed origins (public keys)", render_kw={"rows": 3, "placeholder": "https://app.example.com",
                                                    "spellcheck": "false", "autocomplete": "off"},
        description="The web pages that may use a public key, one origin per line: scheme://host[:port]. "
                    "Browsers anywhere else are refused. Secret keys ignore this.")


def _creators(keys: list[ApiKey]) -> dict[int, str]:
    ids = {k.created_by_id for k in keys if k.created_by_id}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    return {user_id: email for user_id, email in rows}


def _keys_page(form: NewKeyForm, status: int = 200):
    keys = list_keys(db.session)
    return render_template("web/keys/index.html", keys=keys, creators=_creators(keys), form=form), status


@bp.get("/keys")
@requires(Permission.MANAGE_KEYS)
def keys():
    return _keys_page(NewKeyForm())


@bp.post("/keys")
@requires(Permission.MANAGE_KEYS)
def create_api_key():
    form = NewKeyForm()
    if not form.validate_on_submit():
        return _keys_page(form, 422)
    kind = KeyKind(form.kind.data)
    origins = origin_lines(form.allowed_origins.data) if kind is KeyKind.PUBLIC else []
    try:
        key, plaintext = create_key(db.session, form.name.data, kind, created_by=current_user,
                                    allowed_origins=origins, derive_with=current_app.config["SECRET_KEY"])
    except ValueError as err:
        db.session.rollback()
        field, _, message = str(err).partition(": ")
        target = form.allowed_origins if field == "allowed_origins" else form.name
        target.errors = [*target.errors, message or str(err)]
        return _keys_page(form, 422)
    db.session.commit()
    # Rendered, not redirected: the plaintext must not travel through the session cookie.
    page = make_response(render_template("web/keys/created.html", key=key, plaintext=plaintext), 201)
    return no_store(page)


@bp.get("/keys/<int:key_id>/revoke")
@requires(Permission.MANAGE_KEYS)
def confirm_revoke_key(key_id: int):
    return render_template("web/keys/revoke.html", key=db.get_or_404(ApiKey, key_id), form=ConfirmForm())


@bp.post("/keys/<int:key_id>/revoke")
@requires(Permission.MANAGE_KEYS)
def revoke_api_key(key_id: int):
    key = db.get_or_404(ApiKey, key_id)
    if key.active:
        revoke_key(db.session, key)
        db.session.commit()
        flash(f"Key “{key.name}” ({key.prefix}) is revoked; calls using it now get 401.", "success")
    return redirect(url_for("web.keys"), code=303)
