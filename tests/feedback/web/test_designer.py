"""The survey designer in the web UI: create, edit questions and logic through forms, translate,
publish with a diff, versions, status moves, read-only roles, and escaping of survey texts."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback.auth.roles import Role
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.design.services import create_survey, publish
from surveys.design.templates import TEMPLATES
from tests.feedback.web.conftest import token_for

XSS = '<script>alert(1)</script>'
XSS_ATTR = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def designer(signed_in):
    client, _user = signed_in(Role.MANAGER)
    return client


@pytest.fixture
def make_survey(session):
    def make(name: str = "Pulse", template: str | None = "nps_relationship", definition=None,
             published: bool = False) -> Survey:
        survey = create_survey(session, name, definition, template=template if definition is None else None)
        if published:
            publish(session, survey, published_by="ada@example.com")
        session.commit()
        return survey
    return make


def post(client, path: str, data: dict | None = None, page: str = "/surveys", **kw):
    return client.post(path, data={**(data or {}), "csrf_token": token_for(client, page)}, **kw)


def reload(session, survey_id: int) -> Survey:
    session.expire_all()
    return session.get(Survey, survey_id)


def question_form(client, survey_id: int, qid: str, **query) -> dict:
    """The editor's form fields as a browser would send them untouched (ticked boxes only)."""
    url = f"/surveys/{survey_id}/questions/{qid}"
    html = client.get(url, query_string=query).get_data(as_text=True)
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox" and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.DOTALL):
        data[name] = [text.strip("\n").replace("&#34;", '"').replace("&lt;", "<").replace("&gt;", ">")
                      .replace("&amp;", "&")]
    data.pop("logic_question", None)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


# --- list and creating ---------------------------------------------------------------------

def test_list_shows_status_version_and_unpublished_marker(designer, make_survey, session):
    live = make_survey("Live one", published=True)
    make_survey("Draft one")
    html = designer.get("/surveys").get_data(as_text=True)
    assert "Live one" in html and "Draft one" in html
    assert "v1" in html and "Not published" in html
    assert html.count("Unpublished changes") == 1  # only the draft that was never published
    assert 'href="/surveys/new"' in html
    assert f'href="/surveys/{live.id}"' in html


@pytest.mark.parametrize("template", [*TEMPLATES, "blank"])
def test_create_from_each_template_and_blank(designer, session, template):
    response = post(designer, "/surveys/new", {"name": f"From {template}", "template": template}, page="/surveys/new")
    assert response.status_code == 303
    survey = session.scalar(select(Survey).where(Survey.name == f"From {template}"))
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}")
    expected = TEMPLATES[template].definition["questions"] if template != "blank" else [{"id": "q1"}]
    assert [q["id"] for q in survey.draft["questions"]] == [q["id"] for q in expected]
    assert survey.status is SurveyStatus.DRAFT
    page = designer.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Add a question" in page and "Publish" in page


def test_new_survey_page_lists_every_template_and_requires_a_name(designer):
    html = designer.get("/surveys/new").get_data(as_text=True)
    for template in TEMPLATES.values():
        assert template.name in html and template.summary in html
    response = post(designer, "/surveys/new", {"name": "  ", "template": "blank"}, page="/surveys/new")
    assert response.status_code == 422
    assert "This field is required" in response.get_data(as_text=True)


# --- questions -----------------------------------------------------------------------------

def test_add_a_question_of_each_kind(designer, make_survey, session):
    survey = make_survey(template=None)
    for qtype in ("csat", "ces", "rating", "single_choice", "multiple_choice", "text"):
        form = question_form(designer, survey.id, "new", type=qtype)
        response = designer.post(f"/surveys/{survey.id}/questions/new?type={qtype}", data=form)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    types = [q["type"] for q in reload(session, survey.id).draft["questions"]]
    assert types == ["nps", "csat", "ces", "rating", "single_choice", "multiple_choice", "text"]


