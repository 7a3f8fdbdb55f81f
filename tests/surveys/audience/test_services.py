from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from surveys.audience.models import Account, Contact
from surveys.audience.schemas import AccountLoadSchema, ContactLoadSchema
from surveys.audience.services import UnknownAccount, merge_attributes, upsert_accounts, upsert_contacts


def _account(**kw):
    return AccountLoadSchema().load({"external_id": "acme", "name": "Acme"} | kw)


def test_upsert_creates_then_updates_only_given_fields(session):
    result = upsert_accounts(session, [_account(plan="pro", arr="1200.5", attributes={"region": "EU"})])
    session.commit()
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    result = upsert_accounts(session, [_account(segment="smb", attributes={"tier": 2})])
    session.commit()
    account = session.scalar(select(Account))
    assert result.updated == 1
    assert account.plan == "pro" and account.segment == "smb"
    assert account.arr == Decimal("1200.50")
    assert account.attributes == {"region": "EU", "tier": 2}


def test_upsert_of_identical_data_changes_nothing(session):
    upsert_accounts(session, [_account(plan="pro", renewal_date="2027-01-31")])
    session.commit()
    before = session.scalar(select(Account.updated_at))
    result = upsert_accounts(session, [_account(plan="pro", renewal_date="2027-01-31")])
    session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert session.scalar(select(Account.updated_at)) == before
    assert session.scalar(select(Account.renewal_date)) == date(2027, 1, 31)


def test_null_attribute_removes_the_key():
    assert merge_attributes({"a": 1, "b": 2}, {"a": None, "c": 3}) == {"b": 2, "c": 3}


def test_contact_joins_its_account_and_can_detach(session, make_account):
    account = make_account(external_id="acme")
    row = ContactLoadSchema().load({"external_id": "ada", "account_external_id": "acme", "email": "Ada@Example.COM"})
    upsert_contacts(session, [row])
    session.commit()
    contact = session.scalar(select(Contact))
    assert contact.account_id == account.id and contact.email == "Ada@example.com"
    upsert_contacts(session, [ContactLoadSchema().load({"external_id": "ada", "account_external_id": None})])
    session.commit()
    assert session.scalar(select(Contact.account_id)) is None


def test_unknown_account_is_refused_and_nothing_written(session):
    row = ContactLoadSchema().load({"external_id": "ada", "account_external_id": "nope"})
    with pytest.raises(UnknownAccount) as err:
        upsert_contacts(session, [row])
    assert err.value.external_id == "nope"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Contact)) == 0


def test_unsubscribe_keeps_the_first_time(session):
    upsert_contacts(session, [ContactLoadSchema().load({"external_id": "ada", "unsubscribed": True})])
    session.commit()
    first = session.scalar(select(Contact.unsubscribed_at))
    assert first is not None
    upsert_contacts(session, [ContactLoadSchema().load({"external_id": "ada", "unsubscribed": True})])
    session.commit()
    assert session.scalar(select(Contact.unsubscribed_at)) == first
    upsert_contacts(session, [ContactLoadSchema().load({"external_id": "ada", "unsubscribed": False})])
    session.commit()
    assert session.scalar(select(Contact.unsubscribed_at)) is None


def test_timestamps_are_aware_utc(session, make_account):
    account = make_account()
    session.expire_all()
    fresh = session.get(Account, account.id)
    assert fresh.created_at.utcoffset().total_seconds() == 0


def test_bulk_created_rows_may_name_different_fields(session):
    rows = [_account(external_id="a", plan="pro"), _account(external_id="b", segment="smb", arr="10"),
            _account(external_id="c")]
    result = upsert_accounts(session, rows)
    session.commit()
    assert (result.created, result.records) == (3, [])
    found = {a.external_id: (a.plan, a.segment, a.arr, a.attributes) for a in session.scalars(select(Account))}
    assert found == {"a": ("pro", None, None, {}), "b": (None, "smb", Decimal("10.00"), {}), "c": (None, None, None, {})}
    assert all(a.created_at is not None for a in session.scalars(select(Account)))


def test_the_same_id_twice_in_one_call_is_one_row(session):
    result = upsert_accounts(session, [_account(plan="pro", attributes={"x": 1}), _account(segment="smb", attributes={"y": 2})])
    session.commit()
    account = session.scalar(select(Account))
    assert result.created == 1
    assert (account.plan, account.segment, account.attributes) == ("pro", "smb", {"x": 1, "y": 2})
