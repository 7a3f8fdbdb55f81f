"""Due email invitations dispatched per second to a local SMTP sink, as a ratio to a raw smtplib loop.

* ``raw smtplib loop`` (the baseline): the same number of small messages sent by
  ``smtplib`` in a loop, one connection per message (as the product's transport
  does), nothing read from or written to the database;
* ``dispatcher + worker``: ``rows`` invitations due now; the ``dispatch`` periodic
  job claims them and queues one send job each in Redis, and an in-process RQ
  worker (burst) runs the jobs: eligibility and throttles checked under the
  contact's lock, the attempt recorded before the mail leaves, the HTML and text
  mail built with its score links, sent, marked sent.

The sink (aiosmtpd on loopback) counts messages per Message-ID: **duplicates**
(a Message-ID received more than once) must be 0.
"""
from __future__ import annotations

import smtplib
import socket
import threading
from collections import Counter
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import insert

from bench.harness import Result, Target, say, timed

NAME = "email_dispatch"
DEFAULT_ROWS = 1_000


class _Sink:
    """An aiosmtpd server on loopback that counts what it receives by Message-ID."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.ids: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes

        message_id = message_from_bytes(envelope.content)["Message-ID"] or ""
        with self._lock:
            self.ids[message_id] += 1
        return "250 OK"

    def __enter__(self) -> _Sink:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()

    def reset(self) -> None:
        self.ids.clear()

    @property
    def received(self) -> int:
        return sum(self.ids.values())

    @property
    def duplicates(self) -> int:
        return sum(count - 1 for count in self.ids.values() if count > 1)


def run(target: Target, rows: int) -> list[Result]:
    with _Sink() as sink:
        target.app.config["SMTP_URL"] = f"smtp://127.0.0.1:{sink.port}"
        baseline, _ = timed(lambda: _raw_loop(sink.port, rows))
        say(f"{target.database}: raw smtplib loop: {rows / baseline:,.0f} mails/s")
        results = [Result(NAME, target.database, "raw smtplib loop (baseline)", rows, baseline, None)]
        sink.reset()
        _seed(rows)
        seconds, _ = timed(lambda: _dispatch_and_send(target))
        say(f"{target.database}: dispatcher + worker: {rows / seconds:,.0f} mails/s, "
            f"{sink.received} received, {sink.duplicates} duplicates")
        if sink.received != rows:
            raise RuntimeError(f"the sink received {sink.received} mails for {rows} due invitations")
        results.append(Result(NAME, target.database, f"dispatcher + worker ({sink.duplicates} duplicates)",
                              rows, seconds, baseline / seconds))
    return results


def _raw_loop(port: int, rows: int) -> None:
    for n in range(rows):
        message = EmailMessage()
        message["From"], message["To"] = "bench@localhost", f"c{n}@example.com"
        message["Subject"], message["Message-ID"] = "How likely are you to recommend us?", f"<raw-{n}@bench>"
        message.set_content("0 1 2 3 4 5 6 7 8 9 10")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)


def _seed(rows: int) -> None:
    from surveys.audience.models import Account, Contact
    from surveys.db import db
    from surveys.delivery.models import Invitation
    from surveys.design.services import create_survey, publish
    from surveys.journeys.settings import workspace_settings

    now = datetime.now(UTC)
    settings = workspace_settings(db.session)
    settings.account_limit = 0  # no per-account cap: every contact is at one account here
    survey = create_survey(db.session, "Bench NPS", {"product": "Bench", "questions": [
        {"id": "nps", "type": "nps"},
        {"id": "why", "type": "text", "prompt": "What disappointed you?", "show_if": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}}]})
    publish(db.session, survey)
    db.session.execute(insert(Account), [{"external_id": "bench", "name": "Bench Ltd", "attributes": {},
                                          "created_at": now, "updated_at": now}])
    account_id = db.session.scalar(Account.__table__.select().with_only_columns(Account.id))
    db.session.execute(insert(Contact), [
        {"external_id": f"c{n}", "email": f"c{n}@example.com", "name": f"Contact {n}", "account_id": account_id,
         "attributes": {}, "created_at": now, "updated_at": now} for n in range(rows)])
    contact_ids = [c.id for c in db.session.query(Contact).order_by(Contact.id)]
    db.session.execute(insert(Invitation), [
        {"contact_id": cid, "account_id": account_id, "survey_id": survey.id,
         "survey_version_id": survey.latest_version_id, "trigger_key": "t1", "firing_key": "bench",
         "channel": "email", "channels": ["email"], "state": "scheduled", "scheduled_for": now, "attempts": 0,
         "details": {}, "created_at": now, "updated_at": now} for cid in contact_ids])
    db.session.commit()


def _dispatch_and_send(target: Target) -> None:
    from feedback.schedule.periodic import dispatch
    from feedback.worker import make_worker

    dispatch()
    make_worker(target.app, name="bench-worker").work(burst=True, logging_level="WARNING")
