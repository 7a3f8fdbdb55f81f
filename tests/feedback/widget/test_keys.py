"""Who may call the widget endpoints: public keys only, from their allowed origins; CORS headers."""
from __future__ import annotations

from feedback.auth.keys import revoke_key
from feedback.auth.models import KeyKind
from surveys.db import db
from tests.feedback.widget.protocol import ORIGIN, call, public_key  # noqa: F401 - fixture


def test_an_allowed_origin_is_echoed_and_answers_vary_on_origin(client, public_key):
    response = call(client, "visitor", {"key": public_key})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_origins_compare_without_case_or_trailing_slash(client, make_key):
    _key, plaintext = make_key(KeyKind.PUBLIC, allowed_origins=["https://App.Example.com"])
    assert call(client, "visitor", {"key": plaintext}, origin="https://app.example.com").status_code == 200


def test_a_disallowed_origin_is_refused_and_told_why(client, public_key):
    response = call(client, "visitor", {"key": public_key}, origin="https://evil.example.net")
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "origin_not_allowed"
    assert "https://evil.example.net" in body["message"]
    # The refusal is readable by the page (it holds no data), so the widget can say why.
    assert response.headers["Access-Control-Allow-Origin"] == "https://evil.example.net"


def test_a_key_with_no_allowed_origins_allows_none(client, make_key):
    _key, plaintext = make_key(KeyKind.PUBLIC, allowed_origins=[])
    response = call(client, "visitor", {"key": plaintext})
    assert response.status_code == 403
    assert response.get_json()["error"] == "origin_not_allowed"


def test_a_request_without_an_origin_is_refused(client, public_key):
    response = call(client, "visitor", {"key": public_key}, origin=None)
    assert response.status_code == 403
    assert response.get_json()["error"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_secret_key_is_refused_and_says_why(client, make_key):
    _key, plaintext = make_key(KeyKind.SECRET)
    response = call(client, "visitor", {"key": plaintext})
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "secret_key" and body["field"] == "key"
    assert "a secret key must never be in a web page; use a public key" in body["message"].lower()


def test_a_revoked_key_is_refused(client, make_key):
    key, plaintext = make_key(KeyKind.PUBLIC, allowed_origins=[ORIGIN])
    revoke_key(db.session, key)
    db.session.commit()
    response = call(client, "visitor", {"key": plaintext})
    assert response.status_code == 401
    assert response.get_json() == {"error": "invalid_key", "field": "key",
                                   "message": "This key is unknown or has been revoked."}


def test_an_unknown_or_missing_key_is_refused(client, public_key):
    assert call(client, "visitor", {"key": public_key[:-3] + "xyz"}).status_code == 401
    missing = call(client, "visitor", {})
    assert missing.status_code == 401
    assert missing.get_json()["field"] == "key"


def test_a_preflight_is_allowed_though_the_widget_never_needs_one(client):
    response = client.options("/w/v1/track", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"
