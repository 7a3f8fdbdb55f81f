"""Accounts upserted per second: batch API and CSV import, as ratios to a bare Core insert.

Three ways of writing the same generated accounts into an empty table, each
timed from nothing to committed:

* ``bare insert`` (the baseline): ``insert(Account)`` executed by SQLAlchemy
  Core in chunks of 1,000, no validation, no upsert logic;
* ``batch API``: ``POST /api/v1/accounts/batch`` through ``app.test_client()``
  with a real secret key, 1,000 rows a request (JSON, auth, validation, upsert);
* ``CSV import``: :func:`surveys.audience.csv_import.import_csv` of a generated
  file (decoding, validation, duplicate check, upsert).

Each path is then run a second time over the same rows (``again``: every row
unchanged), which is what a nightly CRM sync mostly does. The CSV import's peak
memory (tracemalloc) is measured at 10k and 100k rows.
"""
from __future__ import annotations

import csv
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert

from bench.harness import Result, Target, say, timed

NAME = "accounts_upsert"
CHUNK = 1_000
MEMORY_ROWS = (10_000, 100_000)
PLANS = ("free", "starter", "pro", "enterprise")
SEGMENTS = ("smb", "mid-market", "enterprise")


def generate(rows: int) -> list[dict[str, Any]]:
    """``rows`` accounts as the API takes them (JSON-ready values)."""
    start = date(2026, 1, 1)
    return [{
        "external_id": f"acct-{n:07d}",
        "name": f"Account {n} Ltd",
        "plan": PLANS[n % len(PLANS)],
        "segment": SEGMENTS[n % len(SEGMENTS)],
        "arr": f"{(n % 500) * 1000 + 0.5:.2f}",
        "csm_email": f"csm{n % 25}@example.com",
        "renewal_date": (start + timedelta(days=n % 365)).isoformat(),
        "attributes": {"industry": "software", "region": ("EMEA", "AMER", "APAC")[n % 3]},
    } for n in range(rows)]


def write_csv(accounts: list[dict[str, Any]], path: Path) -> Path:
    columns = ["external_id", "name", "plan", "segment", "arr", "csm_email", "renewal_date", "industry", "region"]
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for a in accounts:
            writer.writerow([a["external_id"], a["name"], a["plan"], a["segment"], a["arr"], a["csm_email"],
                             a["renewal_date"], a["attributes"]["industry"], a["attributes"]["region"]])
    return path


def run(target: Target, rows: int) -> list[Result]:
    from surveys.db import db

    accounts = generate(rows)
    csv_path = write_csv(accounts, target.workdir / "accounts.csv")
    paths = {"batch API": _batch_api(target, accounts), "CSV import": lambda: _csv_import(csv_path, rows)}

    def result(measure: str, seconds: float, baseline: float | None) -> Result:
        ratio = None if baseline is None else baseline / seconds
        say(f"{target.database}: {measure}: {rows / seconds:,.0f} rows/s")
        return Result(NAME, target.database, measure, rows, seconds, ratio)

    _empty_table(db)
    baseline, _ = timed(lambda: _bare_insert(db, accounts))
    results = [result("bare insert (baseline)", baseline, None)]
    for label, work in paths.items():
        _empty_table(db)
        seconds, _ = timed(work)
        results.append(result(label, seconds, baseline))
        seconds, _ = timed(work)
        results.append(result(f"{label}, again (all unchanged)", seconds, baseline))
    results += _csv_memory(target)
    return results


def _empty_table(db) -> None:
    from surveys.audience.models import Account

    db.session.execute(delete(Account))
    db.session.commit()


def _bare_insert(db, accounts: list[dict[str, Any]]) -> None:
    from surveys.audience.models import Account

    now = datetime.now(UTC)
    values = [{**a, "arr": a["arr"], "renewal_date": date.fromisoformat(a["renewal_date"]),
               "created_at": now, "updated_at": now} for a in accounts]
    for start in range(0, len(values), CHUNK):
        db.session.execute(insert(Account), values[start:start + CHUNK])
    db.session.commit()


def _batch_api(target: Target, accounts: list[dict[str, Any]]):
    from feedback.auth.keys import create_key
    from feedback.auth.models import KeyKind
    from surveys.db import db

    _key, secret = create_key(db.session, "bench", KeyKind.SECRET)
    db.session.commit()
    client = target.app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}

    def post_all() -> None:
        for start in range(0, len(accounts), CHUNK):
            response = client.post("/api/v1/accounts/batch", json={"accounts": accounts[start:start + CHUNK]},
                                   headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"batch API answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    return post_all


def _csv_import(path: Path, rows: int) -> None:
    from surveys.audience.csv_import import import_csv
    from surveys.db import db

    with path.open("rb") as stream:
        report = import_csv(db.session, stream, "accounts")
    if not report.should_commit or report.created + report.unchanged != rows:
        raise RuntimeError(f"CSV import did not import every row: {report}")
    db.session.commit()


def _csv_memory(target: Target) -> list[Result]:
    """Peak traced memory of importing (and committing) 10k and 100k rows into an empty table."""
    from surveys.db import db

    results = []
    for rows in MEMORY_ROWS:
        path = write_csv(generate(rows), target.workdir / f"memory-{rows}.csv")
        _empty_table(db)
        say(f"{target.database}: CSV import peak memory at {rows:,} rows (slow: tracemalloc)")
        tracemalloc.start()
        try:
            _csv_import(path, rows)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        path.unlink()
        results.append(Result(NAME, target.database, "CSV import peak memory", rows, peak_bytes=peak))
    return results