def test_edit_a_choice_question_through_its_form(designer, make_survey, session):
    survey = make_survey(template="csat_support")
    form = question_form(designer, survey.id, "resolved")
    form.update(prompt="Did we fix it?", options="Yes\nNo\n\nNot sure", randomize="y", allow_other="y")
    response = designer.post(f"/surveys/{survey.id}/questions/resolved", data=form)
    assert response.status_code == 303
    question = reload(session, survey.id).draft["questions"][1]
    assert question["prompt"] == "Did we fix it?"
    assert question["options"] == ["Yes", "No", "Not sure"]
    assert question["randomize"] is True and question["allow_other"] is True


def test_logic_set_with_bands_and_custom_scores(designer, make_survey, session):
    survey = make_survey(template=None)
    form = question_form(designer, survey.id, "new", type="text")
    form.update({"prompt": "What disappointed you?", "logic_question": "q1", "logic_band-q1": "detractors",
                 "logic_in-q1": ["8"]})
    response = designer.post(f"/surveys/{survey.id}/questions/new?type=text", data=form)
    assert response.status_code == 303
    question = reload(session, survey.id).draft["questions"][1]
    assert question["show_if"] == {"question": "q1", "in": [0, 1, 2, 3, 4, 5, 6, 8]}
    page = designer.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Shown when q1 is 0–6 (detractors) or 8" in page
    # The editor shows the rule as ticks: the detractors band, and 8 in the custom row.
    editor = designer.get(f"/surveys/{survey.id}/questions/{question['id']}").get_data(as_text=True)
    assert re.search(r'name="logic_band-q1" value="detractors"[^>]*checked', editor)
    assert re.search(r'name="logic_in-q1" value="8"[^>]*checked', editor)
    assert not re.search(r'name="logic_in-q1" value="3"[^>]*checked', editor)


def test_logic_on_a_single_choice_question(designer, make_survey, session):
    survey = make_survey(template="churn_reason")
    form = question_form(designer, survey.id, "come_back")
    form.update({"logic_question": "reason", "logic_in-reason": ["Too expensive", "Poor support"]})
    assert designer.post(f"/surveys/{survey.id}/questions/come_back", data=form).status_code == 303
    question = reload(session, survey.id).draft["questions"][-1]
    assert question["show_if"] == {"question": "reason", "in": ["Too expensive", "Poor support"]}
    # Back to "Always": the rule goes.
    form.update(logic_question="")
    assert designer.post(f"/surveys/{survey.id}/questions/come_back", data=form).status_code == 303
    assert "show_if" not in reload(session, survey.id).draft["questions"][-1]


def test_logic_without_a_tick_is_refused(designer, make_survey, session):
    survey = make_survey(template=None)
    form = question_form(designer, survey.id, "new", type="text")
    form.update(logic_question="q1")
    response = designer.post(f"/surveys/{survey.id}/questions/new?type=text", data=form)
    assert response.status_code == 422
    assert "Tick at least one score of q1" in response.get_data(as_text=True)
    assert len(reload(session, survey.id).draft["questions"]) == 1


