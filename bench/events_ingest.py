"""Journey events accepted per second: the batch API, as a ratio to a bare insert of the same rows.

* ``bare insert`` (the baseline): SQLAlchemy Core ``insert(Event)`` of the rows,
  1,000 per ``executemany``, contact ids already known, no validation;
* ``batch API``: ``POST /api/v1/events`` through ``app.test_client()`` with a real
  secret key, 1,000 events a request: JSON, auth, validation of every row (names,
  times, property limits), the contacts looked up by external id, idempotency keys
  (``ON CONFLICT DO NOTHING``), and the after-commit enqueue of the matching job;
* ``batch API, replayed``: the same batches again, every event a duplicate key.

Matching itself runs later in a worker and is not timed here.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert

from bench.harness import Result, Target, say, timed

NAME = "events_ingest"
DEFAULT_ROWS = 20_000
CHUNK = 1_000
CONTACTS = 2_000
NAMES = ("onboarding_completed", "ticket_closed", "feature_used", "report_exported")


def generate(rows: int, now: datetime) -> list[dict[str, Any]]:
    return [{"contact_external_id": f"contact-{n % CONTACTS:05d}", "name": NAMES[n % len(NAMES)],
             "occurred_at": (now - timedelta(minutes=n % 600)).isoformat(),
             "properties": {"plan": ("pro", "starter")[n % 2], "seats": n % 50, "source": "bench"},
             "idempotency_key": f"bench-{n:08d}"} for n in range(rows)]


def run(target: Target, rows: int) -> list[Result]:
    from surveys.db import db

    now = datetime.now(UTC).replace(microsecond=0)
    contact_ids = _seed_contacts(db)
    events = generate(rows, now)
    post_all = _batch_api(target, events)

    def result(measure: str, seconds: float, baseline: float | None) -> Result:
        say(f"{target.database}: {measure}: {rows / seconds:,.0f} events/s")
        return Result(NAME, target.database, measure, rows, seconds, None if baseline is None else baseline / seconds)

    _empty(db)
    baseline, _ = timed(lambda: _bare_insert(db, events, contact_ids, now))
    results = [result("bare insert (baseline)", baseline, None)]
    _empty(db)
    seconds, _ = timed(post_all)
    results.append(result("batch API", seconds, baseline))
    seconds, _ = timed(post_all)
    results.append(result("batch API, replayed (all duplicates)", seconds, baseline))
    return results


def _seed_contacts(db) -> dict[str, int]:
    from surveys.audience.models import Account, Contact

    now = datetime.now(UTC)
    db.session.execute(insert(Account), [{"external_id": "bench-acct", "name": "Bench", "attributes": {},
                                          "created_at": now, "updated_at": now}])
    account_id = db.session.scalar(Account.__table__.select().with_only_columns(Account.id))
    db.session.execute(insert(Contact), [
        {"external_id": f"contact-{n:05d}", "email": f"c{n}@example.com", "account_id": account_id,
         "attributes": {}, "created_at": now, "updated_at": now} for n in range(CONTACTS)])
    db.session.commit()
    return {c.external_id: c.id for c in db.session.query(Contact)}


def _empty(db) -> None:
    from surveys.journeys.models import Event

    db.session.execute(delete(Event))
    db.session.commit()


def _bare_insert(db, events: list[dict[str, Any]], contact_ids: dict[str, int], now: datetime) -> None:
    from surveys.journeys.models import Event

    values = [{"contact_id": contact_ids[e["contact_external_id"]], "name": e["name"],
               "occurred_at": datetime.fromisoformat(e["occurred_at"]), "received_at": now,
               "properties": e["properties"], "idempotency_key": e["idempotency_key"]} for e in events]
    for start in range(0, len(values), CHUNK):
        db.session.execute(insert(Event), values[start:start + CHUNK])
    db.session.commit()


def _batch_api(target: Target, events: list[dict[str, Any]]):
    from feedback.auth.keys import create_key
    from feedback.auth.models import KeyKind
    from surveys.db import db

    _key, secret = create_key(db.session, "bench", KeyKind.SECRET)
    db.session.commit()
    client = target.app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}

    def post_all() -> None:
        for start in range(0, len(events), CHUNK):
            response = client.post("/api/v1/events", json={"events": events[start:start + CHUNK]}, headers=headers)
            if response.status_code not in (200, 201):
                raise RuntimeError(f"events API answered {response.status_code}: "
                                   f"{response.get_data(as_text=True)[:500]}")

    return post_all
