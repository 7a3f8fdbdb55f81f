"""Matching stored events against the live surveys' event triggers.

For each live survey whose latest version has an event trigger named like the
event: the trigger's filters (event properties, account and contact fields) must
all pass; ``repeat: once`` fires only the first time this contact fires this
trigger of this survey (whatever the version), ``every`` on each event; the
contact must fall in the trigger's sample, or the firing is recorded as a
SKIPPED invitation ("sampled out (20 %)"). The invitation is due ``delay`` after
the event occurred, or now when that moment has passed; an event whose due time
is more than :data:`TOO_LATE` ago schedules nothing (a replayed backlog must not
ask people about things from months ago).

Throttles, unsubscribes and send windows are the dispatcher's, at send time.
Services flush; the caller commits.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audience.models import Account, Contact
from surveys.delivery.models import Invitation
from surveys.delivery.scheduling import firing_exists, schedule_invitation
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.journeys.filters import evaluate_filters
from surveys.journeys.models import Event
from surveys.journeys.sampling import in_sample
from surveys.journeys.triggers import EVENT, Trigger, parse_triggers

TOO_LATE = timedelta(days=30)
ONCE_FIRING = "once"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveTrigger:
    survey: Survey
    version: SurveyVersion
    trigger: Trigger


def live_triggers(session: Session, trigger_type: str) -> list[LiveTrigger]:
    """The triggers of this type in the latest version of every live survey."""
    rows = session.execute(select(Survey, SurveyVersion)
                           .join(SurveyVersion, SurveyVersion.id == Survey.latest_version_id)
                           .where(Survey.status == SurveyStatus.LIVE).order_by(Survey.id))
    found = []
    for survey, version in rows:
        try:
            triggers = parse_triggers(version.definition)
        except ValueError:  # a version stored before triggers were validated; nothing to fire
            log.exception("survey %s version %s has unreadable triggers", survey.id, version.number)
            continue
        found += [LiveTrigger(survey, version, t) for t in triggers if t.type == trigger_type]
    return found


def event_triggers(session: Session) -> dict[str, list[LiveTrigger]]:
    """The live event triggers by event name: read once, then used for a whole batch of events."""
    by_name: dict[str, list[LiveTrigger]] = defaultdict(list)
    for live in live_triggers(session, EVENT):
        by_name[live.trigger.event or ""].append(live)
    return dict(by_name)


def sample_reason(rate: float) -> str:
    """``"sampled out (20 %)"``: why a contact outside a trigger's sample was not asked."""
    return f"sampled out ({round(rate * 100, 1):g} %)"


def _firing_key(trigger: Trigger, event: Event) -> str:
    return ONCE_FIRING if trigger.repeat == "once" else f"event:{event.id}"


def _fire(session: Session, live: LiveTrigger, event: Event, contact: Contact, account: Account | None,
          now: datetime) -> Invitation | None:
    trigger = live.trigger
    verdicts = evaluate_filters(trigger.filters, contact=contact, account=account, properties=event.properties)
    if not all(v.passed for v in verdicts):
        return None
    if trigger.repeat == "once" and firing_exists(session, contact_id=contact.id, survey_id=live.survey.id,
                                                  trigger_key=trigger.key):
        return None
    due = event.occurred_at + trigger.delay
    if due < now - TOO_LATE:
        log.info("event %s is too old to fire survey %s trigger %s (due %s)", event.id, live.survey.id,
                 trigger.key, due.isoformat())
        return None
    skip = None if in_sample(contact.id, live.survey.id, trigger.key, trigger.sample) else sample_reason(trigger.sample)
    return schedule_invitation(session, contact=contact, survey=live.survey, version=live.version,
                               trigger=trigger, firing_key=_firing_key(trigger, event), due_at=max(due, now),
                               event_id=event.id, skip_reason=skip, now=now)


def match_event(session: Session, event: Event, *, now: datetime,
                triggers: dict[str, list[LiveTrigger]] | None = None) -> list[Invitation]:
    """Schedule what ``event`` fires (see the module contract) and set its ``matched_at``.

    ``triggers`` (from :func:`event_triggers`) saves reading the surveys again for
    each event of a batch. Returns the invitations created, the SKIPPED ones included;
    an erased contact's event fires nothing.
    """
    triggers = event_triggers(session) if triggers is None else triggers
    created: list[Invitation] = []
    candidates = triggers.get(event.name, [])
    contact = session.get(Contact, event.contact_id) if candidates else None
    if contact is not None and contact.erased_at is None:
        account = contact.account
        for live in candidates:
            invitation = _fire(session, live, event, contact, account, now)
            if invitation is not None:
                created.append(invitation)
    event.matched_at = now
    session.flush()
    return created
