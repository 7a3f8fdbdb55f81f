"""The designer's "who would this trigger hit?": a dry run of one draft trigger over the last 30 days.

It reads the draft's triggers (and the draft's recontact rule), so a manager can try a
trigger before publishing it. Nothing is written.
"""
from __future__ import annotations

from flask import abort, render_template, url_for

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.survey_common import get_survey
from surveys.db import db, utcnow
from surveys.journeys.describe import channels_text, sample_text, when_text, who_text
from surveys.journeys.preview import OUTCOMES, ROW_LIMIT, preview_trigger
from surveys.journeys.triggers import trigger_from_json

PREVIEW_DAYS = 30
OUTCOME_TITLES = {"invited": "Would be invited", "filtered_out": "Filtered out", "sampled_out": "Sampled out",
                  "unreachable": "Unreachable", "throttled": "Throttled"}
OUTCOME_HINTS = {"invited": "pass every rule", "filtered_out": "an audience or property filter said no",
                 "sampled_out": "outside the trigger's sample", "unreachable": "erased, unsubscribed or no channel",
                 "throttled": "recontact period or account limit"}


@bp.get("/surveys/<int:survey_id>/triggers/<trigger_key>/preview")
@requires(Permission.READ_SURVEYS)
def survey_trigger_preview(survey_id: int, trigger_key: str):
    survey = get_survey(survey_id)
    items = survey.draft.get("triggers") or []
    index = next((i for i, item in enumerate(items) if item.get("id") == trigger_key), None)
    if index is None:
        abort(404, description=f"The draft of '{survey.name}' has no trigger {trigger_key[:64]!r}.")
    item = items[index]
    result = preview_trigger(db.session, survey, trigger_from_json(item, index), survey.draft, now=utcnow(),
                             days=PREVIEW_DAYS)
    facts = {"when": when_text(item), "who": who_text(item), "through": channels_text(item),
             "sample": sample_text(item)}
    return render_template(
        "web/surveys/trigger_preview.html", survey=survey, trigger=item, result=result, facts=facts,
        outcomes=OUTCOMES, titles=OUTCOME_TITLES, hints=OUTCOME_HINTS, days=PREVIEW_DAYS, row_limit=ROW_LIMIT,
        triggers_url=url_for("web.survey_triggers", survey_id=survey.id, _anchor=f"trigger-{trigger_key}"))
