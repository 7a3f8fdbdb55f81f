"""The outbox page: the embedded mode's emails, for admins, only without SMTP."""
from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from feedback.auth.roles import Role
from surveys.delivery.transport import OutboxTransport


def _send(app, subject: str, body: str) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "fb@localhost", "ana@example.com"
    message.set_content(body)
    OutboxTransport(Path(app.config["OUTBOX_DIR"])).send(message)


def test_admin_reads_the_outbox_and_follows_links(app, admin_client):
    _send(app, "Hello <there>", "Open http://localhost/invite/abc.def now <b>bold</b>")
    html = admin_client.get("/outbox").get_data(as_text=True)
    assert "Hello &lt;there&gt;" in html and "ana@example.com" in html
    assert 'href="/outbox"' in admin_client.get("/accounts").get_data(as_text=True)  # in the menu
    name = next(Path(app.config["OUTBOX_DIR"]).glob("*.eml")).name
    message = admin_client.get(f"/outbox/{name}").get_data(as_text=True)
    assert '<a href="http://localhost/invite/abc.def">http://localhost/invite/abc.def</a>' in message
    assert "&lt;b&gt;bold&lt;/b&gt;" in message  # text stays text


def test_empty_outbox_says_where_mail_will_appear(admin_client):
    assert "The outbox is empty" in admin_client.get("/outbox").get_data(as_text=True)


@pytest.mark.parametrize("name", ["../secret_key", "..%2Fsecret.eml", "nope.eml", "x.txt"])
def test_only_outbox_messages_can_be_opened(admin_client, name):
    assert admin_client.get(f"/outbox/{name}").status_code == 404


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CSM, Role.VIEWER])
def test_only_admins_open_the_outbox(signed_in, role):
    client, _user = signed_in(role)
    assert client.get("/outbox").status_code == 403
    assert 'href="/outbox"' not in client.get("/accounts").get_data(as_text=True)


def test_with_smtp_there_is_no_outbox(app, admin_client):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    assert admin_client.get("/outbox").status_code == 404
    assert 'href="/outbox"' not in admin_client.get("/accounts").get_data(as_text=True)
