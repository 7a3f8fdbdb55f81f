"""The team page (admins): list teammates, invite, change roles, deactivate, re-send invitations."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, url_for
from flask_login import current_user

from feedback.auth.access import requires
from feedback.auth.models import User
from feedback.auth.roles import Permission, Role
from feedback.auth.users import UserError, create_user, reissue_invite
from feedback.auth import team
from feedback.web.blueprint import bp, no_store
from feedback.web.forms import ConfirmForm, InviteForm, RoleForm
from feedback.web.invitations import send_invitation
from surveys.db import db


def _team_page(form: InviteForm, status: int = 200):
    return render_template("web/users/index.html", users=team.list_team(db.session), form=form,
                           role_form=RoleForm(), confirm=ConfirmForm()), status


def _invitation_sent(user: User, invited: bool):
    link, sent = send_invitation(user, current_user)
    # Rendered, not redirected: the link is shown once and must not sit in the session cookie.
    page = render_template("web/users/invited.html", user=user, link=link, sent=sent, invited=invited)
    return no_store(make_response(page, 201 if invited else 200))


@bp.get("/users")
@requires(Permission.MANAGE_USERS)
def users():
    return _team_page(InviteForm())


@bp.post("/users")
@requires(Permission.MANAGE_USERS)
def invite_user():
    form = InviteForm()
    if not form.validate_on_submit():
        return _team_page(form, 422)
    try:
        user = create_user(db.session, form.email.data, Role(form.role.data), name=form.name.data,
                           invited_by=current_user)
    except UserError as err:
        db.session.rollback()
        getattr(form, err.field, form.email).errors.append(err.message)
        return _team_page(form, 422)
    db.session.commit()  # the link must exist before the mail that carries it
    return _invitation_sent(user, invited=True)


@bp.post("/users/<int:user_id>/invite")
@requires(Permission.MANAGE_USERS)
def resend_invite(user_id: int):
    user = db.get_or_404(User, user_id)
    if not user.pending_invite or not user.active:
        flash(f"{user.email} has no pending invitation.", "warning")
        return redirect(url_for("web.users"), code=303)
    reissue_invite(user)  # earlier links stop working
    db.session.commit()
    return _invitation_sent(user, invited=False)


@bp.post("/users/<int:user_id>/role")
@requires(Permission.MANAGE_USERS)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the roles: admin, manager, csm or viewer.", "danger")
        return redirect(url_for("web.users"), code=303)
    return _team_change(lambda: team.change_role(db.session, current_user, user, Role(form.role.data)),
                        lambda: f"{user.email} is now {user.role.value}.")


def _team_change(change, success_message):
    """Apply a team rule; commit and say so when it changed something, flash the refusal otherwise."""
    try:
        changed = change()
    except UserError as err:
        db.session.rollback()
        flash(err.message, "danger")
        return redirect(url_for("web.users"), code=303)
    db.session.commit()
    if changed:
        flash(success_message(), "success")
    return redirect(url_for("web.users"), code=303)


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(User, user_id)
    return _team_change(lambda: team.set_active(db.session, current_user, user, active),
                        lambda: f"{user.email} was {'reactivated' if active else 'deactivated and signed out'}.")


@bp.post("/users/<int:user_id>/deactivate")
@requires(Permission.MANAGE_USERS)
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@requires(Permission.MANAGE_USERS)
def reactivate_user(user_id: int):
    return _set_active(user_id, True)
