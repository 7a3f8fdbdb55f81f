"""identify and visitor: contacts upserted from traits, identity verification, tokens."""
from __future__ import annotations

from feedback.auth.models import KeyKind
from feedback.widget.identity import expected_hash
from surveys.audience.models import Contact
from surveys.audience.services import get_contact
from surveys.db import db
from tests.feedback.widget.protocol import (  # noqa: F401 - fixture
    ORIGIN,
    SECRET,
    call,
    count,
    identify,
    public_key,
    verify_identities,
    visitor_token,
)


def test_identify_creates_the_contact_from_the_traits(client, public_key, make_account):
    account = make_account(external_id="acme", name="Acme")
    answer = identify(client, public_key, "contact-42", {"email": "ada@example.com", "name": "Ada Lovelace",
                                                         "account_id": "acme", "plan": "pro", "locale": "fr",
                                                         "timezone": "Europe/Paris"})
    assert answer["verified"] is True
    assert answer["contact"] == {"external_id": "contact-42"}
    assert answer["token"]
    contact = get_contact(db.session, "contact-42")
    assert (contact.email, contact.name, contact.locale, contact.timezone) == (
        "ada@example.com", "Ada Lovelace", "fr", "Europe/Paris")
    assert contact.account_id == account.id
    assert contact.attributes == {"plan": "pro"}


def test_identify_updates_a_known_contact_and_never_blanks_its_fields(client, public_key, make_contact):
    make_contact(external_id="contact-42", email="old@example.com", name="Ada", attributes={"role": "admin"})
    identify(client, public_key, "contact-42", {"email": "", "name": "Ada L.", "seats": 12})
    contact = get_contact(db.session, "contact-42")
    assert contact.email == "old@example.com"
    assert contact.name == "Ada L."
    assert contact.attributes == {"role": "admin", "seats": 12}
    assert count(Contact) == 1


def test_an_unknown_account_is_ignored_not_invented(client, public_key):
    identify(client, public_key, "contact-42", {"account_id": "no-such-company"})
    assert get_contact(db.session, "contact-42").account_id is None


def test_a_bad_trait_is_a_422_naming_it_and_writes_nothing(client, public_key):
    response = call(client, "identify", {"key": public_key, "external_id": "contact-42",
                                         "traits": {"email": "not an address"}})
    assert response.status_code == 422
    assert response.get_json()["field"] == "traits.email"
    assert call(client, "identify", {"key": public_key, "external_id": "c", "traits": {"timezone": "Mars/Base"}}
                ).get_json()["field"] == "traits.timezone"
    assert call(client, "identify", {"key": public_key, "external_id": "c", "traits": [1]}
                ).get_json()["field"] == "traits"
    assert call(client, "identify", {"key": public_key, "traits": {}}).get_json()["field"] == "external_id"
    assert count(Contact) == 0


def test_a_reserved_external_id_is_refused(client, public_key):
    response = call(client, "identify", {"key": public_key, "external_id": "erased-123", "traits": {}})
    assert response.status_code == 422
    assert response.get_json()["field"] == "external_id"


def test_with_verification_a_matching_hash_identifies(client, session, public_key):
    verify_identities(session)
    answer = identify(client, public_key, "contact-42", {"email": "ada@example.com"},
                      user_hash=expected_hash(SECRET, "contact-42"))
    assert answer["verified"] is True
    assert get_contact(db.session, "contact-42").email == "ada@example.com"


def test_with_verification_a_forged_hash_stays_anonymous_and_writes_nothing(client, session, public_key,
                                                                             make_contact):
    make_contact(external_id="contact-42", email="ada@example.com", name="Ada")
    verify_identities(session)
    for forged in (expected_hash("wrong secret", "contact-42"), "", None, "0" * 64):
        answer = identify(client, public_key, "contact-42", {"email": "attacker@example.net", "name": "Eve"},
                          user_hash=forged)
        assert answer == {"token": answer["token"], "verified": False, "contact": None}
    contact = get_contact(db.session, "contact-42")
    assert (contact.email, contact.name) == ("ada@example.com", "Ada")
    assert count(Contact) == 1
    # ...and its token cannot act as that contact.
    refused = call(client, "track", {"key": public_key, "token": answer["token"],
                                     "events": [{"name": "x", "id": "e1"}]})
    assert refused.status_code == 422 and refused.get_json()["field"] == "token"


def test_with_verification_but_no_secret_nobody_is_verified(client, session, public_key):
    verify_identities(session, secret=None)
    answer = identify(client, public_key, "contact-42", user_hash=expected_hash("", "contact-42"))
    assert answer["verified"] is False


def test_tokens_issued_before_verification_was_turned_on_speak_for_nobody(client, session, public_key):
    token = identify(client, public_key, "contact-42")["token"]
    verify_identities(session)
    refused = call(client, "track", {"key": public_key, "token": token, "events": [{"name": "x", "id": "e1"}]})
    assert refused.status_code == 422 and refused.get_json()["field"] == "token"


def test_a_visitor_gets_an_anonymous_token(client, public_key):
    token = visitor_token(client, public_key)
    response = call(client, "poll", {"key": public_key, "token": token})
    assert response.get_json() == {"due": None}
    assert count(Contact) == 0


def test_a_token_is_only_good_with_its_key_and_unaltered(client, public_key, make_key):
    token = identify(client, public_key)["token"]
    other = make_key(KeyKind.PUBLIC, allowed_origins=[ORIGIN])[1]
    wrong_key = call(client, "poll", {"key": other, "token": token})
    assert wrong_key.status_code == 401
    assert wrong_key.get_json()["error"] == "invalid_token" and wrong_key.get_json()["field"] == "token"
    altered = call(client, "poll", {"key": public_key, "token": token[:-2] + "xx"})
    assert altered.status_code == 401
    assert call(client, "poll", {"key": public_key}).get_json()["field"] == "token"


def test_an_erased_contacts_token_is_refused(client, public_key):
    from surveys.audience.erasure import erase_contact

    token = identify(client, public_key, "contact-42")["token"]
    erase_contact(db.session, get_contact(db.session, "contact-42"), requested_by="dpo@example.com")
    db.session.commit()
    assert call(client, "poll", {"key": public_key, "token": token}).status_code == 401
