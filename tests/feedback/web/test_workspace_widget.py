"""The workspace's widget card (admins): turning identity verification on makes the secret once, rotation."""
from __future__ import annotations

import re

from feedback.auth.roles import Role
from tests.feedback.web.conftest import form_post, token_for
from tests.feedback.web.test_widget_install import settings, text


def test_turning_verification_on_makes_a_secret_once(admin_client):
    html = text(admin_client.get("/settings"))
    assert "Verify identity" in html and "made when you first turn verification on" in html
    assert form_post(admin_client, "/settings/widget", {"verify_identity": "1"}, page="/settings").status_code == 303
    first = settings()
    assert first.widget_verify_identity and re.fullmatch(r"[0-9a-f]{64}", first.widget_secret)
    secret = first.widget_secret
    page = admin_client.get("/settings")
    html = text(page)
    assert page.headers["Cache-Control"] == "no-store"
    assert f'value="{secret}"' in html and 'data-copy="#widget-secret"' in html
    assert "hmac.new(" in html and "crypto.createHmac(" in html and "Identity verification is on" in html

    assert form_post(admin_client, "/settings/widget", {}, page="/settings").status_code == 303
    assert (settings().widget_verify_identity, settings().widget_secret) == (False, secret), "the secret is kept"
    form_post(admin_client, "/settings/widget", {"verify_identity": "1"}, page="/settings")
    assert (settings().widget_verify_identity, settings().widget_secret) == (True, secret)
    assert "badge text-bg-success\">On" in admin_client.get("/widget").get_data(as_text=True)


def test_rotating_the_secret_asks_first_and_replaces_it(admin_client):
    form_post(admin_client, "/settings/widget", {"verify_identity": "1"}, page="/settings")
    old = settings().widget_secret
    confirm = admin_client.get("/settings/widget/rotate")
    assert confirm.status_code == 200 and "stops verifying" in text(confirm)
    assert settings().widget_secret == old, "asking writes nothing"
    response = form_post(admin_client, "/settings/widget/rotate", page="/settings/widget/rotate")
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings#widget")
    new = settings().widget_secret
    assert new != old and re.fullmatch(r"[0-9a-f]{64}", new)
    assert admin_client.post("/settings/widget/rotate").status_code == 400, "no CSRF token, no rotation"
    assert settings().widget_secret == new


def test_only_admins_touch_verification(signed_in):
    manager, _ = signed_in(Role.MANAGER)
    token = token_for(manager, "/widget")
    assert manager.post("/settings/widget", data={"verify_identity": "1", "csrf_token": token}).status_code == 403
    assert manager.get("/settings/widget/rotate").status_code == 403
    assert manager.post("/settings/widget/rotate", data={"csrf_token": token}).status_code == 403
    assert settings() is None
