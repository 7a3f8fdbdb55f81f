"""Triggers, send window and throttle through /api/v1/surveys, and their shape in the OpenAPI document."""
from __future__ import annotations

import json

import pytest

from surveys.db import db
from surveys.design.models import Survey

URL = "/api/v1/surveys"
ONBOARDING = {"type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "once",
              "filters": [{"field": "plan", "op": "in", "value": ["pro", "enterprise"]},
                          {"field": "properties.seats", "op": ">=", "value": 10}],
              "channels": ["in_app", "email"], "fallback_after": "P5D", "sample": 0.2}
WINDOW = {"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:00"}


def _create(client, headers, **body):
    response = client.post(URL, json={"name": "Onboarding", **body}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return json.loads(response.get_data())  # plain floats (the app's JSON provider would give Decimals)


def test_create_with_triggers_window_and_throttle(client, api_headers):
    data = _create(client, api_headers, triggers=[ONBOARDING, {"type": "date", "field": "account.renewal_date",
                                                                "offset": "-P60D"}],
                   send_window=WINDOW, throttle={"recontact_days": 60})
    draft = data["draft"]
    assert [t["id"] for t in draft["triggers"]] == ["t1", "t2"]
    assert draft["triggers"][0]["filters"][0] == {"field": "account.plan", "op": "in", "value": ["pro", "enterprise"]}
    assert draft["triggers"][0]["sample"] == 0.2 and draft["triggers"][0]["fallback_after"] == "P5D"
    assert draft["triggers"][1]["offset"] == "-P60D"
    assert draft["send_window"] == WINDOW
    assert draft["throttle"] == {"recontact_days": 60, "transactional": False}
    assert db.session.get(Survey, data["id"]).draft == draft


def test_a_survey_without_triggers_shows_the_defaults(client, api_headers):
    draft = _create(client, api_headers)["draft"]
    assert (draft["triggers"], draft["send_window"]) == ([], None)
    assert draft["throttle"] == {"recontact_days": None, "transactional": False}


def test_patch_replaces_triggers_keeps_ids_and_publishing_lists_them(client, api_headers):
    survey = _create(client, api_headers, triggers=[ONBOARDING])
    item = f"{URL}/{survey['id']}"
    stored = survey["draft"]["triggers"][0]
    response = client.patch(item, json={"triggers": [{**stored, "delay": "P5D"},
                                                     {"type": "recurring", "every": "P90D"}],
                                        "send_window": WINDOW}, headers=api_headers)
    assert response.status_code == 200, response.get_json()
    draft = response.get_json()["draft"]
    assert [(t["id"], t.get("delay")) for t in draft["triggers"]] == [("t1", "P5D"), ("t2", None)]
    # Other fields are kept; sending null clears the window.
    response = client.patch(item, json={"name": "Renamed"}, headers=api_headers)
    assert response.get_json()["draft"]["send_window"] == WINDOW
    publish = client.post(f"{item}/publish", headers=api_headers)
    assert publish.status_code == 201
    summaries = [c["summary"] for c in publish.get_json()["changes"]]
    assert "Trigger 't1' added: 5 days after onboarding_completed (first time only); Only if plan in pro, " \
           "enterprise and properties.seats >= 10; In-app, then email (if in-app is not shown within 5 days); " \
           "20% of matches." in summaries
    assert any(s.startswith("Send window: Any time") for s in summaries)
    assert publish.get_json()["definition"]["triggers"] == draft["triggers"]
    response = client.patch(item, json={"send_window": None, "triggers": []}, headers=api_headers)
    assert response.get_json()["draft"]["send_window"] is None
    changes = client.post(f"{item}/publish", headers=api_headers).get_json()["changes"]
    assert {c["kind"] for c in changes} == {"removed", "survey"}


def _bad_trigger(**fields):
    return {"triggers": [{"type": "event", "event": "x", **fields}]}


@pytest.mark.parametrize(("body", "path"), [
    (_bad_trigger(delay="-P3D"), ["triggers", "0", "delay"]),
    (_bad_trigger(delay="-3 days"), ["triggers", "0", "delay"]),
    (_bad_trigger(delay="P1M"), ["triggers", "0", "delay"]),
    ({"triggers": [{"type": "event"}]}, ["triggers", "0", "event"]),
    ({"triggers": [{"type": "event", "event": "x"}, {"type": "date", "field": "account.renewal_date",
                                                      "offset": "P1Y"}]}, ["triggers", "1", "offset"]),
    ({"send_window": {"days": ["tue"], "start": "17:00", "end": "09:00"}}, ["send_window", "end"]),
    (_bad_trigger(channels=["sms"]), ["triggers", "0", "channels"]),
    (_bad_trigger(channels=["email", "email"]), ["triggers", "0", "channels"]),
    (_bad_trigger(sample=0), ["triggers", "0", "sample"]),
    (_bad_trigger(sample=1.5), ["triggers", "0", "sample"]),
    (_bad_trigger(fallback_after="P5D"), ["triggers", "0", "fallback_after"]),
    (_bad_trigger(filters=[{"field": "properties.seats", "op": ">=", "value": "ten"}]),
     ["triggers", "0", "filters", "0", "value"]),
    (_bad_trigger(filters=[{"field": "billing.plan", "op": "=", "value": "x"}]),
     ["triggers", "0", "filters", "0", "field"]),
    ({"triggers": [{"type": "recurring", "every": "P9D"}] * 21}, ["triggers"]),
    ({"throttle": {"recontact_days": -5}}, ["throttle", "recontact_days"]),
    ({"triggers": "daily"}, ["triggers"]),
    ({"triggers": [{"id": "a", "type": "recurring", "every": "P9D"}, {"id": "a", "type": "recurring",
                                                                       "every": "P9D"}]}, ["triggers", "1", "id"]),
])
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(client, api_headers, body, path):
    survey = _create(client, api_headers)
    for method, url in (("post", URL), ("patch", f"{URL}/{survey['id']}")):
        response = getattr(client, method)(url, json={"name": "Bad", **body}, headers=api_headers)
        assert response.status_code == 422, response.get_json()
        payload = response.get_json()
        node = payload["errors"]["json"]
        for key in path:
            assert key in node, (path, payload)
            node = node[key]
    assert db.session.get(Survey, survey["id"]).draft["triggers"] == []
    assert db.session.query(Survey).count() == 1


def test_the_openapi_document_shows_the_whole_trigger_shape(client):
    spec = json.loads(client.get("/api/v1/openapi.json").get_data())
    schemas = spec["components"]["schemas"]
    post = schemas["SurveyPost"]["properties"]
    assert post["triggers"]["type"] == "array" and "N days per contact" in post["triggers"]["description"]
    assert post["triggers"]["example"][0]["event"] == "onboarding_completed"
    trigger = schemas[post["triggers"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(trigger["properties"]) == {"id", "type", "event", "delay", "repeat", "field", "offset", "every",
                                          "warmup", "filters", "channels", "fallback_after", "sample"}
    assert trigger["required"] == ["type"]
    assert trigger["properties"]["delay"]["example"] == "P3D"
    assert trigger["properties"]["type"]["enum"] == ["event", "date", "recurring"]
    assert all(prop.get("description") for prop in trigger["properties"].values())
    filter_ = schemas[trigger["properties"]["filters"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert ">=" in filter_["properties"]["op"]["enum"]
    assert "$ref" in json.dumps(post["send_window"]) and "$ref" in json.dumps(post["throttle"])
    patch = schemas["SurveyPatch"]["properties"]
    assert {"triggers", "send_window", "throttle"} <= set(patch)
    from openapi_spec_validator import validate
    validate(spec)
