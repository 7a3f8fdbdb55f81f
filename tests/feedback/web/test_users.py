"""The team page: roles, invitations through the outbox, role changes, deactivation."""
from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedback.auth.models import User
from feedback.auth.roles import Role
from feedback.auth.users import UserError, find_user
from feedback.auth import team
from surveys.db import db
from tests.conftest import PASSWORD, csrf_token_from
from tests.feedback.web.conftest import form_post, token_for

NEW_PASSWORD = "a brand new passphrase"


def _outbox(app) -> list[Path]:
    return sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def _invite_link(path: Path) -> str:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://localhost/invite/\S+", text)
    assert match, text
    return match.group(0)


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CSM, Role.VIEWER])
def test_only_admins_manage_the_team(signed_in, role):
    client, _user = signed_in(role)
    token = token_for(client)
    assert client.get("/users").status_code == 403
    response = client.post("/users", data={"email": "x@example.com", "role": "admin", "csrf_token": token})
    assert response.status_code == 403
    assert "have access to this page" in response.get_data(as_text=True)
    assert find_user(db.session, "x@example.com") is None


def test_team_page_lists_roles_and_statuses(signed_in, make_user):
    client, me = signed_in(Role.ADMIN, name="Ada Admin")
    make_user(Role.VIEWER, email="vic@example.com")
    gone = make_user(Role.CSM, email="gone@example.com")
    gone.active = False
    db.session.commit()
    html = client.get("/users").get_data(as_text=True)
    assert "Ada Admin" in html and "vic@example.com" in html
    assert "Deactivated" in html and "Active" in html
    assert '<label class="visually-hidden" for="role-' in html  # every role select has a label
    assert f'for="role-{me.id}"' not in html  # nobody changes their own role


def test_invitation_is_emailed_shown_once_and_accepted(app, signed_in, client):
    admin_client, admin = signed_in(Role.ADMIN)
    invite = {"email": " Newbie@Example.com ", "name": "Nia New", "role": "manager"}
    response = form_post(admin_client, "/users", invite)
    html = response.get_data(as_text=True)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    user = find_user(db.session, "newbie@example.com")
    assert user.role is Role.MANAGER and user.pending_invite and user.invited_by_id == admin.id

    [mail] = _outbox(app)
    link = _invite_link(mail)
    assert f'value="{link}"' in html  # shown to the admin, with a copy button
    assert "data-copy=" in html
    assert link not in admin_client.get("/users").get_data(as_text=True)  # ... once

    path = link.removeprefix("http://localhost")
    page = client.get(path)
    assert page.status_code == 200 and "newbie@example.com" in page.get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
                                       "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 303 and response.headers["Location"] == "/accounts"
    assert client.get("/accounts").status_code == 200  # signed in as the new user
    db.session.refresh(user)
    assert not user.pending_invite

    again = client.get(path)  # a used link
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


