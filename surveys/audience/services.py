"""Upserts of accounts and contacts, keyed by ``external_id``.

Contract for every upsert here: the caller passes rows already loaded through
:mod:`surveys.audience.schemas`; fields present in a row overwrite, absent fields
keep their value (``null`` on create); ``attributes`` merge key by key, a
``null`` value removing the key. A row that changes nothing leaves the record,
and its ``updated_at``, untouched, so re-sending the same data is a no-op.
Services flush; the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys.audience.models import Account, Contact
from surveys.db import utcnow

Model = TypeVar("Model", Account, Contact)


class UnknownAccount(LookupError):
    """A contact names an ``account_external_id`` that is not in the workspace."""

    def __init__(self, external_id: str) -> None:
        super().__init__(f"No account with external_id {external_id!r}.")
        self.external_id = external_id


@dataclass
class UpsertResult:
    """What an upsert did; ``records`` only when asked for (see :func:`upsert_accounts`)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    records: list[Any] = field(default_factory=list)

    def add(self, other: UpsertResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.records.extend(other.records)


def merge_attributes(current: Mapping[str, Any] | None, changes: Mapping[str, Any]) -> dict[str, Any]:
    """``current`` updated with ``changes``; a ``None`` value removes its key."""
    merged = dict(current or {})
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _apply(record: Any, values: Mapping[str, Any]) -> bool:
    """Set the given fields on ``record``; True when anything changed."""
    changed = False
    for key, value in values.items():
        if key == "attributes":
            value = merge_attributes(record.attributes, value)
        if getattr(record, key) != value:
            setattr(record, key, value)
            changed = True
    return changed


def _upsert(session: Session, model: type[Model], rows: Sequence[Mapping[str, Any]],
            keep_records: bool) -> UpsertResult:
    ids = [row["external_id"] for row in rows]
    existing = {
        r.external_id: r for r in session.scalars(select(model).where(model.external_id.in_(ids)))
    }
    result = UpsertResult()
    new_rows: dict[str, dict[str, Any]] = {}
    for row in rows:
        record = existing.get(row["external_id"])
        if record is None and row["external_id"] in new_rows:
            # The same id twice in one call: the later row updates the earlier one.
            values = new_rows[row["external_id"]]
            attributes = merge_attributes(values.get("attributes"), row.get("attributes") or {})
            values.update(row, attributes=attributes)
        elif record is None:
            values = dict(row)
            values["attributes"] = merge_attributes({}, values.get("attributes") or {})
            new_rows[row["external_id"]] = values
            result.created += 1
        elif _apply(record, row):
            result.updated += 1
            result.records.append(record)
        else:
            result.unchanged += 1
            result.records.append(record)
    if new_rows:
        if keep_records:
            created = [model(**values) for values in new_rows.values()]
            session.add_all(created)
            result.records.extend(created)
        else:
            # One multi-row INSERT instead of the unit of work: most of a bulk sync's cost.
            # Rows may name different fields; an absent one is null on create, so fill it in.
            now = utcnow()
            columns = {key for values in new_rows.values() for key in values}
            params = [{"created_at": now, "updated_at": now} | dict.fromkeys(columns) | values
                      for values in new_rows.values()]
            session.execute(insert(model), params)
    return result


def _with_retry(session: Session, work) -> UpsertResult:
    """Run ``work`` in a savepoint; retry once if a concurrent writer inserted the same id."""
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                result = work()
                session.flush()
            return result
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def upsert_accounts(session: Session, rows: Sequence[Mapping[str, Any]], keep_records: bool = False) -> UpsertResult:
    """Create or update accounts by ``external_id`` (see the module contract).

    ``keep_records`` puts the ORM objects in ``result.records`` (updated and
    unchanged first, then created); without it new rows go in as one bulk
    ``INSERT`` and only the counts are reported.
    """
    return _with_retry(session, lambda: _upsert(session, Account, rows, keep_records))


def account_ids_by_external_id(session: Session, external_ids: Iterable[str]) -> dict[str, int]:
    """Map each known account ``external_id`` among ``external_ids`` to its primary key."""
    wanted = {e for e in external_ids if e}
    if not wanted:
        return {}
    rows = session.execute(select(Account.external_id, Account.id).where(Account.external_id.in_(wanted)))
    return {external_id: pk for external_id, pk in rows}


def _contact_values(row: Mapping[str, Any], account_ids: Mapping[str, int]) -> dict[str, Any]:
    values = dict(row)
    if "account_external_id" in values:
        account_external_id = values.pop("account_external_id")
        if account_external_id is None:
            values["account_id"] = None
        elif account_external_id in account_ids:
            values["account_id"] = account_ids[account_external_id]
        else:
            raise UnknownAccount(account_external_id)
    if "unsubscribed" in values:
        values["unsubscribed"] = bool(values["unsubscribed"])
    return values


def _resolve_unsubscribe(session: Session, rows: list[dict[str, Any]]) -> None:
    """Turn ``unsubscribed: bool`` into ``unsubscribed_at``, keeping the first time it was set."""
    flagged = [r for r in rows if "unsubscribed" in r]
    if not flagged:
        return
    ids = [r["external_id"] for r in flagged]
    since = {
        external_id: at for external_id, at in session.execute(
            select(Contact.external_id, Contact.unsubscribed_at).where(Contact.external_id.in_(ids)))
    }
    now = utcnow()
    for row in flagged:
        wanted = row.pop("unsubscribed")
        row["unsubscribed_at"] = (since.get(row["external_id"]) or now) if wanted else None


def upsert_contacts(session: Session, rows: Sequence[Mapping[str, Any]], keep_records: bool = False) -> UpsertResult:
    """Create or update contacts by ``external_id`` (see the module contract).

    ``account_external_id`` must name an existing account (raises
    :class:`UnknownAccount`); ``null`` detaches the contact from its account.
    """
    account_ids = account_ids_by_external_id(session, (r.get("account_external_id") for r in rows))
    values = [_contact_values(row, account_ids) for row in rows]
    _resolve_unsubscribe(session, values)
    return _with_retry(session, lambda: _upsert(session, Contact, values, keep_records))


def get_account(session: Session, external_id: str) -> Account | None:
    return session.scalar(select(Account).where(Account.external_id == external_id))


_CONTACT_BY_EXTERNAL_ID = select(Contact).where(Contact.external_id == bindparam("external_id"))


def get_contact(session: Session, external_id: str) -> Contact | None:
    return session.scalar(_CONTACT_BY_EXTERNAL_ID, {"external_id": external_id})
