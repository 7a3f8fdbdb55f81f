"""User services: create, invite, accept an invitation, authenticate."""
from __future__ import annotations

import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback.auth.models import User
from feedback.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from feedback.auth.roles import Role
from surveys.db import utcnow

INVITE_MAX_AGE = 7 * 24 * 3600
_INVITE_SALT = "user-invite"


class UserError(ValueError):
    """A user operation was refused; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(session: Session, email: str, role: Role, password: str | None = None,
                name: str | None = None, invited_by: User | None = None) -> User:
    """Create a user; without a password the user is pending an invitation."""
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@") or len(email) > 320:
        raise UserError("email", "Not a valid email address.")
    if find_user(session, email) is not None:
        raise UserError("email", "A user with this email already exists.")
    user = User(email=email, role=role, name=(name or "").strip() or None,
                invited_by_id=invited_by.id if invited_by else None)
    if password is None:
        user.invite_nonce = secrets.token_urlsafe(16)
    else:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise UserError("password", problem)
    user.password_hash = hash_password(password)
    user.invite_nonce = None


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for every failure)."""
    user = find_user(session, email)
    if user is None:
        verify_password(None, password)
        return None
    if not user.active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_INVITE_SALT)


def invite_token(secret_key: str, user: User) -> str:
    """A signed, expiring, single-use token for ``user``'s invitation link."""
    return _serializer(secret_key).dumps({"user": user.id, "nonce": user.invite_nonce})


def user_for_invite(session: Session, secret_key: str, token: str) -> User:
    """The pending user the token invites; raises UserError when expired, altered or used."""
    try:
        data = _serializer(secret_key).loads(token, max_age=INVITE_MAX_AGE)
    except SignatureExpired:
        raise UserError("token", "This invitation has expired; ask an admin for a new one.") from None
    except BadSignature:
        raise UserError("token", "This invitation link is not valid.") from None
    user = session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.invite_nonce or user.invite_nonce != data.get("nonce"):
        raise UserError("token", "This invitation has already been used or was withdrawn.")
    return user


def reissue_invite(user: User) -> None:
    """A new invitation nonce: older links stop working."""
    user.invite_nonce = secrets.token_urlsafe(16)
