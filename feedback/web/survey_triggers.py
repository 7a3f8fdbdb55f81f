"""The designer's "Triggers" tab: when the survey asks whom and through which channel.

Lists the draft's triggers in words (with what is live in the published version), and edits
them through plain forms: add / edit / delete a trigger, the survey's send window and its
recontact rule (the Widget card posts to :mod:`feedback.web.survey_widget`). Every change saves
the whole draft through ``update_draft`` like the question editor does; a definition error is
shown beside the input it names and nothing is saved. Readers (CSMs, viewers) see the page
read-only; every POST needs ``DESIGN_SURVEYS``.
"""
from __future__ import annotations

import copy
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web import trigger_forms as tf
from feedback.web.blueprint import bp
from feedback.web.forms import ConfirmForm
from feedback.web.survey_common import flatten, get_survey, has_endpoint, save_draft, save_draft_and_flash
from feedback.web.survey_views import designer_context
from surveys.db import db
from surveys.design.models import Survey, SurveyStatus
from surveys.design.services import versions_of
from surveys.design.widget import PLACEMENT_NAMES, PLACEMENTS, shown_color, widget_of
from surveys.journeys import describe
from surveys.journeys.models import (
    DEFAULT_ACCOUNT_LIMIT, DEFAULT_ACCOUNT_PERIOD_DAYS, DEFAULT_RECONTACT_DAYS, Event, WorkspaceSettings,
)
from surveys.journeys.triggers import DAY_NAMES, MAX_TRIGGERS, TRIGGER_TYPES

PREVIEW_ENDPOINT = "web.survey_trigger_preview"


def _page_url(survey_id: int, anchor: str = "triggers") -> str:
    return url_for("web.survey_triggers", survey_id=survey_id, _anchor=anchor)


def _editable(survey: Survey) -> bool:
    return current_user.may(Permission.DESIGN_SURVEYS) and survey.status is not SurveyStatus.ARCHIVED


def editable_survey(survey_id: int) -> Survey:
    survey = get_survey(survey_id)
    if survey.status is SurveyStatus.ARCHIVED:
        flash("This survey is archived; restore it to edit it.", "warning")
        abort(redirect(_page_url(survey_id), code=303))
    return survey


def _index_of(definition: dict[str, Any], key: str) -> int | None:
    return next((i for i, t in enumerate(definition.get("triggers") or []) if t.get("id") == key), None)


def _next_key(survey: Survey) -> str:
    """``t<N>`` above every id the draft or any published version used: a key is never reused, so
    invitations of a deleted trigger are never taken for a new one's."""
    used = {t.get("id") for t in survey.draft.get("triggers") or []}
    for version in versions_of(db.session, survey.id):
        used |= {t.get("id") for t in version.definition.get("triggers") or []}
    numbers = [int(k[1:]) for k in used if isinstance(k, str) and k[:1] == "t" and k[1:].isdigit()]
    return f"t{max(numbers, default=0) + 1}"


def _workspace() -> dict[str, Any]:
    """The workspace's asking rules, read only (the defaults until someone saves them)."""
    row = db.session.get(WorkspaceSettings, 1)
    return {
        "recontact_days": row.recontact_days if row else DEFAULT_RECONTACT_DAYS,
        "account_limit": row.account_limit if row else DEFAULT_ACCOUNT_LIMIT,
        "account_period_days": row.account_period_days if row else DEFAULT_ACCOUNT_PERIOD_DAYS,
        "send_window": describe.describe_send_window(row.send_window if row else None).replace(
            " (unless the workspace sets a send window)", ""),
        "timezone": row.timezone if row else "UTC",
    }


