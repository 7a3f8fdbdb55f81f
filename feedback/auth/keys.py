"""API keys: created once and shown once, stored as a SHA-256 digest, found by prefix.

A key reads ``sk_<prefix>_<secret>`` (``pk_`` for public keys). The secret is
256 random bits, so a fast digest is as safe as a slow password hash here and
costs microseconds per request instead of milliseconds.

A public key is no secret: it sits in every page that embeds the widget. Made with
``derive_with`` (the app's secret key), its second half is an HMAC of its prefix, so the
install page can show it again (:func:`public_key_plaintext`) while only its digest is stored.
A public key also carries the browser origins allowed to use it (:func:`set_allowed_origins`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from feedback.auth.models import ApiKey, KeyKind, User
from surveys.db import utcnow

KIND_PREFIX = {KeyKind.SECRET: "sk", KeyKind.PUBLIC: "pk"}
LAST_USED_RESOLUTION = timedelta(minutes=1)  # don't write on every request
MAX_ORIGINS = 50
ORIGIN_MAX = 255
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _derived_secret(prefix: str, derive_with: str) -> str:
    mac = hmac.new(derive_with.encode(), f"feedback.public-key:{prefix}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def create_key(session: Session, name: str, kind: KeyKind, created_by: User | None = None,
               allowed_origins: Sequence[str] = (), derive_with: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the plaintext key, which is never stored.

    ``allowed_origins`` are checked and normalised as :func:`normalize_origins` does
    (``ValueError("allowed_origins: ...")``). ``derive_with`` (public keys only): the
    app's secret key, which makes the key showable again with :func:`public_key_plaintext`.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("name: give the key a name of 1 to 100 characters")
    origins = normalize_origins(allowed_origins)
    prefix = f"{KIND_PREFIX[kind]}_{secrets.token_hex(6)}"
    if kind is KeyKind.PUBLIC and derive_with:
        plaintext = f"{prefix}_{_derived_secret(prefix, derive_with)}"
    else:
        plaintext = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, kind=kind, prefix=prefix, digest=_digest(plaintext),
                 created_by_id=created_by.id if created_by else None, allowed_origins=origins)
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


def public_key_plaintext(key: ApiKey, derive_with: str) -> str | None:
    """The whole public key, for the install page; None for a secret key, or one that was not
    made with ``derive_with`` (made by hand, or before the app's secret key changed)."""
    if key.kind is not KeyKind.PUBLIC:
        return None
    plaintext = f"{key.prefix}_{_derived_secret(key.prefix, derive_with)}"
    return plaintext if hmac.compare_digest(key.digest, _digest(plaintext)) else None


def normalize_origin(text: str) -> str:
    """``text`` as a browser sends it in ``Origin``: ``scheme://host[:port]``, lower case, no
    default port. Raises ``ValueError`` (the message names the origin) for anything else."""
    raw = text.strip()
    shown = raw[:80]
    problem = f"{shown!r} is not an origin; write scheme://host[:port], e.g. https://app.example.com"
    if not raw or len(raw) > ORIGIN_MAX or any(c.isspace() for c in raw):
        raise ValueError(problem)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ValueError(problem) from None
    scheme, host = parts.scheme.lower(), parts.hostname
    if (scheme not in _DEFAULT_PORTS or not host or parts.username is not None or parts.password is not None
            or parts.path not in ("", "/") or parts.query or parts.fragment or "?" in raw or "#" in raw
            or not (_HOST.match(host) or ":" in host)):
        raise ValueError(problem)
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != _DEFAULT_PORTS[scheme] else "")


def normalize_origins(origins: Iterable[str]) -> list[str]:
    """Each origin normalised, duplicates dropped, order kept; ``ValueError("allowed_origins: ...")``."""
    result: list[str] = []
    for text in origins:
        try:
            origin = normalize_origin(text)
        except ValueError as err:
            raise ValueError(f"allowed_origins: {err}") from None
        if origin not in result:
            result.append(origin)
    if len(result) > MAX_ORIGINS:
        raise ValueError(f"allowed_origins: at most {MAX_ORIGINS} origins per key")
    return result


def set_allowed_origins(session: Session, key: ApiKey, origins: Iterable[str]) -> ApiKey:
    """Replace the browser origins allowed to use ``key`` (an empty list allows none).

    All or nothing: a bad origin raises ``ValueError("allowed_origins: ...")`` and changes nothing.
    """
    key.allowed_origins = normalize_origins(origins)
    session.flush()
    return key
