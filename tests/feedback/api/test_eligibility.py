"""GET /api/v1/contacts/<external_id>/eligibility: the trace over HTTP, its errors and its documentation."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from feedback.auth.roles import Role
from surveys.db import utcnow
from surveys.journeys.models import Event
from tests.surveys.journeys.throttle_helpers import invite, live_survey

TRIGGERS = [
    {"id": "onboarded", "type": "event", "event": "onboarding_completed", "delay": "P3D",
     "filters": [{"field": "properties.seats", "op": ">=", "value": 10}]},
    {"id": "renewal", "type": "date", "field": "account.renewal_date", "offset": "-P60D"},
]


@pytest.fixture
def ada(make_account, make_contact):
    return make_contact(external_id="user/42", name="Ada", account_id=make_account(name="Acme", plan="pro").id)


@pytest.fixture
def survey(session):
    return live_survey(session, "Quarterly NPS", triggers=TRIGGERS)


def url(external_id: str = "user/42") -> str:
    return f"/api/v1/contacts/{external_id}/eligibility"


def test_the_trace_of_an_eligible_contact(client, api_headers, ada, survey, session):
    session.add(Event(contact_id=ada.id, account_id=ada.account_id, name="onboarding_completed",
                      occurred_at=utcnow() - timedelta(days=1), properties={"seats": 25}))
    session.commit()
    response = client.get(url(), query_string={"survey": survey.id}, headers=api_headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["contact"] == {"external_id": "user/42", "name": "Ada"}
    assert body["survey"] == {"id": survey.id, "name": "Quarterly NPS", "status": "live"}
    assert body["eligible"] is True and body["send_at"] is not None
    assert [r["rule"] for r in body["rules"]] == [
        "survey_live", "contact_active", "unsubscribed", "channel", "recontact", "account_limit",
        "open_invitation", "timezone", "send_window"]
    assert all(set(r) == {"rule", "passed", "detail", "until"} for r in body["rules"])
    onboarded, renewal = body["triggers"]
    assert (onboarded["key"], onboarded["type"], onboarded["eligible"]) == ("onboarded", "event", True)
    assert onboarded["summary"] == "3 days after onboarding_completed (first time only)"
    assert onboarded["event"]["name"] == "onboarding_completed"
    assert [r["detail"] for r in onboarded["rules"] if r["rule"] == "filters"] == [
        "properties.seats >= 10: yes (properties.seats is 25)"]
    assert renewal["event"] is None and renewal["eligible"] is True


def test_a_throttled_contact_says_until_when(client, api_headers, ada, survey, session):
    other = live_survey(session, "Onboarding NPS")
    sent = invite(session, ada, other, sent_at=utcnow() - timedelta(days=3))
    body = client.get(url(), query_string={"survey": survey.id}, headers=api_headers).get_json()
    assert body["eligible"] is False and body["send_at"] is None
    [throttled] = [r for r in body["rules"] if not r["passed"]]
    until = sent.sent_at + timedelta(days=30)
    assert throttled == {"rule": "recontact", "passed": False, "until": until.isoformat(),
                         "detail": f"throttled until {until:%Y-%m-%d} by survey 'Onboarding NPS'"}
    assert datetime.fromisoformat(throttled["until"]) == until
    assert all(not t["eligible"] for t in body["triggers"])


def test_unknown_contact_or_survey_is_a_404_naming_it(client, api_headers, ada, survey, make_contact):
    response = client.get(url("nobody"), query_string={"survey": survey.id}, headers=api_headers)
    assert response.status_code == 404 and "nobody" in response.get_json()["message"]
    response = client.get(url(), query_string={"survey": 999_999}, headers=api_headers)
    assert response.status_code == 404 and "999999" in response.get_json()["message"]
    erased = make_contact(external_id="gone", erased_at=utcnow())
    assert client.get(url(erased.external_id), query_string={"survey": survey.id},
                      headers=api_headers).status_code == 404


@pytest.mark.parametrize("query", [{}, {"survey": "abc"}, {"survey": "1.5"}, {"survey": "0"}, {"survey": ""}])
def test_a_missing_or_bad_survey_is_a_422_naming_it(client, api_headers, ada, query):
    response = client.get(url(), query_string=query, headers=api_headers)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "survey" in response.get_json()["errors"]["query"]


def test_reading_needs_credentials_and_any_role_may(client, session_caller, ada, survey):
    assert client.get(url(), query_string={"survey": survey.id}).status_code == 401
    viewer, _token = session_caller(Role.VIEWER)
    assert viewer.get(url(), query_string={"survey": survey.id}).status_code == 200


def test_the_endpoint_is_documented(client):
    spec = json.loads(client.get("/api/v1/openapi.json").get_data())
    operation = spec["paths"]["/api/v1/contacts/{external_id}/eligibility"]["get"]
    assert operation["summary"] == "Explain a contact's eligibility for a survey"
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["survey"]
    verdict = spec["components"]["schemas"]["Verdict"]["properties"]
    assert "sampled out" in verdict["detail"]["description"] and "recontact" in verdict["rule"]["enum"]
