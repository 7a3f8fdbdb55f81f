"""The "Widget" card of the designer's Triggers tab: how the in-product widget shows the survey.

Placement, brand colour and whether anonymous visitors may answer, saved in the draft's
``widget`` section (versioned: live once published). The colour comes as a text box and a
colour picker; without JavaScript to keep them in step, whichever of the two the person
changed wins (the text box when both did). A bad value is a 422 that shows the page again
with the message beside the input, and nothing saved.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from feedback.web.survey_common import flatten, get_survey, save_draft
from feedback.web.survey_triggers import editable_survey, triggers_page
from surveys.db import db
from surveys.design.widget import describe_widget, widget_of

INPUTS = {"placement": "placement", "brand_color": "brand_color", "anonymous": "anonymous"}


def _posted(current: dict[str, Any]) -> dict[str, Any]:
    """The card's values as posted; the colour from whichever input moved away from the draft's."""
    text = request.form.get("brand_color", "").strip()
    picker = request.form.get("brand_color_picker", "").strip()
    color = text
    if (not text or text.lower() == current["brand_color"]) and picker:
        color = picker
    return {"placement": request.form.get("placement", "").strip(), "brand_color": color,
            "anonymous": bool(request.form.get("anonymous"))}


def _errors(messages: dict[str, Any]) -> dict[str, list[str]]:
    """Definition messages keyed by the card's inputs (``widget.brand_color`` → ``brand_color``)."""
    errors: dict[str, list[str]] = {}
    for top, value in messages.items():
        if top == "widget" and isinstance(value, dict):
            for name, field_messages in value.items():
                errors.setdefault(INPUTS.get(str(name), "widget"), []).extend(flatten(field_messages))
        else:
            errors.setdefault("widget", []).extend(flatten(value, "" if str(top).startswith("_") else str(top)))
    return errors


@bp.post("/surveys/<int:survey_id>/widget")
@requires(Permission.DESIGN_SURVEYS)
def save_survey_widget(survey_id: int):
    """Save the widget settings in the draft (published with the next version)."""
    survey = editable_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    values = _posted(widget_of(survey.draft))
    messages = save_draft(survey, {**survey.draft, "widget": values})
    if messages is not None:
        return triggers_page(get_survey(survey_id), widget=values, errors=_errors(messages), status=422)
    db.session.commit()
    flash(f"Widget settings saved in the draft: {describe_widget(widget_of(survey.draft))}. "
          "Publish to make them live.", "success")
    return redirect(url_for("web.survey_triggers", survey_id=survey_id, _anchor="widget"), code=303)
