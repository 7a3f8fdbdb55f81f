"""Who may be asked, and why not: every rule between a trigger firing and an invitation going out.

:func:`check_eligibility` checks, in this order, and says why in a sentence each:

``survey_live``      the survey is live (published, not paused or archived);
``contact_active``   the contact is not erased;
``unsubscribed``     the contact has not unsubscribed ("unsubscribed on 2026-11-02");
``channel``          some channel of the trigger reaches them (email: an address, not suppressed);
``filters``          each audience / property filter of the trigger (one verdict per filter);
``sample``           the contact is in the trigger's sample ("sampled out: 20 % of contacts are asked");
``recontact``        not invited by any survey within this survey's recontact period;
``account_limit``    their account has not had its N invitations in the period;
``open_invitation``  no open (scheduled, sent, opened) invitation of this survey already waits;
``timezone``         informational: the zone the send window is read in (and a fallback, said so);
``send_window``      informational: inside the window, or the next slot (``Trace.send_at``).

Every rule is checked, even after one failed, so the trace answers "why not?" completely.
It reads and never writes.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveys.audience.models import Account, Contact
from surveys.delivery.models import OPEN_STATES, Invitation
from surveys.design.models import Survey, SurveyStatus
from surveys.journeys.filters import evaluate_filters
from surveys.journeys.models import WorkspaceSettings
from surveys.journeys.sampling import in_sample
from surveys.journeys.settings import read_settings
from surveys.journeys.throttles import account_verdict, day, recontact_verdict
from surveys.journeys.triggers import (
    DAY_NAMES,
    SendWindow,
    Trigger,
    parse_triggers,
    send_window_of,
    throttle_of,
)
from surveys.journeys.verdicts import Trace, Verdict
from surveys.journeys.windows import in_window, next_send_time, resolve_zone

__all__ = ["Trace", "Verdict", "check_eligibility", "definition_of", "lock_for_send", "readable_triggers",
           "survey_channels"]

_STATUS_SENTENCES = {
    SurveyStatus.DRAFT: "is a draft: it was never published",
    SurveyStatus.PAUSED: "is paused",
    SurveyStatus.ARCHIVED: "is archived",
}


def definition_of(survey: Survey) -> Mapping[str, Any]:
    """The definition invitations are sent from: the latest version's, else (never published) the draft."""
    return survey.latest_version.definition if survey.latest_version is not None else survey.draft


def check_eligibility(session: Session, contact: Contact, survey: Survey, *, trigger: Trigger | None,
                      now: datetime, properties: Mapping[str, Any] | None = None, channel: str | None = None,
                      invitation_id: int | None = None) -> Trace:
    """Check every rule for asking ``contact`` to answer ``survey`` at ``now``; see the module docstring.

    ``trigger`` adds its filters (against ``properties``, the event's) and its sampling;
    without one, only the rules every trigger shares are checked. ``channel`` checks that
    channel alone; otherwise any of the trigger's channels (or the survey's) will do.
    ``invitation_id`` is the invitation being sent, left out of the throttles and of the
    open-invitation rule so that it does not block itself.
    """
    settings = read_settings(session)
    definition = definition_of(survey)
    channels = (channel,) if channel else (trigger.channels if trigger else survey_channels(definition))
    verdicts = [_survey_live(survey), _contact_active(contact), _subscribed(contact), _channel(contact, channels)]
    if trigger is not None:
        verdicts += _filters(trigger, contact, properties)
        verdicts.append(_sample(trigger, contact, survey))
    verdicts += [
        recontact_verdict(session, contact, settings, throttle_of(definition), now=now,
                          exclude_invitation_id=invitation_id),
        account_verdict(session, contact, settings, now=now, exclude_invitation_id=invitation_id),
        _open_invitation(session, contact, survey, invitation_id),
    ]
    zone, zone_verdict = _timezone(contact, settings)
    window = effective_window(definition, settings)
    verdicts += [zone_verdict, _send_window(window, zone, now)]
    trace = Trace(verdicts)
    trace.send_at = next_send_time(now, window, zone) if trace.eligible else None
    return trace


def lock_for_send(session: Session, contact: Contact) -> None:
    """Hold the contact's account row, then the contact's, until the transaction ends.

    Two transactions that each check the throttles and then record a send for the same
    contact (or account) thus run one after the other, and the second sees the first's
    send. PostgreSQL: ``SELECT ... FOR UPDATE`` (account first, always the same order, so
    no deadlock). SQLite: nothing to do, because its writers are already serialised by
    ``surveys.db.begin_write`` (``BEGIN IMMEDIATE``), which the caller must have opened.
    """
    if session.get_bind().dialect.name == "sqlite":
        return
    # FOR NO KEY UPDATE: senders queue behind each other, while inserts that merely reference
    # the rows (events, responses, invitations: their foreign keys take KEY SHARE) do not wait.
    if contact.account_id is not None:
        session.execute(select(Account.id).where(Account.id == contact.account_id).with_for_update(key_share=True))
    session.execute(select(Contact.id).where(Contact.id == contact.id).with_for_update(key_share=True))


def survey_channels(definition: Mapping[str, Any]) -> tuple[str, ...]:
    """Every channel the survey's triggers may use, in order of first mention; email when none."""
    seen: dict[str, None] = {}
    for trigger in readable_triggers(definition):
        seen.update(dict.fromkeys(trigger.channels))
    return tuple(seen) or ("email",)


def readable_triggers(definition: Mapping[str, Any]) -> list[Trigger]:
    """The definition's triggers; none when a stored definition cannot be read (never fail a trace on it)."""
    try:
        return parse_triggers(definition)
    except (ValueError, KeyError, TypeError):
        return []


