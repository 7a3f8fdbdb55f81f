"""PUT / GET / list / DELETE (erasure) of /api/v1/contacts."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from surveys.audience.erasure import TOMBSTONE_PREFIX
from surveys.audience.models import Contact, ErasureRecord
from surveys.db import db

URL = "/api/v1/contacts"


def test_put_creates_a_contact_linked_to_its_account(client, api_headers, make_account):
    make_account(external_id="acme")
    body = {"account_external_id": "acme", "email": "Bob@Example.COM", "name": "Bob", "timezone": "Europe/Paris",
            "locale": "pt-BR", "attributes": {"role": "cto"}}
    response = client.put(f"{URL}/u-1", json=body, headers=api_headers)
    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == f"{URL}/u-1"
    data = response.get_json()
    assert data["account_external_id"] == "acme"
    assert (data["email"], data["timezone"], data["locale"]) == ("Bob@example.com", "Europe/Paris", "pt-BR")
    assert data["unsubscribed"] is False and data["unsubscribed_at"] is None
    assert client.get(f"{URL}/u-1", headers=api_headers).get_json() == data


def test_put_twice_is_unchanged_and_keeps_updated_at(client, api_headers, make_account):
    make_account(external_id="acme")
    body = {"account_external_id": "acme", "email": "bob@example.com", "unsubscribed": True,
            "attributes": {"nps": 9.5}}
    first = client.put(f"{URL}/u-1", json=body, headers=api_headers)
    second = client.put(f"{URL}/u-1", json=body, headers=api_headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.get_json() == first.get_json()
    assert first.get_json()["unsubscribed"] is True


def test_put_unknown_account_is_422_and_writes_nothing(client, api_headers, count):
    response = client.put(f"{URL}/u-1", json={"account_external_id": "ghost", "email": "a@example.com"},
                          headers=api_headers)
    assert response.status_code == 422
    assert "ghost" in response.get_json()["errors"]["json"]["account_external_id"][0]
    assert count(Contact) == 0


def test_null_account_detaches_and_resubscribe_clears(client, api_headers, make_account, make_contact):
    account = make_account(external_id="acme")
    make_contact(external_id="u-1", account_id=account.id, unsubscribed_at=datetime(2025, 1, 1, tzinfo=UTC))
    response = client.put(f"{URL}/u-1", json={"account_external_id": None, "unsubscribed": False},
                          headers=api_headers)
    assert response.status_code == 200
    assert response.get_json()["account_external_id"] is None
    assert response.get_json()["unsubscribed_at"] is None


def test_tombstone_ids_are_reserved(client, api_headers, count):
    in_path = client.put(f"{URL}/{TOMBSTONE_PREFIX}abc", json={}, headers=api_headers)
    in_body = client.post(f"{URL}/batch", json={"contacts": [{"external_id": f"{TOMBSTONE_PREFIX}abc"}]},
                          headers=api_headers)
    assert in_path.status_code == 422 and "external_id" in in_path.get_json()["errors"]["path"]
    assert in_body.status_code == 422 and "external_id" in in_body.get_json()["errors"]["json"]["contacts"]["0"]
    assert count(Contact) == 0


@pytest.fixture
def people(make_account, make_contact):
    acme = make_account(external_id="acme")
    make_contact(external_id="u1", name="Ann Lee", email="ann@acme.com", account_id=acme.id)
    make_contact(external_id="u2", name="Bob Ray", email="bob@other.org",
                 unsubscribed_at=datetime(2025, 5, 1, tzinfo=UTC))
    make_contact(external_id="u3", name="Cy", email="cy@acme.com", account_id=acme.id)


def _ids(client, headers, query: str = "") -> list[str]:
    response = client.get(f"{URL}?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [c["external_id"] for c in response.get_json()]


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["u1", "u2", "u3"]),
    ("q=ACME.COM", ["u1", "u3"]),
    ("q=ray", ["u2"]),
    ("q=u3", ["u3"]),
    ("account_external_id=acme", ["u1", "u3"]),
    ("account_external_id=ghost", []),
    ("unsubscribed=true", ["u2"]),
    ("unsubscribed=false", ["u1", "u3"]),
    ("sort=-name", ["u3", "u2", "u1"]),
    ("sort=email", ["u1", "u2", "u3"]),
])
def test_list_filters_and_sorts(client, api_headers, people, query, expected):
    assert _ids(client, api_headers, query) == expected


def test_list_includes_the_account_id_and_pages(client, api_headers, people):
    response = client.get(f"{URL}?page_size=1&page=2", headers=api_headers)
    assert [c["account_external_id"] for c in response.get_json()] == [None]
    assert '"total": 3' in response.headers["X-Pagination"]


def test_delete_erases_the_person_but_keeps_the_row(app, client, api_headers, people, count):
    seen = []
    app.extensions["erasers"] = [lambda session, contact: seen.append(contact.email)]
    response = client.delete(f"{URL}/u1", headers=api_headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert seen == ["ann@acme.com"]  # every registered eraser ran, before the fields were cleared

    assert count(Contact) == 3
    erased = db.session.scalar(select(Contact).where(Contact.erased_at.is_not(None)))
    assert erased.external_id.startswith(TOMBSTONE_PREFIX)
    assert (erased.email, erased.name, erased.attributes, erased.timezone) == (None, None, {}, None)
    assert erased.account_id is not None  # the account's aggregates keep counting the row
    record = db.session.scalar(select(ErasureRecord))
    assert record.contact_id == erased.id and record.requested_by.startswith("API key sk_")

    assert client.get(f"{URL}/u1", headers=api_headers).status_code == 404
    assert client.delete(f"{URL}/u1", headers=api_headers).status_code == 404
    assert client.get(f"{URL}/{erased.external_id}", headers=api_headers).status_code == 404
    assert _ids(client, api_headers) == ["u2", "u3"]
    assert "ann" not in client.get(f"{URL}?q=ann", headers=api_headers).get_data(as_text=True)

