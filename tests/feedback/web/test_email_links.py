"""The links in an invitation mail: one-click scores, the personal link, unsubscribing (RFC 8058)."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from feedback.responses.models import Answer, Channel, Response
from feedback.schedule.periodic import dispatch
from feedback.worker import make_worker
from surveys.audience.models import Contact
from surveys.db import utcnow
from surveys.delivery.links import sign_invitation_link, sign_personal_link, sign_unsubscribe
from surveys.delivery.models import InvitationState
from surveys.design.models import Survey, SurveyStatus
from surveys.design.services import set_status
from tests.invitation_helpers import empty_queues, live_survey, make_invitation, reload
from tests.smtp_sink import running_sink

SECRET = "test-secret-key-not-for-production"
NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def customer(make_account, make_contact):
    account = make_account(name="Acme", csm_email="csm@acme.example")
    return make_contact(name="Ada Lovelace", email="ada@acme.example", account_id=account.id)


@pytest.fixture
def sent(session, customer):
    """A mailed invitation of the NPS survey with follow-ups, and its link token."""
    survey = live_survey(session)
    invitation = make_invitation(session, contact=customer, survey=survey, scheduled_for=NOW,
                                 state=InvitationState.SENT, sent_at=NOW, attempts=1)
    return invitation, sign_invitation_link(SECRET, survey.id, customer.id, invitation.id)


def responses(session) -> list[Response]:
    session.commit()
    return list(session.scalars(select(Response).order_by(Response.id)))


def scores(session, response_id: int) -> dict[str, int | None]:
    return {a.question_id: a.score for a in session.scalars(select(Answer).where(Answer.response_id == response_id))}


def step_of(location: str) -> str | None:
    return parse_qs(urlsplit(location).query).get("q", [None])[0]


def test_a_score_click_records_a_partial_response_and_opens_the_follow_up(client, session, sent, customer):
    invitation, token = sent
    page = client.get(f"/e/{token}/9")
    assert page.status_code == 303
    assert urlsplit(page.headers["Location"]).path == f"/s/{token}"
    assert step_of(page.headers["Location"]) == "best", "a promoter is asked what they value"
    [response] = responses(session)
    assert response.channel is Channel.EMAIL and response.partial
    assert response.contact_id == customer.id
    assert response.client_response_id == f"link:{customer.id}:i{invitation.id}"
    assert scores(session, response.id) == {"nps": 9}
    opened = reload(session, invitation.id)
    # The score is an answer (a partial response counts): opened, then answered in the same transaction.
    assert opened.state is InvitationState.ANSWERED and opened.opened_at is not None and opened.answered_at is not None
    follow_up = client.get(page.headers["Location"])
    assert follow_up.status_code == 200 and "What do you value most?" in follow_up.get_data(as_text=True)


def test_a_second_click_changes_the_score_of_the_same_response(client, session, sent):
    _invitation, token = sent
    client.get(f"/e/{token}/9")
    again = client.get(f"/e/{token}/3")
    assert step_of(again.headers["Location"]) == "why"
    [response] = responses(session)
    assert scores(session, response.id) == {"nps": 3}


def test_when_the_score_is_all_the_survey_asks_the_response_is_complete(client, session, customer):
    survey = live_survey(session, {"questions": [{"id": "csat", "type": "csat"}]}, name="Support CSAT")
    invitation = make_invitation(session, contact=customer, survey=survey, state=InvitationState.SENT, sent_at=NOW)
    token = sign_invitation_link(SECRET, survey.id, customer.id, invitation.id)
    page = client.get(f"/e/{token}/5")
    assert step_of(page.headers["Location"]) == "__thank_you__"
    [response] = responses(session)
    assert not response.partial and scores(session, response.id) == {"csat": 5}
    assert "Thank you" in client.get(page.headers["Location"]).get_data(as_text=True)
    client.get(f"/e/{token}/2")  # changed their mind: may_revise
    assert scores(session, responses(session)[0].id) == {"csat": 2}


def test_a_score_off_the_scale_is_a_422_and_writes_nothing(client, session, sent):
    invitation, token = sent
    page = client.get(f"/e/{token}/11")
    assert page.status_code == 422
    assert "Choose a number from 0 to 10." in page.get_data(as_text=True)
    assert responses(session) == []
    assert reload(session, invitation.id).state is InvitationState.SENT


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-8] + ("A" if t[-8] != "A" else "B") + t[-7:],  # a changed signature (not its padding bits)
    lambda t: "x" + t,                                           # a changed payload
    lambda t: "anonymous-looking-token",                         # no signature at all
])
def test_a_tampered_link_gets_the_friendly_page_and_writes_nothing(client, session, sent, mangle):
    invitation, token = sent
    page = client.get(f"/e/{mangle(token)}/9")
    assert page.status_code == 404
    assert "This survey link is not valid" in page.get_data(as_text=True)
    assert responses(session) == []
    assert reload(session, invitation.id).state is InvitationState.SENT


def test_an_expired_link_says_so(client, session, customer):
    survey = live_survey(session)
    token = sign_personal_link(SECRET, survey.id, customer.id, ttl=timedelta(seconds=1), nonce="i1",
                               now=time.time() - 60)
    page = client.get(f"/e/{token}/9")
    assert page.status_code == 410 and "expired" in page.get_data(as_text=True)
    assert responses(session) == []


def test_a_paused_survey_takes_no_click(client, session, sent):
    invitation, token = sent
    set_status(session, session.get(Survey, invitation.survey_id), SurveyStatus.PAUSED)
    session.commit()
    assert client.get(f"/e/{token}/9").status_code == 409
    assert responses(session) == []


def test_a_head_request_from_a_link_checker_writes_nothing(client, session, sent):
    invitation, token = sent
    assert client.head(f"/e/{token}/9").status_code == 303
    assert responses(session) == []
    assert reload(session, invitation.id).state is InvitationState.SENT


def test_a_first_question_that_is_not_a_score_has_no_score_links(client, session, customer):
    survey = live_survey(session, {"questions": [{"id": "q", "type": "text"}]})
    invitation = make_invitation(session, contact=customer, survey=survey, state=InvitationState.SENT, sent_at=NOW)
    token = sign_invitation_link(SECRET, survey.id, customer.id, invitation.id)
    assert client.get(f"/e/{token}/1").status_code == 404
    assert responses(session) == []


def test_opening_the_personal_link_marks_the_invitation_opened(client, session, sent):
    invitation, token = sent
    assert client.get(f"/s/{token}").status_code == 200
    assert reload(session, invitation.id).state is InvitationState.OPENED
    assert client.get(f"/s/{token}").status_code == 200, "a reload changes nothing"
    assert responses(session) == [], "opening is not answering"


def test_opening_a_link_not_yet_sent_or_of_another_contact_changes_nothing(client, session, customer, make_contact):
    survey = live_survey(session)
    waiting = make_invitation(session, contact=customer, survey=survey)
    client.get(f"/s/{sign_invitation_link(SECRET, survey.id, customer.id, waiting.id)}")
    assert reload(session, waiting.id).state is InvitationState.SCHEDULED
    other = make_invitation(session, contact=make_contact(), survey=survey, state=InvitationState.SENT, sent_at=NOW)
    client.get(f"/s/{sign_invitation_link(SECRET, survey.id, customer.id, other.id)}")
    assert reload(session, other.id).state is InvitationState.SENT, "the link names someone else"


# --- unsubscribing ------------------------------------------------------------------------------

def _contact(session, contact_id: int) -> Contact:
    session.commit()
    return session.scalar(select(Contact).where(Contact.id == contact_id).execution_options(populate_existing=True))


def test_the_unsubscribe_page_asks_first_and_changes_nothing(client, session, sent, customer):
    token = sign_unsubscribe(SECRET, customer.id)
    page = client.get(f"/u/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Unsubscribe from surveys?" in html and "a***@acme.example" in html
    assert re.search(rf'<form method="post" action="/u/{re.escape(token)}"', html)
    assert _contact(session, customer.id).unsubscribed_at is None


def test_posting_unsubscribes_and_cancels_what_was_waiting(client, session, sent, customer):
    invitation, _token = sent
    survey = live_survey(session, name="Support CSAT")
    waiting = make_invitation(session, contact=customer, survey=survey)
    answered = make_invitation(session, contact=customer, survey=survey, state=InvitationState.ANSWERED)
    page = client.post(f"/u/{sign_unsubscribe(SECRET, customer.id)}")
    assert page.status_code == 200 and "You’re unsubscribed" in page.get_data(as_text=True)
    assert _contact(session, customer.id).unsubscribed_at is not None
    for cancelled in (invitation.id, waiting.id):
        stored = reload(session, cancelled)
        assert (stored.state, stored.reason) == (InvitationState.CANCELLED, "unsubscribed")
    assert reload(session, answered.id).state is InvitationState.ANSWERED


def test_one_click_unsubscribe_needs_no_csrf_token_and_is_idempotent(client, session, customer):
    url = f"/u/{sign_unsubscribe(SECRET, customer.id)}"
    first = client.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert first.status_code == 200
    when = _contact(session, customer.id).unsubscribed_at
    assert when is not None
    again = client.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200
    assert _contact(session, customer.id).unsubscribed_at == when
    assert "You’re unsubscribed" in client.get(url).get_data(as_text=True)


def test_a_tampered_unsubscribe_link_changes_nothing(client, session, customer):
    token = sign_unsubscribe(SECRET, customer.id)
    # Change a character in the middle of the signature: the last base64 character of a
    # signature carries padding bits, and changing only those leaves the signature valid.
    middle = len(token) - 8
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1:]
    for bad in (altered, sign_personal_link(SECRET, 1, customer.id)):
        assert client.post(f"/u/{bad}").status_code == 404
    assert _contact(session, customer.id).unsubscribed_at is None


def test_an_unsubscribe_link_of_a_contact_that_is_gone_is_not_found(client, session):
    assert client.get(f"/u/{sign_unsubscribe(SECRET, 424242)}").status_code == 404


# --- from the real mail -------------------------------------------------------------------------

@pytest.fixture
def smtp_sink(app):
    with running_sink() as sink:
        yield sink
        empty_queues(app)


def test_the_score_link_in_the_mailed_invitation_records_the_answer(app, client, session, smtp_sink, customer):
    app.config["SMTP_URL"] = smtp_sink.url
    empty_queues(app)
    invitation = make_invitation(session, contact=customer, survey=live_survey(session), scheduled_for=NOW)
    dispatch(NOW)
    make_worker(app).work(burst=True)
    [mail] = smtp_sink.messages
    html = mail.get_body(preferencelist=("html",)).get_content()
    links = re.findall(r'href="http://localhost(/e/[^"]+/(\d+))"', html)
    assert [int(score) for _path, score in links] == list(range(11))
    path = {int(score): p for p, score in links}[6]
    assert step_of(client.get(path).headers["Location"]) == "why"
    [response] = responses(session)
    assert scores(session, response.id) == {"nps": 6} and response.channel is Channel.EMAIL
    assert reload(session, invitation.id).state is InvitationState.ANSWERED
    unsubscribe = mail["List-Unsubscribe"].strip()[1:-1]
    assert client.post(urlsplit(unsubscribe).path, data="List-Unsubscribe=One-Click").status_code == 200
    assert _contact(session, customer.id).unsubscribed_at is not None
    assert session.scalar(select(func.count()).select_from(Response)) == 1
