"""One invitation's email: its signed links, its addresses, its Message-ID.

The Message-ID is a function of the invitation alone (``<invitation-{id}@{domain}>``),
so a mail sent again after an interrupted attempt carries the same id and mail
stores that saw the first one treat the second as the same message.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any
from urllib.parse import urlsplit

from surveys.audience.models import Account, Contact
from surveys.delivery.email import build_invitation_email, default_subject, one_line
from surveys.delivery.links import sign_invitation_link, sign_unsubscribe
from surveys.delivery.models import Invitation
from surveys.design.kinds import SCORE_TYPES, QuestionType, score_range
from surveys.design.placeholders import values_for

DEFAULT_DOMAIN = "feedback.local"
NAME_MAX = 80


@dataclass(frozen=True)
class MailSettings:
    """What the service's configuration gives every invitation mail."""

    secret_key: str
    base_url: str          # BASE_URL, without a trailing slash
    sender: str            # SMTP_FROM
    unsubscribe_mailto: str | None = None


def message_domain(base_url: str) -> str:
    """The host of ``base_url`` when it is a name, else ``feedback.local``."""
    host = urlsplit(base_url).hostname or ""
    try:
        ipaddress.ip_address(host)
        return DEFAULT_DOMAIN
    except ValueError:
        return host or DEFAULT_DOMAIN


def message_id_for(invitation_id: int, base_url: str) -> str:
    return f"<invitation-{invitation_id}@{message_domain(base_url)}>"


@dataclass(frozen=True)
class InvitationLinks:
    survey_url: str
    score_urls: dict[int, str]
    unsubscribe_url: str


def invitation_links(invitation: Invitation, definition: dict[str, Any], settings: MailSettings) -> InvitationLinks:
    """The personal survey link (``/s/<token>``), one ``/e/<token>/<score>`` per score of the
    first question when it is a score question, and the unsubscribe page."""
    token = sign_invitation_link(settings.secret_key, invitation.survey_id, invitation.contact_id, invitation.id)
    base = settings.base_url.rstrip("/")
    first = definition["questions"][0]
    scores: dict[int, str] = {}
    if QuestionType(first["type"]) in SCORE_TYPES:
        low, high = score_range(first)
        scores = {n: f"{base}/e/{token}/{n}" for n in range(low, high + 1)}
    unsubscribe = f"{base}/u/{sign_unsubscribe(settings.secret_key, invitation.contact_id)}"
    return InvitationLinks(f"{base}/s/{token}", scores, unsubscribe)


def invitation_email(invitation: Invitation, contact: Contact, account: Account | None,
                     definition: dict[str, Any], settings: MailSettings) -> EmailMessage:
    """The mail for ``invitation`` to ``contact``, asking ``definition``'s first question."""
    if not contact.email:
        raise ValueError("the contact has no email address")
    links = invitation_links(invitation, definition, settings)
    values = values_for(definition.get("product"), contact.name, account.name if account else None)
    name = one_line(contact.name or "")[:NAME_MAX]
    csm = account.csm_email if account is not None and account.csm_email else None
    return build_invitation_email(
        to=formataddr((name, contact.email)) if name else contact.email,
        sender=settings.sender, reply_to=csm,
        subject=default_subject(definition, contact.locale, values),
        definition=definition, locale=contact.locale, placeholder_values=values,
        score_urls=links.score_urls, survey_url=links.survey_url,
        unsubscribe_url=links.unsubscribe_url, one_click_url=links.unsubscribe_url,
        message_id=message_id_for(invitation.id, settings.base_url),
        unsubscribe_mailto=settings.unsubscribe_mailto)
