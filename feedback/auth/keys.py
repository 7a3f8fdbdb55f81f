"""API keys: created once and shown once, stored as a SHA-256 digest, found by prefix.

A key reads ``sk_<prefix>_<secret>`` (``pk_`` for public keys). The secret is
256 random bits, so a fast digest is as safe as a slow password hash here and
costs microseconds per request instead of milliseconds.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from feedback.auth.models import ApiKey, KeyKind, User
from surveys.db import utcnow

KIND_PREFIX = {KeyKind.SECRET: "sk", KeyKind.PUBLIC: "pk"}
LAST_USED_RESOLUTION = timedelta(minutes=1)  # don't write on every request


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, name: str, kind: KeyKind, created_by: User | None = None,
               allowed_origins: Sequence[str] = ()) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the plaintext key, which is never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("name: give the key a name of 1 to 100 characters")
    prefix = f"{KIND_PREFIX[kind]}_{secrets.token_hex(6)}"
    plaintext = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, kind=kind, prefix=prefix, digest=_digest(plaintext),
                 created_by_id=created_by.id if created_by else None, allowed_origins=list(allowed_origins))
    session.add(key)
    session.flush()
    return key, plaintext


_KEY_BY_PREFIX = select(ApiKey).where(ApiKey.prefix == bindparam("prefix"))


def authenticate_key(session: Session, plaintext: str) -> ApiKey | None:
    """The active key matching ``plaintext``, or None. Marks it used (at most once a minute)."""
    parts = plaintext.split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or len(plaintext) > 200:
        return None
    prefix = f"{parts[0]}_{parts[1]}"
    key = session.scalar(_KEY_BY_PREFIX, {"prefix": prefix})
    if key is None or not key.active or not hmac.compare_digest(key.digest, _digest(plaintext)):
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    return key


def revoke_key(session: Session, key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
    session.flush()


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())))
