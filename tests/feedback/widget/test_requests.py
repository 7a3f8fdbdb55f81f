"""Bad requests get JSON errors, never HTML, a 500 or a cookie: size limit, bad JSON, rate limits."""
from __future__ import annotations

import json

from tests.feedback.widget.protocol import ORIGIN, call, public_key  # noqa: F401 - fixture


def test_a_body_over_64_kb_is_refused_before_it_is_read(client, public_key):
    body = json.dumps({"key": public_key, "pad": ""})
    padded = body[:-2] + "x" * (64 * 1024 + 1 - len(body)) + '"}'
    assert len(padded.encode()) == 64 * 1024 + 1
    response = call(client, "visitor", padded)
    assert response.status_code == 413
    assert response.get_json()["error"] == "too_large"
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN  # the page may read why


def test_a_body_of_exactly_64_kb_is_read(client, public_key):
    body = json.dumps({"key": public_key, "pad": ""})
    padded = body[:-2] + "x" * (64 * 1024 - len(body)) + '"}'
    assert call(client, "visitor", padded).status_code == 200


def test_malformed_json_is_a_400(client, public_key):
    response = call(client, "visitor", '{"key": "' + public_key + '", ')
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_json"
    assert call(client, "visitor", "[1, 2]").get_json()["message"] == "The body must be a JSON object."


def test_a_json_content_type_is_read_too(client, public_key):
    response = client.post("/w/v1/visitor", json={"key": public_key}, headers={"Origin": ORIGIN})
    assert response.status_code == 200


def test_unknown_paths_and_wrong_methods_answer_json(client):
    missing = client.post("/w/v1/nothing-here", data="{}", headers={"Origin": ORIGIN})
    assert missing.status_code == 404
    assert missing.get_json()["error"] == "not_found"
    wrong = client.get("/w/v1/track", headers={"Origin": ORIGIN})
    assert wrong.status_code == 405
    assert wrong.get_json()["error"] == "method_not_allowed"


def test_requests_over_the_rate_limit_get_a_429(app, client, public_key):
    app.config["WIDGET_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert call(client, "visitor", {"key": public_key}).status_code == 200
    response = call(client, "visitor", {"key": public_key})
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"] == "rate_limited"
    assert "3 per 1 minute" in body["message"]
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert int(response.headers["Retry-After"]) > 0


def test_the_rate_limit_is_per_key(app, client, public_key, make_key):
    from feedback.auth.models import KeyKind

    app.config["WIDGET_RATE_LIMIT"] = "2 per minute"
    other = make_key(KeyKind.PUBLIC, allowed_origins=[ORIGIN])[1]
    for _ in range(2):
        call(client, "visitor", {"key": public_key})
    assert call(client, "visitor", {"key": public_key}).status_code == 429
    assert call(client, "visitor", {"key": other}).status_code == 200


def test_answers_have_their_own_tighter_limit(app, client, public_key):
    app.config["WIDGET_ANSWER_RATE_LIMIT"] = "1 per minute"
    first = call(client, "answer", {"key": public_key})
    assert first.status_code == 401  # no token: refused, but counted
    assert call(client, "answer", {"key": public_key}).status_code == 429
    assert call(client, "visitor", {"key": public_key}).status_code == 200


def test_a_key_has_a_limit_over_every_address_together(app, client, public_key):
    app.config["WIDGET_KEY_RATE_LIMIT"] = "2 per minute"

    def visit(address: str):
        return client.post("/w/v1/visitor", data=json.dumps({"key": public_key}), content_type="text/plain",
                           headers={"Origin": ORIGIN}, environ_overrides={"REMOTE_ADDR": address})

    assert visit("203.0.113.1").status_code == 200
    assert visit("203.0.113.2").status_code == 200
    assert visit("203.0.113.3").status_code == 429
