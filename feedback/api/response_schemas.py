"""Schemas of the response endpoints: a submission, a batch, list filters with a cursor, the dump.

A response is returned as::

    {"id": 7, "survey_id": 3, "survey_version": 2, "contact_external_id": "u-1",
     "account_external_id": "acme", "channel": "api", "client_response_id": "zd-991",
     "partial": false, "submitted_at": "...", "completed_at": "...", "locale": "en",
     "account": {"plan": "pro", "segment": "smb", "arr": "12000.00", "csm_email": "...",
                 "renewal_date": "2026-03-31"},
     "answers": {"nps": 3, "disappointed": "Too slow"},
     "scores": {"nps": {"type": "nps", "score": 3, "nps_category": "detractor"}}}

``answers`` holds each value as a client sends it (a score, a choice, a list of
choices, text); ``scores`` repeats every score answer with its kind and, for NPS,
its category (null for CSAT, CES and ratings). ``account`` is the snapshot taken
when the response was created: it does not follow later changes to the account.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

from feedback.api.args import RowList
from feedback.api.survey_schemas import json_numbers
from feedback.responses.models import CLIENT_RESPONSE_ID_MAX, Channel, Response
from surveys.audience.models import LOCALE_MAX
from surveys.audience.schemas import ExternalId
from surveys.db import utcnow
from surveys.design.answers import AnswerValue
from surveys.design.definition import LOCALE, QUESTION_ID
from surveys.design.kinds import SCORE_TYPES, NpsCategory

MAX_BATCH_RESPONSES = 1000
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks drift; a response from the future is a bug
LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX = 100, 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _printable(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("Must not contain control characters.")


class Answers(fields.Dict):
    """``{question_id: value}``; ids must look like question ids, numbers become plain JSON numbers."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("An object mapping question ids to answers.")
        bad = [key for key in value if not QUESTION_ID.match(key)]
        if bad:
            raise ValidationError(f"{bad[0][:64]!r} is not a question id.")
        return json_numbers(value)


class ResponseSubmitSchema(Schema):
    """One response: body of ``POST /surveys/<id>/responses`` and a row of the batch."""

    contact_external_id = ExternalId(metadata={
        "description": "The respondent (an existing contact); the response is joined to their account."})
    client_response_id = fields.String(validate=[validate.Length(min=1, max=CLIENT_RESPONSE_ID_MAX), _printable],
                                       metadata={"description": "Your idempotency key, unique per survey "
                                                                f"(1 to {CLIENT_RESPONSE_ID_MAX} characters)."})
    channel = fields.Enum(Channel, by_value=True, load_default=Channel.API, metadata={
        "description": "Where the answers came from (default api)."})
    submitted_at = fields.AwareDateTime(format="iso", metadata={
        "description": "When the person answered: ISO 8601 with an offset, may be in the past (an import), "
                       "not in the future. Default: now."})
    answers = Answers(required=True, metadata={
        "description": "{question_id: value}: a whole number for scores, an option's text for single choice, "
                       "a list of options for multiple choice (plus one 'other' text if allowed), text for "
                       "open questions; null clears an answer."})
    partial = fields.Boolean(load_default=False, metadata={
        "description": "true: keep the answers so far even if required questions are missing; complete "
                       "it later with the same client_response_id."})
    locale = fields.String(validate=[validate.Length(max=LOCALE_MAX),
                                     validate.Regexp(LOCALE, error="A language tag such as 'en' or 'pt-BR'.")],
                           metadata={"description": "The language the person answered in."})

    @validates("submitted_at")
    def _not_in_the_future(self, value: datetime, **kwargs: Any) -> None:
        if value > utcnow() + FUTURE_TOLERANCE:
            raise ValidationError("Must not be in the future.")


class ResponseRows(RowList):
    """1 to 1,000 responses; errors keyed by row index, a repeated client_response_id included."""

    key_field = "client_response_id"
    noun = "responses"

    def __init__(self, inner: fields.Field, **kwargs: Any) -> None:
        super().__init__(inner, max_rows=MAX_BATCH_RESPONSES, **kwargs)

    def row_key(self, raw: Any, row: dict[str, Any] | None) -> str | None:
        """The loaded ``client_response_id``; a row that failed to load is not compared."""
        return row.get("client_response_id") if row is not None else None


