"""Handing a message to a real SMTP server (aiosmtpd): outcomes, and how far a failed one got."""
from __future__ import annotations

from email.message import EmailMessage

import pytest

from surveys.delivery.mailer import SendError, deliver
from tests.smtp_sink import closed_port_url, running_sink


@pytest.fixture
def smtp_sink():
    with running_sink() as sink:
        yield sink


def message(body: str = "Hello\n.leading dot stays\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "feedback@example.com"
    msg["To"] = "ada@acme.example"
    msg["Subject"] = "Test"
    msg["Message-ID"] = "<invitation-1@feedback.local>"
    msg.set_content(body)
    return msg


class Checkpoints:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


def test_a_message_reaches_the_server_once_after_one_checkpoint(smtp_sink, tmp_path):
    checkpoint = Checkpoints()
    deliver(message(), smtp_url=smtp_sink.url, outbox_dir=tmp_path, before_end_of_data=checkpoint)
    assert checkpoint.calls == 1
    [received] = smtp_sink.messages
    assert received["Message-ID"] == "<invitation-1@feedback.local>"
    assert received.get_content().replace("\r\n", "\n") == "Hello\n.leading dot stays\n", "dot-stuffing round-trips"
    assert smtp_sink.recipients == [["ada@acme.example"]]


def test_without_smtp_the_outbox_gets_the_message(tmp_path):
    checkpoint = Checkpoints()
    deliver(message(), smtp_url=None, outbox_dir=tmp_path / "outbox", before_end_of_data=checkpoint)
    assert checkpoint.calls == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


@pytest.mark.parametrize(("mode", "permanent", "reason"), [
    ("tempfail", False, "SMTP 451 4.3.0 Mail server temporarily busy, try again later"),
    ("reject", True, "SMTP 554 5.7.1 Message rejected as spam"),
    ("reject_rcpt", True, "SMTP 550 5.1.1 <ada@acme.example>: Recipient address rejected: User unknown"),
])
def test_smtp_replies_say_temporary_or_permanent(smtp_sink, tmp_path, mode, permanent, reason):
    smtp_sink.mode = mode
    with pytest.raises(SendError) as caught:
        deliver(message(), smtp_url=smtp_sink.url, outbox_dir=tmp_path, before_end_of_data=Checkpoints())
    assert caught.value.permanent is permanent
    assert caught.value.reason == reason
    assert caught.value.handed_over is False, "the server answered: it did not take the message"
    assert smtp_sink.messages == []


def test_a_refused_connection_is_temporary(tmp_path):
    with pytest.raises(SendError) as caught:
        deliver(message(), smtp_url=closed_port_url(), outbox_dir=tmp_path, before_end_of_data=Checkpoints())
    assert not caught.value.permanent and not caught.value.handed_over
    assert caught.value.reason.startswith("SMTP connection failed:")
    assert "refused" in caught.value.reason.lower()


def test_a_server_silent_at_data_times_out_before_the_message_was_handed_over(smtp_sink, tmp_path):
    smtp_sink.mode = "stall_data_command"
    checkpoint = Checkpoints()
    with pytest.raises(SendError) as caught:
        deliver(message(), smtp_url=smtp_sink.url, outbox_dir=tmp_path, before_end_of_data=checkpoint, timeout=0.5)
    assert checkpoint.calls == 0
    assert not caught.value.permanent and not caught.value.handed_over, "safe to send again"


def test_a_server_silent_after_the_end_of_data_may_have_the_message(smtp_sink, tmp_path):
    smtp_sink.mode = "stall_after_data"
    checkpoint = Checkpoints()
    with pytest.raises(SendError) as caught:
        deliver(message(), smtp_url=smtp_sink.url, outbox_dir=tmp_path, before_end_of_data=checkpoint, timeout=0.5)
    assert checkpoint.calls == 1
    assert caught.value.handed_over, "the server may have accepted it: never send it again"
    assert "before the server's reply" in caught.value.reason


def test_a_failing_checkpoint_stops_the_message_before_it_leaves(smtp_sink, tmp_path):
    def broken() -> None:
        raise RuntimeError("database is down")

    with pytest.raises(RuntimeError, match="database is down"):
        deliver(message(), smtp_url=smtp_sink.url, outbox_dir=tmp_path, before_end_of_data=broken)
    assert smtp_sink.messages == []
