"""API keys (admins): list, create (the key is shown once), revoke."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from feedback.auth.access import requires
from feedback.auth.keys import create_key, list_keys, revoke_key
from feedback.auth.models import ApiKey, KeyKind, User
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp, no_store
from feedback.web.forms import ConfirmForm, KeyForm
from surveys.db import db


def _creators(keys: list[ApiKey]) -> dict[int, str]:
    ids = {k.created_by_id for k in keys if k.created_by_id}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.email).where(User.id.in_(ids)))
    return {user_id: email for user_id, email in rows}


def _keys_page(form: KeyForm, status: int = 200):
    keys = list_keys(db.session)
    return render_template("web/keys/index.html", keys=keys, creators=_creators(keys), form=form), status


@bp.get("/keys")
@requires(Permission.MANAGE_KEYS)
def keys():
    return _keys_page(KeyForm())


@bp.post("/keys")
@requires(Permission.MANAGE_KEYS)
def create_api_key():
    form = KeyForm()
    if not form.validate_on_submit():
        return _keys_page(form, 422)
    try:
        key, plaintext = create_key(db.session, form.name.data, KeyKind(form.kind.data), created_by=current_user)
    except ValueError as err:
        db.session.rollback()
        form.name.errors.append(str(err).partition(": ")[2] or str(err))
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
