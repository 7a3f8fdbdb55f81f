"""Schemas of ``/api/v1/surveys``: request bodies and what the API returns.

The definition fields (``product``, ``locale``, ``questions``, ``thank_you``,
``translations``) are only *collected* here: the one judge of a valid survey is
:func:`surveys.design.definition.load_definition`, which names a bad question by
its id (``errors.json.questions.<id>.<field>``), not by its position.

``triggers``, ``send_window``, ``throttle`` and ``widget`` are read with the same schemas
``load_definition`` uses (:mod:`surveys.journeys.triggers`, :mod:`surveys.design.widget`), so the OpenAPI document
shows their whole shape and a bad one is a 422 naming the field
(``errors.json.triggers.0.delay``) before anything is written.
"""
from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import request, url_for
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.routing import BuildError

from surveys.audience.schemas import ExternalId
from surveys.delivery.links import DEFAULT_TTL, MAX_TTL
from surveys.design.definition import DEFAULT_PRODUCT
from surveys.design.models import NAME_MAX, SurveyStatus
from surveys.design.services import has_unpublished_changes
from surveys.design.templates import TEMPLATES
from surveys.design.widget import WidgetSchema
from surveys.journeys.triggers import MAX_TRIGGERS, SendWindowSchema, ThrottleSchema, TriggerSchema

DEFINITION_FIELDS = ("product", "locale", "questions", "thank_you", "translations", "triggers", "send_window",
                     "throttle", "widget")

_QUESTIONS_DESCRIPTION = (
    "The questions, in order (1 to 50). Each is an object: `id` (stable, letters/digits/'-'/'_', generated "
    "as q1, q2... when left out), `type` (nps, csat, ces, rating, single_choice, multiple_choice, text), "
    "`prompt`, `description`, `required`, `options` and `randomize`/`allow_other` (choice questions), "
    "`min`/`max` (a rating's scale 0|1..2-10; a text's longest answer), `labels` {min, max} (score ends), "
    "`placeholder` (text), `show_if` {question: an earlier question's id, in: [scores or options]}. "
    "Texts may use {contact.name}, {contact.first_name}, {account.name} and {product}, with a fallback "
    "after a bar: {contact.first_name|there}."
)

_TRIGGERS_DESCRIPTION = (
    f"When the survey asks whom (0 to {MAX_TRIGGERS}; versioned with the questions, live once published). "
    "`type` event: `delay` after the journey event `event`, `repeat` once|every; `type` date: `offset` before "
    "(negative) or after a date `field`; `type` recurring: `every` N days per contact, the first after a "
    "`warmup`. All: `filters` (all must pass), `channels` in order of preference with `fallback_after` when in_app comes "
    "first, `sample` (share of matches, deterministic per contact). Durations are ISO 8601 in days/hours "
    "(P3D, PT12H, -P60D); months and years are refused. Triggers sent without `id` get t1, t2..."
)
_TRIGGERS_EXAMPLE = [
    {"type": "event", "event": "onboarding_completed", "delay": "P3D", "repeat": "once",
     "filters": [{"field": "account.plan", "op": "in", "value": ["pro", "enterprise"]},
                 {"field": "properties.seats", "op": ">=", "value": 10}],
     "channels": ["in_app", "email"], "fallback_after": "P5D", "sample": 0.2},
    {"type": "date", "field": "account.renewal_date", "offset": "-P60D", "channels": ["email"]},
    {"type": "recurring", "every": "P90D", "warmup": "P30D"},
]


