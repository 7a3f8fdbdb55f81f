"""The contact page: fields, journey events, invitations and the eligibility panel (also in Chromium)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from feedback.auth.roles import Role
from surveys.db import utcnow
from surveys.delivery.models import InvitationState
from surveys.design.services import create_survey
from surveys.journeys.models import Event
from tests.conftest import PASSWORD
from tests.surveys.journeys.throttle_helpers import invite, live_survey

TRIGGER = {"id": "onboarded", "type": "event", "event": "onboarding_completed", "delay": "P3D",
           "channels": ["in_app", "email"], "filters": [{"field": "plan", "op": "in", "value": ["pro", "enterprise"]},
                                                        {"field": "properties.seats", "op": ">=", "value": 10}]}


@pytest.fixture
def acme(make_account):
    return make_account(external_id="acme", name="Acme Corp", plan="pro", renewal_date=date(2027, 1, 31))


@pytest.fixture
def ada(make_contact, acme):
    return make_contact(external_id="user-42", name="Ada Lovelace", email="ada@acme.test", account_id=acme.id,
                        timezone="Europe/Paris", locale="en-GB", attributes={"role": "CTO"})


def rule_rows(html: str) -> list[tuple[str, str, str]]:
    """(mark, rule name, sentence) of every verdict shown."""
    rows = re.findall(r'<span class="rule-mark" aria-hidden="true">(.)</span>\s*<div class="min-w-0">\s*'
                      r'<div class="rule-name">([^<]+)<span.*?</div>\s*<div class="rule-detail text-break">([^<]*)</div>',
                      html, re.DOTALL)
    return [(mark, name.strip(), detail.replace("&#39;", "'").replace("&gt;", ">")) for mark, name, detail in rows]


def test_the_page_shows_fields_events_and_invitations(signed_in, session, ada):
    survey = live_survey(session, "Onboarding NPS")
    invite(session, ada, survey, sent_at=utcnow() - timedelta(days=2), state=InvitationState.ANSWERED)
    skipped = invite(session, ada, survey, sent_at=None, state=InvitationState.SKIPPED, channel="in_app")
    skipped.reason = "sampled out (20 %)"
    for n in range(55):
        session.add(Event(contact_id=ada.id, account_id=ada.account_id, name=f"feature_used_{n}",
                          occurred_at=utcnow() - timedelta(hours=n), properties={"feature": "export", "n": n}))
    session.commit()
    client, _user = signed_in(Role.VIEWER)
    response = client.get(f"/contacts/{ada.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1" in html and "Ada Lovelace" in html and "ada@acme.test" in html and "user-42" in html
    assert "Europe/Paris" in html and "en-GB" in html and "CTO" in html and "Acme Corp" in html
    assert "feature_used_0<" in html and "feature_used_49<" in html and "feature_used_50<" not in html
    assert html.count('class="event-name"') == 50
    assert "Onboarding NPS" in html and "Answered" in html and "Skipped" in html and "sampled out (20 %)" in html
    assert "In-app" in html and "Choose a survey" in html


def test_the_account_page_links_to_each_contact(signed_in, ada):
    client, _user = signed_in(Role.VIEWER)
    html = client.get("/accounts/acme").get_data(as_text=True)
    assert f'href="/contacts/{ada.id}"' in html


def test_the_eligibility_panel_says_why_not(signed_in, session, ada):
    survey = live_survey(session, "Quarterly NPS", triggers=[TRIGGER])
    other = live_survey(session, "Onboarding NPS")
    create_survey(session, "Exit survey (draft)", {"questions": [{"id": "nps", "type": "nps"}]})
    session.commit()
    sent = invite(session, ada, other, sent_at=utcnow() - timedelta(days=3))
    client, _user = signed_in(Role.CSM)
    html = client.get(f"/contacts/{ada.id}", query_string={"survey": survey.id}).get_data(as_text=True)
    assert "Would not be asked “Quarterly NPS”" in html
    until = sent.sent_at + timedelta(days=30)
    rows = rule_rows(html)
    assert ("✗", "Recontact period", f"throttled until {until:%Y-%m-%d} by survey 'Onboarding NPS'") in rows
    assert ("✓", "Survey is live", "survey 'Quarterly NPS' is live (version 1)") in rows
    assert ("i", "Send window", "no send window: sends at any hour") in rows
    assert ("✓", "Audience filter", "plan in pro, enterprise: yes (account.plan is 'pro')") in rows
    assert ("✗", "Audience filter", "properties.seats >= 10: no (properties.seats is not set)") in rows
    assert "3 days after onboarding_completed" in html and "No <code>onboarding_completed</code> event" in html
    assert re.search(rf'<option value="{survey.id}" selected>Quarterly NPS</option>', html)
    assert "Exit survey (draft)" in html and '<optgroup label="Drafts">' in html


def test_an_eligible_contact_is_told_when(signed_in, session, ada):
    survey = live_survey(session, "Quarterly NPS")
    client, _user = signed_in(Role.VIEWER)
    html = client.get(f"/contacts/{ada.id}?survey={survey.id}").get_data(as_text=True)
    assert "Would be asked “Quarterly NPS”" in html and "Next possible send" in html
    assert all(mark in "✓i" for mark, _name, _detail in rule_rows(html))


@pytest.mark.parametrize(("value", "message"), [("abc", "Choose a survey from the list."),
                                                ("999999", "No survey with id 999999.")])
def test_a_bad_survey_choice_is_a_422_naming_the_field(signed_in, ada, value, message):
    client, _user = signed_in(Role.VIEWER)
    response = client.get(f"/contacts/{ada.id}", query_string={"survey": value})
    assert response.status_code == 422
    assert f"Survey: {message}" in response.get_data(as_text=True)


def test_unknown_erased_and_anonymous(signed_in, client, session, make_contact, ada):
    viewer, _user = signed_in(Role.VIEWER)
    assert viewer.get("/contacts/999999").status_code == 404
    gone = make_contact(external_id="~erased-1", email=None, name=None, erased_at=utcnow())
    survey = live_survey(session, "Quarterly NPS")
    html = viewer.get(f"/contacts/{gone.id}?survey={survey.id}").get_data(as_text=True)
    assert "Erased contact" in html and "never asked again" in html
    response = client.get(f"/contacts/{ada.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_panel_in_chromium(page, live_server, make_user, session, ada, shots_dir):
    survey = live_survey(session, "Quarterly NPS", triggers=[TRIGGER, {
        "id": "renewal", "type": "date", "field": "account.renewal_date", "offset": "-P60D", "sample": 0.5}])
    other = live_survey(session, "Onboarding NPS")
    invite(session, ada, other, sent_at=utcnow() - timedelta(days=12), state=InvitationState.ANSWERED)
    invite(session, ada, survey, sent_at=None, state=InvitationState.CANCELLED, channel="in_app").reason = \
        "answered through email"
    session.add(Event(contact_id=ada.id, account_id=ada.account_id, name="onboarding_completed",
                      occurred_at=utcnow() - timedelta(days=13), properties={"seats": 25, "plan": "pro"}))
    session.commit()
    user = make_user(Role.MANAGER, name="Maya Manager")
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/accounts/acme")
    page.get_by_role("link", name="Ada Lovelace").click()
    page.get_by_label("Survey").select_option(label="Quarterly NPS")
    page.get_by_role("button", name="Check").click()
    panel = page.locator("#eligibility")
    panel.get_by_text("Would not be asked").wait_for()
    assert "throttled until" in panel.inner_text() and "Onboarding NPS" in panel.inner_text()
    assert page.url.endswith("#eligibility") and f"survey={survey.id}" in page.url
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.screenshot(path=str(shots_dir / "contact-eligibility.png"), full_page=True)