def test_validation_errors_are_shown_by_their_field_and_nothing_is_saved(designer, make_survey, session):
    survey = make_survey(template="csat_support")
    before = reload(session, survey.id).draft
    form = question_form(designer, survey.id, "resolved")
    form.update(options="Only one", prompt="Hello")
    response = designer.post(f"/surveys/{survey.id}/questions/resolved", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in html
    assert re.search(r'id="options-error"[^>]*>A choice question needs at least 2 options', html)
    form.update(options="A\nB", prompt="Hello {nope}")
    html = designer.post(f"/surveys/{survey.id}/questions/resolved", data=form).get_data(as_text=True)
    assert re.search(r'id="prompt-error"[^>]*>Unknown placeholder \{nope\}', html)
    assert reload(session, survey.id).draft == before


def test_rating_scale_error_goes_to_its_field(designer, make_survey):
    survey = make_survey(template=None)
    form = question_form(designer, survey.id, "new", type="rating")
    form.update(min="1", max="40")
    response = designer.post(f"/surveys/{survey.id}/questions/new?type=rating", data=form)
    assert response.status_code == 422
    assert re.search(r'id="max-error"[^>]*>A rating ends between 2 and 10', response.get_data(as_text=True))


def test_question_ids_editable_until_published_then_stable(designer, make_survey, session):
    survey = make_survey(template="nps_relationship")
    form = question_form(designer, survey.id, "nps")
    form.update(id="score")
    assert designer.post(f"/surveys/{survey.id}/questions/nps", data=form).status_code == 303
    draft = reload(session, survey.id).draft
    assert draft["questions"][0]["id"] == "score"
    assert draft["questions"][1]["show_if"]["question"] == "score"  # logic follows the rename
    publish(session, reload(session, survey.id), published_by="x")
    session.commit()
    editor = designer.get(f"/surveys/{survey.id}/questions/score").get_data(as_text=True)
    assert "this id is stable" in editor and re.search(r'id="id"[^>]*readonly', editor)
    form = question_form(designer, survey.id, "score")
    form.update(id="renamed", prompt="New words")
    assert designer.post(f"/surveys/{survey.id}/questions/score", data=form).status_code == 303
    first = reload(session, survey.id).draft["questions"][0]
    assert first["id"] == "score" and first["prompt"] == "New words"


def test_reorder_and_delete(designer, make_survey, session):
    survey = make_survey(template="churn_reason")
    ids = lambda: [q["id"] for q in reload(session, survey.id).draft["questions"]]
    assert post(designer, f"/surveys/{survey.id}/questions/come_back/move", {"direction": "up"}).status_code == 303
    assert ids() == ["reason", "missing", "come_back", "competitor"]
    # A question may not move above the one its logic depends on.
    response = post(designer, f"/surveys/{survey.id}/questions/missing/move", {"direction": "up"})
    assert response.status_code == 303 and ids() == ["reason", "missing", "come_back", "competitor"]
    assert "Not moved" in designer.get(f"/surveys/{survey.id}").get_data(as_text=True)
    # A question other questions depend on cannot be deleted before their logic changes.
    post(designer, f"/surveys/{survey.id}/questions/reason/delete")
    assert "reason" in ids()
    assert post(designer, f"/surveys/{survey.id}/questions/competitor/delete").status_code == 303
    assert ids() == ["reason", "missing", "come_back"]


def test_settings_saved_and_errors_kept_on_their_field(designer, make_survey, session):
    survey = make_survey()
    data = {"name": "Renamed", "product": "Acme CRM", "thank_you_title": "Merci!", "thank_you_message": "Bye"}
    assert post(designer, f"/surveys/{survey.id}/settings", data).status_code == 303
    saved = reload(session, survey.id)
    assert saved.name == "Renamed" and saved.draft["product"] == "Acme CRM"
    assert saved.draft["thank_you"] == {"title": "Merci!", "message": "Bye"}
    response = post(designer, f"/surveys/{survey.id}/settings", {**data, "name": "Other", "thank_you_title": "{bad}"})
    assert response.status_code == 422
    assert re.search(r'id="thank_you_title-error"[^>]*>Unknown placeholder', response.get_data(as_text=True))
    assert reload(session, survey.id).name == "Renamed"


# --- translations --------------------------------------------------------------------------

def test_translate_a_survey(designer, make_survey, session):
    survey = make_survey(template="csat_support")
    response = post(designer, f"/surveys/{survey.id}/translations", {"locale": "fr"})
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}/translations/fr")
    page = designer.get(f"/surveys/{survey.id}/translations/fr").get_data(as_text=True)
    assert "How satisfied are you with the support you received?" in page  # the original beside it
    data = {"q-csat-prompt": "Êtes-vous satisfait du support ?", "q-resolved-option-0": "Oui",
            "thank_you-title": "Merci !"}
    assert post(designer, f"/surveys/{survey.id}/translations/fr", data).status_code == 303
    fr = reload(session, survey.id).draft["translations"]["fr"]
    assert fr["questions"]["csat"]["prompt"] == "Êtes-vous satisfait du support ?"
    assert fr["questions"]["resolved"]["options"] == ["Oui", "Partly", "No"]  # blanks keep the original
    assert fr["thank_you"] == {"title": "Merci !"}
    assert "fr" in designer.get(f"/surveys/{survey.id}").get_data(as_text=True)
    bad = post(designer, f"/surveys/{survey.id}/translations", {"locale": "French!"}, follow_redirects=True)
    assert "A language tag such as fr, de or pt-BR." in bad.get_data(as_text=True)
    assert designer.get(f"/surveys/{survey.id}/translations/en").status_code == 404  # the survey's own
    assert post(designer, f"/surveys/{survey.id}/translations/fr/delete").status_code == 303
    assert "fr" not in reload(session, survey.id).draft["translations"]


