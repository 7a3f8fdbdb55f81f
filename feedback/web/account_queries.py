"""The accounts list as the web UI asks for it: search, filters, sorts, one page at a time.

Read-only queries; they take the session and never write.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from feedback.auth.models import User
from feedback.web.blueprint import bp
from surveys.audience.models import Account, Contact
from surveys.audience.queries import accounts_query
from surveys.db import db
from surveys.delivery.models import Invitation
from surveys.design.models import Survey
from surveys.journeys.models import Event

PER_PAGE = 25
MAX_PAGE = 1_000_000  # keeps OFFSET a sane number whatever the URL says
SEARCH_MAX = 200
SORTS: dict[str, tuple[str, Any]] = {
    "name": ("Name, A to Z", func.lower(Account.name).asc()),
    "-name": ("Name, Z to A", func.lower(Account.name).desc()),
    "-arr": ("ARR, highest first", Account.arr.desc().nulls_last()),
    "arr": ("ARR, lowest first", Account.arr.asc().nulls_last()),
    "renewal": ("Renewal, soonest first", Account.renewal_date.asc().nulls_last()),
    "-renewal": ("Renewal, latest first", Account.renewal_date.desc().nulls_last()),
}
DEFAULT_SORT = "name"


@dataclass(frozen=True)
class AccountFilters:
    """What the person asked for; every field is a plain string from the query string."""

    q: str = ""
    plan: str = ""
    segment: str = ""
    csm: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AccountFilters:
        """Read the query string; unknown sorts fall back to the default, long texts are cut."""
        def text(name: str, limit: int = 320) -> str:
            return (args.get(name) or "").strip()[:limit]

        sort = text("sort", 16)
        return cls(q=text("q", SEARCH_MAX), plan=text("plan"), segment=text("segment"), csm=text("csm"),
                   sort=sort if sort in SORTS else DEFAULT_SORT)

    @property
    def active(self) -> bool:
        """True when anything narrows the list (sorting does not)."""
        return bool(self.q or self.plan or self.segment or self.csm)

    def query_args(self, **changes: Any) -> dict[str, Any]:
        """The non-empty parameters, with ``changes``, for ``url_for``: links keep the filters."""
        values = asdict(replace(self, **{k: v for k, v in changes.items() if k in asdict(self)}))
        values.update({k: v for k, v in changes.items() if k not in values})
        if values.get("sort") == DEFAULT_SORT:
            del values["sort"]
        return {k: v for k, v in values.items() if v not in ("", None, 1)}


def filtered_accounts(filters: AccountFilters) -> Select:
    """The accounts matching ``filters`` (unordered), by the same rules as the API's list."""
    return accounts_query(q=filters.q or None, plan=filters.plan or None, segment=filters.segment or None,
                          csm_email=filters.csm or None, sort=None)


def ordered_accounts(filters: AccountFilters) -> Select:
    # The id breaks ties so that a row never shows on two pages.
    return filtered_accounts(filters).order_by(SORTS[filters.sort][1], Account.id)


def summary(session: Session, filters: AccountFilters) -> tuple[int, Decimal]:
    """How many accounts match, and their total ARR."""
    matching = filtered_accounts(filters).subquery()
    count, total = session.execute(select(func.count(), func.coalesce(func.sum(matching.c.arr), 0))).one()
    return count, Decimal(total)


def contact_counts(session: Session, account_ids: list[int]) -> dict[int, int]:
    """Contacts (not erased) per account, for the accounts on one page."""
    if not account_ids:
        return {}
    query = (select(Contact.account_id, func.count()).where(Contact.account_id.in_(account_ids),
                                                             Contact.erased_at.is_(None))
             .group_by(Contact.account_id))
    return {account_id: count for account_id, count in session.execute(query)}


def _distinct(session: Session, column) -> list[str]:
    return list(session.scalars(select(column).where(column.is_not(None), column != "").distinct().order_by(column)))


def csm_names(session: Session, emails: list[str]) -> dict[str, str]:
    """Teammates' names by lower-cased email, to show a CSM as a person rather than an address."""
    lowered = {e.lower() for e in emails if e}
    if not lowered:
        return {}
    rows = session.execute(select(User.email, User.name).where(func.lower(User.email).in_(lowered)))
    return {email.lower(): name for email, name in rows if name}


@dataclass(frozen=True)
class FilterOptions:
    """Each a list of ``(value, label)`` for a ``<select>``."""

    plans: list[tuple[str, str]]
    segments: list[tuple[str, str]]
    csms: list[tuple[str, str]]


def filter_options(session: Session) -> FilterOptions:
    """The distinct plans, segments and CSMs that accounts have, for the filter selects."""
    emails = _distinct(session, Account.csm_email)
    names = csm_names(session, emails)
    csms = sorted(((e, f"{names[e.lower()]} ({e})" if e.lower() in names else e) for e in emails),
                  key=lambda pair: pair[1].lower())
    plans = [(p, p) for p in _distinct(session, Account.plan)]
    segments = [(s, s) for s in _distinct(session, Account.segment)]
    return FilterOptions(plans, segments, csms)


# --- the account's journey (events, and what each triggered) ----------------------------------

JOURNEY_SIZE = 15
_INVITATION_SHOWN = 3  # per event


@dataclass(frozen=True)
class JourneyInvitation:
    survey_id: int
    survey_name: str
    state: str
    reason: str | None


@dataclass(frozen=True)
class JourneyEvent:
    """One row of the account page's "Journey": an event, its contact, and the invitations it fired."""

    id: int
    name: str
    occurred_at: datetime
    contact_id: int
    contact_label: str | None  # None: the contact was erased
    properties: dict[str, Any]
    matched: bool
    invitations: list[JourneyInvitation]


def _contact_label(name: str | None, email: str | None, external_id: str, erased_at: datetime | None) -> str | None:
    return None if erased_at is not None else (name or email or external_id)


def account_journey(session: Session, account_id: int, limit: int = JOURNEY_SIZE) -> tuple[list[JourneyEvent], int]:
    """The account's latest events (as they were when each arrived), newest first, and how many it has."""
    total = session.scalar(select(func.count()).select_from(Event).where(Event.account_id == account_id)) or 0
    rows = session.execute(
        select(Event, Contact.name, Contact.email, Contact.external_id, Contact.erased_at)
        .join(Contact, Contact.id == Event.contact_id).where(Event.account_id == account_id)
        .order_by(Event.occurred_at.desc(), Event.id.desc()).limit(limit)).all()
    fired: dict[int, list[JourneyInvitation]] = {}
    if rows:
        invitations = session.execute(
            select(Invitation.event_id, Invitation.survey_id, Survey.name, Invitation.state, Invitation.reason)
            .join(Survey, Survey.id == Invitation.survey_id)
            .where(Invitation.event_id.in_([row[0].id for row in rows])).order_by(Invitation.id))
        for event_id, survey_id, survey_name, state, reason in invitations:
            fired.setdefault(event_id, []).append(JourneyInvitation(survey_id, survey_name, str(state), reason))
    journey = [JourneyEvent(event.id, event.name, event.occurred_at, event.contact_id,
                            _contact_label(name, email, external_id, erased_at), event.properties or {},
                            event.matched_at is not None, fired.get(event.id, [])[:_INVITATION_SHOWN])
               for event, name, email, external_id, erased_at in rows]
    return journey, total


@bp.app_template_global()
def journey_events(account: Account) -> dict[str, Any]:
    """The account page's "Journey" section (``web/accounts/_journey.html``): latest events and their count."""
    rows, count = account_journey(db.session, account.id)
    return {"rows": rows, "count": count}
