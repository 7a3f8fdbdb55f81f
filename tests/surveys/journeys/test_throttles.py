"""Throttles: the recontact period across surveys and channels, the account limit, and both under concurrency."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from surveys.audience.models import Contact
from surveys.db import begin_write, db
from surveys.delivery.models import Invitation, InvitationState
from surveys.journeys.eligibility import check_eligibility, lock_for_send
from surveys.journeys.models import WorkspaceSettings
from surveys.journeys.settings import read_settings, workspace_settings
from surveys.journeys.throttles import account_next_possible, recontact_period
from surveys.journeys.triggers import Throttle
from tests.surveys.journeys.throttle_helpers import NOW, invite, live_survey

DAY = timedelta(days=1)


@pytest.fixture
def acme(make_account):
    return make_account(name="Acme", plan="pro")


@pytest.fixture
def ada(make_contact, acme):
    return make_contact(name="Ada", account_id=acme.id)


def verdict(session, contact, survey, rule, now=NOW):
    trace = check_eligibility(session, contact, survey, trigger=None, now=now)
    return trace.verdict(rule)


# --- settings ------------------------------------------------------------------------------------

def test_workspace_settings_are_created_once_with_the_defaults(session):
    assert read_settings(session).recontact_days == 30
    assert session.scalar(select(func.count()).select_from(WorkspaceSettings)) == 0, "reading writes nothing"
    settings = workspace_settings(session)
    assert (settings.id, settings.timezone, settings.recontact_days, settings.account_limit,
            settings.account_period_days, settings.send_window) == (1, "UTC", 30, 3, 30, None)
    session.commit()
    assert workspace_settings(session) is settings
    assert session.scalar(select(func.count()).select_from(WorkspaceSettings)) == 1


# --- recontact period ----------------------------------------------------------------------------

def test_recontact_period_of_a_survey():
    settings = WorkspaceSettings(recontact_days=30)
    assert recontact_period(settings, Throttle()) == 30 * DAY
    assert recontact_period(settings, Throttle(recontact_days=60)) == 60 * DAY
    assert recontact_period(settings, Throttle(recontact_days=10)) == 30 * DAY, "an override only raises it"
    assert recontact_period(settings, Throttle(recontact_days=7, transactional=True)) == 7 * DAY
    assert recontact_period(settings, Throttle(transactional=True)) is None


def test_an_invitation_of_another_survey_throttles_until_the_period_ends(session, ada):
    onboarding = live_survey(session, "Onboarding NPS")
    quarterly = live_survey(session, "Quarterly NPS")
    invite(session, ada, onboarding, sent_at=NOW - 10 * DAY)
    result = verdict(session, ada, quarterly, "recontact")
    assert not result.passed
    assert result.detail == "throttled until 2026-11-23 by survey 'Onboarding NPS'"
    assert result.until == NOW + 20 * DAY
    later = verdict(session, ada, quarterly, "recontact", now=NOW + 20 * DAY + timedelta(seconds=1))
    assert later.passed and "Onboarding NPS" in later.detail and "more than the recontact period" in later.detail


def test_every_channel_and_an_answer_count_but_unsent_or_cancelled_ones_do_not(session, ada, make_contact):
    survey = live_survey(session, "Quarterly NPS")
    other = live_survey(session, "Churn survey")
    invite(session, ada, other, sent_at=None, state=InvitationState.SCHEDULED, scheduled_for=NOW - DAY)
    invite(session, ada, other, sent_at=None, state=InvitationState.SKIPPED)
    invite(session, ada, other, sent_at=NOW - 3 * DAY, state=InvitationState.FAILED)
    assert verdict(session, ada, survey, "recontact").detail == "not invited before; recontact period 30 days"
    for state, channel in ((InvitationState.OPENED, "in_app"), (InvitationState.ANSWERED, "link"),
                           (InvitationState.SENT, "email")):
        person = make_contact(account_id=ada.account_id)
        invite(session, person, other, sent_at=NOW - 2 * DAY, state=state, channel=channel)
        assert not verdict(session, person, survey, "recontact").passed, (state, channel)


def test_a_survey_override_lengthens_the_period(session, ada):
    onboarding = live_survey(session, "Onboarding NPS")
    relationship = live_survey(session, "Relationship NPS", throttle={"recontact_days": 90})
    invite(session, ada, onboarding, sent_at=NOW - 40 * DAY)
    result = verdict(session, ada, relationship, "recontact")
    assert not result.passed and result.until == NOW + 50 * DAY
    assert verdict(session, ada, onboarding, "recontact").passed, "the workspace's 30 days are over"


def test_a_transactional_survey_uses_its_own_shorter_period(session, ada):
    onboarding = live_survey(session, "Onboarding NPS")
    support = live_survey(session, "Support CSAT", throttle={"recontact_days": 7, "transactional": True})
    every_time = live_survey(session, "Ticket CSAT", throttle={"recontact_days": None, "transactional": True})
    invite(session, ada, onboarding, sent_at=NOW - 10 * DAY)
    assert verdict(session, ada, support, "recontact").passed, "the workspace's 30 days do not apply"
    invite(session, ada, onboarding, sent_at=NOW - 5 * DAY, key="second")
    result = verdict(session, ada, support, "recontact")
    assert not result.passed and result.detail == "throttled until 2026-11-05 by survey 'Onboarding NPS'"
    assert verdict(session, ada, every_time, "recontact").detail == \
        "transactional survey: no recontact period applies"


# --- account limit -------------------------------------------------------------------------------

def test_the_account_limit_counts_every_contact_of_the_account(session, acme, make_contact):
    surveys = [live_survey(session, f"Survey {n}") for n in range(3)]
    people = [make_contact(account_id=acme.id) for _ in range(4)]
    for days_ago, person, survey in zip((25, 10, 2), people[:3], surveys, strict=True):
        invite(session, person, survey, sent_at=NOW - days_ago * DAY)
    result = verdict(session, people[3], surveys[0], "account_limit")
    assert not result.passed
    assert result.detail == "account Acme got 3 invitations in the last 30 days; next possible 2026-11-08"
    assert result.until == NOW - 25 * DAY + 30 * DAY
    assert verdict(session, people[3], surveys[0], "account_limit", now=result.until).passed


def test_the_account_limit_follows_the_workspace_settings(session, acme, make_contact, make_account):
    settings = workspace_settings(session)
    settings.account_limit, settings.account_period_days = 1, 7
    session.commit()
    survey = live_survey(session)
    first, second = make_contact(account_id=acme.id), make_contact(account_id=acme.id)
    loner = make_contact(account_id=None)
    invite(session, first, survey, sent_at=NOW - 6 * DAY)
    assert verdict(session, second, survey, "account_limit").detail == \
        "account Acme got 1 invitation in the last 7 days; next possible 2026-11-04"
    assert verdict(session, loner, survey, "account_limit").passed
    settings.account_limit = 0
    session.commit()
    assert verdict(session, second, survey, "account_limit").detail == "no account limit is set"


def test_next_possible_is_when_enough_sends_leave_the_period():
    sends = [NOW - 29 * DAY, NOW - 20 * DAY, NOW - 10 * DAY, NOW - DAY]
    assert account_next_possible(sends, 3, 30 * DAY, now=NOW) == NOW - 20 * DAY + 30 * DAY
    assert account_next_possible(sends, 5, 30 * DAY, now=NOW) is None
    assert account_next_possible(sends, 3, 15 * DAY, now=NOW) is None
    assert account_next_possible(sends, 2, 15 * DAY, now=NOW) == NOW + 5 * DAY


def test_the_invitation_being_sent_does_not_throttle_itself(session, ada):
    survey = live_survey(session)
    sending = invite(session, ada, survey, sent_at=NOW - DAY)
    trace = check_eligibility(session, ada, survey, trigger=None, now=NOW, invitation_id=sending.id)
    assert trace.verdict("recontact").passed and trace.verdict("open_invitation").passed
    assert not check_eligibility(session, ada, survey, trigger=None, now=NOW).eligible


# --- under concurrency ---------------------------------------------------------------------------

def _send_concurrently(app, contact_id: int, surveys, *, lock: bool, meet_after_check: bool) -> list[bool]:
    """Each thread: begin a write, (lock,) check, record a send, commit. Returns who passed."""
    barrier = threading.Barrier(len(surveys), timeout=20)
    passed: dict[int, bool] = {}
    errors: list[BaseException] = []

    def send(survey_id: int) -> None:
        try:
            with app.app_context():
                session = db.session
                try:
                    if not meet_after_check:
                        barrier.wait()
                    begin_write(session)
                    contact = session.get(Contact, contact_id)
                    survey = session.get(type(surveys[0]), survey_id)
                    if lock:
                        lock_for_send(session, contact)
                    ok = check_eligibility(session, contact, survey, trigger=None, now=NOW).eligible
                    if meet_after_check:
                        barrier.wait()
                    if ok:
                        session.add(Invitation(
                            contact_id=contact.id, account_id=contact.account_id, survey_id=survey.id,
                            survey_version_id=survey.latest_version_id, trigger_key="t1", firing_key="race",
                            channel="email", channels=["email"], state=InvitationState.SENT, scheduled_for=NOW,
                            sent_at=NOW, attempts=1, details={}))
                    session.commit()
                    passed[survey_id] = ok
                finally:
                    db.session.remove()
        except BaseException as err:  # noqa: BLE001 - reported by the test below
            errors.append(err)

    threads = [threading.Thread(target=send, args=(s.id,)) for s in surveys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return [passed[s.id] for s in surveys]


def test_two_surveys_sent_to_one_contact_at_once_only_one_goes(app, session, ada):
    """The caller pattern (begin_write, lock_for_send, check, mark sent, commit) holds the throttle
    on SQLite (BEGIN IMMEDIATE serialises writers) and PostgreSQL (row locks), whatever the timing."""
    surveys = [live_survey(session, "Onboarding NPS"), live_survey(session, "Quarterly NPS")]
    contact_id = ada.id
    for attempt in range(3):
        session.execute(Invitation.__table__.delete())
        session.commit()
        results = _send_concurrently(app, contact_id, surveys, lock=True, meet_after_check=False)
        assert sorted(results) == [False, True]
        session.rollback()  # end the read that began before the threads wrote
        assert session.scalar(select(func.count()).select_from(Invitation)) == 1, attempt


def test_without_the_lock_both_would_go(app, session, ada):
    """The control: when both check before either commits, both pass. This is what the lock prevents
    (and why the test above can fail)."""
    if session.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE: two checks can never interleave there")
    surveys = [live_survey(session, "Onboarding NPS"), live_survey(session, "Quarterly NPS")]
    assert _send_concurrently(app, ada.id, surveys, lock=False, meet_after_check=True) == [True, True]
