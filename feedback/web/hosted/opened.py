"""Opening an invitation's personal link marks the invitation OPENED.

Called by ``/s/<token>`` (GET) and ``/e/<token>/<score>``. The first read finds
out whether anything is to change, so an ordinary page view takes no write lock;
the change itself is a compare-and-set (only a SENT invitation becomes OPENED),
so a reload, two tabs or a link scanner change it once.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from surveys.db import begin_write, db, utcnow
from surveys.delivery.links import (
    LinkError,
    PersonalLink,
    invitation_id_of,
    is_personal_token,
    read_personal_link,
)
from surveys.delivery.models import Invitation, InvitationState
from surveys.delivery.sending import mark_opened

TOKEN_MAX = 512


def open_invitation(link: PersonalLink, now: datetime | None = None) -> bool:
    """Mark the link's invitation OPENED in the session's transaction (the caller commits)."""
    invitation_id = invitation_id_of(link)
    if invitation_id is None:
        return False
    return mark_opened(db.session, invitation_id, contact_id=link.contact_id, survey_id=link.survey_id,
                       now=now or utcnow())


def note_opened(token: str) -> None:
    """For a GET of ``/s/<token>``: mark the invitation behind a personal link OPENED, and commit."""
    if not is_personal_token(token) or len(token) > TOKEN_MAX:
        return
    try:
        link = read_personal_link(current_app.config["SECRET_KEY"], token)
    except LinkError:
        return  # the page itself says the link is not valid
    invitation_id = invitation_id_of(link)
    if invitation_id is None:
        return
    state = db.session.scalar(select(Invitation.state).where(Invitation.id == invitation_id))
    db.session.commit()  # end the read: the write below opens its own transaction
    if state is not InvitationState.SENT:
        return
    begin_write(db.session)
    open_invitation(link)
    db.session.commit()
