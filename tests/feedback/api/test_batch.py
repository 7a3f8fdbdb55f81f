"""POST /api/v1/accounts/batch and /api/v1/contacts/batch: all or nothing."""
from __future__ import annotations

from sqlalchemy import select

from surveys.audience.models import Account, Contact
from surveys.db import db


def _accounts(n: int, start: int = 0) -> list[dict]:
    return [{"external_id": f"a{i}", "name": f"Account {i}", "arr": i * 10, "plan": "pro"}
            for i in range(start, start + n)]


def test_account_batch_creates_updates_and_counts(client, api_headers, make_account, count):
    make_account(external_id="a0", name="Account 0", arr=0, plan="pro")  # identical: unchanged
    make_account(external_id="a1", name="Old name")  # changed: updated
    response = client.post("/api/v1/accounts/batch", json={"accounts": _accounts(4)}, headers=api_headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 2, "updated": 1, "unchanged": 1,
                                   "external_ids": ["a0", "a1", "a2", "a3"]}
    assert count(Account) == 4
    again = client.post("/api/v1/accounts/batch", json={"accounts": _accounts(4)}, headers=api_headers)
    assert again.get_json()["unchanged"] == 4


def test_a_batch_of_1000_is_accepted_and_1001_is_not(client, api_headers, count):
    too_many = client.post("/api/v1/accounts/batch", json={"accounts": _accounts(1001)}, headers=api_headers)
    assert too_many.status_code == 422
    assert "1001" in too_many.get_json()["errors"]["json"]["accounts"][0]
    assert count(Account) == 0
    full = client.post("/api/v1/accounts/batch", json={"accounts": _accounts(1000)}, headers=api_headers)
    assert full.status_code == 200
    assert full.get_json()["created"] == 1000


def test_an_empty_batch_is_422(client, api_headers):
    response = client.post("/api/v1/accounts/batch", json={"accounts": []}, headers=api_headers)
    assert response.status_code == 422
    assert "accounts" in response.get_json()["errors"]["json"]


def test_row_500_bad_writes_nothing_and_is_named(client, api_headers, make_account, count):
    make_account(external_id="a3", name="Before")
    rows = _accounts(1000)
    rows[500]["arr"] = "lots"
    response = client.post("/api/v1/accounts/batch", json={"accounts": rows}, headers=api_headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]["accounts"]
    assert list(errors) == ["500"]
    assert list(errors["500"]) == ["arr"]
    assert count(Account) == 1
    assert db.session.scalar(select(Account.name).where(Account.external_id == "a3")) == "Before"


def test_every_bad_row_is_listed_with_its_fields(client, api_headers, count):
    rows = _accounts(6)
    rows[1]["arr"] = -5
    rows[2]["renewal_date"] = "2026-02-30"
    rows[3]["csm_email"] = "bob@"
    del rows[4]["external_id"]
    rows[5]["external_id"] = "a0"
    rows.append("not an object")
    response = client.post("/api/v1/accounts/batch", json={"accounts": rows}, headers=api_headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]["accounts"]
    assert {index: sorted(fields) for index, fields in errors.items()} == {
        "1": ["arr"], "2": ["renewal_date"], "3": ["csm_email"], "4": ["external_id"], "5": ["external_id"],
        "6": ["_schema"]}
    assert "row 0" in errors["5"]["external_id"][0]
    assert count(Account) == 0


def test_duplicate_ids_are_compared_after_trimming(client, api_headers, count):
    rows = [{"external_id": "x", "name": "One"}, {"external_id": " x ", "name": "Two"}]
    response = client.post("/api/v1/accounts/batch", json={"accounts": rows}, headers=api_headers)
    assert response.status_code == 422
    assert "external_id" in response.get_json()["errors"]["json"]["accounts"]["1"]
    assert count(Account) == 0


def test_contact_batch_links_accounts_and_names_unknown_ones(client, api_headers, make_account, count):
    make_account(external_id="acme")
    rows = [{"external_id": "u1", "account_external_id": "acme", "email": "u1@acme.com"},
            {"external_id": "u2", "account_external_id": "ghost", "email": "u2@acme.com"},
            {"external_id": "u3", "account_external_id": "ghost2", "timezone": "Mars/Base"},
            {"external_id": "u1"}]
    response = client.post("/api/v1/contacts/batch", json={"contacts": rows}, headers=api_headers)
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]["contacts"]
    assert {index: sorted(fields) for index, fields in errors.items()} == {
        "1": ["account_external_id"], "2": ["account_external_id", "timezone"], "3": ["external_id"]}
    assert count(Contact) == 0

    good = client.post("/api/v1/contacts/batch", json={"contacts": rows[:1]}, headers=api_headers)
    assert good.status_code == 200
    assert good.get_json() == {"created": 1, "updated": 0, "unchanged": 0, "external_ids": ["u1"]}
    contact = client.get("/api/v1/contacts/u1", headers=api_headers).get_json()
    assert contact["account_external_id"] == "acme"


def test_batch_body_must_be_an_object_with_a_list(client, api_headers):
    for body, where in (([], "_schema"), ({"accounts": {"a": 1}}, "accounts"), ({}, "accounts"),
                        ({"accounts": _accounts(1), "extra": 1}, "extra")):
        response = client.post("/api/v1/accounts/batch", json=body, headers=api_headers)
        assert response.status_code == 422, body
        assert where in response.get_json()["errors"]["json"], body
