"""Who is answering on ``/s/<token>``: the survey, the contact (personal links) and the respondent key.

The respondent key is the response's ``client_response_id``, so every answer a
respondent posts lands on one response (partial until the last question):

- a personal link's key comes from the signed link (:attr:`PersonalLink.client_response_id`);
- an anonymous respondent gets a random key on their first answer, carried in
  the page's hidden ``r`` field and the redirect URL, and in a cookie scoped to
  ``/s/<token>`` so a reload resumes. Anonymous keys are namespaced (``anon:``)
  and shaped, so one can never name a personal link's response.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy.orm import Session

from feedback.responses.models import Response
from feedback.responses.services import find_by_client_id
from surveys.audience.models import Contact
from surveys.delivery.links import (
    LinkError,
    PersonalLink,
    is_personal_token,
    read_personal_link,
)
from surveys.design.models import Survey
from surveys.design.services import get_survey_by_token

COOKIE = "fl_respondent"
COOKIE_MAX_AGE = 30 * 24 * 3600
_ANONYMOUS_KEY = re.compile(r"^[A-Za-z0-9_-]{22}$")
TOKEN_MAX = 512


class Unanswerable(Exception):
    """The link names no survey we can show: ``status`` 404 (invalid) or 410 (expired, erased)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Respondent:
    token: str
    survey: Survey
    contact: Contact | None = None
    link: PersonalLink | None = None
    anonymous_key: str | None = None  # the bare key for URLs and the cookie; None until the first answer

    @property
    def personal(self) -> bool:
        return self.link is not None

    @property
    def client_response_id(self) -> str | None:
        if self.link is not None:
            return self.link.client_response_id
        return f"anon:{self.anonymous_key}" if self.anonymous_key else None

    def ensure_key(self) -> None:
        """Give a new anonymous respondent their key (on the first answer)."""
        if self.link is None and self.anonymous_key is None:
            self.anonymous_key = secrets.token_urlsafe(16)

    def response(self, session: Session) -> Response | None:
        key = self.client_response_id
        return find_by_client_id(session, self.survey.id, key) if key else None


def anonymous_key(*candidates: str | None) -> str | None:
    """The first well-formed key among ``candidates`` (form field, URL, cookie)."""
    return next((c for c in candidates if c and _ANONYMOUS_KEY.match(c)), None)


def find_respondent(session: Session, token: str) -> Respondent:
    """The survey and person behind ``token``; raise :class:`Unanswerable` when there is none."""
    if len(token) > TOKEN_MAX:
        raise Unanswerable(404)
    if not is_personal_token(token):
        survey = get_survey_by_token(session, token)
        if survey is None:
            raise Unanswerable(404)
        key = anonymous_key(request.form.get("r"), request.args.get("r"), request.cookies.get(COOKIE))
        return Respondent(token, survey, anonymous_key=key)
    try:
        link = read_personal_link(current_app.config["SECRET_KEY"], token)
    except LinkError as error:
        raise Unanswerable(410 if error.expired else 404) from None
    survey = session.get(Survey, link.survey_id)
    contact = session.get(Contact, link.contact_id)
    if survey is None or contact is None:
        raise Unanswerable(404)
    if contact.erased_at is not None:
        raise Unanswerable(410)  # the person asked to be forgotten: the link is dead for good
    return Respondent(token, survey, contact=contact, link=link)
