"""Surveys and their published, immutable versions."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.db import Base, TimestampMixin, UTCDateTime

NAME_MAX = 200
TOKEN_BYTES = 12  # 16 URL-safe characters: unguessable, short enough to read aloud


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"        # never published: nobody can answer it yet
    LIVE = "live"          # the latest version takes answers
    PAUSED = "paused"      # published, but answers are refused for now
    ARCHIVED = "archived"  # retired: kept for its results, takes no answers


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class Survey(TimestampMixin, Base):
    """A survey: a draft definition being edited, and a pointer to its latest published version.

    ``token`` names the survey's anonymous hosted page (``/s/<token>``).
    """

    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    status: Mapped[SurveyStatus] = mapped_column(
        Enum(SurveyStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=SurveyStatus.DRAFT, index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True, default=new_token)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON)
    template: Mapped[str | None] = mapped_column(String(64))
    latest_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_version.id", use_alter=True, ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(String(320))

    latest_version: Mapped[SurveyVersion | None] = relationship(
        foreign_keys=[latest_version_id], lazy="joined", post_update=True)

    @property
    def accepts_answers(self) -> bool:
        return self.status is SurveyStatus.LIVE and self.latest_version_id is not None

    def __repr__(self) -> str:
        return f"<Survey {self.id} {self.name!r} {self.status.value}>"


class SurveyVersion(Base):
    """A frozen copy of a survey's definition. Never updated once written."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("survey_id", "number", name="uq_survey_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(320))

    survey: Mapped[Survey] = relationship(foreign_keys=[survey_id])

    def __repr__(self) -> str:
        return f"<SurveyVersion {self.survey_id} v{self.number}>"