def _live_state(survey: Survey) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Per draft trigger: "live" | "changed" | "new"; and the live triggers the draft removed."""
    latest = survey.latest_version.definition if survey.latest_version else None
    live = {t["id"]: t for t in (latest or {}).get("triggers") or []}
    state = {}
    for trigger in survey.draft.get("triggers") or []:
        before = live.get(trigger["id"])
        state[trigger["id"]] = "new" if before is None else ("live" if before == trigger else "changed")
    draft_ids = set(state)
    return state, [t for key, t in live.items() if key not in draft_ids]


def _window_values(window: dict[str, Any] | None) -> dict[str, Any]:
    if not window:
        return {"mode": "none", "days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:00"}
    return {"mode": "custom", "days": list(window["days"]), "start": window["start"], "end": window["end"]}


def _throttle_values(throttle: dict[str, Any] | None) -> dict[str, Any]:
    throttle = throttle or {}
    days = throttle.get("recontact_days")
    return {"recontact_days": "" if days is None else str(days), "transactional": bool(throttle.get("transactional"))}


def triggers_page(survey: Survey, *, window: dict[str, Any] | None = None, throttle: dict[str, Any] | None = None,
                  widget: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None, status: int = 200):
    """The Triggers tab; the values given (a form that failed) are shown instead of the draft's."""
    state, removed = _live_state(survey)
    return render_template(
        "web/surveys/triggers.html", **designer_context(survey), trigger_state=state,
        removed=removed, describe=describe, workspace=_workspace(),
        window=window or _window_values(survey.draft.get("send_window")),
        throttle=throttle or _throttle_values(survey.draft.get("throttle")), errors=errors or {},
        preview_enabled=has_endpoint(PREVIEW_ENDPOINT), day_labels=tf.DAY_LABELS, max_triggers=MAX_TRIGGERS,
        type_labels=tf.TYPE_LABELS, trigger_types=TRIGGER_TYPES, widget=widget or widget_of(survey.draft),
        placements=[(p, PLACEMENT_NAMES[p]) for p in PLACEMENTS], shown_color=shown_color,
    ), status


@bp.get("/surveys/<int:survey_id>/triggers")
@requires(Permission.READ_SURVEYS)
def survey_triggers(survey_id: int):
    """The survey's triggers in words, its send window and recontact rule."""
    return triggers_page(get_survey(survey_id))


# --- one trigger -------------------------------------------------------------------------------

def _known_events() -> list[str]:
    """Event names seen so far, offered as suggestions (a datalist; any name may be typed)."""
    return list(db.session.scalars(select(Event.name).distinct().order_by(Event.name).limit(200)))


def _editor(survey: Survey, form: tf.TriggerForm, key: str | None, status: int = 200):
    return render_template(
        "web/surveys/trigger.html", **designer_context(survey), form=form, key=key,
        field_groups=tf.FIELD_GROUPS, ops=tf.OPS, keyed_fields=tf.KEYED_FIELDS, date_fields=tf.DATE_FIELDS,
        channels=tf.channel_choices(), type_labels=tf.TYPE_LABELS, known_events=_known_events(),
        preview_enabled=has_endpoint(PREVIEW_ENDPOINT) and key is not None and key in {
            t["id"] for t in survey.draft.get("triggers") or []},
    ), status


