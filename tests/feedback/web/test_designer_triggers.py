"""The designer's Triggers tab: add, edit and delete triggers through forms, the send window and the
recontact rule, errors beside their inputs, read-only roles, and (in Chromium) the whole flow to a
published version."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback.auth.roles import Role
from surveys.design.models import Survey, SurveyVersion
from surveys.design.services import create_survey, publish, update_draft
from tests.conftest import PASSWORD
from tests.feedback.web.conftest import token_for

XSS = '<script>alert(1)</script>'


@pytest.fixture
def designer(signed_in):
    client, _user = signed_in(Role.MANAGER)
    return client


@pytest.fixture
def make_survey(session):
    def make(name: str = "Onboarding pulse", triggers=None, published: bool = False, **fields) -> Survey:
        survey = create_survey(session, name, template="nps_relationship")
        if triggers is not None or fields:
            update_draft(session, survey, {**survey.draft, "triggers": triggers or [], **fields})
        if published:
            publish(session, survey, published_by="ada@example.com")
        session.commit()
        return survey
    return make


def reload(session, survey_id: int) -> Survey:
    session.expire_all()
    return session.get(Survey, survey_id)


def editor_fields(client, url: str) -> dict[str, str]:
    """The editor's inputs as a browser would send them untouched (checked radios/boxes only)."""
    html = client.get(url).get_data(as_text=True)
    data: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in ("radio", "checkbox") and " checked" not in tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ""
    for select_tag in re.finditer(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select_tag.group(2)) or re.search(
            r'<option value="([^"]*)"', select_tag.group(2))
        data[select_tag.group(1)] = chosen.group(1) if chosen else ""
    data["action"] = "save"  # the button a person clicks
    return data


EVENT_FORM = {
    "type": "event", "event": "onboarding_completed", "delay_amount": "3", "delay_unit": "days", "repeat": "once",
    "filter_rows": "2", "filter-0-field": "account.plan", "filter-0-op": "in", "filter-0-value": "pro, enterprise",
    "filter-1-field": "properties", "filter-1-key": "seats", "filter-1-op": ">=", "filter-1-value": "10",
    "channel_1": "in_app", "channel_2": "email", "channel_3": "", "fallback_days": "5", "sample_percent": "20",
    "action": "save",
}


def add(client, survey_id: int, data: dict, **kw):
    page = f"/surveys/{survey_id}/triggers/new"
    return client.post(page, data={**data, "csrf_token": token_for(client, f"/surveys/{survey_id}/triggers")}, **kw)


def test_the_tab_lists_triggers_in_words_with_their_live_state(designer, make_survey, session):
    survey = make_survey(triggers=[{"type": "date", "field": "account.renewal_date", "offset": "-P60D"}],
                         published=True)
    update_draft(session, survey, {**survey.draft, "triggers": survey.draft["triggers"] + [
        {"type": "recurring", "every": "P90D", "warmup": "P30D", "channels": ["link"]}]})
    session.commit()
    designer_page = designer.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert f'href="/surveys/{survey.id}/triggers"' in designer_page  # the tab, from the designer header
    html = designer.get(f"/surveys/{survey.id}/triggers").get_data(as_text=True)
    assert 'aria-current="page"' in html and "Triggers" in html
    assert "60 days before the account&#39;s renewal date" in html
    assert "Live in version 1" in html and "Not published yet" in html
    assert "Every 90 days per contact, first 30 days after creation" in html
    assert "Personal link" in html and "Everyone" in html
    assert f'/surveys/{survey.id}/triggers/t1/edit' in html
    # The preview route is another helper's: linked only when it exists.
    has_preview = "web.survey_trigger_preview" in designer.application.view_functions
    assert (f"/surveys/{survey.id}/triggers/t1/preview" in html) is has_preview