def test_outbox_mail_names_the_inviter_and_role(app, signed_in):
    client, _admin = signed_in(Role.ADMIN, name="Ada Admin")
    form_post(client, "/users", {"email": "csm@example.com", "role": "csm"})
    [mail] = _outbox(app)
    message = BytesParser(policy=policy.default).parsebytes(mail.read_bytes())
    assert message["To"] == "csm@example.com" and message["Subject"] == "You're invited to Feedback Loop"
    assert "Ada Admin invited you to Feedback Loop as csm" in message.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"email": "bob@", "role": "viewer"}, "email", "Enter an email address"),
    ({"email": "", "role": "viewer"}, "email", "This field is required"),
    ({"email": "ok@example.com", "role": "owner"}, "role", "Not a valid choice"),
    ({"email": "ok@example.com", "role": "viewer", "name": "x" * 300}, "name", "longer than 255 characters"),
])
def test_bad_invitations_name_the_field_and_write_nothing(app, admin_client, data, field, message):
    before = _users()
    response = form_post(admin_client, "/users", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert _users() == before and _outbox(app) == []


def test_inviting_an_existing_email_is_refused(app, admin_client, make_user):
    make_user(Role.VIEWER, email="taken@example.com")
    response = form_post(admin_client, "/users", {"email": "TAKEN@example.com", "role": "admin"})
    assert response.status_code == 422
    assert "A user with this email already exists." in response.get_data(as_text=True)
    assert _outbox(app) == []


def test_altered_and_expired_invitations_get_friendly_pages(app, admin_client, client, monkeypatch):
    form_post(admin_client, "/users", {"email": "late@example.com", "role": "viewer"})
    path = _invite_link(_outbox(app)[0]).removeprefix("http://localhost")
    altered = client.get(path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"))
    assert altered.status_code == 400 and "not valid" in altered.get_data(as_text=True)
    monkeypatch.setattr("feedback.auth.users.INVITE_MAX_AGE", -1)
    expired = client.get(path)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_accepting_needs_a_good_password(app, admin_client, client):
    form_post(admin_client, "/users", {"email": "weak@example.com", "role": "viewer"})
    path = _invite_link(_outbox(app)[0]).removeprefix("http://localhost")
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    short = client.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 422 and "Use at least 10 characters." in short.get_data(as_text=True)
    differ = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!", "csrf_token": token})
    assert differ.status_code == 422 and "The two passwords differ." in differ.get_data(as_text=True)
    no_csrf = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert no_csrf.status_code == 400
    assert find_user(db.session, "weak@example.com").pending_invite


def test_resending_an_invitation_kills_the_old_link(app, admin_client, client):
    form_post(admin_client, "/users", {"email": "again@example.com", "role": "viewer"})
    user = find_user(db.session, "again@example.com")
    old = _invite_link(_outbox(app)[0]).removeprefix("http://localhost")
    response = form_post(admin_client, f"/users/{user.id}/invite", page="/users")
    assert response.status_code == 200 and "Invitation re-sent" in response.get_data(as_text=True)
    mails = _outbox(app)
    assert len(mails) == 2
    new = _invite_link(mails[-1]).removeprefix("http://localhost")
    assert new != old
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


def test_admin_changes_a_role(admin_client, make_user):
    user = make_user(Role.VIEWER)
    response = form_post(admin_client, f"/users/{user.id}/role", {"role": "manager"}, page="/users")
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.role is Role.MANAGER
    assert "is now manager" in admin_client.get("/users").get_data(as_text=True)


def test_role_change_rejects_unknown_roles_and_ones_own(signed_in):
    client, me = signed_in(Role.ADMIN)
    form_post(client, f"/users/{me.id}/role", {"role": "viewer"}, page="/users")
    assert "You cannot change your own role" in client.get("/users").get_data(as_text=True)
    db.session.refresh(me)
    assert me.role is Role.ADMIN
    form_post(client, f"/users/{me.id}/role", {"role": "superuser"}, page="/users")
    assert "Choose one of the roles" in client.get("/users").get_data(as_text=True)


def test_deactivated_teammate_is_signed_out_and_can_be_reactivated(app, signed_in, make_user):
    admin_client, _admin = signed_in(Role.ADMIN)
    victim = make_user(Role.MANAGER)
    victim_client = app.test_client()
    html = victim_client.get("/login").get_data(as_text=True)
    victim_client.post("/login",
                       data={"email": victim.email, "password": PASSWORD, "csrf_token": csrf_token_from(html)})
    assert victim_client.get("/accounts").status_code == 200

    response = form_post(admin_client, f"/users/{victim.id}/deactivate", page="/users")
    assert response.status_code == 303
    assert victim_client.get("/accounts").status_code == 302  # their session no longer counts
    db.session.refresh(victim)
    assert not victim.active

    form_post(admin_client, f"/users/{victim.id}/reactivate", page="/users")
    db.session.refresh(victim)
    assert victim.active


def test_admin_cannot_deactivate_themselves(signed_in):
    client, me = signed_in(Role.ADMIN)
    form_post(client, f"/users/{me.id}/deactivate", page="/users")
    assert "You cannot deactivate yourself." in client.get("/users").get_data(as_text=True)
    db.session.refresh(me)
    assert me.active


def test_actions_on_unknown_users_are_404(admin_client):
    assert form_post(admin_client, "/users/999999/deactivate", page="/users").status_code == 404


def test_user_action_without_csrf_is_400(admin_client, make_user):
    user = make_user(Role.VIEWER)
    assert admin_client.post(f"/users/{user.id}/deactivate").status_code == 400
    db.session.refresh(user)
    assert user.active


def test_the_last_active_admin_is_never_demoted_or_deactivated(app, make_user):
    only_admin = make_user(Role.ADMIN)
    manager = make_user(Role.MANAGER)
    pending_admin = User(email="pending@example.com", role=Role.ADMIN)  # cannot sign in yet
    db.session.add(pending_admin)
    db.session.flush()
    with pytest.raises(UserError, match="last active admin"):
        team.change_role(db.session, manager, only_admin, Role.VIEWER)
    with pytest.raises(UserError, match="last active admin"):
        team.set_active(db.session, manager, only_admin, False)
    second = make_user(Role.ADMIN)
    assert team.set_active(db.session, second, only_admin, False) is True
