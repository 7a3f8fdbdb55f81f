"""Survey services: create, edit the draft, publish immutable versions, and move between statuses."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from feedback.responses.models import Response
from feedback.responses.services import Submission, submit_response
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.design.services import (
    TRANSITIONS, NothingToPublish, SurveyStateError, UnknownTemplate, create_survey, get_survey_by_token,
    latest_definition, pending_changes, publish, set_status, update_draft, versions_of,
)
from surveys.design.templates import TEMPLATES

TWO_QUESTIONS = {"questions": [{"id": "nps", "type": "nps"}, {"id": "why", "type": "text", "prompt": "Why?"}]}


def test_create_from_a_template(session):
    survey = create_survey(session, "Quarterly NPS", template="nps_relationship", created_by="ann@example.com")
    session.commit()
    assert (survey.status, survey.template, survey.created_by) == (SurveyStatus.DRAFT, "nps_relationship",
                                                                   "ann@example.com")
    assert [q["id"] for q in survey.draft["questions"]] == [
        q["id"] for q in TEMPLATES["nps_relationship"].definition["questions"]]
    assert survey.draft["thank_you"]["title"] == "Thank you, {contact.first_name|there}!"
    assert survey.latest_version is None and not survey.accepts_answers
    assert len(survey.token) >= 16 and "." not in survey.token
    assert get_survey_by_token(session, survey.token) is survey


def test_create_blank_and_from_a_definition(session):
    blank = create_survey(session, "Blank")
    given = create_survey(session, "Mine", {"questions": [{"type": "csat"}]})
    assert [q["type"] for q in blank.draft["questions"]] == ["nps"]
    assert (given.draft["questions"][0]["id"], given.draft["questions"][0]["max"]) == ("q1", 5)
    assert blank.token != given.token


def test_create_from_an_unknown_template_or_a_bad_definition(session):
    with pytest.raises(UnknownTemplate):
        create_survey(session, "Nope", template="nps_everything")
    with pytest.raises(ValidationError):
        create_survey(session, "Bad", {"questions": [{"type": "nps", "min": 1}]})
    assert session.scalars(select(Survey)).all() == []


def test_update_draft_replaces_it_and_validates(session):
    survey = create_survey(session, "S")
    update_draft(session, survey, TWO_QUESTIONS)
    assert [q["id"] for q in survey.draft["questions"]] == ["nps", "why"]
    with pytest.raises(ValidationError):
        update_draft(session, survey, {"questions": [{"id": "nps", "type": "nps", "max": 5}]})
    assert [q["id"] for q in survey.draft["questions"]] == ["nps", "why"], "a bad edit leaves the draft alone"


def test_publish_makes_version_one_and_the_survey_live(session):
    survey = create_survey(session, "S", TWO_QUESTIONS)
    assert [c["kind"] for c in pending_changes(survey)] == ["added", "added"]
    version = publish(session, survey, published_by="ann@example.com")
    session.commit()
    assert (version.number, version.published_by, survey.status) == (1, "ann@example.com", SurveyStatus.LIVE)
    assert survey.latest_version_id == version.id and survey.accepts_answers
    assert version.definition == survey.draft
    assert [c["question"] for c in version.changes] == ["nps", "why"]
    assert version.published_at is not None
    assert pending_changes(survey) == []


def test_nothing_to_publish(session):
    survey = create_survey(session, "S", TWO_QUESTIONS)
    publish(session, survey)
    with pytest.raises(NothingToPublish):
        publish(session, survey)
    assert len(versions_of(session, survey.id)) == 1


def test_publishing_again_after_a_change_makes_v2_with_the_diff(session):
    survey = create_survey(session, "S", TWO_QUESTIONS)
    v1 = publish(session, survey)
    edited = {"questions": [{"id": "nps", "type": "nps"}, {"id": "why", "type": "text", "prompt": "Tell us why"}]}
    update_draft(session, survey, edited)
    assert [(c["kind"], c["field"]) for c in pending_changes(survey)] == [("changed", "prompt")]
    assert survey.latest_version_id == v1.id, "editing the draft does not change what respondents see"
    v2 = publish(session, survey)
    session.commit()
    assert v2.number == 2 and survey.latest_version_id == v2.id
    assert v2.changes[0]["before"] == "Why?" and v2.changes[0]["after"] == "Tell us why"
    assert [v.number for v in versions_of(session, survey.id)] == [2, 1]
    assert session.get(SurveyVersion, v1.id).definition["questions"][1]["prompt"] == "Why?"
    assert latest_definition(survey)["questions"][1]["prompt"] == "Tell us why"


def test_responses_keep_the_version_they_answered(session):
    survey = create_survey(session, "S", TWO_QUESTIONS)
    v1 = publish(session, survey)
    first = submit_response(session, survey, Submission({"nps": 9, "why": "Fast"})).response
    update_draft(session, survey, {"questions": [{"id": "nps", "type": "nps"},
                                                 {"id": "more", "type": "text"}]})
    v2 = publish(session, survey)
    second = submit_response(session, survey, Submission({"nps": 3, "more": "Slow"})).response
    session.commit()
    stored = {r.id: r.survey_version_id for r in session.scalars(select(Response))}
    assert stored == {first.id: v1.id, second.id: v2.id}
    assert [q["id"] for q in session.get(SurveyVersion, v1.id).definition["questions"]] == ["nps", "why"]


def test_a_paused_survey_stays_paused_when_published(session):
    survey = create_survey(session, "S", TWO_QUESTIONS)
    publish(session, survey)
    set_status(session, survey, SurveyStatus.PAUSED)
    update_draft(session, survey, {"questions": [{"id": "nps", "type": "nps", "prompt": "Recommend us?"}]})
    publish(session, survey)
    assert survey.status is SurveyStatus.PAUSED and not survey.accepts_answers


def test_pause_resume_archive_restore(session):
    survey = create_survey(session, "S", TWO_QUESTIONS)
    publish(session, survey)
    assert set_status(session, survey, SurveyStatus.PAUSED).status is SurveyStatus.PAUSED
    assert set_status(session, survey, SurveyStatus.LIVE).accepts_answers
    set_status(session, survey, SurveyStatus.ARCHIVED)
    with pytest.raises(SurveyStateError, match="published survey is restored as paused"):
        set_status(session, survey, SurveyStatus.DRAFT)
    with pytest.raises(SurveyStateError, match="archived survey cannot become live"):
        set_status(session, survey, SurveyStatus.LIVE)
    assert set_status(session, survey, SurveyStatus.PAUSED).status is SurveyStatus.PAUSED


def test_a_never_published_survey_is_restored_as_a_draft(session):
    survey = create_survey(session, "S")
    with pytest.raises(SurveyStateError, match="draft survey cannot become live"):
        set_status(session, survey, SurveyStatus.LIVE)
    set_status(session, survey, SurveyStatus.ARCHIVED)
    with pytest.raises(SurveyStateError, match="never published"):
        set_status(session, survey, SurveyStatus.PAUSED)
    assert set_status(session, survey, SurveyStatus.DRAFT).status is SurveyStatus.DRAFT


def test_setting_the_same_status_is_a_no_op(session):
    survey = create_survey(session, "S")
    assert set_status(session, survey, SurveyStatus.DRAFT).status is SurveyStatus.DRAFT


def test_every_status_has_transitions():
    assert set(TRANSITIONS) == set(SurveyStatus)
    assert all(status not in targets for status, targets in TRANSITIONS.items())


def test_an_archived_survey_is_read_only(session):
    survey = create_survey(session, "S", TWO_QUESTIONS)
    publish(session, survey)
    set_status(session, survey, SurveyStatus.ARCHIVED)
    with pytest.raises(SurveyStateError):
        update_draft(session, survey, TWO_QUESTIONS)
    with pytest.raises(SurveyStateError):
        publish(session, survey)
