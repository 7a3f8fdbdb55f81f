"""Who is calling: the public key, the token, and the contact the token speaks for (if any).

A token issued before the workspace turned identity verification on, for an
identity that was not verified, speaks for nobody any more: the visitor is
anonymous until a verified ``identify``. A token whose contact was erased or
deleted is refused (401 ``invalid_token``): the client identifies again.
"""
from __future__ import annotations

from dataclasses import dataclass

from feedback.auth.models import ApiKey
from feedback.widget import tokens
from feedback.widget.body import widget_body
from feedback.widget.errors import WidgetError
from feedback.widget.identity import verification_on
from feedback.widget.keys import authenticate
from surveys.audience.models import Contact
from surveys.db import db
from surveys.journeys.settings import read_settings


@dataclass(frozen=True)
class Caller:
    key: ApiKey
    token: tokens.WidgetToken
    contact: Contact | None

    @property
    def respondent(self) -> str:
        """Names the respondent in response keys: the contact's id, or ``a:<visitor>``."""
        return str(self.contact.id) if self.contact is not None else f"a:{self.token.visitor}"


def current_caller() -> Caller:
    """Authenticate the key and read the token; raises :class:`WidgetError` (401, 403)."""
    key = authenticate()
    token = tokens.read(widget_body().get("token"), key.id)
    if token.contact_id is None:
        return Caller(key, token, None)
    if verification_on(read_settings(db.session)) and not token.verified:
        return Caller(key, token, None)
    contact = db.session.get(Contact, token.contact_id)
    if contact is None or contact.erased_at is not None:
        raise WidgetError(401, "invalid_token", "This person is no longer known: identify again.", "token")
    return Caller(key, token, contact)
