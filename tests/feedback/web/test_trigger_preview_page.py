"""The "who would this trigger hit?" page: a dry run of a draft trigger, read by anyone who reads surveys."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from feedback.auth.roles import Role
from surveys.db import utcnow
from surveys.delivery.models import Invitation
from surveys.design.services import create_survey
from surveys.journeys.models import Event
from tests.conftest import PASSWORD

DRAFT = {"questions": [{"id": "nps", "type": "nps"}],
         "triggers": [{"id": "onboarded", "type": "event", "event": "onboarding_completed", "delay": "P3D",
                       "filters": [{"field": "plan", "op": "=", "value": "pro"}]}]}


def count(html: str, outcome: str) -> int:
    return int(re.search(rf'data-count="{outcome}">(\d+)<', html).group(1))


def test_a_draft_trigger_is_previewed_before_publishing(signed_in, session, make_account, make_contact):
    survey = create_survey(session, "Onboarding NPS", DRAFT)  # never published
    session.commit()
    pro, starter = make_account(name="Acme", plan="pro"), make_account(name="Globex", plan="starter")
    ada = make_contact(name="Ada", account_id=pro.id)
    bob = make_contact(name="Bob", account_id=starter.id)
    for person, days_ago in ((ada, 10), (bob, 5), (ada, 40)):
        session.add(Event(contact_id=person.id, account_id=person.account_id, name="onboarding_completed",
                          occurred_at=utcnow() - timedelta(days=days_ago), properties={}))
    session.commit()
    client, _user = signed_in(Role.VIEWER)
    response = client.get(f"/surveys/{survey.id}/triggers/onboarded/preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Who would this trigger have hit?" in html and "3 days after onboarding_completed" in html
    assert (count(html, "matched"), count(html, "invited"), count(html, "filtered_out")) == (2, 1, 1)
    assert f'href="/contacts/{ada.id}"' in html and "plan = pro: no (account.plan is &#39;starter&#39;)" in html
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0, "a preview writes nothing"


def test_the_triggers_page_links_here_and_unknown_triggers_are_404(signed_in, session):
    survey = create_survey(session, "Onboarding NPS", DRAFT)
    session.commit()
    client, _user = signed_in(Role.MANAGER)
    triggers = client.get(f"/surveys/{survey.id}/triggers").get_data(as_text=True)
    assert f'href="/surveys/{survey.id}/triggers/onboarded/preview"' in triggers
    assert client.get(f"/surveys/{survey.id}/triggers/nope/preview").status_code == 404
    assert client.get("/surveys/999999/triggers/onboarded/preview").status_code == 404
    html = client.get(f"/surveys/{survey.id}/triggers/onboarded/preview").get_data(as_text=True)
    assert "Nobody in the last 30 days" in html


def test_the_preview_in_chromium(page, live_server, make_user, session, make_account, make_contact, shots_dir):
    survey = create_survey(session, "Onboarding NPS", {**DRAFT, "triggers": [{**DRAFT["triggers"][0], "sample": 0.5}]})
    session.commit()
    accounts = [make_account(name=f"Company {n}", plan="pro" if n % 3 else "starter") for n in range(8)]
    for n in range(24):
        person = make_contact(name=f"Person {n:02d}", account_id=accounts[n % 8].id,
                              unsubscribed_at=utcnow() if n == 7 else None)
        session.add(Event(contact_id=person.id, account_id=person.account_id, name="onboarding_completed",
                          occurred_at=utcnow() - timedelta(days=28 - n), properties={}))
    session.commit()
    user = make_user(Role.MANAGER)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/surveys/{survey.id}/triggers")
    page.get_by_role("link", name="Who would this hit?").click()
    page.get_by_role("heading", name="Who would this trigger have hit?").wait_for()
    assert page.locator('[data-count="matched"]').inner_text() == "24"
    outcomes = [int(page.locator(f'[data-count="{o}"]').inner_text())
                for o in ("invited", "filtered_out", "sampled_out", "unreachable", "throttled")]
    assert sum(outcomes) == 24 and outcomes[3] == 1 and outcomes[1] == 9
    page.screenshot(path=str(shots_dir / "trigger-preview.png"), full_page=True)
