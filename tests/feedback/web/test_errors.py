"""Friendly HTML error pages outside /api/; JSON errors inside it."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import Gone

from feedback.auth.roles import Role


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<h1" in html and "Page not found" in html and 'href="/login"' in html


def test_signed_in_404_keeps_the_navigation(signed_in):
    client, _user = signed_in(Role.VIEWER)
    html = client.get("/no/such/page").get_data(as_text=True)
    assert 'aria-label="Main"' in html and "Go to accounts" in html


def test_wrong_method_is_a_friendly_405(client):
    response = client.put("/login")
    assert response.status_code == 405 and "That action is not available here" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/accounts/unknown"])
def test_api_paths_keep_json_errors(client, api_headers, path):
    response = client.get(path, headers=api_headers)
    assert response.status_code == 404
    assert response.mimetype == "application/json" and isinstance(response.get_json(), dict)


def test_api_method_and_auth_errors_stay_json(client):
    assert client.put("/api/v1/accounts").mimetype == "application/json"
    assert client.get("/api/v1/accounts").mimetype == "application/json"


def test_html_error_handler_is_published_for_the_api_layer(app):
    with app.test_request_context("/anything"):
        response = app.extensions["html_error_handler"](Gone())
    assert response.status_code == 410 and "This link is no longer valid" in response.get_data(as_text=True)


def test_a_crash_is_a_friendly_500(app, client):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom-for-test")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong on our side" in html
    assert "kaboom" not in html  # no internals shown


def test_pages_are_not_framed_and_keep_their_urls_to_themselves(client):
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
