"""The send job: ``send_invitation(invitation_id)``, run by any RQ worker, safe to run twice.

The rule that keeps a retried send from mailing twice
(:mod:`surveys.delivery.sending` has the details):

1. The job re-reads the invitation. Not scheduled any more → nothing to do. An
   attempt open for less than the lease → another job is sending it: leave it.
2. An attempt open for longer than the lease belongs to a dead job (jobs time out
   after :data:`SEND_JOB_TIMEOUT`, far less). If it stopped **before** the end of
   the message reached the SMTP server, the server cannot have delivered it: the
   attempt counts and the mail is sent again, with the same Message-ID. If it
   stopped **after**, the server may have accepted it: it is **not** sent again,
   but marked sent with ``details["delivery"] = "unconfirmed"``.
3. Send-time checks (:func:`surveys.delivery.send_time.decide_send`, under the
   contact's lock): not eligible any more → skipped with the failing rule's
   reason; outside the send window → rescheduled to the next slot (not an attempt).
4. The attempt is started by compare-and-set and **committed before the mail
   leaves**; the moment before the end of data is committed too.
5. SMTP 2xx → sent; 4xx, refused or dropped connection, timeout → retried after
   1, 5, 30 minutes, then failed ("SMTP 451 ... after 4 attempts"); 5xx → failed.

The ``link`` channel mails nothing: the invitation is marked sent and its personal
link (``/s/<token>``, see :func:`surveys.delivery.compose.invitation_links`) is
what the customer hands out.

``now`` exists for tests and ``flask tick --now``; production passes nothing.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app

from surveys.audience.models import Contact
from surveys.db import begin_write, db, utcnow
from surveys.delivery.compose import MailSettings, invitation_email, message_id_for
from surveys.delivery.mailer import SendError, deliver
from surveys.delivery.models import DeliveryChannel, Invitation, InvitationState
from surveys.delivery.send_time import RESCHEDULE, SKIP, WAIT, decide_send
from surveys.delivery.sending import (
    attempt_is_stale,
    mark_failed,
    mark_handing_over,
    mark_sent,
    reschedule,
    release,
    resolve_interrupted,
    retry_later,
    skip,
    start_attempt,
)
from surveys.design.models import Survey, SurveyVersion

log = logging.getLogger(__name__)

SEND_QUEUE = "high"
SEND_JOB_TIMEOUT = 300  # seconds; well under sending.ATTEMPT_LEASE, so a live job is never taken for dead


def mail_settings() -> MailSettings:
    config = current_app.config
    return MailSettings(secret_key=config["SECRET_KEY"], base_url=config["BASE_URL"], sender=config["SMTP_FROM"],
                        unsubscribe_mailto=config.get("UNSUBSCRIBE_MAILTO"))


def _load(invitation_id: int) -> Invitation | None:
    begin_write(db.session)
    return db.session.get(Invitation, invitation_id, populate_existing=True)


def _done(outcome: str, invitation_id: int) -> str:
    db.session.commit()
    log.info("invitation %s: %s", invitation_id, outcome)
    return outcome


def send_invitation(invitation_id: int, now: datetime | None = None) -> str:
    """Send one invitation if it is still due and eligible; returns what happened, in words."""
    now = now or utcnow()
    invitation = _load(invitation_id)
    if invitation is None:
        return _done("gone", invitation_id)
    if invitation.state is not InvitationState.SCHEDULED:
        return _done(f"already {invitation.state.value}", invitation_id)
    if invitation.send_started_at is not None:
        if not attempt_is_stale(invitation, now):
            return _done("another attempt is under way", invitation_id)
        if not resolve_interrupted(db.session, invitation, now=now):
            return _done(f"interrupted attempt closed: {invitation.state.value}", invitation_id)
    if invitation.scheduled_for > now or (invitation.next_attempt_at is not None and invitation.next_attempt_at > now):
        return _done("not due yet", invitation_id)
    decision = decide_send(db.session, invitation, now=now)
    if decision.action == SKIP:
        skip(db.session, invitation, decision.reason, now=now)
        return _done(f"skipped: {decision.reason}", invitation_id)
    if decision.action == RESCHEDULE:
        assert decision.at is not None
        reschedule(db.session, invitation, decision.at, note=decision.reason)
        return _done(f"rescheduled to {decision.at.isoformat()}: {decision.reason}", invitation_id)
    if decision.action == WAIT:
        release(db.session, invitation)
        return _done(f"waiting: {decision.reason}", invitation_id)
    if invitation.channel is DeliveryChannel.LINK:
        mark_sent(db.session, invitation, now=now)
        return _done("sent (personal link ready)", invitation_id)
    assert decision.contact is not None and decision.survey is not None
    return _mail(invitation, decision.contact, decision.survey, now)


def _mail(invitation: Invitation, contact: Contact, survey: Survey, now: datetime) -> str:
    settings = mail_settings()
    if start_attempt(db.session, invitation.id, now=now) is None:
        db.session.rollback()
        return "another job started this attempt"
    message = invitation_email(invitation, contact, contact.account, _definition(invitation, survey), settings)
    invitation.message_id = message_id_for(invitation.id, settings.base_url)
    invitation_id = invitation.id
    db.session.commit()  # the attempt is on record before anything leaves

    def checkpoint() -> None:
        attempt = _load(invitation_id)
        assert attempt is not None
        mark_handing_over(db.session, attempt)
        db.session.commit()

    config = current_app.config
    try:
        deliver(message, smtp_url=config.get("SMTP_URL"), outbox_dir=config["OUTBOX_DIR"],
                before_end_of_data=checkpoint)
    except SendError as error:
        return _after_failure(invitation_id, error, now)
    attempt = _load(invitation_id)
    assert attempt is not None
    mark_sent(db.session, attempt, now=now)
    return _done("sent", invitation_id)


def _after_failure(invitation_id: int, error: SendError, now: datetime) -> str:
    invitation = _load(invitation_id)
    assert invitation is not None
    if error.handed_over:
        mark_sent(db.session, invitation, now=now, unconfirmed=True)
        return _done(f"sent, unconfirmed: {error.reason}", invitation_id)
    if error.permanent:
        mark_failed(db.session, invitation, error.reason, now=now)
        return _done(f"failed: {error.reason}", invitation_id)
    due = retry_later(db.session, invitation, error.reason, now)
    if due is None:
        return _done(f"failed: {invitation.reason}", invitation_id)
    return _done(f"retry at {due.isoformat()}: {error.reason}", invitation_id)


def _definition(invitation: Invitation, survey: Survey) -> dict[str, Any]:
    """What the respondent will answer: the survey's latest version (a new response takes it)."""
    version = survey.latest_version or db.session.get(SurveyVersion, invitation.survey_version_id)
    assert version is not None
    return version.definition
