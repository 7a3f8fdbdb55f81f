"""Creating, editing, publishing and retiring surveys. Services flush; the caller commits."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from surveys.db import utcnow
from surveys.design.definition import load_definition
from surveys.design.diff import diff_definitions
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.design.templates import BLANK, TEMPLATES


class SurveyStateError(Exception):
    """The survey's status does not allow this (publishing an archived survey, answering a paused one)."""


class NothingToPublish(SurveyStateError):
    """The draft equals the latest version."""


class UnknownTemplate(LookupError):
    pass


# status → the statuses it may move to with pause/resume/archive/restore
TRANSITIONS: dict[SurveyStatus, frozenset[SurveyStatus]] = {
    SurveyStatus.DRAFT: frozenset({SurveyStatus.ARCHIVED}),
    SurveyStatus.LIVE: frozenset({SurveyStatus.PAUSED, SurveyStatus.ARCHIVED}),
    SurveyStatus.PAUSED: frozenset({SurveyStatus.LIVE, SurveyStatus.ARCHIVED}),
    SurveyStatus.ARCHIVED: frozenset({SurveyStatus.PAUSED, SurveyStatus.DRAFT}),
}


def create_survey(session: Session, name: str, definition: Mapping[str, Any] | None = None, *,
                  template: str | None = None, created_by: str | None = None) -> Survey:
    """A new draft survey, from ``definition``, a template's, or the blank one."""
    if definition is None:
        if template is not None and template not in TEMPLATES:
            raise UnknownTemplate(template)
        definition = TEMPLATES[template].build() if template else BLANK
    survey = Survey(name=name, draft=load_definition(dict(definition)), template=template,
                    created_by=created_by, status=SurveyStatus.DRAFT)
    session.add(survey)
    session.flush()
    return survey


def update_draft(session: Session, survey: Survey, definition: Mapping[str, Any]) -> Survey:
    """Replace the draft; published versions are untouched. An archived survey is read-only."""
    if survey.status is SurveyStatus.ARCHIVED:
        raise SurveyStateError("An archived survey cannot be edited; restore it first.")
    survey.draft = load_definition(dict(definition))
    session.flush()
    return survey


def latest_definition(survey: Survey) -> dict[str, Any] | None:
    return survey.latest_version.definition if survey.latest_version else None


def pending_changes(survey: Survey) -> list[dict[str, Any]]:
    """What publishing the draft now would change."""
    latest = latest_definition(survey)
    if latest == survey.draft:
        return []
    return diff_definitions(latest, survey.draft)


def has_unpublished_changes(survey: Survey) -> bool:
    """True when publishing now would make a new version (never published, or the draft differs in substance).

    Compared through the diff, not as raw JSON: a definition stored before a field
    existed equals one that carries that field's default.
    """
    return survey.latest_version is None or bool(pending_changes(survey))


def publish(session: Session, survey: Survey, published_by: str | None = None) -> SurveyVersion:
    """Freeze the draft as the next version and make the survey live (a paused survey stays paused).

    Raises :class:`NothingToPublish` when the draft equals the latest version.
    The survey row is locked first, so two publishers get versions n and n+1.
    """
    if survey.status is SurveyStatus.ARCHIVED:
        raise SurveyStateError("An archived survey cannot be published; restore it first.")
    session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())
    session.refresh(survey)
    changes = pending_changes(survey)
    if not changes:
        raise NothingToPublish("Nothing changed since the last version.")
    number = (survey.latest_version.number if survey.latest_version else 0) + 1
    version = SurveyVersion(survey_id=survey.id, number=number, definition=survey.draft, changes=changes,
                            published_at=utcnow(), published_by=published_by)
    session.add(version)
    session.flush()
    survey.latest_version = version
    if survey.status is SurveyStatus.DRAFT:
        survey.status = SurveyStatus.LIVE
    session.flush()
    return version


def set_status(session: Session, survey: Survey, status: SurveyStatus) -> Survey:
    """Pause, resume, archive or restore (to paused, or to draft if never published); raise :class:`SurveyStateError` for any other move."""
    if status is survey.status:
        return survey
    if status not in TRANSITIONS[survey.status]:
        raise SurveyStateError(f"A {survey.status.value} survey cannot become {status.value}.")
    published = survey.latest_version_id is not None
    if status in (SurveyStatus.LIVE, SurveyStatus.PAUSED) and not published:
        raise SurveyStateError("This survey was never published; publish it to make it live.")
    if status is SurveyStatus.DRAFT and published:
        raise SurveyStateError("A published survey is restored as paused, not as a draft.")
    survey.status = status
    session.flush()
    return survey


def versions_of(session: Session, survey_id: int) -> list[SurveyVersion]:
    """Every published version of a survey, newest first."""
    return list(session.scalars(select(SurveyVersion).where(SurveyVersion.survey_id == survey_id)
                                .order_by(SurveyVersion.number.desc())))


def get_survey_by_token(session: Session, token: str) -> Survey | None:
    return session.scalar(select(Survey).where(Survey.token == token))


@dataclass(frozen=True)
class AnswerTarget:
    """What recording an answer needs of a survey: its status and its latest version's definition.

    Loading it reads three columns instead of the survey's draft and its version's
    JSON: published definitions never change, so each process keeps the ones it
    has decoded (see :func:`answer_target`).
    """

    id: int
    status: SurveyStatus
    latest_version_id: int | None
    latest_version_number: int | None
    definition: dict[str, Any] | None

    @property
    def accepts_answers(self) -> bool:
        return self.status is SurveyStatus.LIVE and self.latest_version_id is not None


# (database, version id, published at) → definition. The publication time is part of
# the key because SQLite may hand a deleted version's id to a new one.
_DEFINITIONS: dict[tuple[str, int, Any], dict[str, Any]] = {}
_DEFINITIONS_MAX = 512


# Built once: constructing a statement per request costs more than running it.
_TARGET = (select(Survey.status, Survey.latest_version_id, SurveyVersion.number, SurveyVersion.published_at)
           .outerjoin(SurveyVersion, SurveyVersion.id == Survey.latest_version_id)
           .where(Survey.id == bindparam("survey_id")))
_DEFINITION = select(SurveyVersion.definition).where(SurveyVersion.id == bindparam("version_id"))


def answer_target(session: Session, survey_id: int) -> AnswerTarget | None:
    """The survey as the answer path sees it, or None when there is no such survey."""
    row = session.execute(_TARGET, {"survey_id": survey_id}).first()
    if row is None:
        return None
    status, version_id, number, published_at = row
    if version_id is None:
        return AnswerTarget(survey_id, status, None, None, None)
    key = (str(session.connection().engine.url), version_id, published_at)
    definition = _DEFINITIONS.get(key)
    if definition is None:
        definition = session.scalar(_DEFINITION, {"version_id": version_id})
        if len(_DEFINITIONS) >= _DEFINITIONS_MAX:
            _DEFINITIONS.pop(next(iter(_DEFINITIONS)))
        _DEFINITIONS[key] = definition
    return AnswerTarget(survey_id, status, version_id, number, definition)