def json_numbers(value: Any) -> Any:
    """``value`` with Decimals (how the app parses JSON fractions) as ints or floats.

    Answers and definitions are plain JSON: ``9.0`` is the score 9, ``9.5`` stays a
    fraction that validation names, and NaN/infinity cannot slip into a JSON column.
    """
    if isinstance(value, dict):
        return {key: json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_numbers(item) for item in value]
    if isinstance(value, Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise ValidationError("Numbers must be finite and within the range of a double.")
        return number
    return value


class JsonValue(fields.Raw):
    """Any JSON value, with its numbers made plain (see :func:`json_numbers`)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return json_numbers(value)


def _definition_fields() -> dict[str, fields.Field]:
    return {
        "product": fields.String(metadata={"description": f"The product's name for {{product}} "
                                                          f"(default {DEFAULT_PRODUCT!r})."}),
        "locale": fields.String(metadata={"description": "The language of the texts, e.g. 'en' (default)."}),
        "questions": JsonValue(metadata={"description": _QUESTIONS_DESCRIPTION, "type": "array",
                                         "items": {"type": "object"}}),
        "thank_you": JsonValue(metadata={"description": "The closing step: {title, message}.", "type": "object"}),
        "translations": JsonValue(metadata={
            "description": "Texts per language tag: {\"fr\": {questions: {<id>: {prompt, description, options, "
                           "labels, placeholder}}, thank_you: {title, message}}}.", "type": "object"}),
        "triggers": fields.List(fields.Nested(TriggerSchema), validate=validate.Length(
            max=MAX_TRIGGERS, error=f"At most {MAX_TRIGGERS} triggers."), metadata={
            "description": _TRIGGERS_DESCRIPTION, "example": _TRIGGERS_EXAMPLE}),
        "send_window": fields.Nested(SendWindowSchema, allow_none=True, metadata={
            "description": "When invitations may go out, in each contact's timezone (their own, else the "
                           "workspace's); null: the workspace's window, if it sets one."}),
        "throttle": fields.Nested(ThrottleSchema, allow_none=True, metadata={
            "description": "This survey's recontact rule; null or left out: the workspace's (a contact is "
                           "asked at most once per recontact period across all surveys and channels)."}),
        "widget": fields.Nested(WidgetSchema, allow_none=True, metadata={
            "description": "How the in-product widget shows this survey: `placement` (bottom-right, bottom-left, "
                           "center), `brand_color` (#rrggbb), `anonymous` (true: visitors who never called "
                           "identify() may answer it). Keys left out, or null: the defaults "
                           "(bottom-right, #4f46e5, false).",
            "example": {"placement": "bottom-left", "brand_color": "#0f766e", "anonymous": False}}),
    }


_NAME = {"validate": validate.Length(min=1, max=NAME_MAX),
         "metadata": {"description": f"The survey's name, 1 to {NAME_MAX} characters."}}


class _Trimmed(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class SurveyPostSchema(Schema.from_dict(_definition_fields())):  # type: ignore[misc]
    """Body of ``POST /surveys``: a name, and a template and/or definition fields."""

    name = _Trimmed(required=True, **_NAME)
    template = fields.String(validate=validate.OneOf(list(TEMPLATES)), metadata={
        "description": "Start from this template (its fields are overridden by any definition field sent): "
                       + ", ".join(TEMPLATES) + ". Without a template or questions, a one-question NPS survey."})


class SurveyPatchSchema(Schema.from_dict(_definition_fields())):  # type: ignore[misc]
    """Body of ``PATCH /surveys/<id>``: fields sent replace the draft's, the rest is kept."""

    name = _Trimmed(**_NAME)
    status = fields.Enum(SurveyStatus, by_value=True, metadata={
        "description": "Pause (live → paused), resume (paused → live), archive (any → archived) or restore "
                       "(archived → paused, or → draft if never published). Publishing makes a draft live."})


class SurveyListArgs(Schema):
    """Filters of ``GET /surveys``."""

    class Meta:
        unknown = "exclude"  # page and page_size are read by the paginator

    status = fields.Enum(SurveyStatus, by_value=True, metadata={"description": "Only surveys in this status."})


class LinkPostSchema(Schema):
    """Body of ``POST /surveys/<id>/links``."""

    contact_external_id = ExternalId(required=True, metadata={"description": "The contact the link answers as."})
    expires_in_days = fields.Integer(
        strict=True, load_default=DEFAULT_TTL.days, validate=validate.Range(min=1, max=MAX_TTL.days),
        metadata={"description": f"Days the link works (1 to {MAX_TTL.days}, default {DEFAULT_TTL.days})."})

    @staticmethod
    def ttl(body: dict[str, Any]) -> timedelta:
        return timedelta(days=body["expires_in_days"])


# --- what the API returns ---------------------------------------------------------------------

def hosted_url(token: str) -> str:
    """The absolute URL of the hosted page for ``token`` (``/s/<token>``).

    Falls back to building the path by hand while the ``hosted`` blueprint is
    not registered (the contract fixes the path), so the API never fails on it.
    """
    try:
        return url_for("hosted.respond", token=token, _external=True)
    except BuildError:
        return f"{request.host_url}s/{token}"


class LatestVersionSchema(Schema):
    number = fields.Integer(metadata={"description": "Version number, from 1."})
    published_at = fields.DateTime(metadata={"description": "When it was published (UTC)."})


class SurveySchema(Schema):
    """A survey as the API returns it."""

    id = fields.Integer(metadata={"description": "The survey's id."})
    name = fields.String(metadata={"description": "The survey's name."})
    status = fields.Enum(SurveyStatus, by_value=True, metadata={
        "description": "draft (never published), live (takes answers), paused or archived."})
    template = fields.String(allow_none=True, metadata={"description": "The template it started from, or null."})
    draft = fields.Dict(metadata={"description": "The definition being edited, normalised (defaults filled in): "
                                                 "questions, texts, triggers, send_window, throttle, widget."})
    latest_version = fields.Nested(LatestVersionSchema, allow_none=True, metadata={
        "description": "The latest published version, or null if never published."})
    has_unpublished_changes = fields.Function(
        has_unpublished_changes,
        metadata={"description": "true when publishing now would make a new version.", "type": "boolean"})
    created_at = fields.DateTime(metadata={"description": "When it was created (UTC)."})
    updated_at = fields.DateTime(metadata={"description": "When it last changed (UTC)."})
    links = fields.Function(lambda s: {"hosted": hosted_url(s.token)}, metadata={
        "description": "links.hosted: the URL of the survey's anonymous hosted page.", "type": "object"})


class SurveyVersionSchema(Schema):
    """A published, immutable version."""

    number = fields.Integer(metadata={"description": "Version number, from 1."})
    published_at = fields.DateTime(metadata={"description": "When it was published (UTC)."})
    published_by = fields.String(allow_none=True, metadata={"description": "Who published it."})
    changes = fields.List(fields.Dict(), metadata={
        "description": "What changed since the previous version: {kind, question, field, before, after, summary}."})
    definition = fields.Dict(metadata={"description": "The frozen definition responses to it answered."})


class PersonalLinkSchema(Schema):
    """A personal link: answering through it records the response as that contact."""

    url = fields.String(metadata={"description": "The hosted page URL with a signed token."})
    expires_at = fields.DateTime(metadata={"description": "When the link stops working (UTC)."})
