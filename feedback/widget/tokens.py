"""Widget tokens: who the widget speaks for, signed so that a page cannot claim another person.

A token is itsdangerous-signed with the app's secret key (salt ``feedback.widget``)
and carries ``{"k": key id, "c": contact id | null, "a": anonymous visitor id,
"v": 1 when the identity was verified}``. It is only good with the key it was
issued for, for :data:`MAX_AGE`. Tokens are the widget's session: no cookie is set.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from feedback.widget.errors import WidgetError

SALT = "feedback.widget"
MAX_AGE = 30 * 24 * 3600  # seconds
TOKEN_MAX = 1024
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


@dataclass(frozen=True)
class WidgetToken:
    key_id: int
    contact_id: int | None
    visitor: str  # random, per identify/visitor call: names an anonymous respondent's answers
    verified: bool = False

    @property
    def anonymous(self) -> bool:
        return self.contact_id is None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(key_id: int, contact_id: int | None, *, verified: bool = False) -> tuple[WidgetToken, str]:
    """A new token for this key and contact (None: an anonymous visitor), and its signed text."""
    token = WidgetToken(key_id, contact_id, secrets.token_urlsafe(16), verified)
    payload = {"k": key_id, "c": contact_id, "a": token.visitor}
    if verified:
        payload["v"] = 1
    return token, _serializer().dumps(payload)


def _bad(message: str) -> WidgetError:
    return WidgetError(401, "invalid_token", message, "token")


def read(text: object, key_id: int) -> WidgetToken:
    """The token ``text`` names; 401 ``invalid_token`` (the client identifies again) when it is
    missing, altered, expired or issued for another key."""
    if not isinstance(text, str) or not text or len(text) > TOKEN_MAX:
        raise _bad("token is required: call identify (or visitor) first.")
    try:
        payload = _serializer().loads(text, max_age=MAX_AGE)
    except BadSignature:  # SignatureExpired is one
        raise _bad("The token is invalid or expired: identify again.") from None
    if not isinstance(payload, dict) or payload.get("k") != key_id:
        raise _bad("The token was issued for another key: identify again.")
    contact_id, visitor = payload.get("c"), payload.get("a")
    if (contact_id is not None and not isinstance(contact_id, int)) or not isinstance(visitor, str) \
            or not _VISITOR.match(visitor):
        raise _bad("The token is invalid: identify again.")
    return WidgetToken(key_id, contact_id, visitor, payload.get("v") == 1)
