"""The OpenAPI document and the docs page, served from local files only."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

EXPECTED_OPERATIONS = {
    "/api/v1/surveys": {"get", "post"},
    "/api/v1/surveys/{survey_id}": {"get", "patch"},
    "/api/v1/surveys/{survey_id}/publish": {"post"},
    "/api/v1/surveys/{survey_id}/versions": {"get"},
    "/api/v1/surveys/{survey_id}/links": {"post"},
    "/api/v1/surveys/{survey_id}/responses": {"post"},
    "/api/v1/surveys/{survey_id}/responses/batch": {"post"},
    "/api/v1/responses": {"get"},
    "/api/v1/responses/{response_id}": {"get"},
    "/api/v1/accounts": {"get"},
    "/api/v1/accounts/{external_id}": {"get", "put"},
    "/api/v1/accounts/batch": {"post"},
    "/api/v1/contacts": {"get"},
    "/api/v1/contacts/{external_id}": {"get", "put", "delete"},
    "/api/v1/contacts/batch": {"post"},
    "/api/v1/events": {"get", "post"},
    "/api/v1/bounces": {"post"},
    "/api/v1/contacts/{external_id}/eligibility": {"get"},
}


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data())  # plain floats: the app's provider would give Decimals


def test_the_document_has_every_operation_guarded_by_the_bearer_scheme(spec):
    assert spec["openapi"].startswith("3.")
    assert {path: set(ops) - {"parameters"} for path, ops in spec["paths"].items()} == EXPECTED_OPERATIONS
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"]}
    assert {"bearerAuth": []} in spec["security"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["summary"], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_the_schemas_are_documented(spec):
    schemas = spec["components"]["schemas"]
    account = schemas["Account"]["properties"]
    assert account["arr"]["type"] == "string" and "string decimal" in account["arr"]["description"]
    assert all(prop.get("description") for prop in account.values())
    assert all(prop.get("description") for prop in schemas["Contact"]["properties"].values())
    put_arr = schemas["AccountPut"]["properties"]["arr"]
    assert isinstance(put_arr["maximum"], float) and put_arr["minimum"] == 0
    batch = spec["paths"]["/api/v1/contacts/batch"]["post"]
    assert "422" in batch["responses"]


def test_the_document_is_valid_openapi(spec):
    from openapi_spec_validator import validate  # in the test extra: never skipped

    validate(spec)


def _references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    references = _references(html)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in references)
    for ref in references:
        assert not urlsplit(ref).netloc and ref.startswith("/"), ref
        with client.get(ref) as asset:
            assert asset.status_code == 200, ref
            assert len(asset.get_data()) > 0, ref
    with client.get(next(ref for ref in references if ref.endswith("docs.js"))) as response:
        script = response.get_data(as_text=True)
    assert "validatorUrl: null" in script
    assert "/api/v1/openapi.json" in html
    assert 'data-csrf-token=""' in html  # only logged-in users get a token


def test_only_the_assets_the_page_needs_are_served(client):
    assert client.get("/api/v1/docs/assets/index.html").status_code == 404
    assert client.get("/api/v1/docs/assets/../../../etc/passwd").status_code == 404


@pytest.mark.browser
def test_swagger_ui_renders_in_chromium_without_leaving_the_host(live_server, page, shots_dir):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/api/v1/docs")
    page.get_by_text("Create or update an account").first.wait_for()
    page.screenshot(path=str(shots_dir / "api-docs.png"), full_page=False)
    host = urlsplit(live_server).netloc
    outside = [url for url in requested if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != host]
    assert outside == []
    assert any(url.endswith("/api/v1/openapi.json") for url in requested)
