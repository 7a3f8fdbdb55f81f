"""Who may call the API: secret keys, sessions with CSRF, roles."""
from __future__ import annotations

import pytest

from feedback.auth.keys import revoke_key
from feedback.auth.models import ApiKey, KeyKind
from surveys.audience.models import Account
from surveys.db import db

ACCOUNTS = "/api/v1/accounts"


def _bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer sk_nope_nope", "Basic dXNlcjpwYXNz", "sk_abc_def"])
def test_missing_or_wrong_credentials_are_401_json(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get(ACCOUNTS, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["code"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(client, make_key):
    key, plaintext = make_key()
    assert client.get(ACCOUNTS, headers=_bearer(plaintext)).status_code == 200
    revoke_key(db.session, key)
    db.session.commit()
    response = client.get(ACCOUNTS, headers=_bearer(plaintext))
    assert response.status_code == 401
    assert "revoked" in response.get_json()["message"]


def test_a_key_with_a_right_prefix_and_wrong_secret_is_401(client, make_key):
    key, plaintext = make_key()
    assert client.get(ACCOUNTS, headers=_bearer(f"{key.prefix}_forged")).status_code == 401


def test_a_public_key_is_403_on_the_api(client, make_key, count):
    _key, plaintext = make_key(KeyKind.PUBLIC)
    assert client.get(ACCOUNTS, headers=_bearer(plaintext)).status_code == 403
    assert client.put(f"{ACCOUNTS}/a", json={"name": "A"}, headers=_bearer(plaintext)).status_code == 403
    assert count(Account) == 0


def test_a_secret_key_writes_without_a_csrf_token_and_is_marked_used(client, make_key):
    key, plaintext = make_key()
    assert key.last_used_at is None
    assert client.put(f"{ACCOUNTS}/a", json={"name": "A"}, headers=_bearer(plaintext)).status_code == 201
    db.session.expire_all()
    assert db.session.get(ApiKey, key.id).last_used_at is not None


def test_a_viewer_reads_but_may_not_write(session_caller, count):
    client, token = session_caller("viewer")
    assert client.get(ACCOUNTS).status_code == 200
    response = client.put(f"{ACCOUNTS}/a", json={"name": "A"}, headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert "write_audience" in response.get_json()["message"]
    batch = client.post(f"{ACCOUNTS}/batch", json={"accounts": [{"external_id": "a", "name": "A"}]},
                        headers={"X-CSRFToken": token})
    assert batch.status_code == 403
    assert count(Account) == 0


def test_a_session_write_needs_the_csrf_header(session_caller, count):
    client, token = session_caller("manager")
    without = client.put(f"{ACCOUNTS}/a", json={"name": "A"})
    assert without.status_code == 400
    assert "X-CSRFToken" in without.get_json()["message"]
    forged = client.put(f"{ACCOUNTS}/a", json={"name": "A"}, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    assert count(Account) == 0
    assert client.put(f"{ACCOUNTS}/a", json={"name": "A"}, headers={"X-CSRFToken": token}).status_code == 201


def test_only_roles_with_the_erase_permission_erase(session_caller, make_contact):
    make_contact(external_id="u1")
    manager, manager_token = session_caller("manager")
    assert manager.delete("/api/v1/contacts/u1", headers={"X-CSRFToken": manager_token}).status_code == 403
    admin, admin_token = session_caller("admin")
    assert admin.delete("/api/v1/contacts/u1", headers={"X-CSRFToken": admin_token}).status_code == 204


def test_credentials_are_checked_before_the_body(client):
    response = client.put(f"{ACCOUNTS}/a", data="{not json", content_type="application/json")
    assert response.status_code == 401
