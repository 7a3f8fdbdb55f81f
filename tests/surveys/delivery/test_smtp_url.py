"""SMTP_URL, read once for both the plain transport and the invitation mailer."""
from __future__ import annotations

from surveys.delivery.transport import SmtpServer


def test_starttls_and_an_escaped_login_are_read_from_the_url():
    server = SmtpServer.from_url("smtp://u%40example.com:p%2Fw@mail.example.com:587?starttls=1")
    assert server == SmtpServer(host="mail.example.com", port=587, implicit_tls=False, starttls=True,
                                username="u@example.com", password="p/w")


def test_smtps_means_tls_from_the_start_on_port_465_by_default():
    server = SmtpServer.from_url("smtps://mail.example.com")
    assert (server.port, server.implicit_tls, server.starttls, server.username) == (465, True, False, None)


def test_a_bare_url_is_plain_smtp_on_port_25_without_login():
    server = SmtpServer.from_url("smtp://localhost?starttls=0")
    assert (server.host, server.port, server.implicit_tls, server.starttls, server.username) == (
        "localhost", 25, False, False, None)
