"""/api/v1/surveys: create, list, read, edit, publish, versions, status, personal links."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from feedback.auth.models import KeyKind
from surveys.audience.models import Contact
from surveys.db import db, utcnow
from surveys.delivery.links import read_personal_link
from surveys.design.models import Survey, SurveyStatus, SurveyVersion

URL = "/api/v1/surveys"
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def _create(client, headers, **body):
    response = client.post(URL, json={"name": "Pulse", **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_from_a_template(client, api_headers):
    response = client.post(URL, json={"name": " Q1 pulse ", "template": "nps_relationship"}, headers=api_headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert response.headers["Location"] == f"{URL}/{data['id']}"
    assert (data["name"], data["status"], data["template"]) == ("Q1 pulse", "draft", "nps_relationship")
    assert [q["id"] for q in data["draft"]["questions"]] == ["nps", "disappointed", "improve", "value_most"]
    assert data["draft"]["questions"][1]["show_if"] == {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}
    assert data["latest_version"] is None and data["has_unpublished_changes"] is True
    token = db.session.get(Survey, data["id"]).token
    assert data["links"]["hosted"] == f"http://localhost/s/{token}"
    assert client.get(response.headers["Location"], headers=api_headers).get_json() == data


def test_create_blank_and_from_definition_fields(client, api_headers):
    blank = _create(client, api_headers)
    assert [(q["id"], q["type"]) for q in blank["draft"]["questions"]] == [("q1", "nps")]
    assert blank["template"] is None
    custom = _create(client, api_headers, product="Acme", questions=[
        {"type": "csat"}, {"type": "single_choice", "options": ["Yes", "No"]}, {"id": "why", "type": "text"}])
    assert [q["id"] for q in custom["draft"]["questions"]] == ["q1", "q2", "why"]
    assert custom["draft"]["product"] == "Acme"
    assert custom["draft"]["questions"][0]["min"] == 1 and custom["draft"]["questions"][0]["max"] == 5
    over = _create(client, api_headers, template="csat_support", product="Helpdesk")
    assert over["draft"]["product"] == "Helpdesk" and over["draft"]["questions"][0]["id"] == "csat"


@pytest.mark.parametrize(("questions", "qid", "field"), [
    ([{"id": "a", "type": "nps"}, {"id": "a", "type": "text"}], "a", "id"),
    ([{"id": "a", "type": "text", "show_if": {"question": "b", "in": [1]}}, {"id": "b", "type": "nps"}],
     "a", "show_if"),
    ([{"id": "n", "type": "nps", "options": ["x", "y"]}], "n", "options"),
    ([{"id": "r", "type": "rating", "max": 11}], "r", "max"),
    ([{"id": "p", "type": "text", "prompt": "x" * 600}], "p", "prompt"),
    ([{"id": "t", "type": "text", "prompt": "Hi {foo}, how are we doing?"}], "t", "prompt"),
    ([{"id": "c", "type": "single_choice", "options": ["only one"]}], "c", "options"),
    ([{"id": "k", "type": "smiley"}], "k", "type"),
])
def test_a_bad_definition_is_422_naming_the_question_id_and_field(client, api_headers, count, questions, qid, field):
    response = client.post(URL, json={"name": "Bad", "questions": questions}, headers=api_headers)
    assert response.status_code == 422, response.get_json()
    payload = response.get_json()
    assert list(payload["errors"]["json"]["questions"]) == [qid]
    assert list(payload["errors"]["json"]["questions"][qid]) == [field]
    assert payload["message"].startswith(f"questions.{qid}.{field}: ")
    assert count(Survey) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "A", "template": "nope"}, "template"),
    ({"name": "A", "questions": "nps"}, "questions"),
    ({"name": "A", "questions": []}, "questions"),
    ({"name": "A", "locale": "English"}, "locale"),
    ({"name": "A", "colour": "red"}, "colour"),
])
def test_bad_survey_fields_are_422_naming_the_field(client, api_headers, count, body, field):
    response = client.post(URL, json=body, headers=api_headers)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["json"]) == [field]
    assert count(Survey) == 0


def test_markup_round_trips_unchanged_as_json(client, api_headers):
    created = _create(client, api_headers, name=XSS[0], product=XSS[1], questions=[
        {"id": "pick", "type": "single_choice", "prompt": XSS[0], "options": XSS},
        {"id": "why", "type": "text", "prompt": XSS[1], "description": XSS[0]}])
    response = client.get(f"{URL}/{created['id']}", headers=api_headers)
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["name"] == XSS[0] and data["draft"]["product"] == XSS[1]
    assert data["draft"]["questions"][0]["prompt"] == XSS[0]
    assert data["draft"]["questions"][0]["options"] == XSS
    assert data["draft"]["questions"][1]["prompt"] == XSS[1]
    assert json.loads(response.get_data())["draft"]["questions"][1]["description"] == XSS[0]


def test_patch_merges_over_the_draft(client, api_headers):
    survey = _create(client, api_headers, template="nps_relationship")
    item = f"{URL}/{survey['id']}"
    response = client.patch(item, json={"product": "Acme", "name": "Renamed"}, headers=api_headers)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["name"] == "Renamed" and data["draft"]["product"] == "Acme"
    assert data["draft"]["questions"] == survey["draft"]["questions"]
    assert data["draft"]["thank_you"] == survey["draft"]["thank_you"]

    questions = [*survey["draft"]["questions"], {"id": "extra", "type": "ces"}]
    data = client.patch(item, json={"questions": questions}, headers=api_headers).get_json()
    assert [q["id"] for q in data["draft"]["questions"]][-1] == "extra"
    assert data["draft"]["product"] == "Acme"


def test_a_bad_patch_names_the_question_and_keeps_the_draft(client, api_headers):
    survey = _create(client, api_headers, template="nps_relationship")
    item = f"{URL}/{survey['id']}"
    questions = [dict(q) for q in survey["draft"]["questions"]]
    questions[0]["prompt"] = "y" * 600
    response = client.patch(item, json={"questions": questions, "name": "Changed"}, headers=api_headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]["questions"]["nps"]) == ["prompt"]
    after = client.get(item, headers=api_headers).get_json()
    assert after["draft"] == survey["draft"] and after["name"] == survey["name"]


def test_publish_versions_and_diff(client, api_headers):
    survey = _create(client, api_headers, template="nps_relationship")
    item = f"{URL}/{survey['id']}"
    first = client.post(f"{item}/publish", headers=api_headers)
    assert first.status_code == 201, first.get_json()
    assert first.headers["Location"] == f"{item}/versions"
    assert first.get_json()["number"] == 1
    assert {c["kind"] for c in first.get_json()["changes"]} == {"added"}
    assert first.get_json()["published_by"].startswith("API key ")
    data = client.get(item, headers=api_headers).get_json()
    assert data["status"] == "live" and data["latest_version"]["number"] == 1
    assert data["has_unpublished_changes"] is False

    again = client.post(f"{item}/publish", headers=api_headers)
    assert again.status_code == 409 and "Nothing changed" in again.get_json()["message"]

    questions = [dict(q) for q in data["draft"]["questions"]]
    questions[0]["prompt"] = "Would you recommend {product}?"
    assert client.patch(item, json={"questions": questions}, headers=api_headers).get_json()[
        "has_unpublished_changes"] is True
    second = client.post(f"{item}/publish", headers=api_headers).get_json()
    assert second["number"] == 2
    assert [(c["kind"], c["question"], c["field"]) for c in second["changes"]] == [("changed", "nps", "prompt")]
    versions = client.get(f"{item}/versions", headers=api_headers).get_json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[1]["definition"]["questions"][0]["prompt"] == survey["draft"]["questions"][0]["prompt"]
    assert versions[0]["definition"]["questions"][0]["prompt"] == "Would you recommend {product}?"
    assert all(v["published_at"].endswith("+00:00") for v in versions)


def test_status_changes_and_their_conflicts(client, api_headers):
    survey = _create(client, api_headers)
    item = f"{URL}/{survey['id']}"

    never_published = client.patch(item, json={"status": "paused"}, headers=api_headers)
    assert never_published.status_code == 409 and "draft" in never_published.get_json()["message"]
    client.post(f"{item}/publish", headers=api_headers)
    assert client.patch(item, json={"status": "paused"}, headers=api_headers).get_json()["status"] == "paused"
    assert client.patch(item, json={"status": "live"}, headers=api_headers).get_json()["status"] == "live"
    assert client.patch(item, json={"status": "archived"}, headers=api_headers).get_json()["status"] == "archived"

    for body in ({"name": "Edit"}, {"product": "Acme"}):
        refused = client.patch(item, json=body, headers=api_headers)
        assert refused.status_code == 409 and "restore" in refused.get_json()["message"]
    assert client.post(f"{item}/publish", headers=api_headers).status_code == 409
    assert client.patch(item, json={"status": "draft"}, headers=api_headers).status_code == 409
    assert client.patch(item, json={"status": "bogus"}, headers=api_headers).status_code == 422

    restored = client.patch(item, json={"status": "paused", "name": "Back"}, headers=api_headers)
    assert restored.status_code == 200, restored.get_json()
    assert (restored.get_json()["status"], restored.get_json()["name"]) == ("paused", "Back")
    db.session.expire_all()
    assert db.session.get(Survey, survey["id"]).status is SurveyStatus.PAUSED


def test_list_filters_by_status_and_paginates(client, api_headers):
    ids = [_create(client, api_headers, name=f"S{n}")["id"] for n in range(3)]
    client.post(f"{URL}/{ids[0]}/publish", headers=api_headers)
    response = client.get(URL, headers=api_headers)
    assert [s["id"] for s in response.get_json()] == ids[::-1]
    assert json.loads(response.headers["X-Pagination"])["total"] == 3
    assert [s["id"] for s in client.get(f"{URL}?status=live", headers=api_headers).get_json()] == [ids[0]]
    assert [s["id"] for s in client.get(f"{URL}?status=draft&page_size=1&page=2",
                                        headers=api_headers).get_json()] == [ids[1]]
    assert client.get(f"{URL}?status=nope", headers=api_headers).status_code == 422


def test_unknown_survey_is_a_json_404(client, api_headers):
    for response in (client.get(f"{URL}/999", headers=api_headers),
                     client.patch(f"{URL}/999", json={"name": "x"}, headers=api_headers),
                     client.post(f"{URL}/999/publish", headers=api_headers),
                     client.get(f"{URL}/999/versions", headers=api_headers)):
        assert response.status_code == 404 and response.is_json
        assert "999" in response.get_json()["message"]


def test_personal_link_for_a_contact(app, client, api_headers, make_contact):
    contact = make_contact(external_id="u-1")
    survey = _create(client, api_headers)
    before = utcnow()
    response = client.post(f"{URL}/{survey['id']}/links", json={"contact_external_id": "u-1", "expires_in_days": 7},
                           headers=api_headers)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["url"].startswith("http://localhost/s/")
    link = read_personal_link(app.config["SECRET_KEY"], data["url"].rsplit("/", 1)[1])
    assert (link.survey_id, link.contact_id) == (survey["id"], contact.id)
    expires = datetime.fromisoformat(data["expires_at"])
    assert before + timedelta(days=7) - timedelta(seconds=2) <= expires <= utcnow() + timedelta(days=7)
    default = client.post(f"{URL}/{survey['id']}/links", json={"contact_external_id": "u-1"}, headers=api_headers)
    assert datetime.fromisoformat(default.get_json()["expires_at"]) > datetime.now(UTC) + timedelta(days=29)


@pytest.mark.parametrize(("body", "field"), [
    ({"contact_external_id": "nobody"}, "contact_external_id"),
    ({"contact_external_id": "gone"}, "contact_external_id"),
    ({}, "contact_external_id"),
    ({"contact_external_id": "u-1", "expires_in_days": 0}, "expires_in_days"),
    ({"contact_external_id": "u-1", "expires_in_days": 366}, "expires_in_days"),
])
def test_bad_link_requests_are_422(client, api_headers, make_contact, body, field):
    make_contact(external_id="u-1")
    make_contact(external_id="gone", erased_at=utcnow())
    survey = _create(client, api_headers)
    response = client.post(f"{URL}/{survey['id']}/links", json=body, headers=api_headers)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["json"]) == [field]


def test_a_viewer_reads_surveys_but_cannot_design(session_caller, client, api_headers, count):
    survey = _create(client, api_headers)
    viewer, token = session_caller("viewer")
    assert viewer.get(URL).status_code == 200
    assert viewer.get(f"{URL}/{survey['id']}/versions").status_code == 200
    csrf = {"X-CSRFToken": token}
    assert viewer.post(URL, json={"name": "Mine"}, headers=csrf).status_code == 403
    assert viewer.patch(f"{URL}/{survey['id']}", json={"name": "Mine"}, headers=csrf).status_code == 403
    assert viewer.post(f"{URL}/{survey['id']}/publish", headers=csrf).status_code == 403
    assert count(Survey) == 1 and count(SurveyVersion) == 0


def test_a_manager_designs_with_a_session(session_caller, count):
    manager, token = session_caller("manager")
    response = manager.post(URL, json={"name": "Mine"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert manager.post(URL, json={"name": "No token"}).status_code == 400
    assert count(Survey) == 1


def test_a_public_key_is_refused(client, make_key, count):
    _key, plaintext = make_key(KeyKind.PUBLIC)
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert client.get(URL, headers=headers).status_code == 403
    assert client.post(URL, json={"name": "A"}, headers=headers).status_code == 403
    assert count(Survey) == 0
    assert count(Contact) == 0
