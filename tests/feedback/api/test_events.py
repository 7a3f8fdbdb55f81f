"""POST /api/v1/events (batches, all or nothing, idempotent) and GET /api/v1/events (cursor pages)."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.auth.models import KeyKind
from feedback.auth.roles import Role
from surveys.audience.models import Contact
from surveys.db import db, utcnow
from surveys.journeys.models import Event

URL = "/api/v1/events"


def _row(contact: str = "u-1", name: str = "onboarding_completed", **extra) -> dict:
    return {"contact_external_id": contact, "name": name, "occurred_at": utcnow().isoformat(), **extra}


def _post(client, headers, *rows):
    return client.post(URL, json={"events": list(rows)}, headers=headers)


@pytest.fixture
def ana(make_account, make_contact):
    return make_contact(external_id="u-1", account_id=make_account(external_id="acme").id)


def test_a_batch_is_stored_and_counted(client, api_headers, ana, count):
    response = _post(client, api_headers, _row(properties={"seats": 12, "ratio": 0.5}, idempotency_key="k1"),
                     _row(name="ticket_closed"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["created"], body["duplicates"], body["contacts_created"]) == (2, 0, 0)
    assert len(body["ids"]) == 2 and count(Event) == 2
    event = db.session.get(Event, body["ids"][0])
    assert event.properties == {"seats": 12, "ratio": 0.5} and event.account_id == ana.account_id


@pytest.mark.parametrize("occurred_at, message", [
    ("2099-01-01T00:00:00Z", "Must not be more than a day in the future."),
    ("1970-01-01T00:00:00Z", "Must be on or after 2000-01-01."),
])
def test_implausible_times_are_422_naming_the_row_and_nothing_is_written(client, api_headers, ana, count,
                                                                        occurred_at, message):
    response = _post(client, api_headers, _row(), _row(), {**_row(), "occurred_at": occurred_at})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["events"] == {"2": {"occurred_at": [message]}}
    assert count(Event) == 0


def test_ten_thousand_properties_are_422_naming_the_field(client, api_headers, ana, count):
    response = _post(client, api_headers, _row(properties={f"p{i}": i for i in range(10_000)}))
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["events"]["0"]["properties"] == [
        "At most 100 properties; got 10000."]
    assert count(Event) == 0


def test_an_unknown_contact_with_no_email_is_422_and_nothing_is_written(client, api_headers, ana, count):
    response = _post(client, api_headers, _row(email="new@example.com", contact="new"), _row(contact="ghost"))
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]["events"]
    assert list(errors) == ["1"] and "No contact with external_id 'ghost'" in errors["1"]["contact_external_id"][0]
    assert count(Event) == 0 and count(Contact) == 1


def test_an_unknown_contact_with_email_or_account_is_created(client, api_headers, ana, count):
    response = _post(client, api_headers, _row(contact="new", email="new@example.com", contact_name="New Person"),
                     _row(contact="other", account_external_id="acme"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["contacts_created"] == 2 and count(Contact) == 3


def test_an_unknown_account_is_422(client, api_headers, count):
    response = _post(client, api_headers, _row(contact="new", account_external_id="nope"))
    assert response.status_code == 422
    assert "account_external_id" in response.get_json()["errors"]["json"]["events"]["0"]
    assert count(Contact) == 0


def test_duplicates_in_one_batch_and_across_batches_are_one_event(client, api_headers, ana, count):
    first = _post(client, api_headers, _row(idempotency_key="k"), _row(idempotency_key="k"))
    assert first.get_json()["created"] == 1 and first.get_json()["duplicates"] == 1
    ids = first.get_json()["ids"]
    assert ids[0] == ids[1]
    again = _post(client, api_headers, _row(idempotency_key="k"))
    assert again.get_json() == {"created": 0, "duplicates": 1, "contacts_created": 0, "ids": [ids[0]]}
    assert count(Event) == 1


def test_a_batch_of_1000_is_accepted_and_1001_is_not(client, api_headers, ana, count):
    too_many = _post(client, api_headers, *[_row()] * 1001)
    assert too_many.status_code == 422
    assert "got 1001" in too_many.get_json()["errors"]["json"]["events"][0]
    full = _post(client, api_headers, *[_row(idempotency_key=f"k{i}") for i in range(1000)])
    assert full.status_code == 200 and full.get_json()["created"] == 1000
    assert count(Event) == 1000


@pytest.mark.parametrize("body", [{}, {"events": "nope"}, {"events": []}, {"events": [{}], "extra": 1}])
def test_bad_envelopes_are_422(client, api_headers, body):
    response = client.post(URL, json=body, headers=api_headers)
    assert response.status_code == 422


def test_a_body_that_is_not_json_is_400(client, api_headers):
    response = client.post(URL, data="events", headers={**api_headers, "Content-Type": "application/json"})
    assert response.status_code == 400


def test_permissions(client, app, make_key, make_user, session_caller, ana, count):
    assert _post(client, {}, _row()).status_code == 401
    _key, public = make_key(KeyKind.PUBLIC)
    assert _post(client, {"Authorization": f"Bearer {public}"}, _row()).status_code == 403
    viewer, token = session_caller(Role.VIEWER)
    assert viewer.post(URL, json={"events": [_row()]}, headers={"X-CSRFToken": token}).status_code == 403
    assert viewer.get(URL).status_code == 200  # reading the journey is reading the audience
    manager, token = session_caller(Role.MANAGER)
    assert manager.post(URL, json={"events": [_row()]}, headers={"X-CSRFToken": token}).status_code == 200
    assert count(Event) == 1


# --- listing -----------------------------------------------------------------------------------

def test_list_filters_and_cursor_pages(client, api_headers, ana, make_contact):
    bo = make_contact(external_id="u-2")
    start = utcnow() - timedelta(days=10)
    rows = [_row(name="seen", occurred_at=(start + timedelta(hours=i)).isoformat(), properties={"i": i})
            for i in range(5)]
    rows += [_row(contact="u-2", name="seen", occurred_at=start.isoformat()),
             _row(name="other", occurred_at=start.isoformat())]
    assert _post(client, api_headers, *rows).status_code == 200
    page = client.get(f"{URL}?contact=u-1&name=seen&limit=2", headers=api_headers)
    assert page.status_code == 200
    assert [e["properties"]["i"] for e in page.get_json()] == [4, 3]
    assert page.get_json()[0]["contact_external_id"] == "u-1"
    assert page.get_json()[0]["account_external_id"] == "acme"
    seen = [e["properties"]["i"] for e in page.get_json()]
    while "X-Next-Cursor" in page.headers:
        assert 'rel="next"' in page.headers["Link"]
        page = client.get(f"{URL}?contact=u-1&name=seen&limit=2&cursor={page.headers['X-Next-Cursor']}",
                          headers=api_headers)
        seen += [e["properties"]["i"] for e in page.get_json()]
    assert seen == [4, 3, 2, 1, 0]
    by_account = client.get(f"{URL}?account=acme", headers=api_headers).get_json()
    assert len(by_account) == 6 and {e["contact_external_id"] for e in by_account} == {"u-1"}
    assert len(client.get(URL, headers=api_headers).get_json()) == 7
    assert client.get(f"{URL}?contact=nobody", headers=api_headers).get_json() == []
    assert bo.id


@pytest.mark.parametrize("query, field", [("cursor=garbage", "cursor"), ("limit=0", "limit"), ("limit=501", "limit")])
def test_bad_list_arguments_are_422(client, api_headers, query, field):
    response = client.get(f"{URL}?{query}", headers=api_headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["query"]


def test_the_operation_is_documented_with_an_example(client):
    spec = json.loads(client.get("/api/v1/openapi.json").get_data())
    post = spec["paths"]["/api/v1/events"]["post"]
    assert post["summary"].startswith("Record up to 1,000 events")
    body = post["requestBody"]["content"]["application/json"]
    assert body["example"]["events"][0]["name"] == "onboarding_completed"
    assert {"422", "401", "403"} <= set(post["responses"])
    row = spec["components"]["schemas"]["EventRow"]["properties"]
    assert all(prop.get("description") for prop in row.values())
    assert "get" in spec["paths"]["/api/v1/events"]


# --- concurrency -------------------------------------------------------------------------------

def _call(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_one_idempotency_key_sent_at_once_from_many_threads_is_one_event(live_server, make_key):
    _key, plaintext = make_key()
    headers = {"Authorization": f"Bearer {plaintext}", "Content-Type": "application/json"}
    # The same unknown contact too: it is created once.
    body = json.dumps({"events": [_row(contact="racer", email="racer@example.com", idempotency_key="only-one")]})
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: _call(f"{live_server}{URL}", headers, body.encode()), range(100)))
    failures = [(status, body[:300]) for status, body in results if status != 200]
    assert not failures, failures[:3]
    answers = [json.loads(body) for _status, body in results]
    assert Counter(a["created"] for a in answers) == {1: 1, 0: 99}
    assert len({a["ids"][0] for a in answers}) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
