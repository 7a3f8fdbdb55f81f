"""The local outbox (admins, embedded mode only): the emails the service would have sent.

Without ``SMTP_URL`` every email is written under ``OUTBOX_DIR``; this page lets
a newcomer open them, e.g. to follow an invitation link. With SMTP it is 404.
"""
from __future__ import annotations

from flask import current_app, render_template
from werkzeug.exceptions import NotFound

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from surveys.delivery.transport import list_outbox, read_outbox_message

SHOWN_MESSAGES = 200


def _outbox_folder() -> str:
    if current_app.config.get("SMTP_URL"):
        raise NotFound()
    return current_app.config["OUTBOX_DIR"]


@bp.get("/outbox")
@requires(Permission.MANAGE_USERS)
def outbox():
    return render_template("web/outbox/index.html", messages=list_outbox(_outbox_folder(), limit=SHOWN_MESSAGES))


@bp.get("/outbox/<name>")
@requires(Permission.MANAGE_USERS)
def outbox_message(name: str):
    message = read_outbox_message(_outbox_folder(), name)
    if message is None:
        raise NotFound()
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    return render_template("web/outbox/show.html", name=name, message=message, text=text,
                           is_html=body is not None and body.get_content_type() == "text/html")
