import hashlib

import pytest
from sqlalchemy import select

from feedback.auth.keys import authenticate_key, create_key, revoke_key
from feedback.auth.models import ApiKey, KeyKind, User
from feedback.auth.roles import Permission, Role
from feedback.auth.users import UserError, authenticate, create_user, invite_token, set_password, user_for_invite


def test_key_is_stored_as_a_digest_and_found_by_prefix(session):
    key, plaintext = create_key(session, "CRM", KeyKind.SECRET)
    session.commit()
    assert plaintext.startswith(key.prefix + "_") and key.prefix.startswith("sk_")
    stored = session.scalar(select(ApiKey))
    assert stored.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in (stored.digest, stored.prefix)
    assert authenticate_key(session, plaintext).id == key.id
    assert key.last_used_at is not None


@pytest.mark.parametrize("mangle", [lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"), lambda k: "sk_000000000000_x",
                                    lambda k: "", lambda k: "no-underscores", lambda k: "x" * 500])
def test_wrong_keys_are_refused(session, mangle):
    _key, plaintext = create_key(session, "CRM", KeyKind.SECRET)
    assert authenticate_key(session, mangle(plaintext)) is None


def test_revoked_key_is_refused(session):
    key, plaintext = create_key(session, "CRM", KeyKind.PUBLIC)
    assert key.prefix.startswith("pk_")
    revoke_key(session, key)
    assert authenticate_key(session, plaintext) is None


def test_key_needs_a_name(session):
    with pytest.raises(ValueError, match="name"):
        create_key(session, "  ", KeyKind.SECRET)


def test_password_is_hashed_with_argon2_and_checked(session):
    user = create_user(session, "Kim@Example.com", Role.MANAGER, password="a long passphrase")
    session.commit()
    assert user.email == "kim@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert authenticate(session, "KIM@example.com", "a long passphrase").id == user.id
    assert authenticate(session, "kim@example.com", "wrong password!") is None
    assert authenticate(session, "nobody@example.com", "a long passphrase") is None


def test_inactive_users_cannot_log_in(session):
    user = create_user(session, "kim@example.com", Role.ADMIN, password="a long passphrase")
    user.active = False
    assert authenticate(session, "kim@example.com", "a long passphrase") is None
    assert not user.may(Permission.READ_AUDIENCE)


def test_duplicate_and_bad_emails_are_named(session):
    create_user(session, "kim@example.com", Role.ADMIN, password="a long passphrase")
    with pytest.raises(UserError) as err:
        create_user(session, "KIM@example.com", Role.VIEWER)
    assert err.value.field == "email"
    with pytest.raises(UserError, match="email"):
        create_user(session, "bob@", Role.VIEWER)


def test_short_passwords_are_refused(session):
    with pytest.raises(UserError) as err:
        create_user(session, "kim@example.com", Role.ADMIN, password="short")
    assert err.value.field == "password"


def test_invitation_token_is_single_use(session):
    user = create_user(session, "new@example.com", Role.CSM)
    assert user.pending_invite
    token = invite_token("secret", user)
    assert user_for_invite(session, "secret", token) is user
    set_password(user, "a long passphrase")
    with pytest.raises(UserError, match="already been used"):
        user_for_invite(session, "secret", token)


def test_altered_invitation_token_is_refused(session):
    user = create_user(session, "new@example.com", Role.CSM)
    token = invite_token("secret", user)
    with pytest.raises(UserError, match="not valid"):
        user_for_invite(session, "secret", token[:-8] + ("x" if token[-8] != "x" else "y") + token[-7:])
    with pytest.raises(UserError, match="not valid"):
        user_for_invite(session, "other-secret", token)


@pytest.mark.parametrize(("role", "allowed"), [
    (Role.VIEWER, {Permission.READ_AUDIENCE, Permission.READ_SURVEYS, Permission.READ_RESPONSES}),
    (Role.CSM, {Permission.READ_AUDIENCE, Permission.READ_SURVEYS, Permission.READ_RESPONSES}),
    (Role.MANAGER, {Permission.READ_AUDIENCE, Permission.WRITE_AUDIENCE, Permission.READ_SURVEYS,
                    Permission.DESIGN_SURVEYS, Permission.READ_RESPONSES, Permission.SUBMIT_RESPONSES,
                    Permission.TRACK_EVENTS}),
    (Role.ADMIN, set(Permission)),
])
def test_roles_grant_what_the_table_says(role, allowed):
    user = User(email="x@example.com", role=role, active=True)
    assert {p for p in Permission if user.may(p)} == allowed
