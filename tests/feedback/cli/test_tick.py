"""``flask tick`` (every periodic job once) and ``flask scheduler`` (RQ's cron scheduler, one leader)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feedback.schedule.cron import LOCK_KEY, build_scheduler
from feedback.schedule.periodic import PERIODIC_JOBS, run_periodic_once
from feedback.worker import make_worker
from surveys.delivery.models import InvitationState
from tests.invitation_helpers import empty_queues, live_survey, make_invitation, reload
from tests.smtp_sink import running_sink

T = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def sink(app):
    connection = app.extensions["rq"].connection
    with running_sink() as smtp_sink:
        app.config["SMTP_URL"] = smtp_sink.url
        empty_queues(app)
        connection.delete(LOCK_KEY)
        yield smtp_sink
        connection.delete(LOCK_KEY)
        empty_queues(app)  # no periodic job left behind for another test's worker


def test_the_periodic_jobs_are_data():
    assert [(job.name, job.every) for job in PERIODIC_JOBS] == [
        ("dispatch", timedelta(minutes=1)), ("fallbacks", timedelta(minutes=5)),
        ("date_triggers", timedelta(hours=1)), ("recurring", timedelta(hours=1)),
        ("unmatched_events", timedelta(minutes=5))]


def test_tick_runs_every_periodic_job_once_and_says_what_each_did(app, session, sink, make_contact):
    invitation = make_invitation(session, contact=make_contact(), survey=live_survey(session), scheduled_for=T)
    result = app.test_cli_runner().invoke(args=["tick", "--now", "2026-11-03T10:00:00"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [job.name for job in PERIODIC_JOBS]
    assert "dispatch: 1 due invitation(s) claimed and queued" in lines
    assert "fallbacks: 0 in-app invitation(s) moved to their next channel, 0 cancelled" in lines
    assert sink.messages == [], "tick queues the sends; a worker sends them"
    make_worker(app).work(burst=True)
    assert len(sink.messages) == 1
    assert reload(session, invitation.id).state is InvitationState.SENT


def test_a_failing_job_is_reported_and_the_others_still_run(app, sink, monkeypatch):
    from feedback.schedule import periodic

    def broken(now=None):
        raise RuntimeError("scan exploded")

    jobs = tuple(periodic.PeriodicJob(j.name, j.every, broken if j.name == "recurring" else j.func)
                 for j in periodic.PERIODIC_JOBS)
    monkeypatch.setattr(periodic, "PERIODIC_JOBS", jobs)
    results = dict(run_periodic_once(app, T))
    assert results["recurring"] == "failed: RuntimeError: scan exploded"
    assert results["dispatch"].endswith("claimed and queued") and results["unmatched_events"]
    outcome = app.test_cli_runner().invoke(args=["tick"])
    assert outcome.exit_code == 1 and "recurring: failed" in outcome.output


def test_the_scheduler_registers_every_periodic_job_on_its_interval(app, sink):
    scheduler = build_scheduler(app, name="test-a")
    assert {job.name: job.interval for job in scheduler.get_jobs()} == {
        f"feedback.{job.name}": int(job.every.total_seconds()) for job in PERIODIC_JOBS}
    assert {job.func_name for job in scheduler.get_jobs()} == {"feedback.schedule.periodic.run_periodic"}


def test_of_two_schedulers_only_the_lock_holder_enqueues_and_the_other_takes_over(app, session, sink, make_contact):
    make_invitation(session, contact=make_contact(), survey=live_survey(session))
    queues = app.extensions["rq"]
    first, second = build_scheduler(app, name="test-a"), build_scheduler(app, name="test-b")
    assert len(first.enqueue_jobs()) == len(PERIODIC_JOBS)
    assert second.enqueue_jobs() == [], "a standby enqueues nothing"
    assert queues.queue("default").count == len(PERIODIC_JOBS)
    first.register_birth()
    first.register_death()  # stops cleanly: lets the lock go
    assert len(second.enqueue_jobs()) == len(PERIODIC_JOBS)
    assert first.calculate_sleep_interval() <= first.lock_ttl / 3
    queues.queue("default").empty()
    # The enqueued periodic jobs run in a worker, inside the app: the dispatch job queues the send.
    second.release_lock()
    third = build_scheduler(app, name="test-c")
    third.enqueue_jobs()
    make_worker(app).work(burst=True)
    assert len(sink.messages) == 1, "dispatch ran, then the send it queued"


def test_serve_starts_the_scheduler_which_leads_and_lets_go_on_sigterm(app, sink, monkeypatch):
    """``flask serve`` starts ``flask scheduler`` next to its worker: the same path as production."""
    import time
    from pathlib import Path

    from feedback.cli.serve import _start_scheduler

    for key in ("DATABASE_URL", "SECRET_KEY", "BASE_URL"):
        monkeypatch.setenv(key, app.config[key])
    monkeypatch.chdir(Path(__file__).resolve().parents[3])
    connection = app.extensions["rq"].connection
    proc = _start_scheduler(app.config["REDIS_URL"])
    try:
        deadline = time.monotonic() + 30
        while app.extensions["rq"].queue("default").count < len(PERIODIC_JOBS):
            assert proc.poll() is None, "the scheduler exited"
            assert time.monotonic() < deadline, "the scheduler enqueued nothing"
            time.sleep(0.1)
        assert connection.get(LOCK_KEY) is not None, "it holds the leader lock"
    finally:
        proc.terminate()
        proc.wait(15)
    assert connection.get(LOCK_KEY) is None, "a clean stop lets the lock go"
