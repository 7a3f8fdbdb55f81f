"""The invitation email: a link to ``BASE_URL/invite/<token>`` sent through the configured transport."""
from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app, render_template

from feedback.auth.models import User
from feedback.auth.users import invite_token
from surveys.delivery.transport import transport_for

log = logging.getLogger(__name__)


def invite_link(user: User) -> str:
    """The absolute link that lets ``user`` set a password (valid until used or re-issued)."""
    token = invite_token(current_app.config["SECRET_KEY"], user)
    return f"{current_app.config['BASE_URL']}/invite/{token}"


def invitation_message(user: User, inviter: User | None, link: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "You're invited to Feedback Loop"
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = user.email
    message["Date"] = formatdate(usegmt=True)
    context = {"user": user, "inviter": inviter, "link": link}
    message.set_content(render_template("web/email/invitation.txt", **context))
    message.add_alternative(render_template("web/email/invitation.html", **context), subtype="html")
    return message


def send_invitation(user: User, inviter: User | None) -> tuple[str, bool]:
    """Email ``user`` their invitation; returns the link and whether the mail went out.

    Call after the commit that stored the invitation nonce: a mail must never
    point at a link the database does not know.
    """
    link = invite_link(user)
    transport = transport_for(current_app.config.get("SMTP_URL"), current_app.config["OUTBOX_DIR"])
    try:
        transport.send(invitation_message(user, inviter, link))
    except (OSError, ValueError) as err:  # smtplib errors are OSErrors; the link still works
        log.warning("invitation to %s not sent: %s", user.email, err)
        return link, False
    return link, True
