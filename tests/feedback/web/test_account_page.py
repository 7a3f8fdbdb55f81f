"""One account's page: fields, attributes, contacts; erasing a contact (admins only, POST + confirm)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from feedback.auth.roles import Role
from surveys.audience.erasure import TOMBSTONE_PREFIX
from surveys.audience.models import Contact, ErasureRecord
from surveys.db import db, utcnow
from tests.feedback.web.conftest import form_post


@pytest.fixture
def acme(make_account):
    return make_account(external_id="crm/acme 1?", name="Acme Corp", plan="pro", segment="enterprise",
                        arr=Decimal("120000"), csm_email="sam@example.com",
                        renewal_date=date.today() + timedelta(days=40),
                        attributes={"industry": "Aerospace", "regions": ["EU", "US"]})


def test_account_page_shows_fields_attributes_and_contacts(signed_in, acme, make_contact, make_user):
    make_user(Role.CSM, email="sam@example.com", name="Sam Rivera")
    make_contact(account=acme, name="Jane Doe", email="jane@acme.test", timezone="Europe/Paris", locale="fr-FR")
    make_contact(account=acme, name="Joe Gone", email="joe@acme.test", unsubscribed_at=utcnow())
    client, _user = signed_in(Role.VIEWER)
    response = client.get("/accounts/crm%2Facme%201%3F")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1" in html and "Acme Corp" in html and "crm/acme 1?" in html
    assert "$120,000" in html and "in 40 days" in html and "Sam Rivera" in html
    assert "Aerospace" in html and '["EU", "US"]' in html.replace("&#34;", '"')
    assert "Jane Doe" in html and "Europe/Paris" in html and "fr-FR" in html
    assert "Unsubscribed" in html and "Subscribed" in html
    assert "Erase" not in html  # viewers may not erase


def test_the_list_links_to_the_account_page_even_with_odd_ids(signed_in, acme):
    client, _user = signed_in(Role.VIEWER)
    html = client.get("/accounts").get_data(as_text=True)
    assert 'href="/accounts/crm/acme%201%3F"' in html
    assert client.get("/accounts/crm/acme%201%3F").status_code == 200


def test_unknown_account_is_a_friendly_404(signed_in):
    client, _user = signed_in(Role.VIEWER)
    response = client.get("/accounts/nope")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_an_account_without_contacts_or_attributes_says_so(signed_in, make_account):
    make_account(external_id="bare", name="Bare")
    client, _user = signed_in(Role.VIEWER)
    html = client.get("/accounts/bare").get_data(as_text=True)
    assert "No contacts yet" in html and "No extra fields" in html


def test_contacts_are_paginated(signed_in, acme, make_contact):
    for n in range(55):
        make_contact(account=acme, name=f"Person {n:02d}")
    client, _user = signed_in(Role.VIEWER)
    first = client.get("/accounts/crm/acme%201%3F").get_data(as_text=True)
    assert "Showing 1–50 of 55" in first and "Person 49" in first and "Person 50" not in first
    second = client.get("/accounts/crm/acme%201%3F?contacts_page=2").get_data(as_text=True)
    assert "Person 54" in second and "Person 00" not in second


def test_admin_erases_a_contact_after_confirming(app, signed_in, acme, make_contact):
    contact = make_contact(account=acme, name="Jane Doe", email="jane@acme.test", attributes={"vip": True})
    erased = []
    app.extensions["erasers"] = [lambda session, c: erased.append(c.id)]
    client, admin = signed_in(Role.ADMIN)
    page = client.get("/accounts/crm/acme%201%3F").get_data(as_text=True)
    assert f'href="/contacts/{contact.id}/erase"' in page

    confirm = client.get(f"/contacts/{contact.id}/erase")
    assert confirm.status_code == 200 and "This cannot be undone." in confirm.get_data(as_text=True)
    db.session.refresh(contact)
    assert contact.erased_at is None  # asking changes nothing

    response = form_post(client, f"/contacts/{contact.id}/erase")
    assert response.status_code == 303 and response.headers["Location"] == "/accounts/crm/acme%201%3F"
    db.session.refresh(contact)
    assert contact.erased_at is not None and contact.external_id.startswith(TOMBSTONE_PREFIX)
    assert contact.email is None and contact.name is None and contact.attributes == {}
    assert contact.account_id == acme.id  # the account's aggregates keep the row
    assert erased == [contact.id]
    assert [(r.contact_id, r.requested_by) for r in db.session.scalars(select(ErasureRecord))] == [(contact.id, admin.email)]
    html = client.get("/accounts/crm/acme%201%3F").get_data(as_text=True)
    assert "Erased contact" in html and "jane@acme.test" not in html and "personal data is erased" in html
    assert "and 1 erased" in html


def test_erasing_twice_is_harmless(signed_in, acme, make_contact):
    contact = make_contact(account=acme)
    client, _user = signed_in(Role.ADMIN)
    form_post(client, f"/contacts/{contact.id}/erase")
    tombstone = db.session.scalar(select(Contact.external_id).where(Contact.id == contact.id))
    response = form_post(client, f"/contacts/{contact.id}/erase")
    assert response.status_code == 303
    assert db.session.scalar(select(Contact.external_id).where(Contact.id == contact.id)) == tombstone


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CSM, Role.VIEWER])
def test_only_admins_erase(signed_in, acme, make_contact, role):
    contact = make_contact(account=acme)
    client, _user = signed_in(role)
    assert client.get(f"/contacts/{contact.id}/erase").status_code == 403
    response = form_post(client, f"/contacts/{contact.id}/erase", page="/accounts")
    assert response.status_code == 403
    db.session.refresh(contact)
    assert contact.erased_at is None


def test_erase_without_csrf_is_400_and_erases_nothing(signed_in, acme, make_contact):
    contact = make_contact(account=acme)
    client, _user = signed_in(Role.ADMIN)
    assert client.post(f"/contacts/{contact.id}/erase").status_code == 400
    db.session.refresh(contact)
    assert contact.erased_at is None


def test_erasing_an_unknown_contact_is_404(signed_in):
    client, _user = signed_in(Role.ADMIN)
    assert client.get("/contacts/987654/erase").status_code == 404
