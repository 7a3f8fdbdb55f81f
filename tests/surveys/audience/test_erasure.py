from sqlalchemy import func, select

from surveys.audience.erasure import TOMBSTONE_PREFIX, erase_contact
from surveys.audience.models import Contact, ErasureRecord
from surveys.audience.services import get_contact


def test_erasure_clears_personal_data_and_keeps_the_row(session, make_account, make_contact):
    account = make_account()
    contact = make_contact(external_id="ada", account_id=account.id, name="Ada", email="ada@example.com",
                           timezone="Europe/London", locale="en-GB", attributes={"phone": "123"})
    calls = []
    erase_contact(session, contact, erasers=[lambda s, c: calls.append(c.external_id)], requested_by="dpo@example.com")
    session.commit()
    assert calls == ["ada"], "erasers run before the identifiers are gone"
    assert get_contact(session, "ada") is None
    erased = session.get(Contact, contact.id)
    assert erased.external_id.startswith(TOMBSTONE_PREFIX)
    assert (erased.email, erased.name, erased.timezone, erased.locale, erased.attributes) == (None, None, None, None, {})
    assert erased.erased_at is not None and erased.unsubscribed_at is not None
    assert erased.account_id == account.id, "the account's aggregates keep counting the row"
    assert session.scalar(select(func.count()).select_from(Contact)) == 1
    record = session.scalar(select(ErasureRecord))
    assert (record.contact_id, record.requested_by, record.erased_at) == (contact.id, "dpo@example.com", erased.erased_at)


def test_erasing_twice_is_a_no_op(session, make_contact):
    contact = make_contact()
    erase_contact(session, contact)
    tombstone, at = contact.external_id, contact.erased_at
    erase_contact(session, contact)
    assert (contact.external_id, contact.erased_at) == (tombstone, at)
    assert session.scalar(select(func.count()).select_from(ErasureRecord)) == 1
