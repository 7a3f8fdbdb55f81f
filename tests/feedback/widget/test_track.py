"""track: the page's events stored in batches, replay-safe, matched at once."""
from __future__ import annotations

from sqlalchemy import select

from surveys.db import db
from surveys.delivery.models import Invitation, InvitationState
from surveys.journeys.events import NEW_EVENTS_KEY
from surveys.journeys.models import Event
from tests.feedback.widget.protocol import (  # noqa: F401 - fixture
    call,
    count,
    identify,
    in_app_survey,
    public_key,
    visitor_token,
)


def events(n: int, name: str = "page_viewed", start: int = 0) -> list[dict]:
    return [{"name": name, "properties": {"n": i}, "id": f"evt-{i}"} for i in range(start, start + n)]


def track(client, key: str, token: str, batch: list[dict]):
    return call(client, "track", {"key": key, "token": token, "events": batch})


def test_a_batch_of_100_events_is_recorded(client, public_key):
    token = identify(client, public_key)["token"]
    response = track(client, public_key, token, events(100))
    assert response.status_code == 200
    assert response.get_json() == {"recorded": 100, "due": None}
    stored = db.session.scalars(select(Event)).all()
    assert len(stored) == 100
    assert {e.idempotency_key.split(":")[0] for e in stored} == {"widget"}
    assert all(e.matched_at is not None for e in stored)  # matched inline: the after-commit job skips them


def test_101_events_are_refused_and_none_stored(client, public_key):
    token = identify(client, public_key)["token"]
    response = track(client, public_key, token, events(101))
    assert response.status_code == 422
    assert response.get_json()["field"] == "events"
    assert count(Event) == 0
    assert track(client, public_key, token, []).status_code == 422


def test_a_replayed_batch_records_nothing_twice(client, public_key):
    token = identify(client, public_key)["token"]
    assert track(client, public_key, token, events(3)).get_json()["recorded"] == 3
    again = track(client, public_key, token, events(4))
    assert again.get_json()["recorded"] == 1
    assert count(Event) == 4


def test_the_same_client_ids_from_two_people_are_two_events(client, public_key):
    ada = identify(client, public_key, "ada")["token"]
    bob = identify(client, public_key, "bob")["token"]
    track(client, public_key, ada, events(2))
    track(client, public_key, bob, events(2))
    assert count(Event) == 4


def test_an_anonymous_visitor_cannot_track(client, public_key):
    token = visitor_token(client, public_key)
    response = track(client, public_key, token, events(1))
    assert response.status_code == 422
    assert response.get_json()["field"] == "token"
    assert "identify first" in response.get_json()["message"]


def test_a_bad_event_names_its_index_and_field_and_nothing_is_stored(client, public_key):
    token = identify(client, public_key)["token"]
    bad_name = track(client, public_key, token, events(2) + [{"name": "no spaces allowed", "id": "x"}])
    assert bad_name.status_code == 422
    assert bad_name.get_json()["field"] == "events.2.name"
    assert track(client, public_key, token, [{"name": "ok"}]).get_json()["field"] == "events.0.id"
    assert track(client, public_key, token, [{"name": "ok", "id": "a", "url": "/"}]).get_json()["field"] == \
        "events.0.url"
    assert track(client, public_key, token, [{"name": "ok", "id": "a", "occurred_at": "yesterday"}]
                 ).get_json()["field"] == "events.0.occurred_at"
    assert track(client, public_key, token, ["page_viewed"]).get_json()["field"] == "events.0"
    assert count(Event) == 0


def test_a_matching_event_makes_an_in_app_survey_due_in_the_same_answer(app, client, session, public_key):
    survey = in_app_survey(session)
    token = identify(client, public_key, "contact-42", {"name": "Ada"})["token"]
    response = track(client, public_key, token, [{"name": "report_exported", "properties": {"format": "pdf"},
                                                  "id": "evt-1"}])
    assert response.status_code == 200
    due = response.get_json()["due"]
    invitation = db.session.scalars(select(Invitation)).one()
    assert invitation.channel.value == "in_app" and invitation.state is InvitationState.SCHEDULED
    assert due["invitation"] == invitation.id
    assert due["survey"]["id"] == survey.id
    assert [q["id"] for q in due["survey"]["questions"]] == ["nps", "why", "best"]
    assert db.session.scalars(select(Event)).one().matched_at is not None


def test_inline_matching_spares_the_after_commit_job(app, client, public_key, monkeypatch):
    enqueued: list[list[int]] = []
    monkeypatch.setattr("feedback.journeys.jobs.enqueue_matching", enqueued.append)
    token = identify(client, public_key)["token"]
    track(client, public_key, token, events(2))
    assert enqueued == []
    assert NEW_EVENTS_KEY not in db.session.info or not db.session.info[NEW_EVENTS_KEY]
