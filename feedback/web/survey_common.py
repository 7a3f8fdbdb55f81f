"""What the designer's views share: loading a survey, saving a draft, turning definition errors
into messages beside the right field, the status moves a survey allows, and its links."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, flash, url_for
from marshmallow import ValidationError

from surveys.db import db
from surveys.design.models import Survey, SurveyStatus
from surveys.design.services import TRANSITIONS, SurveyStateError, update_draft


def get_survey(survey_id: int) -> Survey:
    return db.get_or_404(Survey, survey_id)


def save_draft(survey: Survey, definition: Mapping[str, Any]) -> dict[str, Any] | None:
    """Validate and store ``definition`` as the draft, or roll back and return the error messages.

    The caller commits on success. Messages are keyed as ``load_definition`` keys them;
    a state refusal (archived) comes back as ``{"_survey": [message]}``.
    """
    try:
        update_draft(db.session, survey, definition)
    except ValidationError as err:
        db.session.rollback()
        return err.normalized_messages() if isinstance(err.messages, dict) else {"_survey": err.messages}
    except SurveyStateError as err:
        db.session.rollback()
        return {"_survey": [str(err)]}
    return None


def save_draft_and_flash(survey: Survey, definition: Mapping[str, Any], *, saved: str | None = None,
                         refused: str = "") -> bool:
    """:func:`save_draft` for an action that redirects: commit and flash ``saved``, or flash why not.

    ``refused`` prefixes the error messages (e.g. "Not moved: "). Returns whether it was saved.
    """
    messages = save_draft(survey, definition)
    if messages is not None:
        flash(refused + " ".join(flatten(messages)), "danger")
        return False
    db.session.commit()
    if saved:
        flash(saved, "success")
    return True


def flatten(messages: Any, prefix: str = "") -> list[str]:
    """Nested marshmallow messages as readable lines: ``questions › nps › labels › min: Too long.``"""
    if isinstance(messages, Mapping):
        lines: list[str] = []
        for key, value in messages.items():
            name = "" if str(key).startswith("_") else str(key)  # _schema: the whole object
            lines.extend(flatten(value, f"{prefix} › {name}" if prefix and name else prefix or name))
        return lines
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{prefix}: {m}" if prefix else m for m in messages]
    if isinstance(messages, list):
        return [line for m in messages for line in flatten(m, prefix)]
    return [f"{prefix}: {messages}" if prefix else str(messages)]


def question_errors(messages: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[dict[str, Any], list[str]]:
    """Split a definition error into (this question's field → its messages as given, every other message).

    ``keys`` are how load_definition may name the question: its id, or its position.
    """
    own: dict[str, list[str]] = {}
    others: list[str] = []
    for top, value in messages.items():
        if top == "questions" and isinstance(value, Mapping):
            for qkey, errors in value.items():
                if str(qkey) in keys and isinstance(errors, Mapping):
                    own.update({str(field): field_messages for field, field_messages in errors.items()})
                else:
                    others.extend(flatten(errors, f"Question {qkey}"))
        else:
            others.extend(flatten(value, str(top) if top != "_survey" else ""))
    return own, others


def add_errors(field: Any, messages: list[str]) -> None:
    """Append messages to a WTForms field (whose errors are a tuple until it is validated)."""
    field.errors = list(field.errors) + list(messages)


@dataclass(frozen=True)
class StatusAction:
    endpoint: str
    label: str
    icon: str
    style: str
    target: SurveyStatus


def status_actions(survey: Survey) -> list[StatusAction]:
    """The pause/resume/archive/restore buttons this survey's status allows (see ``TRANSITIONS``)."""
    published = survey.latest_version_id is not None
    actions = []
    for target in sorted(TRANSITIONS[survey.status], key=list(SurveyStatus).index):
        if target is SurveyStatus.LIVE and published:
            actions.append(StatusAction("web.resume_survey", "Resume", "play-fill", "success", target))
        elif target is SurveyStatus.PAUSED and published:
            if survey.status is SurveyStatus.ARCHIVED:
                actions.append(StatusAction("web.restore_survey", "Restore", "arrow-counterclockwise",
                                            "secondary", target))
            else:
                actions.append(StatusAction("web.pause_survey", "Pause", "pause-fill", "secondary", target))
        elif target is SurveyStatus.DRAFT and not published:
            actions.append(StatusAction("web.restore_survey", "Restore", "arrow-counterclockwise", "secondary",
                                        target))
        elif target is SurveyStatus.ARCHIVED:
            actions.append(StatusAction("web.archive_survey", "Archive", "archive", "danger", target))
    return actions


def has_endpoint(endpoint: str) -> bool:
    """Whether another part of the app (the hosted page, responses) is installed."""
    return endpoint in current_app.view_functions


def hosted_link(survey: Survey) -> str | None:
    if not has_endpoint("hosted.respond"):
        return None
    return url_for("hosted.respond", token=survey.token, _external=True)


STATUS_BADGES = {SurveyStatus.DRAFT: "text-bg-secondary", SurveyStatus.LIVE: "text-bg-success",
                 SurveyStatus.PAUSED: "text-bg-warning", SurveyStatus.ARCHIVED: "text-bg-dark"}
