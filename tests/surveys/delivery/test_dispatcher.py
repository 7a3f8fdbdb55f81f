"""Claiming due invitations (leases, concurrency) and moving unshown in-app ones to email."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from surveys.db import begin_write, db, utcnow
from surveys.delivery.dispatcher import claim_due, move_fallbacks
from surveys.delivery.models import DeliveryChannel, InvitationState
from tests.invitation_helpers import live_survey, make_invitation, reload

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def survey(session):
    return live_survey(session)


def claim(session, now=NOW, **kw) -> list[int]:
    begin_write(session)
    ids = claim_due(session, now=now, **kw)
    session.commit()
    return ids


def test_claims_only_due_scheduled_email_and_link_invitations(session, survey, make_contact):
    due = make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW - timedelta(hours=1))
    link = make_invitation(session, contact=make_contact(), survey=survey, channel="link", scheduled_for=NOW)
    make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW + timedelta(seconds=1))
    make_invitation(session, contact=make_contact(), survey=survey, channel="in_app", scheduled_for=NOW)
    make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW,
                    next_attempt_at=NOW + timedelta(minutes=1))
    make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW, state=InvitationState.SENT)
    retry_due = make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW,
                                next_attempt_at=NOW)
    assert claim(session) == [due.id, link.id, retry_due.id], "oldest due first"
    assert reload(session, due.id).claimed_until == NOW + timedelta(minutes=10)


def test_a_claim_holds_for_its_lease_then_the_row_is_claimed_again(session, survey, make_contact):
    invitation = make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW)
    assert claim(session) == [invitation.id]
    assert claim(session, NOW + timedelta(minutes=5)) == [], "its job may still be on its way"
    assert claim(session, NOW + timedelta(minutes=10, seconds=1)) == [invitation.id], "the job was lost"


def test_limit_and_lease_are_the_callers(session, survey, make_contact):
    ids = [make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW).id for _ in range(5)]
    assert claim(session, limit=2, lease=timedelta(minutes=1)) == ids[:2]
    assert claim(session, limit=10) == ids[2:]
    assert claim(session, NOW + timedelta(minutes=2)) == ids[:2]


def test_two_dispatchers_at_once_never_claim_the_same_row(app, session, survey, make_contact):
    ids = {make_invitation(session, contact=make_contact(), survey=survey, scheduled_for=NOW).id for _ in range(40)}
    session.commit()
    barrier = threading.Barrier(2)
    claimed: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def dispatcher(slot: int) -> None:
        try:
            with app.app_context():
                barrier.wait(5)
                for _ in range(4):
                    begin_write(db.session)
                    claimed[slot] += claim_due(db.session, now=NOW, limit=7)
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=dispatcher, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    both = claimed[0] + claimed[1]
    assert len(both) == len(set(both)), "no row claimed twice"
    assert set(both) == ids and claimed[0] and claimed[1]


def test_an_unshown_in_app_invitation_falls_back_to_email_now(session, survey, make_contact):
    invitation = make_invitation(session, contact=make_contact(), survey=survey, channel="in_app",
                                 channels=["in_app", "email"], scheduled_for=NOW - timedelta(days=5),
                                 fallback_at=NOW)
    waiting = make_invitation(session, contact=make_contact(), survey=survey, channel="in_app",
                              channels=["in_app", "email"], scheduled_for=NOW,
                              fallback_at=NOW + timedelta(seconds=1))
    shown = make_invitation(session, contact=make_contact(), survey=survey, channel="in_app",
                            channels=["in_app", "email"], scheduled_for=NOW - timedelta(days=5),
                            fallback_at=NOW, state=InvitationState.OPENED, sent_at=NOW - timedelta(days=4),
                            opened_at=NOW - timedelta(days=4))
    later = NOW  # "waiting" falls back a second after this
    begin_write(session)
    assert move_fallbacks(session, now=later) == (1, 0)
    session.commit()
    moved = reload(session, invitation.id)
    assert moved.channel is DeliveryChannel.EMAIL and moved.state is InvitationState.SCHEDULED
    assert moved.scheduled_for == later and moved.fallback_at is None
    assert moved.details["fallback_from"] == "in_app"
    assert reload(session, waiting.id).channel is DeliveryChannel.IN_APP
    assert reload(session, shown.id).state is InvitationState.OPENED
    assert claim(session, later) == [invitation.id], "the dispatcher takes it on its next pass"


def test_an_in_app_invitation_handed_to_the_widget_but_never_shown_falls_back_too(session, survey, make_contact):
    invitation = make_invitation(session, contact=make_contact(), survey=survey, channel="in_app",
                                 channels=["in_app", "email"], scheduled_for=NOW - timedelta(days=5),
                                 fallback_at=NOW, state=InvitationState.SENT, sent_at=NOW - timedelta(days=5))
    begin_write(session)
    assert move_fallbacks(session, now=NOW) == (1, 0)
    session.commit()
    moved = reload(session, invitation.id)
    assert (moved.channel, moved.state, moved.sent_at) == (DeliveryChannel.EMAIL, InvitationState.SCHEDULED, None)


def test_without_a_next_channel_the_in_app_invitation_is_cancelled(session, survey, make_contact):
    invitation = make_invitation(session, contact=make_contact(), survey=survey, channel="in_app",
                                 channels=["in_app"], scheduled_for=NOW, fallback_at=NOW)
    begin_write(session)
    assert move_fallbacks(session, now=NOW) == (0, 1)
    session.commit()
    stored = reload(session, invitation.id)
    assert stored.state is InvitationState.CANCELLED and "no other channel" in stored.reason