def test_add_an_event_trigger_with_filters_through_the_form(designer, make_survey, session):
    survey = make_survey(triggers=[])
    form_page = designer.get(f"/surveys/{survey.id}/triggers/new?type=event").get_data(as_text=True)
    for label in ("Event name", "Wait after the event", "Filter 1: field", "Filter 1: test", "Filter 1: value",
                  "First choice", "Sample: ask this share of matches"):
        assert label in form_page
    response = add(designer, survey.id, EVENT_FORM)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/triggers#trigger-t1")
    assert reload(session, survey.id).draft["triggers"] == [{
        "id": "t1", "type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "once",
        "filters": [{"field": "account.plan", "op": "in", "value": ["pro", "enterprise"]},
                    {"field": "properties.seats", "op": ">=", "value": 10}],
        "channels": ["in_app", "email"], "fallback_after": "P5D", "sample": 0.2}]
    listing = designer.get(f"/surveys/{survey.id}/triggers").get_data(as_text=True)
    assert "3 days after onboarding_completed (first time only)" in listing
    assert "Only if plan in pro, enterprise and properties.seats &gt;= 10" in listing


def test_the_editor_round_trips_a_saved_trigger(designer, make_survey, session):
    survey = make_survey(triggers=[
        {"type": "event", "event": "ticket_closed", "delay": "PT12H", "repeat": "every",
         "filters": [{"field": "account.attributes.region", "op": "exists", "value": False},
                     {"field": "segment", "op": "not in", "value": ["smb", "mid"]}],
         "channels": ["link", "email"], "sample": 0.355},
        {"type": "date", "field": "account.attributes.contract_end", "offset": "P30D"},
        {"type": "recurring", "every": "P90D", "warmup": "P14D"}])
    before = reload(session, survey.id).draft["triggers"]
    for trigger in before:
        url = f"/surveys/{survey.id}/triggers/{trigger['id']}/edit"
        data = editor_fields(designer, url)
        response = designer.post(url, data=data)
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert reload(session, survey.id).draft["triggers"] == before
    data = editor_fields(designer, f"/surveys/{survey.id}/triggers/t1/edit")
    assert (data["delay_amount"], data["delay_unit"], data["filter-0-op"], data["filter-1-value"]) == (
        "12", "hours", "not exists", "smb, mid")
    assert data["sample_percent"] == "35.5"


def test_edit_keeps_the_id_and_delete_removes_it(designer, make_survey, session):
    survey = make_survey(triggers=[{"type": "recurring", "every": "P90D"}, {"type": "recurring", "every": "P30D"}],
                         published=True)
    url = f"/surveys/{survey.id}/triggers/t2/edit"
    data = editor_fields(designer, url) | {"every_days": "45"}
    assert designer.post(url, data=data).status_code == 303
    draft = reload(session, survey.id).draft
    assert [(t["id"], t["every"]) for t in draft["triggers"]] == [("t1", "P90D"), ("t2", "P45D")]
    listing = designer.get(f"/surveys/{survey.id}/triggers").get_data(as_text=True)
    assert "Changed since version 1" in listing
    response = designer.post(f"/surveys/{survey.id}/triggers/t1/delete",
                             data={"csrf_token": token_for(designer, f"/surveys/{survey.id}/triggers")})
    assert response.status_code == 303
    assert [t["id"] for t in reload(session, survey.id).draft["triggers"]] == ["t2"]
    listing = designer.get(f"/surveys/{survey.id}/triggers").get_data(as_text=True)
    assert "Deleted in the draft, still live in version 1" in listing
    # A new trigger never takes the id of one a published version used.
    response = add(designer, survey.id, {"type": "recurring", "every_days": "7", "warmup_days": "0",
                                         "channel_1": "email", "sample_percent": "100", "action": "save"})
    assert response.status_code == 303
    assert [t["id"] for t in reload(session, survey.id).draft["triggers"]] == ["t2", "t3"]
    assert designer.get(f"/surveys/{survey.id}/triggers/nope/edit").status_code == 404
    assert designer.get(f"/surveys/{survey.id}/triggers/new?type=birthday").status_code == 404


