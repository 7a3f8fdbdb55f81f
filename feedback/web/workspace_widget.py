"""The widget card of the workspace settings (admins): identity verification and its secret.

Verification off (the default), ``identify()`` is trusted. On, the product's server signs each
contact's external id with the workspace's widget secret (``user_hash`` = hex HMAC-SHA256, the
secret's text as the key) and an identify without the right hash gets no personal data. The
secret is made the first time verification is turned on, kept when it is turned off (so turning
it back on does not break the product's servers), and replaced only by an explicit rotation.
"""
from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from surveys.db import begin_write, db
from surveys.journeys.models import WorkspaceSettings
from surveys.journeys.settings import read_settings, workspace_settings


def new_widget_secret() -> str:
    """256 random bits as 64 hex characters."""
    return secrets.token_hex(32)


def set_verify_identity(settings: WorkspaceSettings, on: bool) -> bool:
    """Turn verification on or off; returns whether a secret was made for it (the first time on)."""
    settings.widget_verify_identity = on
    if on and not settings.widget_secret:
        settings.widget_secret = new_widget_secret()
        return True
    return False


def settings_url() -> str:
    return url_for("web.workspace_settings", _anchor="widget")


@bp.post("/settings/widget", endpoint="save_widget_verification")
@requires(Permission.MANAGE_WORKSPACE)
def save_verification():
    """The "Verify identity" switch: ``verify_identity`` present (on) or absent (off)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    on = request.form.get("verify_identity") in ("1", "y", "on", "true")
    begin_write(db.session)
    made = set_verify_identity(workspace_settings(db.session), on)
    db.session.commit()
    if not on:
        flash("Identity verification is off: identify() is trusted as it is. The secret is kept.", "success")
    elif made:
        flash("Identity verification is on, with a new widget secret. Compute user_hash on your server "
              "with it (examples below) before you deploy.", "warning")
    else:
        flash("Identity verification is on: an identify() without the right user_hash gets no personal data.",
              "success")
    return redirect(settings_url(), code=303)


@bp.get("/settings/widget/rotate", endpoint="confirm_rotate_widget_secret")
@requires(Permission.MANAGE_WORKSPACE)
def confirm_rotate():
    return render_template("web/workspace/rotate_secret.html", settings=read_settings(db.session),
                           form=ConfirmForm())


@bp.post("/settings/widget/rotate", endpoint="rotate_widget_secret")
@requires(Permission.MANAGE_WORKSPACE)
def rotate():
    """Replace the secret: every user_hash made with the old one stops verifying at once."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    begin_write(db.session)
    settings = workspace_settings(db.session)
    settings.widget_secret = new_widget_secret()
    db.session.commit()
    flash("New widget secret made. Hashes computed with the old one no longer verify: update your servers.",
          "warning")
    return redirect(settings_url(), code=303)
