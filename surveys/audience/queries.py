"""List queries of accounts and contacts: filters, sorting, one page at a time.

Plain functions of keyword filters returning 2.0-style ``select()`` statements,
shared by the REST API and the web UI. Every sort ends with the primary key so
pages are stable.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from surveys.audience.models import Account, Contact


def _order(column, descending: bool):
    # NULLS LAST on both backends (SQLite >= 3.30), so "no ARR" never tops a ranking.
    return (column.desc() if descending else column.asc()).nulls_last()


_ACCOUNT_SORT_COLUMNS = {
    "name": func.lower(Account.name),
    "arr": Account.arr,
    "renewal_date": Account.renewal_date,
    "updated_at": Account.updated_at,
}
_CONTACT_SORT_COLUMNS = {
    "name": func.lower(Contact.name),
    "email": Contact.email,
    "created_at": Contact.created_at,
    "updated_at": Contact.updated_at,
}


def _sorted(stmt: Select, columns: dict[str, Any], sort: str, key) -> Select:
    descending = sort.startswith("-")
    column = columns[sort.lstrip("-")]
    return stmt.order_by(_order(column, descending), key.desc() if descending else key.asc())


def accounts_query(*, q: str | None = None, plan: str | None = None, segment: str | None = None,
                   csm_email: str | None = None, renewal_after: date | None = None,
                   renewal_before: date | None = None, arr_min: Decimal | None = None,
                   arr_max: Decimal | None = None, sort: str | None = "name") -> Select:
    """Accounts matching every given filter; dates and ARR bounds are inclusive.

    ``sort=None`` leaves the statement unordered, for callers that order it
    themselves or only aggregate over it.
    """
    stmt = select(Account)
    if q:
        stmt = stmt.where(Account.name.icontains(q, autoescape=True)
                          | Account.external_id.icontains(q, autoescape=True))
    if plan is not None:
        stmt = stmt.where(Account.plan == plan)
    if segment is not None:
        stmt = stmt.where(Account.segment == segment)
    if csm_email is not None:
        stmt = stmt.where(func.lower(Account.csm_email) == csm_email.strip().lower())
    if renewal_after is not None:
        stmt = stmt.where(Account.renewal_date >= renewal_after)
    if renewal_before is not None:
        stmt = stmt.where(Account.renewal_date <= renewal_before)
    if arr_min is not None:
        stmt = stmt.where(Account.arr >= arr_min)
    if arr_max is not None:
        stmt = stmt.where(Account.arr <= arr_max)
    return stmt if sort is None else _sorted(stmt, _ACCOUNT_SORT_COLUMNS, sort, Account.id)


def contacts_query(*, q: str | None = None, account_external_id: str | None = None,
                   unsubscribed: bool | None = None, sort: str = "created_at") -> Select:
    """Contacts that are not erased and match every given filter."""
    stmt = select(Contact).where(Contact.erased_at.is_(None))
    if q:
        stmt = stmt.where(Contact.name.icontains(q, autoescape=True)
                          | Contact.email.icontains(q, autoescape=True)
                          | Contact.external_id.icontains(q, autoescape=True))
    if account_external_id is not None:
        account_id = select(Account.id).where(Account.external_id == account_external_id).scalar_subquery()
        stmt = stmt.where(Contact.account_id == account_id)
    if unsubscribed is not None:
        stmt = stmt.where(Contact.unsubscribed_at.is_not(None) if unsubscribed else Contact.unsubscribed_at.is_(None))
    return _sorted(stmt, _CONTACT_SORT_COLUMNS, sort, Contact.id)


def page(session: Session, stmt: Select, *, number: int, size: int) -> tuple[Sequence[Any], int]:
    """Rows of page ``number`` (from 1) of ``stmt``, and the total across pages."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(size).offset((number - 1) * size)).all()
    return rows, total
