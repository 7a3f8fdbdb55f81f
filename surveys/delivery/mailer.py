"""Hand one message to SMTP (or the local outbox), saying exactly how far it got.

Unlike :mod:`surveys.delivery.transport`, which only sends, :func:`deliver`
calls ``before_end_of_data`` at the one moment that matters for "never mail
twice": after the server said ``354`` to DATA and before the message and its
final ``.`` go out. Up to there the server cannot deliver anything (a
transaction whose data never ended is dropped); from there on it may. The
caller records that moment (see :mod:`surveys.delivery.sending`).

Failures come back as :class:`SendError`: ``permanent`` for an SMTP 5xx,
temporary for a 4xx, a refused or dropped connection or a timeout, and
``handed_over`` when the connection failed after the end of data went out
without the server's reply (it may have accepted the message).

``SMTP_URL`` reads as in :mod:`surveys.delivery.transport`:
``smtp://user:password@host:587?starttls=1`` or ``smtps://user:password@host:465``.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from surveys.delivery.transport import OutboxTransport, SmtpServer

DEFAULT_TIMEOUT = 30.0
_LEADING_DOT = re.compile(rb"(?m)^\.")
_LINE_END = re.compile(rb"\r\n|\n|\r(?!\n)")


class SendError(Exception):
    """The message did not (surely) go: see ``permanent`` and ``handed_over``."""

    def __init__(self, reason: str, *, permanent: bool = False, handed_over: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.handed_over = handed_over


class _Checkpointed:
    """smtplib's DATA with a call-back just before the message is written (smtplib.SMTP.data)."""

    before_end_of_data: Callable[[], None] = staticmethod(lambda: None)
    handed_over = False

    def data(self, msg):  # type: ignore[no-untyped-def]
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        payload = msg if isinstance(msg, bytes) else msg.encode("ascii")
        payload = _LEADING_DOT.sub(b"..", _LINE_END.sub(b"\r\n", payload))
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        self.before_end_of_data()
        self.handed_over = True
        self.send(payload + b".\r\n")
        return self.getreply()


class _SMTP(_Checkpointed, smtplib.SMTP):
    pass


class _SMTPS(_Checkpointed, smtplib.SMTP_SSL):
    pass


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _smtp_reason(code: int, reply: bytes | str) -> SendError:
    return SendError(f"SMTP {code} {_text(reply)}".strip(), permanent=500 <= code < 600)


def deliver(message: EmailMessage, *, smtp_url: str | None, outbox_dir: str | Path,
            before_end_of_data: Callable[[], None], timeout: float = DEFAULT_TIMEOUT) -> None:
    """Send ``message`` through ``smtp_url`` (or write it to ``outbox_dir`` without one).

    Raises :class:`SendError`; whatever ``before_end_of_data`` raises passes through
    (the message is then not sent).
    """
    if not smtp_url:
        before_end_of_data()
        try:
            OutboxTransport(Path(outbox_dir)).send(message)
        except OSError as error:
            raise SendError(f"outbox not writable: {error}") from error
        return
    _deliver_smtp(message, smtp_url, before_end_of_data, timeout)


def _connect(server: SmtpServer, timeout: float) -> _SMTP:
    try:
        if server.implicit_tls:
            return _SMTPS(server.host, server.port, timeout=timeout, context=ssl.create_default_context())
        return _SMTP(server.host, server.port, timeout=timeout)
    except smtplib.SMTPConnectError as error:
        raise _smtp_reason(error.smtp_code, error.smtp_error) from error
    except (OSError, smtplib.SMTPException) as error:
        raise SendError(f"SMTP connection failed: {error}") from error


def _deliver_smtp(message: EmailMessage, smtp_url: str, before_end_of_data: Callable[[], None],
                  timeout: float) -> None:
    server = SmtpServer.from_url(smtp_url)
    smtp = _connect(server, timeout)
    smtp.before_end_of_data = before_end_of_data
    try:
        server.secure_and_log_in(smtp)
        refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        smtp.close()
        code, reply = next(iter(error.recipients.values()))
        raise _smtp_reason(code, reply) from error
    except smtplib.SMTPResponseException as error:
        # A reply, even to the end of data, is a clear answer: the server did not take it.
        smtp.close()
        raise _smtp_reason(error.smtp_code, error.smtp_error) from error
    except (OSError, smtplib.SMTPException) as error:
        smtp.close()
        if smtp.handed_over:
            raise SendError(f"SMTP connection lost after the message was sent, before the server's "
                            f"reply: {error}", handed_over=True) from error
        raise SendError(f"SMTP connection failed: {error}") from error
    except BaseException:
        # Dropped mid-transaction (no QUIT: a server reading DATA would take it as text),
        # so the server discards whatever it got.
        smtp.close()
        raise
    _quit_quietly(smtp)
    if refused:  # our one recipient was refused after all (smtplib only raises when all are)
        code, reply = next(iter(refused.values()))
        raise _smtp_reason(code, reply)


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT and close; the message was accepted, so errors here change nothing."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
