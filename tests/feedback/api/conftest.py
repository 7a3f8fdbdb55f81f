"""Fixtures of the API tests: a caller per role (session + CSRF token), row counters."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from feedback.auth.roles import Role
from surveys.db import db


@pytest.fixture
def session_caller(app, make_user):
    """``session_caller(role)`` -> (client logged in as a new user of ``role``, its CSRF token).

    Logs in by writing Flask-Login's session keys (the login page belongs to the
    web UI and has its own tests); the token is read from the API docs page,
    which hands it to logged-in users for Swagger UI's write calls.
    """
    def make(role: Role | str):
        user = make_user(Role(role))
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user.id)
            sess["_fresh"] = True
        page = client.get("/api/v1/docs").get_data(as_text=True)
        token = re.search(r'data-csrf-token="([^"]+)"', page)
        assert token, "the docs page gives a logged-in user no CSRF token"
        return client, token.group(1)
    return make


@pytest.fixture
def count(app):
    """``count(Model)``: rows of that table now."""
    def counter(model) -> int:
        db.session.expire_all()
        return db.session.scalar(select(func.count()).select_from(model))
    return counter
