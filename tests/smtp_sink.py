"""A real SMTP server (aiosmtpd) on the loopback, capturing what is sent, with faults to order.

``mode`` says how the next transactions go:

- ``"accept"``: 250, the message is kept in :attr:`SmtpSink.messages`;
- ``"tempfail"``: 451 to the end of data; ``"reject"``: 554 to the end of data;
- ``"reject_rcpt"``: 550 to RCPT TO;
- ``"stall_data_command"``: the server never answers the DATA command (before ``354``);
- ``"stall_after_data"``: the message is received in full, the server never replies.

A stall sets :attr:`SmtpSink.stalled`; a client that disconnects during one leaves
nothing behind (aiosmtpd cancels the transaction), as a real MTA would.
"""
from __future__ import annotations

import asyncio
import socket
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, syntax

STALL_SECONDS = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.mode = "accept"
        self.stalled = threading.Event()
        self.port = free_port()
        self._controller = _SinkController(self, _Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, rcpt in zip(self.messages, self.recipients, strict=True) if address in rcpt]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.mode == "reject_rcpt":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        mode = self.sink.mode
        if mode == "tempfail":
            return "451 4.3.0 Mail server temporarily busy, try again later"
        if mode == "reject":
            return "554 5.7.1 Message rejected as spam"
        if mode == "stall_after_data":
            self.sink.stalled.set()
            await asyncio.sleep(STALL_SECONDS)  # cancelled when the client goes away: nothing is kept
        self.sink.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        self.sink.recipients.append(list(envelope.rcpt_tos))
        return "250 2.0.0 OK queued"


class _StallingSMTP(SMTP):
    def __init__(self, sink: SmtpSink, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sink = sink

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if self.sink.mode == "stall_data_command":
            self.sink.stalled.set()
            await asyncio.sleep(STALL_SECONDS)
        await super().smtp_DATA(arg)


class _SinkController(Controller):
    def __init__(self, sink: SmtpSink, handler, **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.sink = sink

    def factory(self):
        return _StallingSMTP(self.sink, self.handler, **self.SMTP_kwargs)


@contextmanager
def running_sink() -> Iterator[SmtpSink]:
    """A started :class:`SmtpSink`, stopped on the way out (tests wrap it in a fixture)."""
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


def closed_port_url() -> str:
    """An SMTP URL where nothing listens: connections are refused."""
    return f"smtp://127.0.0.1:{free_port()}"
