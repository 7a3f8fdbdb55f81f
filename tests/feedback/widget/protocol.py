"""What the widget protocol tests share: a public key, a way to call ``/w/v1``, surveys with an in-app trigger."""
from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from feedback.auth.models import KeyKind
from surveys.db import db
from surveys.journeys.settings import workspace_settings
from tests.invitation_helpers import live_survey

ORIGIN = "https://app.example.com"
SECRET = "widget-secret-for-tests"
IN_APP_NPS = {"product": "Acme Cloud", "questions": [
    {"id": "nps", "type": "nps"},
    {"id": "why", "type": "text", "prompt": "What disappointed you?",
     "show_if": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}},
    {"id": "best", "type": "text", "prompt": "What do you value most?", "show_if": {"question": "nps", "in": [9, 10]}},
], "triggers": [{"type": "event", "event": "report_exported", "channels": ["in_app"]}]}


@pytest.fixture
def public_key(make_key) -> str:
    """A public key allowed on :data:`ORIGIN`; its plaintext."""
    return make_key(KeyKind.PUBLIC, allowed_origins=[ORIGIN])[1]


def call(client: FlaskClient, endpoint: str, body: dict[str, Any] | str | bytes, *, origin: str | None = ORIGIN,
         **headers: str):
    """POST ``body`` to ``/w/v1/<endpoint>`` as widget.js does: JSON sent as text/plain, with an Origin."""
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    if origin is not None:
        headers["Origin"] = origin
    return client.post(f"/w/v1/{endpoint}", data=data, content_type="text/plain;charset=UTF-8", headers=headers)


def identify(client: FlaskClient, key: str, external_id: str = "contact-42", traits: dict | None = None,
             **extra: Any) -> dict[str, Any]:
    response = call(client, "identify", {"key": key, "external_id": external_id, "traits": traits or {}, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def visitor_token(client: FlaskClient, key: str) -> str:
    response = call(client, "visitor", {"key": key})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def in_app_survey(session, definition: dict | None = None, name: str = "In-app NPS"):
    return live_survey(session, definition or IN_APP_NPS, name=name)


def verify_identities(session, secret: str | None = SECRET) -> None:
    settings = workspace_settings(session)
    settings.widget_verify_identity = True
    settings.widget_secret = secret
    session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))