def _save_trigger(survey: Survey, key: str | None):
    """POST of the editor: "add_filter" shows one more filter row; otherwise validate and save."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    new_key = key or _next_key(survey)
    trigger, form = tf.read_trigger_form(request.form, new_key)
    if request.form.get("action") == "add_filter":
        form.rows.append(tf.FilterRow())
        form.values.pop("_rows", None)
        return _editor(survey, form, key)
    definition = copy.deepcopy(survey.draft)
    triggers = definition.setdefault("triggers", [])
    index = _index_of(definition, key) if key else None
    if index is None:
        if len(triggers) >= MAX_TRIGGERS:
            form.problems.append(f"A survey has at most {MAX_TRIGGERS} triggers; delete one first.")
            return _editor(survey, form, key, 422)
        triggers.append(trigger)
        index = len(triggers) - 1
    else:
        triggers[index] = trigger
    if form.errors:
        return _editor(survey, form, key, 422)
    messages = save_draft(survey, definition)
    if messages is not None:
        survey = get_survey(survey.id)
        tf.place_errors(form, messages, index, flatten)
        return _editor(survey, form, key, 422)
    db.session.commit()
    flash(f"Trigger {new_key} {'saved' if key else 'added'}: {describe.when_text(trigger)}. "
          f"Publish to make it live.", "success")
    return redirect(_page_url(survey.id, f"trigger-{new_key}"), code=303)


@bp.route("/surveys/<int:survey_id>/triggers/new", methods=["GET", "POST"])
@requires(Permission.DESIGN_SURVEYS)
def new_trigger(survey_id: int):
    """GET: the editor for a new trigger of ``?type=`` (event, date, recurring); POST: add it."""
    survey = editable_survey(survey_id)
    if request.method == "POST":
        return _save_trigger(survey, None)
    kind = request.args.get("type", "event")
    if kind not in TRIGGER_TYPES:
        abort(404)
    if len(survey.draft.get("triggers") or []) >= MAX_TRIGGERS:
        flash(f"A survey has at most {MAX_TRIGGERS} triggers; delete one first.", "warning")
        return redirect(_page_url(survey_id), code=303)
    return _editor(survey, tf.form_from_trigger(None, kind), None)


@bp.route("/surveys/<int:survey_id>/triggers/<trigger_key>/edit", methods=["GET", "POST"])
@requires(Permission.DESIGN_SURVEYS)
def edit_trigger(survey_id: int, trigger_key: str):
    survey = editable_survey(survey_id)
    index = _index_of(survey.draft, trigger_key)
    if index is None:
        abort(404)
    if request.method == "POST":
        return _save_trigger(survey, trigger_key)
    return _editor(survey, tf.form_from_trigger(survey.draft["triggers"][index]), trigger_key)


@bp.post("/surveys/<int:survey_id>/triggers/<trigger_key>/delete")
@requires(Permission.DESIGN_SURVEYS)
def delete_trigger(survey_id: int, trigger_key: str):
    survey = editable_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    index = _index_of(survey.draft, trigger_key)
    if index is None:
        abort(404)
    definition = copy.deepcopy(survey.draft)
    del definition["triggers"][index]
    save_draft_and_flash(survey, definition, saved=f"Trigger {trigger_key} deleted from the draft. "
                                                   f"It stays live until you publish.")
    return redirect(_page_url(survey_id), code=303)


# --- send window and recontact rule ------------------------------------------------------------

def _rule_errors(messages: dict[str, Any], section: str, inputs: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for top, value in messages.items():
        if top == section and isinstance(value, dict):
            for name, field_messages in value.items():
                errors.setdefault(inputs.get(str(name), section), []).extend(flatten(field_messages))
        else:
            errors.setdefault(section, []).extend(flatten(value, "" if str(top).startswith("_") else str(top)))
    return errors


@bp.post("/surveys/<int:survey_id>/send-window")
@requires(Permission.DESIGN_SURVEYS)
def save_send_window(survey_id: int):
    """Off (the workspace's window applies) or days + start/end times in the contact's timezone."""
    survey = editable_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    values = {"mode": request.form.get("window_mode", "none"),
              "days": [d for d in request.form.getlist("days") if d in DAY_NAMES],
              "start": request.form.get("window_start", "").strip(), "end": request.form.get("window_end", "").strip()}
    window = None if values["mode"] != "custom" else {k: values[k] for k in ("days", "start", "end")}
    definition = {**survey.draft, "send_window": window}
    messages = save_draft(survey, definition)
    if messages is not None:
        errors = _rule_errors(messages, "send_window", {"days": "days", "start": "window_start", "end": "window_end"})
        return triggers_page(get_survey(survey_id), window=values, errors=errors, status=422)
    db.session.commit()
    flash("Send window saved in the draft: " + describe.describe_send_window(window) + ".", "success")
    return redirect(_page_url(survey_id, "send-window"), code=303)


@bp.post("/surveys/<int:survey_id>/throttle")
@requires(Permission.DESIGN_SURVEYS)
def save_throttle(survey_id: int):
    """The survey's recontact period (blank: the workspace's) and whether it is transactional."""
    survey = editable_survey(survey_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    values = {"recontact_days": request.form.get("recontact_days", "").strip(),
              "transactional": bool(request.form.get("transactional"))}
    days: Any = None
    if values["recontact_days"]:
        try:
            days = int(values["recontact_days"])
        except ValueError:
            return triggers_page(survey, throttle=values, status=422,
                                  errors={"recontact_days": ["A whole number of days, or blank for the workspace's."]})
    throttle = {"recontact_days": days, "transactional": values["transactional"]}
    messages = save_draft(survey, {**survey.draft, "throttle": throttle})
    if messages is not None:
        errors = _rule_errors(messages, "throttle", {"recontact_days": "recontact_days",
                                                     "transactional": "transactional"})
        return triggers_page(get_survey(survey_id), throttle=values, errors=errors, status=422)
    db.session.commit()
    flash("Recontact rule saved in the draft: " + describe.describe_throttle(throttle) + ".", "success")
    return redirect(_page_url(survey_id, "recontact"), code=303)
