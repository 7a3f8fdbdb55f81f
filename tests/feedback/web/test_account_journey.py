"""The account page's "Journey": the account's latest events and what each fired."""
from __future__ import annotations

import re
from datetime import timedelta

from feedback.auth.roles import Role
from feedback.web.account_queries import JOURNEY_SIZE, account_journey
from surveys.db import db
from surveys.journeys.matching import match_event
from tests.surveys.journeys.journey_helpers import NOW, event_row, live_survey, store


def test_the_journey_lists_events_with_their_invitations(signed_in, make_account, make_contact):
    acme = make_account(external_id="acme", name="Acme")
    make_contact(external_id="ana", name="Ana Lima", account_id=acme.id)
    make_contact(external_id="bo", email="bo@acme.test", account_id=acme.id)
    make_contact(external_id="elsewhere", account_id=make_account().id)
    live_survey(db.session, {"id": "t", "type": "event", "event": "onboarding_completed", "sample": 0.000001},
                name="Onboarding NPS")
    onboarding, _ticket, _other = store(
        db.session, event_row("ana", properties={"plan": "pro", "seats": 12, "a": 1, "b": 2}),
        event_row("bo", name="ticket_closed", at=NOW - timedelta(hours=1)),
        event_row("elsewhere", name="not_this_account"))
    match_event(db.session, onboarding, now=NOW)
    db.session.commit()
    client, _user = signed_in(Role.VIEWER)
    html = client.get("/accounts/acme").get_data(as_text=True)
    section = html[html.index('id="journey"'):]
    assert re.search(r"Journey <span[^>]*>2</span>", section)
    assert "onboarding_completed" in section and "ticket_closed" in section and "not_this_account" not in section
    assert "Ana Lima" in section and "bo@acme.test" in section
    assert "Onboarding NPS" in section and "Skipped" in section and "sampled out" in section
    assert "+1 more" in section  # 4 properties, 3 shown
    assert section.index("onboarding_completed") < section.index("ticket_closed")  # newest first
    assert "Matching…" in section  # the ticket event was never matched


def test_an_account_without_events_says_so(signed_in, make_account):
    make_account(external_id="quiet")
    client, _user = signed_in(Role.VIEWER)
    html = client.get("/accounts/quiet").get_data(as_text=True)
    assert "No journey events yet" in html


def test_the_query_is_bounded_and_counts_everything(session, make_account, make_contact):
    acme = make_account()
    make_contact(external_id="ana", account_id=acme.id)
    store(session, *[event_row("ana", at=NOW - timedelta(minutes=i)) for i in range(JOURNEY_SIZE + 5)])
    rows, total = account_journey(session, acme.id)
    assert total == JOURNEY_SIZE + 5 and len(rows) == JOURNEY_SIZE
    assert rows[0].occurred_at == NOW


def test_the_journey_in_chromium(page, live_server, make_user, make_account, make_contact, shots_dir):
    from tests.conftest import PASSWORD
    from tests.feedback.web.test_browser import shot

    user = make_user(Role.VIEWER, email="vi@example.com")
    acme = make_account(external_id="acme", name="Acme Corp", plan="pro")
    make_contact(external_id="ana", name="Ana Lima", account_id=acme.id)
    make_contact(external_id="bo", email="bo@acme.test", account_id=acme.id)
    live_survey(db.session, {"id": "t", "type": "event", "event": "onboarding_completed", "delay": "P3D"},
                name="Onboarding NPS")
    now = NOW - timedelta(days=1)
    events = store(db.session, event_row("ana", at=now, properties={"plan": "pro", "seats": 12}),
                   event_row("bo", name="ticket_closed", at=now - timedelta(hours=3), properties={"ticket": "ZD-1"}),
                   now=now)
    match_event(db.session, events[0], now=now)
    match_event(db.session, events[1], now=now)
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/accounts/acme")
    journey = page.locator("#journey")
    assert journey.get_by_role("heading", name="Journey 2").is_visible()
    assert journey.locator("tbody tr").count() == 2
    assert journey.get_by_role("link", name="Onboarding NPS").is_visible()
    shot(page, shots_dir / "account-journey-1280.png")
