"""Filters against a contact, its account and an event's properties; wrong types fail, never raise."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from surveys.audience.models import Account, Contact
from surveys.journeys.filters import describe_filter, evaluate_filters
from surveys.journeys.triggers import Filter

ACCOUNT = SimpleNamespace(plan="Pro", segment="SMB", arr=Decimal("12000.00"), csm_email="ana@acme.test",
                          renewal_date=date(2026, 12, 3), attributes={"region": "EU", "beta": True, "seats": 40})
CONTACT = SimpleNamespace(email="bo@acme.test", locale="fr", timezone="Europe/Paris",
                          created_at=datetime(2026, 1, 10, 12, 0, tzinfo=UTC), attributes={"role": "admin"})
PROPERTIES = {"seats": 12, "seats_text": "ten", "count": "15", "tags": ["a", "b"], "when": "2026-05-01",
              "note": "Upgraded to Enterprise"}


def verdict(field, op, value=None, *, account=ACCOUNT, contact=CONTACT, properties=PROPERTIES):
    [result] = evaluate_filters([Filter(field, op, value)], contact=contact, account=account, properties=properties)
    return result


@pytest.mark.parametrize(("field", "op", "value", "passed"), [
    ("account.plan", "=", "pro", True),  # text is case-insensitive
    ("account.plan", "!=", "pro", False),
    ("account.plan", "in", ("free", "pro"), True),
    ("account.plan", "not in", ("free", "starter"), True),
    ("account.segment", "in", ("enterprise",), False),
    ("account.arr", ">=", 12000, True),
    ("account.arr", ">", 12000, False),
    ("account.arr", "<", 12000.5, True),
    ("account.arr", "=", 12000, True),
    ("account.arr", "in", (100, 12000), True),
    ("account.csm_email", "exists", True, True),
    ("account.csm_email", "contains", "@ACME", True),
    ("account.renewal_date", "<", "2026-12-04", True),
    ("account.renewal_date", "<=", "2026-12-02", False),
    ("account.renewal_date", ">=", "2026-12-03T23:00:00+00:00", True),  # a plain date compares by day
    ("account.renewal_date", "=", "2026-12-03", True),
    ("account.attributes.region", "=", "eu", True),
    ("account.attributes.beta", "=", True, True),
    ("account.attributes.seats", ">", 39, True),
    ("account.attributes.missing", "exists", False, True),
    ("account.attributes.missing", "exists", True, False),
    ("contact.locale", "=", "fr", True),
    ("contact.timezone", "contains", "paris", True),
    ("contact.created_at", ">", "2026-01-10T11:59:00+00:00", True),
    ("contact.created_at", "<", "2026-01-10", False),
    ("contact.attributes.role", "in", ("admin", "owner"), True),
    ("properties.seats", ">=", 10, True),
    ("properties.seats", "<", 10, False),
    ("properties.count", ">", 14, True),  # numeric text from an event compares as a number
    ("properties.count", "=", 15, True),
    ("properties.tags", "contains", "b", True),
    ("properties.tags", "contains", "c", False),
    ("properties.when", "<", "2026-06-01", True),
    ("properties.note", "contains", "enterprise", True),
    ("properties.absent", "=", "x", False),
    ("properties.absent", "!=", "x", True),
    ("properties.absent", "not in", ("x",), True),
])
def test_each_op(field, op, value, passed):
    result = verdict(field, op, value)
    assert result.passed is passed, result.detail


def test_a_string_compared_with_a_number_fails_and_says_why():
    result = verdict("properties.seats_text", ">=", 10)
    assert result.passed is False
    assert result.detail == "properties.seats_text is 'ten', not a number"
    assert verdict("properties.seats_text", "<", "2026-01-01").detail == "properties.seats_text is 'ten', not a date"
    assert verdict("properties.tags", ">", 1).passed is False
    assert verdict("properties.seats", "contains", "1").detail == "properties.seats is 12, not a text or a list"


def test_no_account_and_no_properties():
    assert verdict("account.plan", "=", "pro", account=None).detail == "plan = pro: no (account.plan is not set)"
    assert verdict("account.plan", "!=", "pro", account=None).passed
    assert not verdict("properties.seats", ">", 1, properties=None).passed
    assert verdict("account.attributes.region", "exists", False, account=SimpleNamespace(attributes=None)).passed


def test_details_read_as_sentences():
    assert verdict("account.plan", "in", ("pro", "enterprise")).detail == \
        "plan in pro, enterprise: yes (account.plan is 'Pro')"
    assert verdict("account.arr", "<", 100).detail == "ARR < 100: no (account.arr is 12000)"


def test_every_filter_gets_a_verdict_in_order():
    results = evaluate_filters([Filter("account.plan", "=", "pro"), Filter("properties.seats", ">=", 100)],
                               contact=CONTACT, account=ACCOUNT, properties=PROPERTIES)
    assert [r.passed for r in results] == [True, False]
    assert evaluate_filters([], contact=CONTACT, account=ACCOUNT) == []


def test_with_real_models():
    account = Account(external_id="a", name="Acme", plan="enterprise", arr=Decimal("5"), attributes={})
    contact = Contact(external_id="c", email="x@y.test", attributes={"vip": "yes"}, account=account)
    results = evaluate_filters([Filter("account.plan", "in", ("pro", "enterprise")),
                                Filter("contact.attributes.vip", "=", "yes"), Filter("account.arr", "<", 10)],
                               contact=contact, account=account)
    assert all(r.passed for r in results), [r.detail for r in results]


@pytest.mark.parametrize(("f", "words"), [
    (Filter("account.plan", "in", ("pro", "enterprise")), "plan in pro, enterprise"),
    (Filter("properties.seats", ">=", 10), "properties.seats >= 10"),
    (Filter("account.csm_email", "exists", True), "CSM is set"),
    (Filter("account.segment", "exists", False), "segment is not set"),
    (Filter("contact.attributes.vip", "=", True), "contact.attributes.vip = true"),
])
def test_describe(f, words):
    assert describe_filter(f) == words
