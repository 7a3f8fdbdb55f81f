"""Signing in and out: the form, CSRF, safe redirects, inactive users."""
from __future__ import annotations

import pytest

from feedback.auth.roles import Role
from feedback.web.login import safe_next
from surveys.db import db
from tests.conftest import PASSWORD, csrf_token_from


def _login_page(client, path: str = "/login") -> str:
    return client.get(path).get_data(as_text=True)


def test_login_page_is_an_accessible_form(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    assert '<label class="form-label" for="email">' in html and '<label class="form-label" for="password">' in html
    assert 'autocomplete="current-password"' in html
    assert "/bootstrap/static/css/bootstrap.min.css" in html  # served locally, no CDN
    assert "cdn.jsdelivr" not in html and "https://" not in html.split("<body")[0]


def test_root_sends_anonymous_people_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_good_credentials_sign_in_and_go_to_accounts(client, make_user):
    user = make_user(Role.VIEWER)
    token = csrf_token_from(_login_page(client))
    response = client.post("/login", data={"email": user.email.upper(), "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/accounts"
    assert client.get("/").headers["Location"] == "/accounts"
    assert client.get("/accounts").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make_user):
    user = make_user(Role.ADMIN)
    token = csrf_token_from(_login_page(client))
    response = client.post("/login", data={"email": user.email, "password": "not it at all", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "That email and password do not match an active account." in html
    assert client.get("/accounts").status_code == 302


def test_unknown_email_gets_the_same_answer(client):
    token = csrf_token_from(_login_page(client))
    response = client.post("/login",
                           data={"email": "ghost@example.com", "password": "whatever it is", "csrf_token": token})
    assert "That email and password do not match an active account." in response.get_data(as_text=True)


def test_missing_fields_are_named(client):
    token = csrf_token_from(_login_page(client))
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in html and 'id="password-error"' in html
    assert 'aria-invalid="true"' in html


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(Role.ADMIN)
    user.active = False
    db.session.commit()
    token = csrf_token_from(_login_page(client))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 200
    assert client.get("/accounts").status_code == 302


def test_login_without_csrf_token_is_400(client, make_user):
    user = make_user(Role.ADMIN)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert client.get("/accounts").status_code == 302


def test_login_follows_a_safe_next(client, make_user):
    user = make_user(Role.VIEWER)
    redirect = client.get("/accounts?plan=pro")
    assert redirect.headers["Location"] == "/login?next=%2Faccounts%3Fplan%3Dpro"
    html = _login_page(client, redirect.headers["Location"])
    response = client.post(redirect.headers["Location"],
                           data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token_from(html)})
    assert response.headers["Location"] == "/accounts?plan=pro"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "evil.example", "/\r\nLocation: https://evil.example"])
def test_login_never_redirects_off_site(client, make_user, target):
    user = make_user(Role.VIEWER)
    token = csrf_token_from(_login_page(client))
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/accounts"


@pytest.mark.parametrize(("target", "expected"), [
    ("/accounts/acme?x=1", "/accounts/acme?x=1"),
    (None, None), ("", None), ("accounts", None), ("//x.test", None), ("/\\x.test", None),
    ("http://x.test/", None), ("/ok\\..", None), ("/tab\there", None),
])
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_logout_is_a_post_with_csrf(client, make_user, login):
    login(make_user(Role.VIEWER))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token
    html = client.get("/accounts").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/accounts").status_code == 302


def test_signed_in_visit_to_login_goes_home(client, make_user, login):
    login(make_user(Role.VIEWER))
    assert client.get("/login").headers["Location"] == "/accounts"


def test_password_guessing_is_slowed_down_per_account(app, make_user):
    user = make_user(Role.VIEWER)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    statuses = [client.post("/login", data={"email": user.email, "password": f"guess number {n}", "csrf_token": token},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(11)]
    assert statuses[:10] == [200] * 10
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                          environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert statuses[10] == 429 and blocked.status_code == 429, "even the right password waits once the account is locked"
    assert "Too many attempts" in blocked.get_data(as_text=True)
    other = make_user(Role.VIEWER)
    assert client.post("/login", data={"email": other.email, "password": PASSWORD, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": "10.0.2.1"}).status_code == 303
