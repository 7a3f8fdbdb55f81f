"""The hosted survey page in real Chromium: with JavaScript (a click or a digit answers) and without it.

Screenshots land in ``shots_dir``: a question on a phone (390x844) and on a desktop,
a choice question, an error, and the thank-you step.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback.auth.roles import Role
from feedback.responses.models import Answer, Response
from surveys.design.services import create_survey, publish
from surveys.design.templates import TEMPLATES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def survey(session):
    definition = TEMPLATES["nps_relationship"].build() | {"product": "Acme Analytics"}
    definition["questions"].append(
        {"id": "area", "type": "multiple_choice", "prompt": "Which parts of {product} do you use?",
         "options": ["Dashboards", "Alerts", "Exports", "The API"], "allow_other": True, "required": False})
    survey = create_survey(session, "Quarterly pulse", definition)
    publish(session, survey, "ada@example.com")
    session.commit()
    return survey


def stored(session) -> list[tuple[Response, dict[str, Answer]]]:
    session.commit()  # a fresh transaction sees what the server's threads wrote
    rows = session.scalars(select(Response).order_by(Response.id)).all()
    return [(r, {a.question_id: a for a in session.scalars(select(Answer).where(Answer.response_id == r.id))})
            for r in rows]


def shot(page, path) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")
    page.screenshot(path=path, full_page=True)


def test_answer_with_javascript_clicks_and_digits(browser, live_server, survey, session, shots_dir):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/s/{survey.token}")
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, shots_dir / "hosted-nps-390.png")

    page.get_by_role("button", name="3", exact=True).click()  # a click answers at once
    page.wait_for_url(re.compile(r"q=disappointed"))
    box = page.get_by_role("textbox", name="What disappointed you?")
    box.fill("The exports time out on big accounts.")
    assert "1,963 characters left" in page.locator("#answer-counter").inner_text()
    shot(page, shots_dir / "hosted-text-390.png")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(re.compile(r"q=area"))
    page.get_by_label("Alerts").check()
    page.get_by_placeholder("Please specify").fill("Slack digests")
    assert page.locator("[data-other-choice]").is_checked()  # typing "Other" picks it
    shot(page, shots_dir / "hosted-choices-390.png")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"q=__thank_you__"))
    assert page.get_by_role("heading", name="Thank you, there!").is_visible()
    shot(page, shots_dir / "hosted-thanks-390.png")
    context.close()

    # A second respondent on a desktop answers with the keyboard: "1" then "0" is 10.
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server}/s/{survey.token}")
    assert page.get_by_text("Tap a number, or type it on your keyboard.").is_visible()
    shot(page, shots_dir / "hosted-nps-1280.png")
    page.keyboard.press("1")
    page.keyboard.press("0")
    page.wait_for_url(re.compile(r"q=value_most"))
    assert page.get_by_text("Question 2 of 3").is_visible()
    context.close()

    [(first, first_answers), (second, second_answers)] = stored(session)
    assert not first.partial and first_answers["nps"].score == 3
    assert first_answers["disappointed"].text == "The exports time out on big accounts."
    assert first_answers["area"].choices == ["Alerts"] and first_answers["area"].other_text == "Slack digests"
    assert second.partial and second_answers["nps"].score == 10 and set(second_answers) == {"nps"}


def test_answer_without_javascript_then_read_it_in_the_responses_page(browser, live_server, survey, session,
                                                                      make_user, shots_dir):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server}/s/{survey.token}")
    page.get_by_role("button", name=re.compile(r"^10\b")).click()  # a plain submit button: no script needed
    page.wait_for_url(re.compile(r"q=value_most"))
    assert page.get_by_text("What disappointed you?").count() == 0
    page.get_by_role("link", name="Back").click()
    page.wait_for_url(re.compile(r"q=nps"))
    assert page.get_by_role("button", name=re.compile(r"^10\b")).get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="6", exact=True).click()  # changed their mind: now a detractor
    page.wait_for_url(re.compile(r"q=disappointed"))
    page.get_by_role("button", name="Next").click()  # empty, optional: the browser lets it through
    page.wait_for_url(re.compile(r"q=area"))
    page.get_by_role("button", name="Skip").click()
    page.wait_for_url(re.compile(r"q=__thank_you__"))
    assert page.get_by_role("heading", name="Thank you, there!").is_visible()
    context.close()

    [(response, answers)] = stored(session)
    assert not response.partial and set(answers) == {"nps"} and answers["nps"].nps_category == "detractor"

    make_user(Role.VIEWER, email="vic@example.com")
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("vic@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts"))
    page.goto(f"{live_server}/surveys/{survey.id}/responses")
    row = page.locator("tbody tr").first
    assert "Anonymous" in row.inner_text() and "Detractor" in row.inner_text()
    shot(page, shots_dir / "responses-1280.png")
    row.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/responses/\d+"))
    assert page.get_by_text("How likely are you to recommend Acme Analytics").is_visible()
    shot(page, shots_dir / "response-1280.png")
    page.close()


def test_an_error_and_the_preview_ribbon_look_right(browser, live_server, survey, shots_dir, app):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/s/{survey.token}")
    page.get_by_role("button", name="9", exact=True).click()
    page.wait_for_url(re.compile(r"q=value_most"))
    page.locator("textarea").evaluate("el => { el.removeAttribute('maxlength'); }")
    page.locator("textarea").fill("x" * 2100)
    page.get_by_role("button", name="Next").click()
    page.wait_for_load_state("load")
    # Stripped: before respond.css applies, the blank between the icon and the text renders as a space.
    assert page.get_by_role("alert").inner_text().strip().startswith("At most 2,000 characters")
    shot(page, shots_dir / "hosted-error-390.png")
    context.close()

    from feedback.web.hosted.rendering import render_preview
    html = render_preview(survey.draft, question_id="area")
    page = browser.new_page(viewport=DESKTOP)
    page.route(f"{live_server}/preview", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto(f"{live_server}/preview")
    page.get_by_label("Dashboards").check()
    page.get_by_role("button", name="Send").click()  # the preview never posts anywhere
    assert page.url == f"{live_server}/preview" and page.get_by_text("Preview").is_visible()
    shot(page, shots_dir / "hosted-preview-1280.png")
    page.close()
