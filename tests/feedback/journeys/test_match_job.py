"""Events are matched after commit by a job that a real RQ worker runs; lost jobs are swept up."""
from __future__ import annotations

from datetime import timedelta

import pytest
from rq.job import JobStatus
from sqlalchemy import func, select

from feedback.journeys.jobs import match_events, match_unmatched_events
from feedback.journeys.scans import scan_date_triggers, scan_recurring
from feedback.worker import make_worker
from surveys.audience.models import Contact
from surveys.db import db, utcnow
from surveys.delivery.models import Invitation, InvitationState
from surveys.journeys.events import record_events
from surveys.journeys.models import Event
from tests.surveys.journeys.journey_helpers import live_survey

TRIGGER = {"id": "onb", "type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "every"}


@pytest.fixture
def queue(app):
    queue = app.extensions["rq"].queue()
    queue.empty()
    yield queue
    queue.empty()


def _invitations() -> list[Invitation]:
    db.session.rollback()  # see what the worker committed
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def _post(client, api_headers, *rows):
    response = client.post("/api/v1/events", json={"events": list(rows)}, headers=api_headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["ids"]


def _row(**extra):
    return {"contact_external_id": "ana", "name": "onboarding_completed", "occurred_at": utcnow().isoformat(), **extra}


def test_posted_events_are_matched_by_a_worker_after_commit(app, client, api_headers, queue, make_contact):
    survey = live_survey(db.session, TRIGGER)
    make_contact(external_id="ana")
    ids = _post(client, api_headers, _row(idempotency_key="e1"), _row(name="unrelated"))
    assert queue.count == 1
    [job] = queue.jobs
    assert job.func_name == "feedback.journeys.jobs.match_events" and sorted(job.args[0]) == sorted(ids)
    assert make_worker(app).work(burst=True)
    job.refresh()
    assert job.get_status() is JobStatus.FINISHED and job.return_value() == {"events": 2, "invitations": 1}
    [invitation] = _invitations()
    assert (invitation.survey_id, invitation.event_id, invitation.state) == (survey.id, ids[0],
                                                                             InvitationState.SCHEDULED)
    assert all(db.session.get(Event, i).matched_at is not None for i in ids)
    # Replayed idempotency key: no new event, so no job.
    _post(client, api_headers, _row(idempotency_key="e1"))
    assert queue.count == 0


def test_a_job_run_twice_schedules_once(app, queue, make_contact):
    live_survey(db.session, TRIGGER)
    make_contact(external_id="ana")
    result = record_events(db.session, [_row()], now=utcnow())
    db.session.commit()
    queue.empty()
    first = queue.enqueue(match_events, result.ids)
    second = queue.enqueue(match_events, result.ids)
    make_worker(app).work(burst=True)
    first.refresh()
    second.refresh()
    assert first.return_value() == {"events": 1, "invitations": 1}
    assert second.return_value() == {"events": 0, "invitations": 0}
    assert len(_invitations()) == 1
    # Even with matched_at cleared, the firing is not scheduled twice.
    db.session.get(Event, result.ids[0]).matched_at = None
    db.session.commit()
    assert match_events(result.ids) == {"events": 1, "invitations": 0}
    assert len(_invitations()) == 1


def test_a_rollback_enqueues_nothing(app, queue, make_contact):
    make_contact(external_id="ana")
    record_events(db.session, [_row()], now=utcnow())
    db.session.rollback()
    db.session.commit()
    assert queue.count == 0


def test_events_whose_job_was_lost_are_matched_by_the_sweep(app, client, api_headers, queue, make_contact):
    live_survey(db.session, TRIGGER)
    make_contact(external_id="ana")
    ids = _post(client, api_headers, _row(), _row())
    app.extensions["rq"].connection.flushall()  # Redis lost everything
    now = utcnow()
    assert match_unmatched_events(now) == {"events": 0, "invitations": 0}  # too young: their job may be queued
    assert match_unmatched_events(now + timedelta(minutes=3)) == {"events": 2, "invitations": 2}
    assert {i.event_id for i in _invitations()} == set(ids)
    assert match_unmatched_events(now + timedelta(minutes=10)) == {"events": 0, "invitations": 0}


def test_scan_jobs_run_in_the_worker(app, queue, make_account, make_contact):
    now = utcnow()
    live_survey(db.session, {"id": "renewal", "type": "date", "field": "account.renewal_date", "offset": "-P60D"},
                {"id": "rel", "type": "recurring", "every": "P90D"})
    account = make_account(renewal_date=(now + timedelta(days=60)).date())
    make_contact(external_id="ana", account_id=account.id, created_at=now - timedelta(days=1))
    dates = queue.enqueue(scan_date_triggers, now)
    recurring = queue.enqueue(scan_recurring, now)
    assert make_worker(app).work(burst=True)
    dates.refresh()
    recurring.refresh()
    assert dates.return_value()["scheduled"] == 1 and recurring.return_value()["scheduled"] == 1
    assert sorted(i.trigger_key for i in _invitations()) == ["rel", "renewal"]
    assert scan_date_triggers(now)["scheduled"] == 0 and scan_recurring(now)["scheduled"] == 0
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
