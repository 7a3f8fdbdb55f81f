"""Schemas of ``GET /api/v1/contacts/<external_id>/eligibility``: the query and the trace it returns."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from surveys.design.models import SurveyStatus

RULES = ("survey_live", "contact_active", "unsubscribed", "channel", "filters", "sample", "recontact",
         "account_limit", "open_invitation", "timezone", "send_window")
RULES_DESCRIPTION = (
    "The rule: `survey_live` (published, not paused or archived), `contact_active` (not erased), "
    "`unsubscribed`, `channel` (a channel of the trigger reaches the contact; email needs an address "
    "that is not suppressed by a hard bounce), `filters` (one per audience or property filter), `sample`, "
    "`recontact` (not invited by any survey within the survey's recontact period), `account_limit` (at most "
    "N invitations per account per period), `open_invitation` (none of this survey already waiting), "
    "`timezone` and `send_window` (informational: they always pass and only move `send_at`)."
)


class EligibilityArgs(Schema):
    """Query of the eligibility trace."""

    class Meta:
        unknown = EXCLUDE

    survey = fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1), metadata={
        "description": "The id of the survey to check the contact against.", "example": 12})


class VerdictSchema(Schema):
    rule = fields.String(metadata={"description": RULES_DESCRIPTION, "enum": list(RULES)})
    passed = fields.Boolean(metadata={"description": "false: this rule stops the invitation."})
    detail = fields.String(metadata={
        "description": "The verdict as a sentence, e.g. \"throttled until 2026-12-03 by survey 'Onboarding NPS'\", "
                       "\"sampled out: 20 % of contacts are asked\", \"outside send window → next slot Tue "
                       "2026-11-24 09:00 Europe/Paris\".",
        "example": "throttled until 2026-12-03 by survey 'Onboarding NPS'"})
    until = fields.DateTime(allow_none=True, metadata={
        "description": "When a blocking rule stops blocking (recontact, account_limit), or the next slot of the "
                       "send window (UTC); null otherwise."})


class ContactRefSchema(Schema):
    external_id = fields.String(metadata={"description": "The contact's id in your product."})
    name = fields.String(allow_none=True, metadata={"description": "The contact's name."})


class SurveyRefSchema(Schema):
    id = fields.Integer(metadata={"description": "The survey's id."})
    name = fields.String(metadata={"description": "The survey's name."})
    status = fields.Enum(SurveyStatus, by_value=True, metadata={"description": "draft, live, paused or archived."})


class TraceEventSchema(Schema):
    id = fields.Integer(metadata={"description": "The stored event's id."})
    name = fields.String(metadata={"description": "The event's name."})
    occurred_at = fields.DateTime(metadata={"description": "When it happened (UTC)."})


class TriggerTraceSchema(Schema):
    key = fields.String(metadata={"description": "The trigger's id in the survey definition."})
    type = fields.String(metadata={"description": "event, date or recurring.", "enum": ["event", "date", "recurring"]})
    summary = fields.String(metadata={"description": "When the trigger fires, in words.",
                                      "example": "3 days after onboarding_completed (first time only)"})
    eligible = fields.Boolean(metadata={"description": "Every rule passes for this trigger."})
    send_at = fields.DateTime(allow_none=True, metadata={
        "description": "When this trigger's invitation would go out if it fired now (UTC); null when not eligible."})
    event = fields.Nested(TraceEventSchema, allow_none=True, metadata={
        "description": "Event triggers: the contact's latest stored event of that name, whose properties the "
                       "property filters were checked against; null when there is none (they then fail)."})
    rules = fields.List(fields.Nested(VerdictSchema), metadata={
        "description": "Every rule for this trigger, in the order they are checked (the shared rules, plus the "
                       "trigger's filters and sample)."})


class EligibilitySchema(Schema):
    """Why a contact would or would not be asked a survey, rule by rule."""

    contact = fields.Nested(ContactRefSchema, metadata={"description": "The contact checked."})
    survey = fields.Nested(SurveyRefSchema, metadata={"description": "The survey checked."})
    eligible = fields.Boolean(metadata={
        "description": "true when the shared rules pass and, if the survey has triggers, at least one trigger's "
                       "rules pass too."})
    send_at = fields.DateTime(allow_none=True, metadata={
        "description": "The earliest moment an invitation would go out (UTC), after the send window; null when "
                       "not eligible."})
    checked_at = fields.DateTime(metadata={"description": "The moment the rules were checked at (UTC)."})
    rules = fields.List(fields.Nested(VerdictSchema), metadata={
        "description": "The rules every trigger shares, in the order they are checked."})
    triggers = fields.List(fields.Nested(TriggerTraceSchema), metadata={
        "description": "One trace per trigger of the survey's latest version (the draft's when never published)."})
