"""The whole journey, with the real pieces: an event in → an invitation → the dispatcher → a mail in
the SMTP sink → a click on a score → the response stored → the same person not asked again by
another survey (the recontact period holds across surveys)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from feedback.responses.models import Answer, Channel, Response
from feedback.schedule.periodic import dispatch
from feedback.worker import make_worker
from surveys.db import utcnow
from surveys.delivery.models import Invitation, InvitationState
from tests.invitation_helpers import empty_queues, live_survey
from tests.smtp_sink import running_sink


@pytest.fixture
def sink(app, tmp_path):
    with running_sink() as smtp_sink:
        app.config["SMTP_URL"] = smtp_sink.url
        empty_queues(app)
        yield smtp_sink
        empty_queues(app)


def survey_on(session, event: str, name: str):
    return live_survey(session, {"product": "Acme Cloud", "questions": [
        {"id": "nps", "type": "nps"},
        {"id": "why", "type": "text", "show_if": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}}],
        "triggers": [{"type": "event", "event": event, "channels": ["email"]}]}, name=name)


def invitations(session) -> list[Invitation]:
    session.commit()
    return list(session.scalars(select(Invitation).order_by(Invitation.id)
                                .execution_options(populate_existing=True)))


def test_event_to_mail_to_click_to_response_and_no_second_ask(app, client, session, sink, api_headers,
                                                             make_account):
    make_account(external_id="acme", name="Acme", csm_email="csm@acme.example")
    onboarding = survey_on(session, "onboarding_completed", "Onboarding NPS")
    survey_on(session, "ticket_closed", "Support NPS")
    worker = make_worker(app)

    sent = client.post("/api/v1/events", headers=api_headers, json={"events": [
        {"contact_external_id": "ada", "email": "ada@acme.example", "account_external_id": "acme",
         "name": "onboarding_completed", "idempotency_key": "evt-1"}]})
    assert sent.status_code == 200, sent.get_json()
    worker.work(burst=True)  # matches the event: one invitation, due now
    [invitation] = invitations(session)
    assert invitation.survey_id == onboarding.id and invitation.state is InvitationState.SCHEDULED

    assert dispatch(utcnow()) == "1 due invitation(s) claimed and queued"
    worker.work(burst=True)
    [mail] = sink.messages
    assert mail["To"].addresses[0].addr_spec == "ada@acme.example"
    assert mail["Reply-To"] == "csm@acme.example"
    html = mail.get_body(preferencelist=("html",)).get_content()
    score_url = re.search(r'href="(http://localhost/e/[^"]+/3)"', html).group(1)

    follow_up = client.get(urlsplit(score_url).path)
    assert follow_up.status_code == 303 and "q=why" in follow_up.headers["Location"]
    worker.work(burst=True)  # the answers listener closes the invitation
    [response] = session.scalars(select(Response))
    assert response.channel is Channel.EMAIL and response.survey_id == onboarding.id
    assert session.scalar(select(Answer.score).where(Answer.response_id == response.id)) == 3
    [answered] = invitations(session)
    assert answered.state is InvitationState.ANSWERED

    # Another survey's milestone for the same person, the same day: never over-asked.
    client.post("/api/v1/events", headers=api_headers, json={"events": [
        {"contact_external_id": "ada", "name": "ticket_closed", "idempotency_key": "evt-2"}]})
    worker.work(burst=True)
    dispatch(utcnow())
    worker.work(burst=True)
    assert len(sink.messages) == 1, "one mail in all"
    [throttled] = [i for i in invitations(session) if i.id != answered.id]
    assert throttled.state is InvitationState.SKIPPED
    assert re.fullmatch(r"throttled until \d{4}-\d\d-\d\d by survey 'Onboarding NPS'", throttled.reason)