def effective_window(definition: Mapping[str, Any], settings: WorkspaceSettings) -> SendWindow | None:
    """The survey's own send window, else the workspace's, else none."""
    return send_window_of(definition) or send_window_of({"send_window": settings.send_window})


def _survey_live(survey: Survey) -> Verdict:
    if survey.status is SurveyStatus.LIVE and survey.latest_version is not None:
        return Verdict("survey_live", True, f"survey '{survey.name}' is live (version {survey.latest_version.number})")
    sentence = _STATUS_SENTENCES.get(survey.status, "takes no answers")
    return Verdict("survey_live", False, f"survey '{survey.name}' {sentence}")


def _contact_active(contact: Contact) -> Verdict:
    if contact.erased_at is not None:
        return Verdict("contact_active", False, f"contact erased on {day(contact.erased_at)}")
    return Verdict("contact_active", True, "contact is active")


def _subscribed(contact: Contact) -> Verdict:
    if contact.unsubscribed_at is not None:
        return Verdict("unsubscribed", False, f"unsubscribed on {day(contact.unsubscribed_at)}")
    return Verdict("unsubscribed", True, "subscribed")


def channel_problem(contact: Contact, channel: str) -> str | None:
    """Why ``channel`` cannot reach the contact, or None when it can."""
    if channel != "email":
        return None  # the widget shows in-app surveys on the next page view; links are handed out by you
    if not contact.email:
        return "email: no address"
    if contact.email_suppressed_at is not None:
        reason = contact.email_suppressed_reason or f"since {day(contact.email_suppressed_at)}"
        return f"email suppressed: {reason}"
    return None


def _channel(contact: Contact, channels: tuple[str, ...]) -> Verdict:
    problems = {channel: channel_problem(contact, channel) for channel in channels}
    reachable = [channel for channel, problem in problems.items() if problem is None]
    blocked = "; ".join(problem for problem in problems.values() if problem)
    if not reachable:
        detail = blocked if len(channels) == 1 else f"no channel reaches this contact: {blocked}"
        return Verdict("channel", False, detail)
    detail = f"reachable by {_channel_label(reachable[0])}" + (f" ({blocked})" if blocked else "")
    return Verdict("channel", True, detail)


def _channel_label(channel: str) -> str:
    return {"in_app": "in-app", "email": "email", "link": "link"}.get(channel, channel)


def _filters(trigger: Trigger, contact: Contact, properties: Mapping[str, Any] | None) -> list[Verdict]:
    if not trigger.filters:
        return [Verdict("filters", True, "no audience filters")]
    results = evaluate_filters(trigger.filters, contact=contact, account=contact.account, properties=properties)
    return [Verdict("filters", result.passed, result.detail) for result in results]


def percent(rate: float) -> str:
    return f"{rate * 100:.4g} %"


def _sample(trigger: Trigger, contact: Contact, survey: Survey) -> Verdict:
    if trigger.sample >= 1:
        return Verdict("sample", True, "no sampling: every match is asked")
    if in_sample(contact.id, survey.id, trigger.key, trigger.sample):
        return Verdict("sample", True, f"sampled in: {percent(trigger.sample)} of contacts are asked")
    return Verdict("sample", False, f"sampled out: {percent(trigger.sample)} of contacts are asked")


def _open_invitation(session: Session, contact: Contact, survey: Survey, invitation_id: int | None) -> Verdict:
    query = select(Invitation).where(Invitation.contact_id == contact.id, Invitation.survey_id == survey.id,
                                     Invitation.state.in_(OPEN_STATES))
    if invitation_id is not None:
        query = query.where(Invitation.id != invitation_id)
    waiting = session.scalars(query.order_by(Invitation.id).limit(1)).first()
    if waiting is None:
        return Verdict("open_invitation", True, "no open invitation for this survey")
    return Verdict("open_invitation", False,
                   f"an open invitation for this survey already exists (#{waiting.id}, {waiting.state.value}, "
                   f"{_channel_label(waiting.channel.value)}, scheduled for {_minute(waiting.scheduled_for)})")


def _timezone(contact: Contact, settings: WorkspaceSettings) -> tuple[ZoneInfo, Verdict]:
    zone, note = resolve_zone(contact.timezone, settings.timezone)
    if note:
        return zone, Verdict("timezone", True, f"fell back to workspace timezone {zone.key}: {note}")
    whose = "the contact's timezone" if contact.timezone else "the workspace timezone; the contact has none"
    return zone, Verdict("timezone", True, f"sends in {zone.key} ({whose})")


def _send_window(window: SendWindow | None, zone: ZoneInfo, now: datetime) -> Verdict:
    if window is None:
        return Verdict("send_window", True, "no send window: sends at any hour")
    described = f"{describe_window(window)} {zone.key}"
    if in_window(now, window, zone):
        return Verdict("send_window", True, f"inside the send window ({described})")
    slot = next_send_time(now, window, zone)
    local = slot.astimezone(zone)
    return Verdict("send_window", True,
                   f"outside send window → next slot {local.strftime('%a %Y-%m-%d %H:%M')} {zone.key}", slot)


def describe_window(window: SendWindow) -> str:
    """``Tue–Thu 09:00–17:00``; days that do not follow each other are listed (``Mon, Wed 09:00–12:00``)."""
    days = sorted(window.days)
    if not days:
        return "never (no days chosen)"
    names = [DAY_NAMES[d].capitalize() for d in days]
    consecutive = len(days) > 2 and days == list(range(days[0], days[-1] + 1))
    label = f"{names[0]}–{names[-1]}" if consecutive else ", ".join(names)
    return f"{label} {window.start.strftime('%H:%M')}–{window.end.strftime('%H:%M')}"


def _minute(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")
