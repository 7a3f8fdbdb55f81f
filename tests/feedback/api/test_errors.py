"""Errors are JSON under /api/ and HTML elsewhere."""
from __future__ import annotations

import pytest
from flask import abort


def _assert_json_error(response, code: int) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    payload = response.get_json()
    assert payload["code"] == code and payload["status"] and payload["message"]
    return payload


def test_unknown_api_path_is_a_json_404(client):
    _assert_json_error(client.get("/api/v1/nothing-here"), 404)
    _assert_json_error(client.get("/api"), 404)


def test_wrong_method_is_a_json_405_with_allow(client, api_headers):
    response = client.delete("/api/v1/accounts/acme", headers=api_headers)
    _assert_json_error(response, 405)
    assert "PUT" in response.headers["Allow"]


def test_paths_outside_the_api_keep_html_errors(client):
    response = client.get("/definitely/not/here")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@pytest.fixture
def teapots(app):
    app.add_url_rule("/teapot", "teapot", lambda: abort(418))
    app.add_url_rule("/api/v1/teapot", "api_teapot", lambda: abort(418))


def test_other_paths_go_to_the_web_uis_error_page(app, client, teapots):
    app.extensions["html_error_handler"] = lambda error: (f"<p>web page for {error.code}</p>", error.code)
    html = client.get("/teapot")
    assert (html.status_code, html.get_data(as_text=True)) == (418, "<p>web page for 418</p>")
    _assert_json_error(client.get("/api/v1/teapot"), 418)


def test_an_unexpected_error_under_the_api_is_a_json_500(app, client):
    def boom():
        raise RuntimeError("a bug")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    payload = _assert_json_error(client.get("/api/v1/boom"), 500)
    assert "a bug" not in payload["message"]


def test_the_json_error_handler_is_published_for_the_web_layer(app):
    assert callable(app.extensions["api_error_handler"])
