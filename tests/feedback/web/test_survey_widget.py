"""The Widget card of a survey's Triggers tab: placement, brand colour, anonymous answers, in the draft."""
from __future__ import annotations

import pytest

from feedback.auth.roles import Role
from surveys.db import db
from surveys.design.models import Survey
from surveys.design.services import create_survey, publish
from tests.feedback.web.conftest import form_post, token_for
from tests.feedback.web.test_widget_install import NPS, text


@pytest.fixture
def survey(session):
    survey = create_survey(session, "In-app NPS", NPS)
    session.commit()
    return survey


def draft_widget(survey_id: int) -> dict:
    db.session.commit()
    return db.session.get(Survey, survey_id).draft["widget"]


def test_managers_save_the_widget_settings_in_the_draft(signed_in, survey):
    manager, _ = signed_in(Role.MANAGER)
    page = f"/surveys/{survey.id}/triggers"
    html = text(manager.get(page))
    assert 'id="placement-bottom-right" value="bottom-right" checked' in html
    assert 'type="color" id="brand_color_picker"' in html and 'value="#4f46e5"' in html
    response = form_post(manager, f"/surveys/{survey.id}/widget", {
        "placement": "center", "brand_color": "#0F766E", "brand_color_picker": "#4f46e5", "anonymous": "1"}, page=page)
    assert response.status_code == 303 and response.headers["Location"].endswith("/triggers#widget")
    assert draft_widget(survey.id) == {"placement": "center", "brand_color": "#0f766e", "anonymous": True}
    html = text(manager.get(page))
    assert "Widget settings saved in the draft" in html and 'value="center" checked' in html


def test_without_script_the_moved_picker_wins(signed_in, survey):
    manager, _ = signed_in(Role.MANAGER)
    form_post(manager, f"/surveys/{survey.id}/widget", {"placement": "bottom-left", "brand_color": "#4f46e5",
                                                        "brand_color_picker": "#be123c"},
              page=f"/surveys/{survey.id}/triggers")
    assert draft_widget(survey.id) == {"placement": "bottom-left", "brand_color": "#be123c", "anonymous": False}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"placement": "bottom-right", "brand_color": "tomato"}, "brand_color", "A colour as #rrggbb"),
    ({"placement": "top", "brand_color": "#4f46e5"}, "placement", "One of: bottom-right, bottom-left, center."),
])
def test_a_bad_setting_is_a_422_beside_its_input(signed_in, survey, data, field, message):
    manager, _ = signed_in(Role.MANAGER)
    response = form_post(manager, f"/surveys/{survey.id}/widget", {**data, "brand_color_picker": "#4f46e5"},
                         page=f"/surveys/{survey.id}/triggers")
    html = text(response)
    assert response.status_code == 422
    assert f'id="{field}-error" class="invalid-feedback d-block">{message}' in html
    assert draft_widget(survey.id) == {"placement": "bottom-right", "brand_color": "#4f46e5", "anonymous": False}


def test_readers_see_the_card_read_only(signed_in, survey):
    csm, _ = signed_in(Role.CSM)
    html = text(csm.get(f"/surveys/{survey.id}/triggers"))
    card = html[html.index('id="widget"'):]
    assert "<fieldset disabled>" in card and "Save widget settings" not in card
    token = token_for(csm, "/accounts")
    response = csm.post(f"/surveys/{survey.id}/widget", data={"placement": "center", "csrf_token": token})
    assert response.status_code == 403 and draft_widget(survey.id)["placement"] == "bottom-right"


def test_publishing_shows_the_widget_changes(signed_in, survey, session):
    publish(session, survey)
    session.commit()
    manager, _ = signed_in(Role.MANAGER)
    form_post(manager, f"/surveys/{survey.id}/widget", {"placement": "bottom-left", "brand_color": "#4f46e5"},
              page=f"/surveys/{survey.id}/triggers")
    html = text(manager.get(f"/surveys/{survey.id}/publish"))
    assert "Placement: bottom right corner" in html and "Placement: bottom left corner" in html
