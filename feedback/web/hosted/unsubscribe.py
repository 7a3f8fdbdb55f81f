"""``/u/<token>``: unsubscribe from surveys, from the mail's footer or in one click (RFC 8058).

- ``GET`` shows a page with one button and changes nothing (link scanners open
  every link in a mail);
- ``POST`` unsubscribes: ``Contact.unsubscribed_at`` is set and every open
  invitation is cancelled (reason "unsubscribed"). It is what mail clients send
  for ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (body
  ``List-Unsubscribe=One-Click``, no cookie, no CSRF token: the hosted blueprint
  is exempt from the CSRF check, and the signed token is the credential).
  Idempotent: a second POST shows the same page and changes nothing.

The token names one contact and never expires; an altered one gets the friendly
error page.
"""
from __future__ import annotations

from flask import current_app, render_template, request, url_for

from feedback.extensions import limiter
from feedback.web.hosted.blueprint import bp
from feedback.web.hosted.texts import texts_for
from feedback.web.hosted.views import message_page
from surveys.audience.models import Contact
from surveys.db import begin_write, db, utcnow
from surveys.delivery.links import LinkError, read_unsubscribe
from surveys.delivery.opt_out import unsubscribe_contact

POST_LIMIT = "30 per minute"
TOKEN_MAX = 256

WORDS = {
    "en": {"confirm_title": "Unsubscribe from surveys?",
           "confirm_text": "{email} will no longer receive survey invitations from us.",
           "button": "Unsubscribe",
           "done_title": "You’re unsubscribed",
           "done_text": "{email} will not receive survey invitations from us any more. Thank you for your time."},
    "fr": {"confirm_title": "Se désabonner des questionnaires ?",
           "confirm_text": "{email} ne recevra plus nos invitations à répondre à des questionnaires.",
           "button": "Se désabonner", "done_title": "Vous êtes désabonné",
           "done_text": "{email} ne recevra plus nos invitations. Merci de votre temps."},
    "de": {"confirm_title": "Von Umfragen abmelden?",
           "confirm_text": "{email} erhält dann keine Umfrage-Einladungen mehr von uns.",
           "button": "Abmelden", "done_title": "Sie sind abgemeldet",
           "done_text": "{email} erhält keine Umfrage-Einladungen mehr von uns. Danke für Ihre Zeit."},
    "es": {"confirm_title": "¿Darte de baja de las encuestas?",
           "confirm_text": "{email} dejará de recibir nuestras invitaciones a encuestas.",
           "button": "Darme de baja", "done_title": "Te has dado de baja",
           "done_text": "{email} ya no recibirá nuestras invitaciones a encuestas. Gracias por tu tiempo."},
    "pt": {"confirm_title": "Cancelar a inscrição nas pesquisas?",
           "confirm_text": "{email} deixará de receber os nossos convites para pesquisas.",
           "button": "Cancelar inscrição", "done_title": "A sua inscrição foi cancelada",
           "done_text": "{email} não receberá mais os nossos convites para pesquisas. Obrigado pelo seu tempo."},
}


def _masked(email: str | None) -> str:
    """``a***@example.com``: enough to recognise one's address, not enough to harvest it."""
    if not email or "@" not in email:
        return "This address"
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _page(contact: Contact, done: bool, token: str):
    texts = texts_for([contact.locale, *request.accept_languages.values()])
    words = WORDS.get(texts["lang"], WORDS["en"])
    email = _masked(contact.email)
    return render_template("hosted/unsubscribe.html", locale=texts["lang"], done=done, email=email,
                           title=words["done_title" if done else "confirm_title"],
                           text=words["done_text" if done else "confirm_text"].format(email=email),
                           button=words["button"], action=url_for("hosted.unsubscribe", token=token))


def _contact(token: str) -> Contact | None:
    if len(token) > TOKEN_MAX:
        return None
    try:
        contact_id = read_unsubscribe(current_app.config["SECRET_KEY"], token)
    except LinkError:
        return None
    return db.session.get(Contact, contact_id)


@bp.route("/u/<token>", methods=["GET", "POST"], endpoint="unsubscribe")
@limiter.limit(POST_LIMIT, methods=["POST"])
def unsubscribe(token: str):
    if request.method == "POST":
        begin_write(db.session())
    contact = _contact(token)
    if contact is None:
        db.session.rollback()
        return message_page(404)
    if request.method == "GET":
        return _page(contact, done=contact.unsubscribed_at is not None, token=token)
    unsubscribe_contact(db.session, contact, now=utcnow())
    db.session.commit()
    return _page(contact, done=True, token=token)
