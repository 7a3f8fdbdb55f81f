"""The widget in real Chromium on a customer's page served from another origin: the journeys.

identify → track → the survey shows → a score (saved at once, partial) → the follow-up
(the same response, complete), stored with its contact and account; a dismissal; the keyboard
alone; page views of a single-page app; one survey at a time; anonymous visitors. Screenshots
(light, dark, centred, a phone) land in ``shots_dir``.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback.responses.models import Channel
from surveys.audience.models import Contact
from surveys.delivery.models import InvitationState
from surveys.journeys.settings import workspace_settings
from tests.feedback.widget.static_host import (  # noqa: F401 - fixtures
    CARD, console, eventually, host, open_page, stored, widget_key,
)
from tests.invitation_helpers import NPS_WITH_FOLLOW_UPS, live_survey, make_invitation, reload

pytestmark = pytest.mark.browser

ON_EXPORT = {"id": "t1", "type": "event", "event": "report_exported", "channels": ["in_app"]}


def shadow_focus(page) -> str:
    """What has the keyboard inside the widget's shadow root: a button's name, else its tag ('' when outside)."""
    return page.evaluate("""() => { const h = document.querySelector('feedback-survey');
        const a = h && h.shadowRoot.activeElement;
        return !a ? '' : a.tagName == 'BUTTON' ? a.getAttribute('aria-label') || a.textContent : a.tagName; }""")


def test_identify_track_answer_stores_response_with_contact_and_account(
        page, live_server, session, host, widget_key, console, make_account, shots_dir):
    acme = make_account(external_id="acme", name="Acme Inc", plan="enterprise")
    live_survey(session, NPS_WITH_FOLLOW_UPS | {"triggers": [ON_EXPORT]})
    open_page(page, host, live_server, widget_key, """
        feedback.identify("contact-42", {email: "ada@example.com", name: "Ada", account_id: "acme", plan: "pro"});
        feedback.track("report_exported", {format: "pdf"});""")

    card = page.locator(CARD)
    card.get_by_role("button", name="3", exact=True).wait_for()
    assert card.get_attribute("aria-modal") == "false"
    assert card.locator("#p").text_content() == "How likely are you to recommend Acme Cloud to a friend or colleague?"
    page.screenshot(path=shots_dir / "widget-corner-light.png")

    card.get_by_role("button", name="3", exact=True).click()
    follow_up = card.get_by_role("textbox", name="What disappointed you?")
    follow_up.wait_for()
    [(response, answers)] = stored(session)  # the score alone is saved the moment it is clicked
    assert response.partial and answers["nps"].score == 3 and set(answers) == {"nps"}

    follow_up.fill("Exports time out on big accounts.")
    page.screenshot(path=shots_dir / "widget-corner-follow-up.png")
    card.get_by_role("button", name="Send").click()
    card.get_by_text("Thank you!").wait_for()
    page.screenshot(path=shots_dir / "widget-corner-thank-you.png")

    [(response, answers)] = stored(session)  # the follow-up updated the same response
    contact = session.scalar(select(Contact).where(Contact.external_id == "contact-42"))
    assert (response.contact_id, response.account_id) == (contact.id, acme.id)
    assert response.channel is Channel.IN_APP and not response.partial and response.account_plan == "enterprise"
    assert answers["nps"].score == 3 and answers["why"].text == "Exports time out on big accounts."
    assert contact.email == "ada@example.com" and contact.attributes["plan"] == "pro"
    assert "ada@" not in page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")  # no traits kept
    assert page.evaluate("seen.map(e => e[0])") == ["shown", "answered", "answered"]
    assert page.evaluate("seen[2][1].complete") is True

    page.locator("feedback-survey").wait_for(state="detached", timeout=8_000)  # the thank-you closes itself
    assert console.page_errors == [] and console.of("error") == [] and console.of("warning") == []


def test_dismissing_cancels_the_invitation_and_it_is_not_shown_again(
        page, live_server, session, host, widget_key, console, make_contact):
    contact = make_contact(external_id="c-1")
    survey = live_survey(session)
    invitation = make_invitation(session, contact=contact, survey=survey, channel="in_app")
    url = open_page(page, host, live_server, widget_key, 'feedback.identify("c-1");')

    page.locator(CARD).get_by_role("button", name="0, Not at all likely").wait_for()
    assert eventually(lambda: reload(session, invitation.id).state is InvitationState.OPENED)
    page.locator(CARD).get_by_role("button", name="Close").click()
    assert page.locator("feedback-survey").count() == 0
    shown = eventually(lambda: (i := reload(session, invitation.id)).state is InvitationState.CANCELLED and i)
    assert shown and shown.reason == "dismissed in the product" and shown.sent_at is not None
    assert page.evaluate("seen.map(e => e[0])") == ["shown", "dismissed"]
    stored_keys = page.evaluate("Object.keys(localStorage)")
    assert stored_keys == [f"fb_t_{widget_key}"]  # the token, per key; session state in sessionStorage

    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url.rsplit("/", 1)[-1]))
    with page.expect_response(lambda r: r.url.endswith("/w/v1/poll")):
        page.goto(url)  # the next page view: same person, same traits
    page.wait_for_timeout(300)
    assert page.locator("feedback-survey").count() == 0
    assert [r for r in requests if r != "widget.js" and r != "app"] == ["poll"]  # identify() was remembered
    assert stored(session) == []
    assert console.page_errors == [] and console.of("error") == []


def test_keyboard_alone_answers_and_escape_dismisses(page, live_server, session, host, widget_key, make_contact):
    ada, bob = make_contact(external_id="ada"), make_contact(external_id="bob")
    survey = live_survey(session)
    make_invitation(session, contact=ada, survey=survey, channel="in_app")
    open_page(page, host, live_server, widget_key, 'feedback.identify("ada");')

    page.locator(CARD).wait_for()
    assert shadow_focus(page) == "SECTION"  # focus moved into the card: the dialog, named by its question
    page.keyboard.press("Tab")
    assert shadow_focus(page) == "0, Not at all likely"
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert shadow_focus(page) == "9"
    page.keyboard.press("End")
    assert shadow_focus(page) == "10, Extremely likely"
    page.keyboard.press("ArrowLeft")
    assert shadow_focus(page) == "9"
    page.keyboard.press("Enter")
    page.locator(CARD).get_by_role("textbox", name="What do you value most?").wait_for()
    assert shadow_focus(page) == "TEXTAREA"
    page.keyboard.type("How fast it is.")
    page.keyboard.press("Tab")
    assert shadow_focus(page) == "Send"
    page.keyboard.press("Tab")
    assert shadow_focus(page) == "Close"
    page.keyboard.press("Tab")  # the focus stays in the card: from the last control to the first, and back
    assert shadow_focus(page) == "TEXTAREA"
    page.keyboard.press("Shift+Tab")
    assert shadow_focus(page) == "Close"
    page.keyboard.press("Shift+Tab")
    assert shadow_focus(page) == "Send"
    page.keyboard.press("Enter")
    page.locator(CARD).get_by_text("Thank you!").wait_for()
    [(response, answers)] = stored(session)
    assert answers["nps"].score == 9 and answers["best"].text == "How fast it is." and not response.partial

    invitation = make_invitation(session, contact=bob, survey=survey, channel="in_app")
    page.evaluate('feedback.reset(); feedback.identify("bob")')
    page.locator(CARD).get_by_role("button", name="0, Not at all likely").wait_for()
    page.keyboard.press("Escape")
    assert page.locator("feedback-survey").count() == 0
    assert eventually(lambda: reload(session, invitation.id).state is InvitationState.CANCELLED)


def test_page_views_poll_and_one_survey_shows_at_a_time(page, live_server, session, host, widget_key, make_contact):
    settings = workspace_settings(session)
    settings.recontact_days = settings.account_limit = 0  # two surveys in a row: no throttle stands between them
    contact = make_contact(external_id="c-9")
    first = live_survey(session, name="First")
    second = live_survey(session, NPS_WITH_FOLLOW_UPS | {"triggers": [ON_EXPORT]}, name="Second")
    with page.expect_response(lambda r: r.url.endswith("/w/v1/poll")):
        open_page(page, host, live_server, widget_key, 'feedback.identify("c-9");')
    assert page.locator("feedback-survey").count() == 0

    invitation = make_invitation(session, contact=contact, survey=first, channel="in_app")
    page.wait_for_timeout(2_100)  # page views poll at most every two seconds
    with page.expect_response(lambda r: r.url.endswith("/w/v1/poll")):
        page.evaluate("history.pushState({}, '', '/app/reports')")  # a single-page app's navigation
    page.locator(CARD).wait_for()
    assert eventually(lambda: reload(session, invitation.id).state is InvitationState.OPENED)

    with page.expect_response(lambda r: r.url.endswith("/w/v1/track")) as tracked:
        page.evaluate('feedback.track("report_exported")')
    due = tracked.value.json()["due"]
    assert due and due["survey"]["id"] == second.id  # due now, but another survey is on screen
    page.wait_for_timeout(200)
    assert page.locator("feedback-survey").count() == 1
    assert reload(session, due["invitation"]).state is InvitationState.SCHEDULED

    page.locator(CARD).get_by_role("button", name="Close").click()
    page.wait_for_timeout(2_100)
    page.evaluate("history.back()")  # popstate is a page view too: now the second survey's turn
    page.locator(CARD).wait_for()
    assert eventually(lambda: reload(session, due["invitation"]).state is InvitationState.OPENED)


def test_anonymous_visitor_answers_a_survey_that_allows_it(page, live_server, session, host, widget_key, console):
    open_survey = live_survey(session, {"questions": [{"id": "csat", "type": "csat"}],
                                        "widget": {"anonymous": True, "placement": "bottom-left"}}, name="Open")
    closed = live_survey(session, name="Customers only")
    open_page(page, host, live_server, widget_key, f"feedback.show({closed.id});")
    page.wait_for_timeout(500)
    assert page.locator("feedback-survey").count() == 0
    assert [w for w in console.of("warning") if "anonymous" in w.lower() or "identif" in w.lower()]

    page.evaluate(f"feedback.q.push(['show', {open_survey.id}])")  # the queue's own form works after the start too
    card = page.locator(CARD)
    card.get_by_role("button", name="5, Very satisfied").click()
    card.get_by_text("Thank you!").wait_for()
    [(response, answers)] = stored(session)
    assert response.contact_id is None and answers["csat"].score == 5 and not response.partial
    assert console.page_errors == []


def test_looks(browser, live_server, session, host, widget_key, shots_dir):
    """Screenshots for a person to look at; the brand colour, dark mode and reduced motion are applied."""
    survey = live_survey(session, NPS_WITH_FOLLOW_UPS | {"widget": {"anonymous": True, "brand_color": "#0f766e"}})
    centred = live_survey(session, {"product": "Acme Cloud", "questions": [
        {"id": "ces", "type": "ces"},
        {"id": "area", "type": "multiple_choice", "prompt": "Which parts of {product} did you use today?",
         "options": ["Dashboards", "Alerts", "Exports", "The API"], "allow_other": True, "required": False}],
        "widget": {"anonymous": True, "placement": "center", "brand_color": "#e11d48"}}, name="Centred")
    for name, options, show in [
            ("widget-corner-dark", {"color_scheme": "dark"}, survey.id),
            ("widget-center", {"reduced_motion": "reduce"}, centred.id),
            ("widget-phone", {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}, survey.id)]:
        context = browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | options))
        page = context.new_page()
        open_page(page, host, live_server, widget_key, f"feedback.show({show});")
        card = page.locator(CARD)
        card.wait_for()
        page.wait_for_timeout(350)  # the entrance animation
        page.screenshot(path=shots_dir / f"{name}.png")
        if name == "widget-center":
            assert card.get_attribute("aria-modal") == "true"
            assert card.evaluate("e => getComputedStyle(e).animationName") == "none"
            card.get_by_role("button", name="5", exact=True).click()
            card.get_by_role("checkbox", name="Exports").check()
            card.get_by_role("textbox", name="Other").fill("Webhooks")
            page.screenshot(path=shots_dir / "widget-center-choices.png")
            card.get_by_role("textbox", name="Other").press("Enter")
            card.get_by_text("Thank you!").wait_for()
            [(response, answers)] = [r for r in stored(session) if r[0].survey_id == centred.id]
            assert answers["ces"].score == 5 and answers["area"].choices == ["Exports"]
            assert answers["area"].other_text == "Webhooks" and not response.partial
        if name == "widget-corner-dark":
            assert card.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(24, 24, 27)"
            card.get_by_role("button", name="10, Extremely likely").hover()
            page.wait_for_timeout(200)  # the hover's transition
            page.screenshot(path=shots_dir / "widget-corner-dark-hover.png")
            card.get_by_role("button", name="10, Extremely likely").click()
            card.get_by_role("textbox").wait_for()
            send = card.get_by_role("button", name="Send")
            assert send.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(15, 118, 110)"  # the brand colour
            page.screenshot(path=shots_dir / "widget-corner-dark-text.png")
        context.close()


def test_an_invitation_is_shown_once_per_session(page, live_server, host, widget_key, make_contact):
    """The service answering the same invitation twice (a retry, a race) still shows it once in the session."""
    make_contact(external_id="c-1")
    due = {"invitation": 999, "response_key": "k" * 16, "survey": {
        "id": 1, "version": 1, "locale": "en", "questions": [{"id": "csat", "type": "csat", "prompt": "How did we do?",
                                                               "required": True, "show_if": None}],
        "thank_you": {"title": "Thanks", "message": ""}, "appearance": {}, "texts": {}}}
    polls: list[int] = []

    def canned(route, body):
        route.fulfill(json=body, headers={"Access-Control-Allow-Origin": host.origin})
    page.route("**/w/v1/poll", lambda route: (polls.append(1), canned(route, {"due": due})))
    page.route("**/w/v1/shown", lambda route: canned(route, {"ok": True}))
    page.route("**/w/v1/dismiss", lambda route: canned(route, {"ok": True}))
    open_page(page, host, live_server, widget_key, 'feedback.identify("c-1");')

    page.locator(CARD).get_by_text("How did we do?").wait_for()
    page.keyboard.press("Escape")
    page.wait_for_timeout(2_100)
    with page.expect_response(lambda r: r.url.endswith("/w/v1/poll")):
        page.evaluate("history.pushState({}, '', '/app/next')")
    page.wait_for_timeout(300)
    assert len(polls) == 2 and page.locator("feedback-survey").count() == 0
    assert page.evaluate("seen.map(e => e[0])") == ["shown", "dismissed"]
