"""``identify()``: who the person on the page is, and whether to believe it.

With identity verification off (the default), the page is trusted: the contact
is created or updated from the traits. With it on, ``user_hash`` must be the hex
HMAC-SHA256 of the external id under the workspace's widget secret; without a
match the person stays anonymous and nothing about that contact is read or
written (an attacker who guesses an id learns nothing and can answer as nobody).

Traits: ``email``, ``name``, ``locale``, ``timezone`` update the contact's own
fields (a missing or blank one leaves the field alone: the page never erases
what the CRM synced); ``account_id`` attaches the contact to the account with
that external id when it exists (the widget never invents companies); every
other trait (``plan``, ``role``...) is kept in the contact's attributes, where a
``null`` removes it.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from feedback.widget.errors import WidgetError, invalid
from surveys.audience.models import Contact
from surveys.audience.schemas import ContactLoadSchema
from surveys.audience.services import UnknownAccount, account_ids_by_external_id, get_contact, upsert_contacts
from surveys.journeys.models import WorkspaceSettings

OWN_FIELDS = ("email", "name", "locale", "timezone")
ACCOUNT_TRAIT = "account_id"
HASH_MAX = 128
TRAITS_MAX = 100


def expected_hash(secret: str, external_id: str) -> str:
    """The ``user_hash`` a product's server computes: hex HMAC-SHA256(secret, external id)."""
    return hmac.new(secret.encode(), external_id.encode(), hashlib.sha256).hexdigest()


def hash_matches(settings: WorkspaceSettings, external_id: str, user_hash: Any) -> bool:
    """Whether ``user_hash`` proves ``external_id`` (constant time); never without a secret."""
    secret = settings.widget_secret
    if not secret or not isinstance(user_hash, str) or len(user_hash) > HASH_MAX:
        return False
    return hmac.compare_digest(expected_hash(secret, external_id), user_hash.strip().lower())


def verification_on(settings: WorkspaceSettings) -> bool:
    return bool(settings.widget_verify_identity)


def contact_row(session: Session, external_id: str, traits: Mapping[str, Any]) -> dict[str, Any]:
    """The contact upsert row the traits make, loaded through the one contact schema; 422 naming
    the trait at fault."""
    if len(traits) > TRAITS_MAX:
        raise invalid("traits", f"At most {TRAITS_MAX} traits.")
    row: dict[str, Any] = {"external_id": external_id}
    attributes: dict[str, Any] = {}
    for name, value in traits.items():
        if name in OWN_FIELDS:
            if value is not None and not (isinstance(value, str) and not value.strip()):
                row[name] = value
        elif name == ACCOUNT_TRAIT:
            account = _account_external_id(session, value)
            if account is not None:
                row["account_external_id"] = account
        else:
            attributes[name] = value
    if attributes:
        row["attributes"] = attributes
    try:
        return ContactLoadSchema().load(row)
    except ValidationError as error:
        raise _trait_error(error.normalized_messages()) from None


def _account_external_id(session: Session, value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    return value if account_ids_by_external_id(session, [value]) else None


def _trait_error(messages: Mapping[str, Any]) -> WidgetError:
    name, problem = next(iter(messages.items()))
    if name == "external_id":
        return invalid("external_id", f"external_id: {_first(problem)}")
    field = {"attributes": "traits", "account_external_id": f"traits.{ACCOUNT_TRAIT}"}.get(name, f"traits.{name}")
    return invalid(field, f"{field}: {_first(problem)}")


def _first(problem: Any) -> str:
    while isinstance(problem, (list, dict)) and problem:
        problem = problem[0] if isinstance(problem, list) else next(iter(problem.values()))
    return str(problem)


def upsert_identified(session: Session, external_id: str, traits: Mapping[str, Any]) -> Contact:
    """Create or update the contact from the traits (see the module docstring); flushes."""
    row = contact_row(session, external_id, traits)
    try:
        upsert_contacts(session, [row])
    except UnknownAccount:  # deleted between the lookup and the upsert
        row.pop("account_external_id", None)
        upsert_contacts(session, [row])
    contact = get_contact(session, external_id)
    assert contact is not None
    return contact
