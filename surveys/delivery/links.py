"""Personal survey links: signed tokens that carry the survey and the contact.

A personal link is ``/s/<token>`` like the anonymous one, but its token is an
itsdangerous signature of ``{"s": survey_id, "c": contact_id, "n": nonce,
"e": expiry (Unix seconds)}``. Anyone holding it answers *as that contact*, so it is signed
with the service's secret key and checked on every request; an altered or
expired token is refused before anything is written. The nonce makes each
issued link one response: opening it again continues or revises that response.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
import time
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "feedback.personal-survey-link"
DEFAULT_TTL = timedelta(days=30)
MAX_TTL = timedelta(days=365)


class LinkError(ValueError):
    """The token is not a valid personal link; ``expired`` tells why for the error page."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True)
class PersonalLink:
    survey_id: int
    contact_id: int
    nonce: str

    @property
    def client_response_id(self) -> str:
        """The idempotency key of the one response this link records."""
        return f"link:{self.contact_id}:{self.nonce}"


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def is_personal_token(token: str) -> bool:
    """Anonymous survey tokens never contain a dot; signed ones always do."""
    return "." in token


def sign_personal_link(secret_key: str, survey_id: int, contact_id: int, *, ttl: timedelta = DEFAULT_TTL,
                       nonce: str | None = None, now: float | None = None) -> str:
    """A token for ``/s/<token>``, valid for ``ttl`` (at most a year); ``nonce`` ties it to one response."""
    if not timedelta(0) < ttl <= MAX_TTL:
        raise ValueError(f"A link lives between a second and {MAX_TTL.days} days.")
    expires = int((now if now is not None else time.time()) + ttl.total_seconds())
    return _serializer(secret_key).dumps(
        {"s": survey_id, "c": contact_id, "n": nonce or secrets.token_urlsafe(8), "e": expires})


def read_personal_link(secret_key: str, token: str, now: float | None = None) -> PersonalLink:
    """The link's contents; raise :class:`LinkError` if it was altered or has expired."""
    try:
        data = _serializer(secret_key).loads(token)
    except BadSignature:
        raise LinkError("This survey link is not valid.") from None
    if not (isinstance(data, dict) and all(isinstance(data.get(k), int) for k in "sce")
            and isinstance(data.get("n"), str)):
        raise LinkError("This survey link is not valid.")
    if data["e"] < (now if now is not None else time.time()):
        raise LinkError("This survey link has expired.", expired=True)
    return PersonalLink(data["s"], data["c"], data["n"])


# --- invitations and unsubscribe ------------------------------------------------------------

UNSUBSCRIBE_SALT = "feedback.unsubscribe"
INVITATION_LINK_TTL = timedelta(days=90)  # a mailed survey may be answered for a quarter


def invitation_nonce(invitation_id: int) -> str:
    """The nonce of invitation ``invitation_id``'s personal link: its response is ``link:<contact>:i<id>``."""
    return f"i{invitation_id}"


def invitation_id_of(link: PersonalLink) -> int | None:
    """The invitation a personal link was issued for, or None for a link handed out otherwise."""
    nonce = link.nonce
    if nonce.startswith("i") and nonce[1:].isdigit() and len(nonce) < 20:
        return int(nonce[1:])
    return None


def sign_invitation_link(secret_key: str, survey_id: int, contact_id: int, invitation_id: int, *,
                         ttl: timedelta = INVITATION_LINK_TTL, now: float | None = None) -> str:
    """The personal link of one invitation (``nonce=f"i{invitation_id}"``)."""
    return sign_personal_link(secret_key, survey_id, contact_id, ttl=ttl, nonce=invitation_nonce(invitation_id),
                              now=now)


def sign_unsubscribe(secret_key: str, contact_id: int) -> str:
    """A token for ``/u/<token>``: it unsubscribes one contact. It never expires (a mail may be
    read years later, and unsubscribing must always work); a different salt keeps it from
    ever passing as a survey link and the reverse."""
    return URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).dumps({"u": contact_id})


def read_unsubscribe(secret_key: str, token: str) -> int:
    """The contact id an unsubscribe token names; raise :class:`LinkError` if it was altered."""
    try:
        data = URLSafeSerializer(secret_key, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        raise LinkError("This unsubscribe link is not valid.") from None
    if not (isinstance(data, dict) and isinstance(data.get("u"), int) and not isinstance(data["u"], bool)):
        raise LinkError("This unsubscribe link is not valid.")
    return data["u"]
