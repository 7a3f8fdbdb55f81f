"""Fixtures of the web UI tests: a signed-in client per role, CSRF-aware form posts."""
from __future__ import annotations

import pytest

from feedback.auth.roles import Role
from tests.conftest import PASSWORD, csrf_token_from


@pytest.fixture(autouse=True)
def _own_outbox_and_uploads(app, tmp_path):
    """Each test gets empty outbox and upload folders (the session's are shared)."""
    app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")


@pytest.fixture
def signed_in(app, make_user):
    """``signed_in(role)`` -> (a new client signed in through the login form, the user)."""
    def make(role: Role | str = Role.ADMIN, **kw):
        user = make_user(Role(role), **kw)
        client = app.test_client()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client, user
    return make


@pytest.fixture
def admin_client(signed_in):
    client, _user = signed_in(Role.ADMIN)
    return client


def form_post(client, path: str, data: dict | None = None, page: str | None = None, **kw):
    """POST ``data`` to ``path`` with the CSRF token read from ``page`` (default: ``path``)."""
    html = client.get(page or path).get_data(as_text=True)
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token_from(html)}, **kw)


def token_for(client, page: str = "/accounts") -> str:
    """A CSRF token of ``client``'s session, read from any page with a form."""
    return csrf_token_from(client.get(page).get_data(as_text=True))
