"""Due invitations through the real machinery: dispatcher → Redis → RQ worker → real SMTP server.

Time is passed explicitly (``now``): the dispatcher hands its ``now`` to the send jobs.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from feedback.schedule.jobs import send_invitation
from feedback.schedule.periodic import dispatch, fallbacks
from feedback.worker import make_worker
from surveys.db import db, utcnow
from surveys.delivery.models import DeliveryChannel, Invitation, InvitationState
from surveys.design.models import SurveyStatus
from surveys.design.services import set_status
from surveys.journeys.settings import workspace_settings
from tests.invitation_helpers import empty_queues, live_survey, make_invitation, reload
from tests.smtp_sink import closed_port_url, running_sink

T = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)  # a Tuesday, 03:00 UTC
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def sink(app, tmp_path):
    with running_sink() as smtp_sink:
        app.config["SMTP_URL"] = smtp_sink.url
        app.config["OUTBOX_DIR"] = str(tmp_path / "outbox")
        empty_queues(app)
        yield smtp_sink
        empty_queues(app)


@pytest.fixture
def customer(make_account, make_contact):
    account = make_account(name="Acme", csm_email="csm@acme.example")
    return make_contact(name="Ada Lovelace", email="ada@acme.example", account_id=account.id)


def work(app) -> None:
    make_worker(app).work(burst=True)


def test_a_due_invitation_is_mailed_exactly_once(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    assert dispatch(T) == "1 due invitation(s) claimed and queued"
    assert app.extensions["rq"].queue("high").count == 1
    work(app)
    [mail] = sink.messages
    assert mail["To"] == "Ada Lovelace <ada@acme.example>"
    assert mail["Reply-To"] == "csm@acme.example"
    assert mail["Message-ID"] == f"<invitation-{invitation.id}@localhost>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stored = reload(session, invitation.id)
    assert (stored.state, stored.sent_at, stored.attempts) == (InvitationState.SENT, T, 1)
    assert stored.message_id == mail["Message-ID"]
    # Everything again: nothing is due any more, and a replayed send job changes nothing.
    assert dispatch(T + timedelta(minutes=20)) == "0 due invitation(s) claimed and queued"
    assert send_invitation(invitation.id, T + timedelta(minutes=20)) == "already sent"
    work(app)
    assert len(sink.messages) == 1


def test_two_dispatchers_at_once_queue_each_send_once(app, session, sink, make_contact):
    survey = live_survey(session)
    ids = {make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=T).id for _ in range(30)}
    barrier = threading.Barrier(2)
    results: list[str] = []

    def run() -> None:
        with app.app_context():
            barrier.wait(5)
            results.append(dispatch(T))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == 2
    assert app.extensions["rq"].queue("high").count == 30, "each due row queued once"
    work(app)
    assert sorted(m["Message-ID"] for m in sink.messages) == sorted(f"<invitation-{i}@localhost>" for i in ids)


def test_the_throttle_holds_when_two_surveys_fall_due_for_one_person(app, session, sink, customer):
    first = make_invitation(session, contact=customer, survey=live_survey(session, name="Onboarding NPS"),
                            scheduled_for=T)
    second = make_invitation(session, contact=customer, survey=live_survey(session, name="Support CSAT"),
                             scheduled_for=T)
    dispatch(T)
    work(app)
    assert len(sink.messages) == 1
    assert reload(session, first.id).state is InvitationState.SENT
    skipped = reload(session, second.id)
    assert skipped.state is InvitationState.SKIPPED
    assert skipped.reason == "throttled until 2026-12-03 by survey 'Onboarding NPS'"


@pytest.mark.parametrize("change", ["unsubscribed", "paused", "suppressed", "erased"])
def test_an_invitation_no_longer_eligible_is_skipped_with_the_reason(app, session, sink, customer, change):
    survey = live_survey(session)
    invitation = make_invitation(session, contact=customer, survey=survey, scheduled_for=T)
    if change == "unsubscribed":
        customer.unsubscribed_at = T - timedelta(days=1)
    elif change == "suppressed":
        customer.email_suppressed_at, customer.email_suppressed_reason = T, "hard bounce: 550 user unknown"
    elif change == "erased":
        customer.erased_at = T
    else:
        set_status(session, survey, SurveyStatus.PAUSED)
    session.commit()
    dispatch(T)
    work(app)
    assert sink.messages == []
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.SKIPPED and stored.attempts == 0
    assert stored.reason == {"unsubscribed": "unsubscribed on 2026-11-02",
                             "paused": "survey 'Onboarding NPS' is paused",
                             "suppressed": "email suppressed: hard bounce: 550 user unknown",
                             "erased": "contact erased on 2026-11-03"}[change]


def test_outside_the_send_window_the_send_moves_to_the_next_slot(app, session, sink, customer):
    settings = workspace_settings(session)
    settings.send_window = {"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:00"}
    session.commit()
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    dispatch(T)
    work(app)
    assert sink.messages == []
    moved = reload(session, invitation.id)
    assert moved.state is InvitationState.SCHEDULED and moved.attempts == 0, "not an attempt"
    assert moved.scheduled_for == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert dispatch(T + timedelta(hours=5)) == "0 due invitation(s) claimed and queued"
    dispatch(T + timedelta(hours=6))
    work(app)
    assert len(sink.messages) == 1
    assert reload(session, invitation.id).sent_at == T + timedelta(hours=6)


def test_a_link_invitation_is_marked_sent_and_mails_nothing(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), channel="link",
                                 scheduled_for=T)
    dispatch(T)
    work(app)
    assert sink.messages == []
    assert reload(session, invitation.id).state is InvitationState.SENT


def test_an_unshown_in_app_invitation_falls_back_to_a_mail(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), channel="in_app",
                                 channels=["in_app", "email"], scheduled_for=T - timedelta(days=5), fallback_at=T)
    assert dispatch(T) == "0 due invitation(s) claimed and queued", "in-app ones are the widget's"
    assert fallbacks(T) == "1 in-app invitation(s) moved to their next channel, 0 cancelled"
    dispatch(T)
    work(app)
    assert len(sink.messages) == 1
    stored = reload(session, invitation.id)
    assert (stored.channel, stored.state) == (DeliveryChannel.EMAIL, InvitationState.SENT)


def _subprocess_worker(app) -> subprocess.Popen:
    config = app.config
    env = {**os.environ, "DATABASE_URL": config["DATABASE_URL"], "REDIS_URL": config["REDIS_URL"],
           "SECRET_KEY": config["SECRET_KEY"], "BASE_URL": config["BASE_URL"], "SMTP_URL": config["SMTP_URL"]}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", "--queue", "high"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_mid_send(app, sink) -> None:
    worker = _subprocess_worker(app)
    try:
        assert sink.stalled.wait(60), "the worker never reached the SMTP server"
    finally:
        worker.kill()
        worker.wait(10)
    sink.stalled.clear()


def test_a_worker_killed_before_the_message_was_handed_over_is_retried_once(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    sink.mode = "stall_data_command"  # the server never answers DATA: the message cannot have gone
    dispatch(T)
    _kill_mid_send(app, sink)
    sink.mode = "accept"
    interrupted = reload(session, invitation.id)
    assert (interrupted.state, interrupted.attempts, interrupted.send_started_at) == (InvitationState.SCHEDULED, 1, T)
    assert dispatch(T + timedelta(minutes=5)) == "0 due invitation(s) claimed and queued", "the lease still runs"
    assert dispatch(T + timedelta(minutes=10, seconds=1)) == "1 due invitation(s) claimed and queued"
    work(app)
    assert len(sink.messages) == 1
    sent = reload(session, invitation.id)
    assert (sent.state, sent.attempts) == (InvitationState.SENT, 2)
    dispatch(T + timedelta(hours=1))
    work(app)
    assert len(sink.messages) == 1


def test_a_worker_killed_after_the_message_was_handed_over_never_sends_it_again(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    sink.mode = "stall_after_data"  # the whole message went; the server's reply never came
    dispatch(T)
    _kill_mid_send(app, sink)
    sink.mode = "accept"
    dispatch(T + timedelta(minutes=11))
    work(app)
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.SENT and stored.details["delivery"] == "unconfirmed"
    assert stored.attempts == 1
    assert sink.messages == [], "at most once: the unconfirmed mail is not sent a second time"


def test_a_flushed_redis_loses_nothing(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    dispatch(T)
    app.extensions["rq"].connection.flushall()
    work(app)
    assert sink.messages == []
    assert dispatch(T + timedelta(minutes=1)) == "0 due invitation(s) claimed and queued"
    assert dispatch(T + timedelta(minutes=10, seconds=1)) == "1 due invitation(s) claimed and queued"
    work(app)
    assert len(sink.messages) == 1
    assert reload(session, invitation.id).state is InvitationState.SENT


def test_smtp_down_retries_with_backoff_then_fails_with_the_reason(app, session, sink, customer):
    app.config["SMTP_URL"] = closed_port_url()
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    now = T
    for wait in (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)):
        dispatch(now)
        work(app)
        retrying = reload(session, invitation.id)
        assert retrying.state is InvitationState.SCHEDULED and retrying.next_attempt_at == now + wait
        assert "Connection refused" in retrying.details["last_error"]
        assert dispatch(now + wait - timedelta(seconds=1)) == "0 due invitation(s) claimed and queued"
        now += wait
    dispatch(now)
    work(app)
    failed = reload(session, invitation.id)
    assert failed.state is InvitationState.FAILED and failed.attempts == 4
    assert failed.reason.startswith("SMTP connection failed: ")
    assert failed.reason.endswith("Connection refused after 4 attempts")


def test_a_4xx_is_retried_and_then_sent(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    sink.mode = "tempfail"
    dispatch(T)
    work(app)
    assert reload(session, invitation.id).details["last_error"].startswith("SMTP 451 4.3.0")
    sink.mode = "accept"
    dispatch(T + timedelta(minutes=1))
    work(app)
    assert len(sink.messages) == 1
    assert reload(session, invitation.id).attempts == 2


def test_a_5xx_fails_at_once_with_the_servers_words(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=T)
    sink.mode = "reject_rcpt"
    dispatch(T)
    work(app)
    failed = reload(session, invitation.id)
    assert failed.state is InvitationState.FAILED and failed.attempts == 1
    assert failed.reason == "SMTP 550 5.1.1 <ada@acme.example>: Recipient address rejected: User unknown"
    assert session.scalar(select(Invitation.next_attempt_at).where(Invitation.id == invitation.id)) is None


def test_the_send_job_uses_the_clock_when_not_told_the_time(app, session, sink, customer):
    invitation = make_invitation(session, contact=customer, survey=live_survey(session),
                                 scheduled_for=utcnow() - timedelta(seconds=1))
    assert send_invitation(invitation.id) == "sent"
    assert len(sink.messages) == 1
