"""PUT / GET / list of /api/v1/accounts."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from surveys.audience.models import Account
from surveys.db import db

URL = "/api/v1/accounts"


def test_put_creates_then_returns_the_account(client, api_headers):
    body = {"name": " Acme ", "plan": "pro", "segment": "enterprise", "arr": 12000.5,
            "csm_email": "Carla@Example.COM", "renewal_date": "2026-03-31", "attributes": {"region": "EU"}}
    response = client.put(f"{URL}/acme-1", json=body, headers=api_headers)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == f"{URL}/acme-1"
    data = response.get_json()
    assert data["external_id"] == "acme-1"
    assert data["name"] == "Acme"
    assert data["arr"] == "12000.50"  # a string decimal, documented
    assert data["csm_email"] == "Carla@example.com"
    assert data["renewal_date"] == "2026-03-31"
    assert data["attributes"] == {"region": "EU"}
    assert data["created_at"].endswith("+00:00")

    stored = db.session.get(Account, db.session.scalar(select(Account.id)))
    assert stored.arr == Decimal("12000.50")
    assert stored.renewal_date == date(2026, 3, 31)
    assert client.get(f"{URL}/acme-1", headers=api_headers).get_json() == data


def test_put_twice_is_unchanged_and_keeps_updated_at(client, api_headers):
    body = {"name": "Acme", "arr": 10.1, "attributes": {"score": 0.1, "tags": ["a", "b"]}}
    first = client.put(f"{URL}/a1", json=body, headers=api_headers)
    second = client.put(f"{URL}/a1", json=body, headers=api_headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json()["updated_at"] == first.get_json()["updated_at"]
    assert second.get_json() == first.get_json()


def test_put_updates_only_the_fields_sent(client, api_headers, make_account):
    make_account(external_id="a1", name="Old", plan="basic", segment="smb", attributes={"keep": 1, "drop": 2})
    before = client.get(f"{URL}/a1", headers=api_headers).get_json()
    response = client.put(f"{URL}/a1", json={"name": "New", "attributes": {"drop": None, "add": True}},
                          headers=api_headers)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["name"], data["plan"], data["segment"]) == ("New", "basic", "smb")
    assert data["attributes"] == {"keep": 1, "add": True}
    assert datetime.fromisoformat(data["updated_at"]) > datetime.fromisoformat(before["updated_at"])


def test_put_body_id_must_match_the_url(client, api_headers, count):
    response = client.put(f"{URL}/a1", json={"external_id": "other", "name": "A"}, headers=api_headers)
    assert response.status_code == 422
    assert "external_id" in response.get_json()["errors"]["json"]
    assert count(Account) == 0
    same = client.put(f"{URL}/a1", json={"external_id": "a1", "name": "A"}, headers=api_headers)
    assert same.status_code == 201


def test_external_ids_may_contain_slashes(client, api_headers):
    assert client.put(f"{URL}/eu/acme", json={"name": "Acme EU"}, headers=api_headers).status_code == 201
    assert client.get(f"{URL}/eu/acme", headers=api_headers).get_json()["name"] == "Acme EU"


def test_get_unknown_account_is_a_json_404(client, api_headers):
    response = client.get(f"{URL}/nope", headers=api_headers)
    assert response.status_code == 404
    assert response.is_json
    assert "nope" in response.get_json()["message"]


@pytest.fixture
def accounts(make_account):
    make_account(external_id="a", name="alpha corp", plan="pro", segment="smb", arr=Decimal("100"),
                 csm_email="carla@example.com", renewal_date=date(2026, 1, 10))
    make_account(external_id="b", name="Beta 100% Ltd", plan="pro", segment="enterprise", arr=Decimal("5000"),
                 csm_email="dan@example.com", renewal_date=date(2026, 6, 1))
    make_account(external_id="c", name="Gamma", plan="basic", segment="smb", arr=None,
                 csm_email="carla@example.com", renewal_date=None)
    make_account(external_id="d", name="delta", plan="basic", segment="enterprise", arr=Decimal("250.50"),
                 csm_email=None, renewal_date=date(2026, 3, 15))


def _ids(client, headers, query: str = "") -> list[str]:
    response = client.get(f"{URL}?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [a["external_id"] for a in response.get_json()]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["a", "b", "d", "c"]),  # by name, case-insensitive
    ("q=ALPHA", ["a"]),
    ("q=c", ["a", "c"]),  # name or external_id
    ("q=100%25", ["b"]),  # a literal %, not a wildcard
    ("q=_", []),
    ("plan=pro", ["a", "b"]),
    ("segment=enterprise", ["b", "d"]),
    ("csm_email=CARLA@example.com", ["a", "c"]),
    ("renewal_after=2026-03-15", ["b", "d"]),  # inclusive
    ("renewal_before=2026-03-15", ["a", "d"]),  # inclusive
    ("arr_min=250.50&arr_max=5000", ["b", "d"]),
    ("plan=basic&segment=smb", ["c"]),
])
def test_list_filters(client, api_headers, accounts, query, expected):
    assert _ids(client, api_headers, query) == expected


@pytest.mark.parametrize(("sort", "expected"), [
    ("name", ["a", "b", "d", "c"]),
    ("-name", ["c", "d", "b", "a"]),
    ("arr", ["a", "d", "b", "c"]),  # accounts without ARR last
    ("-arr", ["b", "d", "a", "c"]),
    ("renewal_date", ["a", "d", "b", "c"]),
    ("-renewal_date", ["b", "d", "a", "c"]),
])
def test_list_sorting(client, api_headers, accounts, sort, expected):
    assert _ids(client, api_headers, f"sort={sort}") == expected


def test_list_sorts_by_last_update(client, api_headers, accounts):
    client.put(f"{URL}/b", json={"name": "Beta renamed"}, headers=api_headers)
    assert _ids(client, api_headers, "sort=-updated_at")[0] == "b"
    assert _ids(client, api_headers, "sort=updated_at")[-1] == "b"


def test_list_is_paginated_with_the_total_in_a_header(client, api_headers, make_account):
    for n in range(5):
        make_account(external_id=f"p{n}", name=f"P{n}")
    response = client.get(f"{URL}?page=3&page_size=2", headers=api_headers)
    assert [a["external_id"] for a in response.get_json()] == ["p4"]
    meta = json.loads(response.headers["X-Pagination"])
    assert (meta["total"], meta["total_pages"], meta["page"], meta["previous_page"]) == (5, 3, 3, 2)
    first = client.get(f"{URL}?page_size=2", headers=api_headers)
    assert [a["external_id"] for a in first.get_json()] == ["p0", "p1"]


@pytest.mark.parametrize(("query", "field"), [
    ("page=0", "page"),
    ("page_size=501", "page_size"),
    ("page_size=abc", "page_size"),
    ("sort=owner", "sort"),
    ("renewal_before=2026-02-30", "renewal_before"),
    ("arr_min=lots", "arr_min"),
    ("arr_max=-5", "arr_max"),
    ("q=", "q"),
])
def test_bad_list_parameters_are_422_naming_the_parameter(client, api_headers, query, field):
    response = client.get(f"{URL}?{query}", headers=api_headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]