# --- publishing, versions, status ----------------------------------------------------------

def test_publish_shows_the_diff_then_publishes(designer, make_survey, session):
    survey = make_survey(template="csat_support", published=True)
    form = question_form(designer, survey.id, "resolved")
    form.update(prompt="Is it fixed now?")
    designer.post(f"/surveys/{survey.id}/questions/resolved", data=form)
    page = designer.get(f"/surveys/{survey.id}/publish").get_data(as_text=True)
    assert "Publish version 2" in page
    assert "Was your issue resolved?" in page and "Is it fixed now?" in page  # before → after
    response = post(designer, f"/surveys/{survey.id}/publish", page=f"/surveys/{survey.id}/publish",
                    follow_redirects=True)
    assert "Version 2 is live" in response.get_data(as_text=True)
    version = session.scalar(select(SurveyVersion).where(SurveyVersion.survey_id == survey.id,
                                                         SurveyVersion.number == 2))
    assert version.published_by.startswith("manager-") and version.definition["questions"][1]["prompt"] == "Is it fixed now?"
    # Nothing left: the button is disabled and says so.
    page = designer.get(f"/surveys/{survey.id}/publish").get_data(as_text=True)
    assert "Nothing to publish" in page and re.search(r'type="submit" disabled', page)


def test_versions_page_lists_who_when_and_what(designer, make_survey, session):
    survey = make_survey(template="nps_relationship", published=True)
    html = designer.get(f"/surveys/{survey.id}/versions").get_data(as_text=True)
    assert "Version 1" in html and "ada@example.com" in html and "4 changes" in html
    view = designer.get(f"/surveys/{survey.id}/versions/1").get_data(as_text=True)
    assert "What disappointed you?" in view and "Shown when nps is 0–6 (detractors)" in view
    assert designer.get(f"/surveys/{survey.id}/versions/9").status_code == 404


def test_pause_resume_archive_restore(designer, make_survey, session):
    survey = make_survey(published=True)
    page = designer.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert f'action="/surveys/{survey.id}/pause"' in page and f'action="/surveys/{survey.id}/resume"' not in page
    for action, status in (("pause", SurveyStatus.PAUSED), ("resume", SurveyStatus.LIVE),
                           ("archive", SurveyStatus.ARCHIVED), ("restore", SurveyStatus.PAUSED)):
        assert post(designer, f"/surveys/{survey.id}/{action}").status_code == 303
        assert reload(session, survey.id).status is status
    post(designer, f"/surveys/{survey.id}/archive")
    # Archived: read-only, and a move it does not allow is refused.
    assert "is archived" in designer.get(f"/surveys/{survey.id}").get_data(as_text=True)
    post(designer, f"/surveys/{survey.id}/pause")
    assert reload(session, survey.id).status is SurveyStatus.ARCHIVED


def test_a_draft_cannot_be_paused(designer, make_survey, session):
    survey = make_survey()
    post(designer, f"/surveys/{survey.id}/pause")
    assert reload(session, survey.id).status is SurveyStatus.DRAFT


