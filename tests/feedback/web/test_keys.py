"""The API keys page: shown once, listed without the secret, revoked with a confirmation."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from feedback.auth.keys import authenticate_key
from feedback.auth.models import ApiKey, KeyKind
from feedback.auth.roles import Role
from surveys.db import db
from tests.feedback.web.conftest import form_post, token_for


def _keys() -> int:
    return db.session.scalar(select(func.count()).select_from(ApiKey))


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CSM, Role.VIEWER])
def test_only_admins_manage_keys(signed_in, make_key, role):
    key, _plaintext = make_key()
    client, _user = signed_in(role)
    token = token_for(client)
    assert client.get("/keys").status_code == 403
    assert client.post("/keys", data={"name": "x", "kind": "secret", "csrf_token": token}).status_code == 403
    assert client.post(f"/keys/{key.id}/revoke", data={"csrf_token": token}).status_code == 403
    db.session.refresh(key)
    assert key.active and _keys() == 1


def test_empty_keys_page_explains_what_keys_are_for(admin_client):
    html = admin_client.get("/keys").get_data(as_text=True)
    assert "No API keys yet" in html and '<legend class="form-label fs-6">Kind</legend>' in html


def test_a_new_secret_key_is_shown_once_and_works(admin_client, client):
    response = form_post(admin_client, "/keys", {"name": " CRM sync ", "kind": "secret"})
    html = response.get_data(as_text=True)
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    plaintext = re.search(r'id="new-key"[^>]*value="(sk_[^"]+)"', html).group(1)
    key = authenticate_key(db.session, plaintext)
    assert key is not None and key.name == "CRM sync" and key.kind is KeyKind.SECRET
    db.session.commit()

    listing = admin_client.get("/keys").get_data(as_text=True)
    assert key.prefix in listing and "CRM sync" in listing
    assert plaintext not in listing  # once

    api = client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {plaintext}"})
    assert api.status_code == 200


def test_a_public_key_can_be_made(admin_client):
    html = form_post(admin_client, "/keys", {"name": "Widget", "kind": "public"}).get_data(as_text=True)
    assert re.search(r'value="pk_[^"]+"', html)
    assert db.session.scalar(select(ApiKey.kind)) is KeyKind.PUBLIC


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "", "kind": "secret"}, "name", "This field is required"),
    ({"name": "   ", "kind": "secret"}, "name", "This field is required"),
    ({"name": "x" * 101, "kind": "secret"}, "name", "longer than 100 characters"),
    ({"name": "ok", "kind": "root"}, "kind", "Not a valid choice"),
])
def test_bad_key_requests_name_the_field(admin_client, data, field, message):
    response = form_post(admin_client, "/keys", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert _keys() == 0


def test_revoking_asks_first_then_refuses_the_key(admin_client, make_key, client):
    key, plaintext = make_key(name="Old sync")
    confirm = admin_client.get(f"/keys/{key.id}/revoke")
    assert confirm.status_code == 200 and "Revoke “Old sync”?" in confirm.get_data(as_text=True)
    db.session.refresh(key)
    assert key.active  # looking at the question changes nothing

    response = form_post(admin_client, f"/keys/{key.id}/revoke")
    assert response.status_code == 303 and response.headers["Location"] == "/keys"
    db.session.refresh(key)
    assert not key.active
    assert "Revoked" in admin_client.get("/keys").get_data(as_text=True)
    assert client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401


def test_revoke_without_csrf_is_400(admin_client, make_key):
    key, _plaintext = make_key()
    assert admin_client.post(f"/keys/{key.id}/revoke").status_code == 400
    db.session.refresh(key)
    assert key.active


def test_revoking_an_unknown_key_is_404(admin_client):
    assert admin_client.get("/keys/424242/revoke").status_code == 404
    assert form_post(admin_client, "/keys/424242/revoke", page="/keys").status_code == 404
