"""Email transports: SMTP (``SMTP_URL``) or, by default, a local outbox folder.

``SMTP_URL`` reads ``smtp://user:password@host:587?starttls=1`` or
``smtps://user:password@host:465``. Without it, each message is written as an
``.eml`` file under ``instance/outbox`` where the web UI lists it: the same code
path builds and "sends" the message, only the last step differs.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class Transport(Protocol):
    def send(self, message: EmailMessage) -> str:
        """Send ``message``; returns its Message-ID."""


def _ensure_message_id(message: EmailMessage) -> str:
    if not message["Message-ID"]:
        message["Message-ID"] = make_msgid(domain="feedback.local")
    return message["Message-ID"]


@dataclass
class OutboxTransport:
    """Writes each message to ``folder`` as an ``.eml`` file instead of sending it."""

    folder: Path

    def send(self, message: EmailMessage) -> str:
        message_id = _ensure_message_id(message)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        safe_id = "".join(c for c in message_id if c.isalnum())[:40]
        path = self.folder / f"{stamp}-{safe_id}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(message.as_bytes(policy=policy.SMTP))
        tmp.rename(path)  # readers never see half a message
        return message_id


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to reach the server ``SMTP_URL`` names (see the module docstring)."""

    host: str
    port: int
    implicit_tls: bool  # smtps://: TLS from the first byte
    starttls: bool      # smtp://...?starttls=1: upgrade after EHLO
    username: str | None
    password: str

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        implicit_tls = parts.scheme == "smtps"
        return cls(host=parts.hostname or "localhost", port=parts.port or (465 if implicit_tls else 25),
                   implicit_tls=implicit_tls,
                   starttls=not implicit_tls and options.get("starttls") in {"1", "true", "yes"},
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password or ""))

    def secure_and_log_in(self, smtp: smtplib.SMTP) -> None:
        """STARTTLS when asked for, then log in when the URL has a user; on a connected ``smtp``."""
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password)


@dataclass
class SmtpTransport:
    """Sends through an SMTP server named by ``SMTP_URL``."""

    url: str
    timeout: float = 30.0

    def send(self, message: EmailMessage) -> str:
        message_id = _ensure_message_id(message)
        server = SmtpServer.from_url(self.url)
        smtp: smtplib.SMTP
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        with smtp:
            server.secure_and_log_in(smtp)
            smtp.send_message(message)
        return message_id


def transport_for(smtp_url: str | None, outbox_dir: str | Path) -> Transport:
    """The transport the settings ask for."""
    if smtp_url:
        return SmtpTransport(smtp_url)
    return OutboxTransport(Path(outbox_dir))


@dataclass(frozen=True)
class OutboxEntry:
    name: str
    subject: str
    to: str
    sent_at: datetime


def list_outbox(folder: str | Path, limit: int = 100) -> list[OutboxEntry]:
    """The newest messages in the outbox, newest first."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        headers = BytesParser(policy=policy.default).parsebytes(path.read_bytes(), headersonly=True)
        entries.append(OutboxEntry(path.name, str(headers["Subject"] or ""), str(headers["To"] or ""),
                                   datetime.fromtimestamp(path.stat().st_mtime, UTC)))
    return entries


def read_outbox_message(folder: str | Path, name: str) -> EmailMessage | None:
    """One outbox message by file name (names from :func:`list_outbox` only)."""
    folder = Path(folder)
    path = (folder / name).resolve()
    if path.parent != folder.resolve() or path.suffix != ".eml" or not path.is_file():
        return None
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())  # type: ignore[return-value]