# --- roles ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.CSM, Role.VIEWER])
def test_readers_see_everything_read_only(signed_in, make_survey, session, role):
    client, _user = signed_in(role)
    survey = make_survey(published=True)
    html = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "What disappointed you?" in html and "Shown when nps is 0–6 (detractors)" in html
    assert "Add a question" not in html and "/move" not in html and "/delete" not in html
    assert "New survey" not in client.get("/surveys").get_data(as_text=True)
    assert client.get(f"/surveys/{survey.id}/versions").status_code == 200
    assert client.get(f"/surveys/{survey.id}/publish").status_code == 200
    token = token_for(client, "/accounts")
    for path in ("/surveys/new", f"/surveys/{survey.id}/settings", f"/surveys/{survey.id}/publish",
                 f"/surveys/{survey.id}/pause", f"/surveys/{survey.id}/archive",
                 f"/surveys/{survey.id}/questions/nps", f"/surveys/{survey.id}/questions/nps/move",
                 f"/surveys/{survey.id}/questions/nps/delete", f"/surveys/{survey.id}/questions/nps/preview",
                 f"/surveys/{survey.id}/translations", f"/surveys/{survey.id}/translations/fr"):
        assert client.post(path, data={"csrf_token": token, "name": "x"}).status_code == 403, path
    assert client.get(f"/surveys/{survey.id}/questions/nps").status_code == 403
    assert reload(session, survey.id).status is SurveyStatus.LIVE


# --- escaping ------------------------------------------------------------------------------

def test_survey_texts_are_escaped_everywhere(designer, session, make_survey):
    definition = {"questions": [
        {"id": "pick", "type": "single_choice", "prompt": XSS, "options": [XSS_ATTR, "Fine"]},
        {"id": "why", "type": "text", "prompt": XSS_ATTR, "show_if": {"question": "pick", "in": [XSS_ATTR]}},
    ]}
    survey = make_survey(name=XSS, definition=definition, published=True)
    form = question_form(designer, survey.id, "why")
    form.update(prompt=XSS + " changed")
    designer.post(f"/surveys/{survey.id}/questions/why", data=form)
    pages = ["/surveys", f"/surveys/{survey.id}", f"/surveys/{survey.id}/versions", f"/surveys/{survey.id}/versions/1",
             f"/surveys/{survey.id}/publish", f"/surveys/{survey.id}/questions/why",
             f"/surveys/{survey.id}/questions/pick", f"/surveys/{survey.id}/translations/fr"]
    for path in pages:
        html = designer.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html, path
        assert "<img src=x" not in html, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in designer.get(f"/surveys/{survey.id}").get_data(as_text=True)


# --- preview -------------------------------------------------------------------------------

def test_preview_is_framable_by_the_designer_only(designer, make_survey):
    pytest.importorskip("feedback.web.hosted.rendering", reason="the hosted page's rendering is not installed yet")
    survey = make_survey(template="csat_support", published=True)
    response = designer.get(f"/surveys/{survey.id}/preview?question=resolved")
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Was your issue resolved?" in response.get_data(as_text=True)
    assert "Thank you" in designer.get(f"/surveys/{survey.id}/preview?question=__thank_you__").get_data(as_text=True)
    assert designer.get(f"/surveys/{survey.id}/preview?version=1").status_code == 200
    assert designer.get(f"/surveys/{survey.id}/preview?question=nope").status_code == 404
    assert designer.get(f"/surveys/{survey.id}").headers["X-Frame-Options"] == "DENY"


def test_preview_of_an_unsaved_edit_saves_nothing(designer, make_survey, session):
    pytest.importorskip("feedback.web.hosted.rendering", reason="the hosted page's rendering is not installed yet")
    survey = make_survey(template="csat_support")
    before = reload(session, survey.id).draft
    form = question_form(designer, survey.id, "resolved")
    form.update(prompt="Preview only " + XSS)
    response = designer.post(f"/surveys/{survey.id}/questions/resolved/preview", data=form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Preview only &lt;script&gt;" in html and "<script>alert(1)" not in html
    form.update(options="one")
    bad = designer.post(f"/surveys/{survey.id}/questions/resolved/preview", data=form)
    assert bad.status_code == 422 and any("at least 2 options" in e for e in bad.get_json()["errors"])
    assert reload(session, survey.id).draft == before


def test_preview_without_the_hosted_page_says_so(designer, make_survey, monkeypatch):
    import feedback.web.survey_preview as module

    monkeypatch.setattr(module, "preview_html", lambda *a, **k: None)
    survey = make_survey()
    response = designer.get(f"/surveys/{survey.id}/preview")
    assert response.status_code == 503 and response.headers["X-Frame-Options"] == "SAMEORIGIN"
