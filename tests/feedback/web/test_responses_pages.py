"""Stored answers in the web UI: a survey's responses (filters, pages), one response, an account's history."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from feedback.auth.roles import Role
from feedback.responses.models import Channel
from feedback.responses.services import Submission, submit_response
from surveys.db import utcnow
from surveys.design.services import create_survey, publish, update_draft
from surveys.design.templates import TEMPLATES

XSS = "<script>alert(1)</script>"


def definition(**extra) -> dict:
    return TEMPLATES["nps_relationship"].build() | {"product": "Acme"} | extra


@pytest.fixture
def globex(make_account, make_contact):
    account = make_account(external_id="globex", name="Globex", plan="enterprise", segment="mid-market",
                           arr=Decimal(48000))
    return make_contact(account=account, name="Jane Doe", email="jane@globex.test")


@pytest.fixture
def survey(session):
    survey = create_survey(session, "Quarterly pulse", definition())
    publish(session, survey, "ada@example.com")
    session.commit()
    return survey


@pytest.fixture
def record(session, survey):
    """``record(answers, **submission)``: a response stored through the real service, committed."""
    def make(answers: dict, minutes_ago: int = 0, **kw):
        result = submit_response(session, survey, Submission(
            answers=answers, channel=kw.pop("channel", Channel.LINK),
            submitted_at=utcnow() - timedelta(minutes=minutes_ago), **kw))
        session.commit()
        return result.response
    return make


def test_the_list_shows_responses_newest_first_with_their_details(signed_in, survey, record, globex):
    record({"nps": 10, "value_most": "The API"}, minutes_ago=30, contact=globex)
    record({"nps": 3, "disappointed": "Slow exports " + "x" * 200}, minutes_ago=5, channel=Channel.EMAIL)
    record({"nps": 8}, minutes_ago=1, partial=True, channel=Channel.API)
    client, _user = signed_in(Role.VIEWER)
    page = client.get(f"/surveys/{survey.id}/responses")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Quarterly pulse" in html
    table = html.split("<tbody>")[1]
    assert table.index(">Passive<") < table.index(">Detractor<") < table.index(">Promoter<")  # newest first
    assert "Jane Doe" in html and 'href="/accounts/globex"' in html and "Anonymous" in html
    assert "enterprise" in html and "mid-market" in html  # the plan and segment snapshot
    assert "Survey page" in html and "Email" in html and "API" in html
    assert "Partial" in html and "Complete" in html and "v1" in html
    assert "Slow exports xxx" in html and "x" * 150 not in html.split("title=")[0]  # truncated
    assert '<div class="stat-value tabular">0</div>' in html  # NPS: one promoter, one detractor, one passive
    assert "text-bg-danger" in html and "text-bg-success" in html and "text-bg-warning" in html


@pytest.mark.parametrize("args, shown, hidden", [
    ("channel=email", ["Detractor"], ["Promoter", "Passive"]),
    ("status=partial", ["Passive"], ["Promoter", "Detractor"]),
    ("status=complete", ["Promoter", "Detractor"], ["Passive"]),
    ("category=promoter", ["Promoter"], ["Detractor", "Passive"]),
    ("channel=bogus&category=nope", ["Promoter", "Detractor", "Passive"], []),  # unknown filters are ignored
])
def test_filters(signed_in, survey, record, args, shown, hidden):
    record({"nps": 10}, minutes_ago=30)
    record({"nps": 3}, minutes_ago=5, channel=Channel.EMAIL)
    record({"nps": 8}, minutes_ago=1, partial=True)
    client, _user = signed_in(Role.VIEWER)
    table = client.get(f"/surveys/{survey.id}/responses?{args}").get_data(as_text=True).split("<tbody>")[1]
    for label in shown:
        assert f">{label}<" in table
    for label in hidden:
        assert f">{label}<" not in table


def test_filters_with_no_match_and_an_empty_survey_say_so(signed_in, survey, record):
    client, _user = signed_in(Role.VIEWER)
    assert "No responses yet" in client.get(f"/surveys/{survey.id}/responses").get_data(as_text=True)
    record({"nps": 10})
    html = client.get(f"/surveys/{survey.id}/responses?category=detractor").get_data(as_text=True)
    assert "No responses match these filters" in html


def test_pages_of_25(signed_in, survey, record):
    for n in range(27):
        record({"nps": n % 11}, minutes_ago=n)
    client, _user = signed_in(Role.VIEWER)
    first = client.get(f"/surveys/{survey.id}/responses?status=complete").get_data(as_text=True)
    assert first.count('href="/responses/') == 25 and "Showing 1–25 of 27" in first
    assert f"/surveys/{survey.id}/responses?status=complete&amp;page=2" in first
    second = client.get(f"/surveys/{survey.id}/responses?status=complete&page=2").get_data(as_text=True)
    assert second.count('href="/responses/') == 2
    assert client.get(f"/surveys/{survey.id}/responses?page=999").status_code == 200


def test_the_detail_shows_every_answer_against_the_prompt_of_its_version(signed_in, session, survey, record, globex):
    response = record({"nps": 2, "disappointed": "Too slow"}, contact=globex)
    update_draft(session, survey, definition(questions=[
        {"id": "nps", "type": "nps", "prompt": "Would you recommend {product}? (v2)"}]))
    publish(session, survey)
    session.commit()
    client, _user = signed_in(Role.VIEWER)
    html = client.get(f"/responses/{response.id}").get_data(as_text=True)
    assert "How likely are you to recommend Acme to a friend or colleague?" in html and "(v2)" not in html
    assert "What disappointed you?" in html and "Too slow" in html and "Detractor" in html
    assert "Not shown (logic)" in html  # the promoter follow-up
    assert "Jane Doe" in html and "Globex" in html and "$48,000" in html and "version 1" in html
    assert client.get("/responses/999999").status_code == 404


def test_answers_and_names_are_escaped_in_the_responses_pages(signed_in, session, survey, record, make_contact):
    xss_contact = make_contact(name=XSS)
    response = record({"nps": 1, "disappointed": XSS}, contact=xss_contact)
    client, _user = signed_in(Role.VIEWER)
    for path in (f"/surveys/{survey.id}/responses", f"/responses/{response.id}"):
        html = client.get(path).get_data(as_text=True)
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_account_page_has_a_survey_history(signed_in, survey, record, globex, make_account):
    for n in range(12):
        record({"nps": 10 if n else 4}, minutes_ago=n, contact=globex)  # the newest is a detractor
    client, _user = signed_in(Role.VIEWER)
    html = client.get("/accounts/globex").get_data(as_text=True)
    section = html.split('id="survey-history"')[1].split("</section>")[0]
    assert "Survey history" in section and ">12<" in section and "The 10 latest" in section
    assert section.count('href="/responses/') == 10 and "Quarterly pulse" in section
    assert section.index("Detractor") < section.index("Promoter")
    make_account(external_id="quiet", name="Quiet")
    assert "No survey answers yet" in client.get("/accounts/quiet").get_data(as_text=True)


def test_reading_responses_needs_a_sign_in(client, survey, record):
    response = record({"nps": 9})
    for path in (f"/surveys/{survey.id}/responses", f"/responses/{response.id}"):
        assert client.get(path).status_code == 302
    assert client.get("/surveys/999/responses").status_code == 302
