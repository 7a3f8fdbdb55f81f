"""Real Chromium: design a survey with logic in the designer, keyboard only where it matters, publish it.

Screenshots of the designer, the question editor and the publish diff land in ``shots_dir``.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from feedback.auth.roles import Role
from surveys.design.models import Survey, SurveyVersion
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def shot(page, path) -> None:
    """A full-page screenshot from the top (the sticky preview follows the scroll position)."""
    page.evaluate("document.fonts.ready.then(() => window.scrollTo(0, 0))")
    page.screenshot(path=path, full_page=True)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_design_a_survey_with_logic_and_publish_it(page, live_server, make_user, session, shots_dir):
    make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
    sign_in(page, live_server, "mia@example.com")

    page.goto(f"{live_server}/surveys")
    page.get_by_role("link", name="New survey").first.click()
    shot(page, shots_dir / "designer-new-survey.png")
    page.get_by_label("Blank").check()
    page.get_by_label("Survey name").fill("Q3 relationship pulse")
    page.get_by_role("button", name="Create survey").click()
    page.wait_for_url(re.compile(r"/surveys/\d+$"))
    survey_id = int(page.url.rsplit("/", 1)[1])

    # Add an open-text follow-up shown to detractors only, set with the logic form.
    page.get_by_role("link", name="Open text question").click()
    page.get_by_label("Question", exact=True).fill("What disappointed you, {contact.first_name|there}?")
    page.get_by_label("Show this question").select_option("q1")
    group = page.locator("[data-logic-for='q1']")
    assert group.is_visible()
    page.get_by_label("Detractors 0–6").check()
    # The live preview shows the unsaved wording, placeholder filled with its fallback.
    expect(page.frame_locator("#preview-frame").locator("body")).to_contain_text("What disappointed you, there?")
    expect(page.locator("#preview-status")).to_have_text("Preview updated. Not saved yet.")
    shot(page, shots_dir / "designer-question-editor.png")
    page.get_by_role("button", name="Add question").click()

    page.wait_for_url(re.compile(rf"/surveys/{survey_id}#q-"))
    assert page.get_by_text("Shown when q1 is 0–6 (detractors)").is_visible()
    # Keyboard only: moving the follow-up above the question its logic reads is refused, and
    # focus comes back to the same button.
    page.get_by_role("button", name="Move question 2 up").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="q2 is shown depending on the answer to q1")).to_be_visible()
    expect(page.get_by_role("button", name="Move question 2 up")).to_be_focused()
    page.locator(".question-list").first.scroll_into_view_if_needed()
    shot(page, shots_dir / "designer.png")

    page.get_by_role("link", name=re.compile(r"^Publish")).click()
    assert page.get_by_text("Question 'q2' added").count() == 0  # the diff is written for people
    assert page.get_by_text("What disappointed you, {contact.first_name|there}?").is_visible()
    shot(page, shots_dir / "designer-publish.png")
    page.get_by_role("button", name="Publish version 1").click()
    assert page.get_by_text("Version 1 is live").is_visible()

    # Version 2: the follow-up now goes to passives too; the diff says so in words.
    page.get_by_role("link", name="Edit question 2").click()
    page.get_by_label("Passives 7–8").check()
    page.get_by_role("button", name="Save question").click()
    page.get_by_role("link", name=re.compile(r"^Publish")).click()
    expect(page.get_by_text("Shown when q1 is 0–6 (detractors) or 7–8 (passives)")).to_be_visible()
    shot(page, shots_dir / "designer-publish-v2.png")
    page.get_by_role("button", name="Publish version 2").click()
    page.get_by_role("link", name="Versions").click()
    expect(page.get_by_role("heading", name="Version 2")).to_be_visible()
    shot(page, shots_dir / "designer-versions.png")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/surveys/{survey_id}")
    shot(page, shots_dir / "designer-390.png")

    session.expire_all()
    version = session.scalar(select(SurveyVersion).where(SurveyVersion.survey_id == survey_id,
                                                         SurveyVersion.number == 1))
    assert version.number == 1 and version.published_by == "mia@example.com"
    follow_up = version.definition["questions"][1]
    assert follow_up["show_if"] == {"question": "q1", "in": [0, 1, 2, 3, 4, 5, 6]}
    assert session.get(Survey, survey_id).status.value == "live"
