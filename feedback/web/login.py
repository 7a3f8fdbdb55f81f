"""Signing in and out, the home redirect, and accepting an invitation."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import BadRequest, Gone

from feedback.auth.users import UserError, authenticate, set_password, user_for_invite
from feedback.extensions import limiter
from feedback.web.blueprint import bp
from feedback.web.errors import render_error
from feedback.web.forms import LoginForm, SetPasswordForm
from surveys.db import db

LOGIN_LIMIT_PER_IP = "20 per minute"
LOGIN_LIMIT_PER_ACCOUNT = "10 per 5 minutes"


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect).

    Only a single leading slash is accepted: ``//evil.test`` and ``/\\evil.test``
    are read by browsers as another host.
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):  # no backslash, no control character
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_url() -> str:
    return url_for("web.accounts")


@bp.get("/")
def index():
    return redirect(home_url() if current_user.is_authenticated else url_for("web.login"))


def _submitted_email() -> str:
    return (request.form.get("email") or "").strip().lower()[:320]


@bp.route("/login", methods=["GET", "POST"])
# Password guessing: a few tries a minute per address, and per account from anywhere.
@limiter.limit(LOGIN_LIMIT_PER_IP, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_submitted_email)
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or home_url())
    form = LoginForm()
    if not form.is_submitted():
        return render_template("web/login.html", form=form, next=target)
    if not form.validate():
        return render_template("web/login.html", form=form, next=target), 422
    user = authenticate(db.session, form.email.data, form.password.data)
    if user is None:
        db.session.rollback()
        error = "That email and password do not match an active account."
        return render_template("web/login.html", form=form, error=error, next=target)
    db.session.commit()  # last login time, and a rehashed password if the hasher changed
    login_user(user, remember=form.remember.data)
    return redirect(target or home_url(), code=303)

@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("web.login"), code=303)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    """Set a password from an invitation link; the invited user is then signed in."""
    try:
        user = user_for_invite(db.session, current_app.config["SECRET_KEY"], token)
    except UserError as err:
        # An altered link is a bad request; an expired or used one is gone for good.
        error = BadRequest() if "not valid" in err.message else Gone()
        return render_error(error, err.message)
    if not user.active:
        return render_error(Gone(), "This invitation was withdrawn; ask an admin for a new one.")
    form = SetPasswordForm()
    if form.validate_on_submit():
        set_password(user, form.password.data)
        db.session.commit()
        logout_user()
        login_user(user)
        flash(f"Welcome to Feedback Loop, {user.name or user.email}.", "success")
        return redirect(home_url(), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("web/invite_accept.html", form=form, user=user), status

