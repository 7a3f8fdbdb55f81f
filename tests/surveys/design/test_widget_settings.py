"""The definition's ``widget`` section: defaults, validation by field, versioning and the publish diff in words."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from surveys.design.definition import load_definition
from surveys.design.diff import diff_definitions
from surveys.design.services import create_survey, has_unpublished_changes, pending_changes, publish, update_draft
from surveys.design.widget import DEFAULT_WIDGET, describe_widget, shown_color, widget_of

ONE = {"questions": [{"id": "nps", "type": "nps"}]}


def test_left_out_or_null_it_is_the_defaults():
    assert load_definition(ONE)["widget"] == {"placement": "bottom-right", "brand_color": "#4f46e5",
                                              "anonymous": False}
    assert load_definition({**ONE, "widget": None})["widget"] == DEFAULT_WIDGET
    assert load_definition({**ONE, "widget": {"anonymous": True}})["widget"] == {**DEFAULT_WIDGET, "anonymous": True}


def test_values_are_kept_and_the_colour_normalised():
    widget = load_definition({**ONE, "widget": {"placement": "center", "brand_color": " #0F766E ",
                                                "anonymous": True}})["widget"]
    assert widget == {"placement": "center", "brand_color": "#0f766e", "anonymous": True}
    assert load_definition({**ONE, "widget": widget})["widget"] == widget, "loading twice changes nothing"


@pytest.mark.parametrize(("widget", "field", "message"), [
    ({"brand_color": "red"}, "brand_color", "#rrggbb"),
    ({"brand_color": "#4f46e"}, "brand_color", "#rrggbb"),
    ({"brand_color": "#4f46e5; background: url(x)"}, "brand_color", "#rrggbb"),
    ({"brand_color": 4}, "brand_color", "Not a valid string"),
    ({"placement": "top"}, "placement", "bottom-right, bottom-left, center"),
    ({"anonymous": "sometimes"}, "anonymous", "Not a valid boolean"),
    ({"position": "center"}, "position", "Unknown field"),
])
def test_a_bad_setting_is_named_under_widget(widget, field, message):
    with pytest.raises(ValidationError) as caught:
        load_definition({**ONE, "widget": widget})
    messages = caught.value.messages["widget"]
    assert list(messages) == [field] and message in " ".join(messages[field])


def test_a_widget_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationError) as caught:
        load_definition({**ONE, "widget": "center"})
    assert "widget" in caught.value.messages


def test_a_definition_stored_before_the_section_reads_as_the_defaults():
    old = {k: v for k, v in load_definition(ONE).items() if k != "widget"}
    assert widget_of(old) == DEFAULT_WIDGET and widget_of(None) == DEFAULT_WIDGET
    assert diff_definitions(old, load_definition(ONE)) == [], "the defaults are no change"


def test_each_changed_setting_is_a_change_in_words():
    before = load_definition(ONE)
    after = load_definition({**ONE, "widget": {"placement": "bottom-left", "brand_color": "#0F766E",
                                               "anonymous": True}})
    changes = diff_definitions(before, after)
    assert [(c["kind"], c["field"], c["setting"]) for c in changes] == [
        ("survey", "widget", "placement"), ("survey", "widget", "brand_color"), ("survey", "widget", "anonymous")]
    assert changes[0]["summary"] == "Widget · placement: bottom right corner → bottom left corner"
    assert (changes[1]["before"], changes[1]["after"]) == ("Brand colour: #4f46e5", "Brand colour: #0f766e")
    assert changes[2]["after"] == "Who may answer: anyone, even without identify()"
    assert [c["setting"] for c in diff_definitions(None, after) if c["field"] == "widget"] == [
        "placement", "brand_color", "anonymous"], "a first version lists the settings that are not the defaults"


def test_the_settings_are_versioned_with_the_questions(session):
    survey = create_survey(session, "In-app NPS", ONE)
    first = publish(session, survey)
    update_draft(session, survey, {**survey.draft, "widget": {"placement": "center"}})
    assert [c["setting"] for c in pending_changes(survey)] == ["placement"]
    second = publish(session, survey)
    session.commit()
    assert widget_of(first.definition)["placement"] == "bottom-right"
    assert widget_of(second.definition)["placement"] == "center"
    assert not has_unpublished_changes(survey)


def test_a_version_published_before_the_section_existed_has_nothing_pending(session):
    survey = create_survey(session, "Older", ONE)
    version = publish(session, survey)
    version.definition = {k: v for k, v in version.definition.items() if k != "widget"}
    session.commit()
    assert not has_unpublished_changes(survey)


def test_in_words():
    assert describe_widget(None) == ("Opens in the bottom right corner, brand colour #4f46e5; "
                                     "identified contacts answer")
    assert describe_widget({"placement": "center", "anonymous": True}).endswith(
        "centre of the page, brand colour #4f46e5; anyone may answer, even without identify()")
    assert (shown_color("#ABCDEF"), shown_color("red"), shown_color(None)) == ("#abcdef", "#4f46e5", "#4f46e5")