def test_add_a_filter_row_without_javascript_saves_nothing(designer, make_survey, session):
    survey = make_survey(triggers=[])
    response = add(designer, survey.id, {**EVENT_FORM, "action": "add_filter"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="filter_rows" value="3"' in html and 'id="filter-2-field"' in html
    assert 'value="pro, enterprise"' in html  # what was typed is kept
    assert reload(session, survey.id).draft["triggers"] == []
    removed = add(designer, survey.id, {**EVENT_FORM, "filter-1-remove": "1"})
    assert removed.status_code == 303
    assert len(reload(session, survey.id).draft["triggers"][0]["filters"]) == 1


@pytest.mark.parametrize(("changes", "input_name", "words"), [
    ({"delay_amount": "-3"}, "delay_amount", "cannot be negative"),
    ({"delay_amount": "soon"}, "delay_amount", "whole number"),
    ({"event": ""}, "event", "needs the event"),
    ({"channel_2": "in_app"}, "channels", "listed twice"),
    ({"channel_1": "email", "channel_2": "in_app"}, "fallback_days", "in_app is the first"),
    ({"sample_percent": "0"}, "sample_percent", "above 0%"),
    ({"sample_percent": "150"}, "sample_percent", "above 0%"),
    ({"filter-1-value": "ten"}, "filter-1-value", "&#39;ten&#39; is not"),
    ({"filter-1-key": ""}, "filter-1-key", "Name the attribute"),
    ({"filter-0-op": ">"}, "filter-0-op", "this field is text"),
])
def test_bad_input_shows_beside_its_input_and_saves_nothing(designer, make_survey, session, changes, input_name,
                                                            words):
    survey = make_survey(triggers=[])
    response = add(designer, survey.id, {**EVENT_FORM, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was saved" in html
    error = re.search(rf'<div id="{re.escape(input_name)}-error" class="invalid-feedback d-block">([^<]*)</div>', html)
    assert error, html[html.find("Nothing was saved"):][:3000]
    assert words in error.group(1)
    assert reload(session, survey.id).draft["triggers"] == []
    assert 'value="onboarding_completed"' in html or changes.get("event") == ""  # the typing is kept


def test_date_trigger_property_filters_are_refused(designer, make_survey, session):
    survey = make_survey(triggers=[])
    response = add(designer, survey.id, {**EVENT_FORM, "type": "date", "date_field": "account.renewal_date",
                                         "offset_days": "60", "offset_direction": "before"})
    assert response.status_code == 422
    assert "Event properties can only filter event triggers" in response.get_data(as_text=True)
    response = add(designer, survey.id, {**EVENT_FORM, "type": "date", "date_field": "account.renewal_date",
                                         "offset_days": "60", "offset_direction": "before", "filter_rows": "1"})
    assert response.status_code == 303
    trigger = reload(session, survey.id).draft["triggers"][0]
    assert (trigger["field"], trigger["offset"]) == ("account.renewal_date", "-P60D")
    assert "event" not in trigger and "delay" not in trigger


def test_send_window_and_recontact_rule(designer, make_survey, session):
    survey = make_survey(triggers=[])
    page = f"/surveys/{survey.id}/triggers"
    token = token_for(designer, page)
    response = designer.post(f"/surveys/{survey.id}/send-window", data={
        "csrf_token": token, "window_mode": "custom", "days": ["tue", "wed", "thu"], "window_start": "09:00",
        "window_end": "17:00"})
    assert response.status_code == 303
    assert reload(session, survey.id).draft["send_window"] == {"days": ["tue", "wed", "thu"], "start": "09:00",
                                                               "end": "17:00"}
    html = designer.get(page).get_data(as_text=True)
    assert re.search(r'id="day-tue"[^>]* checked', html) and not re.search(r'id="day-mon"[^>]* checked', html)
    bad = designer.post(f"/surveys/{survey.id}/send-window", data={
        "csrf_token": token, "window_mode": "custom", "days": ["mon"], "window_start": "17:00", "window_end": "09:00"})
    assert bad.status_code == 422
    assert re.search(r'id="window_end-error"[^>]*>[^<]*end after it starts', bad.get_data(as_text=True))
    no_days = designer.post(f"/surveys/{survey.id}/send-window", data={
        "csrf_token": token, "window_mode": "custom", "window_start": "09:00", "window_end": "17:00"})
    assert no_days.status_code == 422 and 'id="days-error"' in no_days.get_data(as_text=True)
    assert reload(session, survey.id).draft["send_window"]["days"] == ["tue", "wed", "thu"]
    off = designer.post(f"/surveys/{survey.id}/send-window", data={"csrf_token": token, "window_mode": "none"})
    assert off.status_code == 303 and reload(session, survey.id).draft["send_window"] is None

    saved = designer.post(f"/surveys/{survey.id}/throttle", data={"csrf_token": token, "recontact_days": "60"})
    assert saved.status_code == 303
    assert reload(session, survey.id).draft["throttle"] == {"recontact_days": 60, "transactional": False}
    for days, words in (("-1", "greater than or equal to 0"), ("abc", "whole number"), ("0", "transactional")):
        bad = designer.post(f"/surveys/{survey.id}/throttle", data={"csrf_token": token, "recontact_days": days})
        assert bad.status_code == 422
        assert re.search(rf'id="recontact-error"[^>]*>[^<]*{words}', bad.get_data(as_text=True)), days
    ok = designer.post(f"/surveys/{survey.id}/throttle", data={"csrf_token": token, "recontact_days": "7",
                                                               "transactional": "1"})
    assert ok.status_code == 303
    assert reload(session, survey.id).draft["throttle"] == {"recontact_days": 7, "transactional": True}


@pytest.mark.parametrize("role", [Role.CSM, Role.VIEWER])
def test_readers_see_triggers_but_cannot_change_them(signed_in, make_survey, session, role):
    client, _user = signed_in(role)
    survey = make_survey(triggers=[{"type": "recurring", "every": "P90D"}])
    html = client.get(f"/surveys/{survey.id}/triggers").get_data(as_text=True)
    assert "Every 90 days per contact" in html
    assert "/triggers/t1/edit" not in html and "Add a trigger" not in html
    assert "<fieldset disabled>" in html
    token = token_for(client, f"/surveys/{survey.id}/triggers")
    for path in ("triggers/new", "triggers/t1/edit", "triggers/t1/delete", "send-window", "throttle"):
        response = client.post(f"/surveys/{survey.id}/{path}", data={"csrf_token": token, **EVENT_FORM})
        assert response.status_code == 403, path
    assert client.get(f"/surveys/{survey.id}/triggers/new?type=event").status_code == 403
    assert reload(session, survey.id).draft["triggers"][0]["every"] == "P90D"


def test_archived_surveys_are_read_only(designer, make_survey, session):
    from surveys.design.models import SurveyStatus
    from surveys.design.services import set_status
    survey = make_survey(triggers=[{"type": "recurring", "every": "P90D"}])
    set_status(session, survey, SurveyStatus.ARCHIVED)
    session.commit()
    html = designer.get(f"/surveys/{survey.id}/triggers").get_data(as_text=True)
    assert "archived" in html and "/triggers/t1/edit" not in html
    response = add(designer, survey.id, EVENT_FORM)
    assert response.status_code == 303 and reload(session, survey.id).draft["triggers"][0]["type"] == "recurring"


def test_texts_are_escaped(designer, make_survey):
    survey = make_survey(triggers=[{"type": "event", "event": XSS, "filters": [
        {"field": "account.attributes.x", "op": "=", "value": XSS}]}])
    for url in (f"/surveys/{survey.id}/triggers", f"/surveys/{survey.id}/triggers/t1/edit"):
        html = designer.get(url).get_data(as_text=True)
        assert XSS not in html and "&lt;script&gt;" in html


def test_the_publish_diff_shows_trigger_changes_in_words(designer, make_survey, session):
    survey = make_survey(triggers=[], published=True)
    assert add(designer, survey.id, EVENT_FORM).status_code == 303
    html = designer.get(f"/surveys/{survey.id}/publish").get_data(as_text=True)
    assert "t1: 3 days after onboarding_completed (first time only)" in html


# --- real Chromium ------------------------------------------------------------------------------

@pytest.mark.browser
def test_add_an_event_trigger_with_a_filter_and_a_send_window_then_publish(page, live_server, make_user, session,
                                                                          make_survey, shots_dir):
    from playwright.sync_api import expect

    make_user(Role.MANAGER, email="mia@example.com", name="Mia Manager")
    survey_id = make_survey("Onboarding check-in").id
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("mia@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    page.goto(f"{live_server}/surveys/{survey_id}")
    page.get_by_role("navigation", name="Survey sections").get_by_role("link", name=re.compile("Triggers")).click()
    expect(page.get_by_text("No triggers yet")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Event milestone")).click()

    # Only the event fields show once the script runs; the form is keyboard-usable labels throughout.
    expect(page.get_by_label("Every (days)")).to_be_hidden()
    page.get_by_label("Event name").fill("onboarding_completed")
    page.get_by_label("Wait after the event").fill("3")
    page.get_by_label("Only the first time it happens").check()
    page.get_by_label("Filter 1: field").select_option("account.plan")
    page.get_by_label("Filter 1: test").select_option("in")
    page.get_by_label("Filter 1: value").fill("pro, enterprise")
    page.get_by_role("button", name="Add a filter row").click()
    page.get_by_label("Filter 2: field").select_option("properties")
    page.get_by_label("Filter 2: attribute or property name").fill("seats")
    page.get_by_label("Filter 2: test").select_option(">=")
    page.get_by_label("Filter 2: value").fill("10")
    page.get_by_label("First choice").select_option("in_app")
    page.get_by_label("Then").first.select_option("email")
    page.get_by_label("Fallback: if in-app is not shown within (days)").fill("5")
    page.get_by_label("Sample: ask this share of matches").fill("20")
    page.screenshot(path=shots_dir / "triggers-editor.png", full_page=True)
    page.get_by_label("Sample: ask this share of matches").press("Enter")  # Enter saves

    page.wait_for_url(re.compile(rf"/surveys/{survey_id}/triggers#trigger-t1$"))
    expect(page.get_by_role("heading", name="3 days after onboarding_completed (first time only)")).to_be_visible()
    expect(page.locator("#trigger-t1")).to_be_focused()

    # The send window: Tue–Thu 09:00–17:00 in the contact's timezone.
    page.get_by_label("Only in this window").check()
    for day in ("Monday", "Friday", "Saturday", "Sunday"):
        if page.get_by_label(day, exact=True).is_checked():
            page.get_by_label(day, exact=True).uncheck()
    for day in ("Tuesday", "Wednesday", "Thursday"):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("From").fill("09:00")
    page.get_by_label("Until").fill("17:00")
    page.get_by_role("button", name="Save send window").click()
    expect(page.get_by_role("alert").filter(has_text="Send window saved")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=shots_dir / "triggers.png", full_page=True)

    page.get_by_role("link", name=re.compile(r"^Publish")).click()
    expect(page.get_by_text("t1: 3 days after onboarding_completed (first time only)")).to_be_visible()
    expect(page.get_by_text("Tue–Thu, 09:00–17:00 in the contact's timezone")).to_be_visible()
    page.screenshot(path=shots_dir / "triggers-publish.png", full_page=True)
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Version 1 is live")).to_be_visible()

    page.goto(f"{live_server}/surveys/{survey_id}/triggers")
    expect(page.get_by_text("Live in version 1")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=shots_dir / "triggers-390.png", full_page=True)
    session.rollback()  # end the test's own read transaction: see what the server committed
    version = session.scalar(select(SurveyVersion).where(SurveyVersion.survey_id == survey_id))
    [trigger] = version.definition["triggers"]
    assert trigger["event"] == "onboarding_completed" and trigger["filters"] == [
        {"field": "account.plan", "op": "in", "value": ["pro", "enterprise"]},
        {"field": "properties.seats", "op": ">=", "value": 10}]
    assert version.definition["send_window"] == {"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:00"}
