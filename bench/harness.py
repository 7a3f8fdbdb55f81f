"""What every benchmark shares: databases made for the run, the app on them, timing, the table.

A benchmark is a module with ``run(target: Target, rows: int) -> list[Result]``;
``bench/__main__.py`` lists them. Each run gets a database of its own, built by
the real migrations: a temporary SQLite file, or a PostgreSQL database created
(and dropped afterwards) on the server of ``BENCH_DATABASE_URL``.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql://feedback:feedback@127.0.0.1/feedback_bench"
DATABASES = ("sqlite", "postgresql")


@dataclass
class Target:
    """The database a benchmark runs against and the app bound to it (its context is pushed)."""

    database: str  # "sqlite" or "postgresql"
    app: Flask
    workdir: Path


@dataclass
class Result:
    """One line of a results table: a throughput (``seconds``) or a peak of memory (``peak_bytes``)."""

    benchmark: str
    database: str
    measure: str
    rows: int
    seconds: float | None = None
    ratio: float | None = None  # throughput over the baseline's, in the same run; higher is better
    peak_bytes: int | None = None
    p50: float | None = None  # seconds per request, for benchmarks that measure latency
    p99: float | None = None
    p99_ratio: float | None = None  # the baseline's p99 over this path's, in the same run; higher is better

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def say(message: str) -> None:
    """Progress, on stderr so that stdout is the table alone."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = work()
    return time.perf_counter() - start, value


@contextmanager
def target(database: str) -> Iterator[Target]:
    """A fresh, migrated database of kind ``database`` and the app on it, torn down afterwards."""
    from flask_migrate import upgrade

    from feedback.app import create_app
    from surveys.db import db

    with tempfile.TemporaryDirectory(prefix="bench-") as folder, _database_url(database, Path(folder)) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key", "TESTING": True,
                          "BASE_URL": "http://localhost"})
        with app.app_context():
            upgrade()
            try:
                yield Target(database, app, Path(folder))
            finally:
                db.session.remove()
                db.engine.dispose()


@contextmanager
def _database_url(database: str, folder: Path) -> Iterator[str]:
    if database == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    url = make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRES_URL).replace(
        "postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    # One database per run (suffixed with the process id), so that two runs never drop each other's.
    name = f"{url.database}_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def markdown_table(results: list[Result]) -> str:
    """Throughputs in one markdown table, then latencies and peaks of memory in others."""
    out = ["| benchmark | database | path | rows | seconds | rows/s | ratio to baseline |",
           "|---|---|---|---:|---:|---:|---:|"]
    for r in (r for r in results if r.peak_bytes is None):
        ratio = "1 (baseline)" if r.ratio is None else f"{r.ratio:.2f}"
        out.append(f"| {r.benchmark} | {r.database} | {r.measure} | {r.rows:,} | {r.seconds:.2f} "
                   f"| {r.rows_per_second:,.0f} | {ratio} |")
    latency = [r for r in results if r.p99 is not None]
    if latency:
        out += ["", "| benchmark | database | path | requests | p50 ms | p99 ms | p99 ratio (baseline / path) |",
                "|---|---|---|---:|---:|---:|---:|"]
        for r in latency:
            ratio = "1 (baseline)" if r.p99_ratio is None else f"{r.p99_ratio:.2f}"
            out.append(f"| {r.benchmark} | {r.database} | {r.measure} | {r.rows:,} | {r.p50 * 1000:.1f} "
                       f"| {r.p99 * 1000:.1f} | {ratio} |")
    memory = [r for r in results if r.peak_bytes is not None]
    if memory:
        out += ["", "| benchmark | database | measure | rows | peak memory (tracemalloc) |", "|---|---|---|---:|---:|"]
        out += [f"| {r.benchmark} | {r.database} | {r.measure} | {r.rows:,} | {r.peak_bytes / 2**20:.1f} MiB |"
                for r in memory]
    return "\n".join(out)
