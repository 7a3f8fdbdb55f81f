"""Responses and their answers, joined to the contact and to a snapshot of the account."""
from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, Enum, ForeignKey, Index, Numeric, SmallInteger, String, Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from surveys.audience.models import EMAIL_MAX, LABEL_MAX, LOCALE_MAX, Account, Contact
from surveys.db import Base, UTCDateTime, utcnow
from surveys.design.models import Survey, SurveyVersion

CLIENT_RESPONSE_ID_MAX = 128


class Channel(enum.StrEnum):
    LINK = "link"      # the hosted page, anonymous or personal link
    EMAIL = "email"    # a score clicked in an email
    IN_APP = "in_app"  # the widget
    API = "api"        # sent by a server through the API (a channel of the customer's own)
    IMPORT = "import"  # history imported from another tool


def _enum(cls: type[enum.Enum], length: int = 16) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Response(Base):
    """One respondent's answers to one survey version.

    The account's plan, segment, ARR, CSM and renewal date are copied at answer
    time, so a trend stays true after the account changes. ``partial`` is true
    until every shown required question is answered; a partial response still
    counts for the scores it holds.
    """

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("survey_id", "client_response_id", name="uq_response_client_response_id"),
        Index("ix_response_survey_submitted", "survey_id", "submitted_at"),
        Index("ix_response_account_submitted", "account_id", "submitted_at"),
        Index("ix_response_contact_submitted", "contact_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id", ondelete="RESTRICT"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel), index=True)
    client_response_id: Mapped[str | None] = mapped_column(String(CLIENT_RESPONSE_ID_MAX))
    locale: Mapped[str | None] = mapped_column(String(LOCALE_MAX))
    partial: Mapped[bool] = mapped_column(Boolean, default=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    account_plan: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    account_segment: Mapped[str | None] = mapped_column(String(LABEL_MAX))
    account_arr: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    account_csm_email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    account_renewal_date: Mapped[date | None] = mapped_column(Date)

    survey: Mapped[Survey] = relationship(lazy="raise")
    version: Mapped[SurveyVersion] = relationship(lazy="raise")
    contact: Mapped[Contact | None] = relationship(lazy="raise")
    account: Mapped[Account | None] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<Response {self.id} survey={self.survey_id} partial={self.partial}>"


class Answer(Base):
    """One answer: a score (with its NPS category), choices (with "other" text), or text."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", name="uq_answer_response_question"),
        CheckConstraint("score BETWEEN 0 AND 10", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(64))
    question_type: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(SmallInteger)
    nps_category: Mapped[str | None] = mapped_column(String(10), index=True)
    choices: Mapped[list[str] | None] = mapped_column(JSON)
    other_text: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(lazy="raise")

    def __repr__(self) -> str:
        return f"<Answer {self.response_id}:{self.question_id}>"
