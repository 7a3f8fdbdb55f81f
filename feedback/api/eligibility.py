"""``GET /api/v1/contacts/<external_id>/eligibility?survey=<id>``: why was this person (not) surveyed?"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from feedback.api.blueprint import ApiBlueprint
from feedback.api.common import EXTERNAL_ID_PARAMETER, lookup_id, not_found
from feedback.api.eligibility_schemas import EligibilityArgs, EligibilitySchema
from feedback.auth.roles import Permission
from feedback.extensions import db
from surveys.audience.models import Contact
from surveys.audience.services import get_contact
from surveys.db import utcnow
from surveys.design.models import Survey
from surveys.journeys.describe import when_text
from surveys.journeys.eligibility import definition_of
from surveys.journeys.explain import SurveyTrace, explain

blp = ApiBlueprint("Eligibility", __name__, url_prefix="/api/v1/contacts",
                   description="Why a contact would or would not be asked a survey: every rule and its verdict.")

EXAMPLE = {
    "contact": {"external_id": "user-42", "name": "Ada Lovelace"},
    "survey": {"id": 12, "name": "Quarterly NPS", "status": "live"},
    "eligible": False, "send_at": None, "checked_at": "2026-11-05T10:00:00+00:00",
    "rules": [
        {"rule": "survey_live", "passed": True, "detail": "survey 'Quarterly NPS' is live (version 3)", "until": None},
        {"rule": "recontact", "passed": False, "detail": "throttled until 2026-12-03 by survey 'Onboarding NPS'",
         "until": "2026-12-03T09:12:00+00:00"},
        {"rule": "send_window", "passed": True,
         "detail": "outside send window → next slot Tue 2026-11-24 09:00 Europe/Paris",
         "until": "2026-11-24T08:00:00+00:00"},
    ],
    "triggers": [{"key": "t1", "type": "event", "summary": "3 days after onboarding_completed (first time only)",
                  "eligible": False, "send_at": None, "event": None,
                  "rules": [{"rule": "sample", "passed": False, "detail": "sampled out: 20 % of contacts are asked",
                             "until": None}]}],
}


def _contact_or_404(external_id: str) -> Contact:
    key = lookup_id(external_id)
    contact = get_contact(db.session, key) if key is not None else None
    if contact is None or contact.erased_at is not None:
        not_found("contact", external_id)
    return contact


@blp.route("/<path:external_id>/eligibility", parameters=[EXTERNAL_ID_PARAMETER])
class ContactEligibility(MethodView):
    @blp.requires(Permission.READ_AUDIENCE)
    @blp.arguments(EligibilityArgs, location="query", as_kwargs=True)
    @blp.response(200, EligibilitySchema, example=EXAMPLE)
    @blp.alt_response(404, response="NOT_FOUND", description="No such contact (or erased), or no such survey.")
    def get(self, external_id: str, survey: int):
        """Explain a contact's eligibility for a survey

        Checks, now, every rule that stands between a trigger of the survey and an
        invitation to this contact, and says why in a sentence each: the survey is live,
        the contact is not erased or unsubscribed, a channel reaches them, the recontact
        period (across every survey and channel) and the account limit, no open invitation
        of this survey already waits, and the send window in the contact's timezone (which
        only moves `send_at`). `rules` are the checks every trigger shares; `triggers` adds
        each trigger's own audience filters and sampling. Reading this writes nothing.
        """
        contact = _contact_or_404(external_id)
        target = db.session.get(Survey, survey)
        if target is None:
            abort(404, message=f"No survey with id {survey}.")
        now = utcnow()
        return trace_document(explain(db.session, contact, target, now=now), now=now)


def trace_document(result: SurveyTrace, *, now) -> dict[str, Any]:
    """The trace as the API returns it (see :class:`EligibilitySchema`)."""
    items = {item.get("id"): item for item in definition_of(result.survey).get("triggers") or []}
    return {
        "contact": result.contact, "survey": result.survey, "eligible": result.eligible,
        "send_at": result.send_at, "checked_at": now, "rules": [asdict(v) for v in result.base.verdicts],
        "triggers": [{"key": t.trigger.key, "type": t.trigger.type, "summary": _summary(items.get(t.trigger.key)),
                      "eligible": t.trace.eligible, "send_at": t.trace.send_at, "event": t.event,
                      "rules": [asdict(v) for v in t.trace.verdicts]} for t in result.triggers],
    }


def _summary(item: Mapping[str, Any] | None) -> str:
    return when_text(item) if item is not None else ""
