"""``POST /api/v1/bounces``: stored, suppressing email, failing the invitation; bad input names the field."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveys.audience.models import Contact
from surveys.db import utcnow
from surveys.delivery.models import EmailBounce, InvitationState
from tests.invitation_helpers import live_survey, make_invitation, reload

NOW = utcnow()


def post(client, headers, *rows, **body):
    return client.post("/api/v1/bounces", json=body or {"bounces": list(rows)}, headers=headers)


def contact_now(session, contact_id: int) -> Contact:
    session.commit()
    return session.scalar(select(Contact).where(Contact.id == contact_id).execution_options(populate_existing=True))


def test_a_hard_bounce_suppresses_email_to_every_contact_with_the_address(client, session, api_headers,
                                                                          make_contact):
    ada = make_contact(email="Ada@Acme.example")
    twin = make_contact(email="ada@acme.example")
    other = make_contact(email="bob@acme.example")
    reply = post(client, api_headers, {"email": "ADA@acme.example", "kind": "hard", "reason": "550 5.1.1 unknown"})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json() == {"received": 1, "suppressed": 2, "invitations_failed": 0, "unmatched": 0}
    for contact_id in (ada.id, twin.id):
        stored = contact_now(session, contact_id)
        assert stored.email_suppressed_at is not None
        assert stored.email_suppressed_reason == "hard bounce: 550 5.1.1 unknown"
        assert stored.unsubscribed_at is None, "other channels may still reach them"
    assert contact_now(session, other.id).email_suppressed_at is None
    [bounce] = session.scalars(select(EmailBounce))
    assert (bounce.email, bounce.kind, bounce.contact_id) == ("ada@acme.example", "hard", ada.id)


def test_a_bounce_naming_its_message_fails_the_invitation(client, session, api_headers, make_contact):
    contact = make_contact(email="ada@acme.example")
    invitation = make_invitation(session, contact=contact, survey=live_survey(session), state=InvitationState.SENT,
                                 sent_at=NOW, message_id="<invitation-77@feedback.example.com>")
    reply = post(client, api_headers, {"message_id": "invitation-77@feedback.example.com", "kind": "hard",
                                       "reason": "550 5.1.1 user unknown"})
    assert reply.get_json() == {"received": 1, "suppressed": 1, "invitations_failed": 1, "unmatched": 0}
    failed = reload(session, invitation.id)
    assert (failed.state, failed.reason) == (InvitationState.FAILED, "hard bounce: 550 5.1.1 user unknown")
    assert contact_now(session, contact.id).email_suppressed_reason == "hard bounce: 550 5.1.1 user unknown"


def test_three_soft_bounces_within_30_days_suppress_and_two_do_not(client, session, api_headers, make_contact):
    contact = make_contact(email="ada@acme.example")
    soft = {"email": "ada@acme.example", "kind": "soft", "reason": "452 mailbox full"}
    assert post(client, api_headers, soft, soft).get_json()["suppressed"] == 0
    assert contact_now(session, contact.id).email_suppressed_at is None
    assert post(client, api_headers, soft).get_json()["suppressed"] == 1
    assert contact_now(session, contact.id).email_suppressed_reason == "3 soft bounces within 30 days: 452 mailbox full"


def test_old_soft_bounces_do_not_count(client, session, api_headers, make_contact):
    contact = make_contact(email="ada@acme.example")
    for _ in range(2):
        session.add(EmailBounce(email="ada@acme.example", kind="soft", reported_at=NOW - timedelta(days=31)))
    session.commit()
    post(client, api_headers, {"email": "ada@acme.example", "kind": "soft"})
    assert contact_now(session, contact.id).email_suppressed_at is None


def test_a_complaint_suppresses_but_its_delivered_invitation_keeps_its_state(client, session, api_headers,
                                                                              make_contact):
    contact = make_contact(email="ada@acme.example")
    invitation = make_invitation(session, contact=contact, survey=live_survey(session), state=InvitationState.OPENED,
                                 sent_at=NOW, message_id="<invitation-5@x>")
    post(client, api_headers, {"message_id": "<invitation-5@x>", "kind": "complaint"})
    assert contact_now(session, contact.id).email_suppressed_reason == "spam complaint"
    assert reload(session, invitation.id).state is InvitationState.OPENED


def test_unknown_addresses_are_stored_and_counted_unmatched(client, session, api_headers):
    reply = post(client, api_headers, {"email": "nobody@example.com", "kind": "hard"},
                 {"message_id": "<unknown@x>", "kind": "soft"})
    assert reply.get_json() == {"received": 2, "suppressed": 0, "invitations_failed": 0, "unmatched": 2}
    assert len(list(session.scalars(select(EmailBounce)))) == 2


@pytest.mark.parametrize(("body", "path"), [
    ({"bounces": [{"kind": "hard"}]}, ["bounces", "0", "email"]),
    ({"bounces": [{"email": "ada@acme.example", "kind": "bounced"}]}, ["bounces", "0", "kind"]),
    ({"bounces": [{"email": "ada@acme.example"}]}, ["bounces", "0", "kind"]),
    ({"bounces": [{"email": "not an address", "kind": "hard"}]}, ["bounces", "0", "email"]),
    ({"bounces": [{"message_id": "x" * 300, "kind": "hard"}]}, ["bounces", "0", "message_id"]),
    ({"bounces": [{"email": "ada@acme.example", "kind": "hard", "reason": "r" * 501}]}, ["bounces", "0", "reason"]),
    ({"bounces": [{"email": "ada@acme.example", "kind": "hard", "extra": 1}]}, ["bounces", "0", "extra"]),
    ({"bounces": []}, ["bounces"]),
    ({"bounces": [{"email": "a@b.co", "kind": "hard"}] * 1001}, ["bounces"]),
    ({"bounces": "hard"}, ["bounces"]),
    ({}, ["bounces"]),
])
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(client, session, api_headers, make_contact,
                                                                  body, path):
    contact = make_contact(email="ada@acme.example")
    good = {"email": "ada@acme.example", "kind": "hard"}
    if isinstance(body.get("bounces"), list) and 0 < len(body["bounces"]) <= 1000:
        body = {"bounces": [good, *body["bounces"]]}  # a good row before the bad one is not stored either
        path = [path[0], "1", *path[2:]]
    reply = client.post("/api/v1/bounces", json=body, headers=api_headers)
    assert reply.status_code == 422, reply.get_json()
    errors = reply.get_json()["errors"]["json"]
    for key in path:
        assert key in errors, (key, errors)
        errors = errors[key]
    assert list(session.scalars(select(EmailBounce))) == []
    assert contact_now(session, contact.id).email_suppressed_at is None


def test_bounces_need_a_secret_key(client):
    assert client.post("/api/v1/bounces", json={"bounces": [{"email": "a@b.co", "kind": "hard"}]}).status_code == 401


def test_the_endpoint_is_documented(client, api_headers):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/bounces"]
