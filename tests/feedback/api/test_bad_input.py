"""Every bad input the issue lists: a 4xx naming the field (or the body), nothing written, never a 500."""
from __future__ import annotations

import json

import pytest

from surveys.audience.models import Account, Contact

ACCOUNT = "/api/v1/accounts/acme"
CONTACT = "/api/v1/contacts/u-1"


def _nested(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


def _put_raw(client, url: str, text: str, headers: dict):
    return client.put(url, data=text, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "Acme", "arr": "lots"}, "arr"),
    ({"name": "Acme", "arr": -5}, "arr"),
    ('{"name": "Acme", "arr": 1e400}', "arr"),  # raw JSON text: stays a (huge) number, never inf
    ({"name": "Acme", "arr": 10 ** 13}, "arr"),
    ({"name": "Acme", "renewal_date": "2026-02-30"}, "renewal_date"),
    ({"name": "Acme", "csm_email": "bob@"}, "csm_email"),
    ({"name": "Acme", "attributes": _nested(100)}, "attributes"),
    ({"name": "Acme", "attributes": ["not", "an", "object"]}, "attributes"),
    ('{"name": "Acme", "attributes": {"big": 1e400}}', "attributes"),
    ({"arr": 5}, "name"),
    ({"name": "Acme", "owner": "me"}, "owner"),
    ({"name": "Acme\x00"}, "name"),
])
def test_bad_account_fields_are_422_naming_the_field(client, api_headers, count, body, field):
    if isinstance(body, str):
        response = _put_raw(client, ACCOUNT, body, api_headers)
    else:
        response = client.put(ACCOUNT, json=body, headers=api_headers)
    assert response.status_code == 422, response.get_json()
    payload = response.get_json()
    assert (payload["code"], payload["status"]) == (422, "Unprocessable Entity")
    assert list(payload["errors"]["json"]) == [field]
    assert count(Account) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "bob@"}, "email"),
    ({"timezone": "Mars/Base"}, "timezone"),
    ({"locale": "english please"}, "locale"),
    ({"account_external_id": "x" * 10_000}, "account_external_id"),
    ({"unsubscribed": "maybe"}, "unsubscribed"),
])
def test_bad_contact_fields_are_422_naming_the_field(client, api_headers, count, body, field):
    response = client.put(CONTACT, json=body, headers=api_headers)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["json"]) == [field]
    assert count(Contact) == 0


def test_an_external_id_of_10000_characters_is_refused_in_url_and_body(client, api_headers, count):
    long_id = "x" * 10_000
    in_url = client.put(f"/api/v1/accounts/{long_id}", json={"name": "A"}, headers=api_headers)
    assert in_url.status_code == 422
    assert "external_id" in in_url.get_json()["errors"]["path"]
    in_batch = client.post("/api/v1/accounts/batch", json={"accounts": [{"external_id": long_id, "name": "A"}]},
                           headers=api_headers)
    assert in_batch.status_code == 422
    assert "external_id" in in_batch.get_json()["errors"]["json"]["accounts"]["0"]
    assert count(Account) == 0


def test_a_missing_external_id_is_named(client, api_headers, count):
    response = client.post("/api/v1/contacts/batch", json={"contacts": [{"email": "a@example.com"}]},
                           headers=api_headers)
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["contacts"]["0"] == {
        "external_id": ["Missing data for required field."]}
    assert count(Contact) == 0


@pytest.mark.parametrize("text", ["[1, 2]", '"acme"', "42", "null", "true"])
def test_json_that_is_not_an_object_is_422_naming_the_body(client, api_headers, count, text):
    response = _put_raw(client, ACCOUNT, text, api_headers)
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"] == {"_schema": ["Invalid input type."]}
    assert count(Account) == 0


@pytest.mark.parametrize(("text", "content_type"), [
    ('{"name": "Acme"', "application/json"),  # malformed
    ("{'name': 'Acme'}", "application/json"),
    ('{"name": "Acme", "arr": NaN}', "application/json"),  # not JSON, though Python accepts it
    ('{"name": "Acme", "arr": Infinity}', "application/json"),
    (b'{"name": "\xff"}', "application/json"),  # not UTF-8
    ("", "application/json"),
    ("name=Acme", "application/x-www-form-urlencoded"),
    ('{"name": "Acme"}', "text/plain"),
    ("[" * 100_000 + "]" * 100_000, "application/json"),  # RecursionError in the parser
    ('{"a":' * 300 + "1" + "}" * 300, "application/json"),  # parses, but deeper than the API allows
])
def test_a_body_that_is_not_usable_json_is_400_naming_json(client, api_headers, count, text, content_type):
    response = client.put(ACCOUNT, data=text, content_type=content_type, headers=api_headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    payload = response.get_json()
    assert payload["code"] == 400
    assert "json" in payload["errors"]
    assert count(Account) == 0


def test_decimal_precision_survives_the_round_trip(client, api_headers):
    response = _put_raw(client, ACCOUNT, '{"name": "Acme", "arr": 999999999999.99}', api_headers)
    assert response.status_code == 201
    assert response.get_json()["arr"] == "999999999999.99"
    assert json.loads(response.get_data())["arr"] == "999999999999.99"


@pytest.mark.parametrize("url", [
    "/api/v1/accounts/a%00b",
    "/api/v1/contacts/a%00b",
    "/api/v1/accounts/" + "x" * 10_000,
])
def test_ids_no_record_can_have_are_404_not_a_database_error(client, api_headers, url):
    response = client.get(url, headers=api_headers)
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/v1/accounts?q=%00", "q"),
    ("/api/v1/accounts?plan=a%00", "plan"),
    ("/api/v1/accounts?csm_email=%1f", "csm_email"),
    ("/api/v1/contacts?account_external_id=%00", "account_external_id"),
    ("/api/v1/contacts?q=" + "x" * 300, "q"),
])
def test_unusable_filters_are_422_naming_the_parameter(client, api_headers, url, parameter):
    response = client.get(url, headers=api_headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["query"]) == [parameter]
