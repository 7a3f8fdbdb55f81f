import pytest

from surveys.audience.schemas import AccountLoadSchema, ContactLoadSchema, load_lenient


@pytest.mark.parametrize(("field", "value", "message"), [
    ("arr", "lots", "Not a valid number."),
    ("arr", -5, "greater than or equal to 0"),
    ("arr", float("inf"), "nan or infinity"),
    ("arr", "1e400", "less than or equal to"),
    ("renewal_date", "2026-02-30", "Not a valid date."),
    ("csm_email", "bob@", "Not a valid email address."),
    ("external_id", "x" * 10_000, "Length must be between 1 and 255."),
    ("external_id", "", "Length must be between 1 and 255."),
    ("name", "bad\x00name", "control characters"),
])
def test_bad_account_values_are_named(field, value, message):
    data = {"external_id": "acme", "name": "Acme", field: value}
    loaded, errors = load_lenient(AccountLoadSchema(), data)
    assert loaded is None
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_missing_external_id_is_named():
    _, errors = load_lenient(AccountLoadSchema(), {"name": "Acme"})
    assert errors == {"external_id": ["Missing data for required field."]}


def test_unknown_fields_are_refused():
    _, errors = load_lenient(AccountLoadSchema(), {"external_id": "a", "name": "A", "revenue": 1})
    assert errors == {"revenue": ["Unknown field."]}


def test_contact_timezone_and_locale_are_checked():
    _, errors = load_lenient(ContactLoadSchema(), {"external_id": "c", "timezone": "Mars/Base", "locale": "not a locale"})
    assert "Mars/Base" in errors["timezone"][0]
    assert "locale" in errors


def test_attributes_nested_too_deep_are_refused():
    deep: dict = {}
    cursor = deep
    for _ in range(100):
        cursor["a"] = {}
        cursor = cursor["a"]
    _, errors = load_lenient(ContactLoadSchema(), {"external_id": "c", "attributes": deep})
    assert errors == {"attributes": ["Nested deeper than 5 levels."]}


def test_attributes_too_large_are_refused():
    _, errors = load_lenient(ContactLoadSchema(), {"external_id": "c", "attributes": {"blob": "x" * 20_000}})
    assert "Larger than" in errors["attributes"][0]


def test_values_are_trimmed_and_blank_labels_are_none():
    loaded, _ = load_lenient(AccountLoadSchema(), {"external_id": "  acme ", "name": " Acme ", "plan": "  ", "csm_email": "Kim@CS.Example.com"})
    assert loaded == {"external_id": "acme", "name": "Acme", "plan": None, "csm_email": "Kim@cs.example.com"}


def test_tombstone_ids_of_erased_contacts_cannot_be_written():
    _, errors = load_lenient(ContactLoadSchema(), {"external_id": "erased-0a1b2c", "email": "back@example.com"})
    assert "reserved for erased contacts" in errors["external_id"][0]