class ResponseBatchSchema(Schema):
    """Body of ``POST /surveys/<id>/responses/batch``: every response is recorded, or none is."""

    responses = ResponseRows(fields.Nested(ResponseSubmitSchema), required=True, metadata={
        "description": f"1 to {MAX_BATCH_RESPONSES} responses, each as for a single submission; "
                       "a client_response_id may appear once per batch."})


# --- list filters and the cursor --------------------------------------------------------------

def encode_cursor(submitted_at: datetime, response_id: int) -> str:
    raw = json.dumps([submitted_at.astimezone(UTC).isoformat(), response_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Cursor:
    """Where the previous page ended: its last response's (submitted_at, id)."""

    submitted_at: datetime
    response_id: int


class CursorField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            stamp, response_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            moment = datetime.fromisoformat(stamp)
            if moment.tzinfo is None or type(response_id) is not int:
                raise ValueError
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            raise ValidationError("Not a cursor this API gave out; pass X-Next-Cursor as it came.") from None
        return Cursor(moment, response_id)


class Moment(fields.Field):
    """A date (``YYYY-MM-DD``, a whole UTC day) or an aware ISO datetime, as a UTC bound.

    ``upper=True`` gives an exclusive upper bound: a date includes its whole day,
    a datetime includes that instant.
    """

    def __init__(self, *, upper: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.upper = upper

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("A date (YYYY-MM-DD) or a datetime with an offset.")
        try:
            if len(value) == 10:
                day = date.fromisoformat(value)
                return datetime(day.year, day.month, day.day, tzinfo=UTC) + (timedelta(days=1) if self.upper
                                                                             else timedelta(0))
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError("A date (YYYY-MM-DD) or a datetime with an offset "
                                  "(write '+' as %2B in a URL, or use Z).") from None
        if moment.tzinfo is None:
            raise ValidationError("A datetime needs an offset, e.g. 2025-01-31T12:00:00Z.")
        return moment + (timedelta(microseconds=1) if self.upper else timedelta(0))


class ResponseListArgs(Schema):
    """Filters of ``GET /responses``; they combine with AND."""

    class Meta:
        unknown = EXCLUDE

    survey = fields.Integer(validate=validate.Range(min=1), metadata={"description": "Only this survey's id."})
    account = ExternalId(metadata={"description": "Only responses joined to this account (its external_id)."})
    contact = ExternalId(metadata={"description": "Only this contact's responses (its external_id)."})
    from_ = Moment(data_key="from", metadata={
        "description": "submitted_at on or after: a date (from its start, UTC) or a datetime with an offset.",
        "type": "string"})
    to = Moment(upper=True, metadata={
        "description": "submitted_at on or before: a date (to its end, UTC) or a datetime with an offset.",
        "type": "string"})
    channel = fields.Enum(Channel, by_value=True, metadata={"description": "Only this channel."})
    score_band = fields.Enum(NpsCategory, by_value=True, metadata={
        "description": "Only responses with an NPS answer in this band (detractor 0-6, passive 7-8, "
                       "promoter 9-10)."})
    partial = fields.Boolean(metadata={"description": "true: only partial responses; false: only complete."})
    limit = fields.Integer(load_default=LIST_LIMIT_DEFAULT, validate=validate.Range(min=1, max=LIST_LIMIT_MAX),
                           metadata={"description": f"Responses per page (1 to {LIST_LIMIT_MAX}, "
                                                    f"default {LIST_LIMIT_DEFAULT})."})
    cursor = CursorField(metadata={"description": "Where to continue: the X-Next-Cursor of the previous page."})


# --- what the API returns ---------------------------------------------------------------------

@dataclass
class ResponseRecord:
    """A response as plain values, with what its JSON needs from other tables.

    Plain values, not the ORM row: the record is built before the commit and
    dumped after it, when the row's attributes have expired.
    """

    id: int
    survey_id: int
    survey_version: int
    contact_external_id: str | None
    account_external_id: str | None
    channel: Channel
    client_response_id: str | None
    partial: bool
    submitted_at: datetime
    completed_at: datetime | None
    locale: str | None
    account: dict[str, Any]
    answers: dict[str, AnswerValue] = field(default_factory=dict)

    @classmethod
    def of(cls, response: Response, survey_version: int, contact_external_id: str | None,
           account_external_id: str | None, answers: dict[str, AnswerValue]) -> ResponseRecord:
        snapshot = {"plan": response.account_plan, "segment": response.account_segment,
                    "arr": response.account_arr, "csm_email": response.account_csm_email,
                    "renewal_date": response.account_renewal_date}
        completed_at = response.completed_at.astimezone(UTC) if response.completed_at else None
        return cls(response.id, response.survey_id, survey_version, contact_external_id, account_external_id,
                   response.channel, response.client_response_id, response.partial,
                   response.submitted_at.astimezone(UTC), completed_at, response.locale, snapshot, answers)


def _answers(record: ResponseRecord) -> dict[str, Any]:
    return {qid: value.as_json() for qid, value in record.answers.items()}


def _scores(record: ResponseRecord) -> dict[str, Any]:
    return {qid: {"type": value.type.value, "score": value.score,
                  "nps_category": value.nps_category.value if value.nps_category else None}
            for qid, value in record.answers.items() if value.type in SCORE_TYPES}


class AccountSnapshotSchema(Schema):
    """The account's fields when the response was created (kept as they were)."""

    plan = fields.String(allow_none=True, metadata={"description": "Plan then."})
    segment = fields.String(allow_none=True, metadata={"description": "Segment then."})
    arr = fields.Decimal(as_string=True, places=2, allow_none=True, metadata={
        "description": "ARR then, a string decimal with two places.", "type": "string", "format": "decimal"})
    csm_email = fields.String(allow_none=True, metadata={"description": "CSM then."})
    renewal_date = fields.Date(allow_none=True,
                               metadata={"description": "Renewal date then."})


class ResponseSchema(Schema):
    """A response as the API returns it (see the module docstring for an example)."""

    id = fields.Integer(metadata={"description": "The response's id."})
    survey_id = fields.Integer(metadata={"description": "The survey's id."})
    survey_version = fields.Integer(metadata={"description": "The number of the version it answered."})
    contact_external_id = fields.String(allow_none=True, metadata={
        "description": "The respondent's external_id; null if anonymous or erased."})
    account_external_id = fields.String(allow_none=True, metadata={
        "description": "The account's external_id; null if none."})
    channel = fields.Enum(Channel, by_value=True,
                          metadata={"description": "Where the answers came from."})
    client_response_id = fields.String(allow_none=True,
                                       metadata={"description": "Your idempotency key, if any."})
    partial = fields.Boolean(metadata={
        "description": "true until every shown required question is answered."})
    submitted_at = fields.DateTime(metadata={
        "description": "When the person answered (UTC)."})
    completed_at = fields.DateTime(allow_none=True, metadata={
        "description": "When it became complete (UTC), or null while partial."})
    locale = fields.String(allow_none=True,
                           metadata={"description": "The language answered in."})
    account = fields.Nested(AccountSnapshotSchema, metadata={
        "description": "Snapshot of the account's fields at answer time."})
    answers = fields.Function(_answers, metadata={
        "description": "{question_id: value} as sent: score, option, list of options, or text.", "type": "object"})
    scores = fields.Function(_scores, metadata={
        "description": "{question_id: {type, score, nps_category}} for every score answer; nps_category is "
                       "detractor, passive or promoter for NPS, null otherwise.", "type": "object"})


class ResponseBatchResultSchema(Schema):
    """What a batch did. Every response was recorded, or none was."""

    created = fields.Integer(metadata={"description": "New responses."})
    updated = fields.Integer(metadata={"description": "Existing responses completed or changed."})
    unchanged = fields.Integer(metadata={"description": "Replays of a stored response (nothing written)."})
    ids = fields.List(fields.Integer(), metadata={"description": "The response id of every row, in order."})

