"""``flask --app wsgi tick`` and ``flask --app wsgi scheduler``: the periodic jobs, once or forever."""
from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask, current_app


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@click.command("tick")
@click.option("--now", type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]),
              default=None, help="Run as if it were this UTC time (for debugging); default: now.")
def tick(now: datetime | None) -> None:
    """Run every periodic job once, here and now (for cron, tests and debugging).

    Sends are queued for the workers, as in production.
    """
    from feedback.schedule.periodic import run_periodic_once  # the jobs' imports load on use only

    failed = False
    for name, outcome in run_periodic_once(current_app._get_current_object(), _aware(now)):
        click.echo(f"{name}: {outcome}")
        failed = failed or outcome.startswith("failed:")
    if failed:
        raise SystemExit(1)


@click.command("scheduler")
@click.option("--name", default="", help="This scheduler's name (default: host:pid:random).")
def scheduler(name: str) -> None:
    """Enqueue the periodic jobs on their intervals, for the workers (RQ's cron scheduler).

    Start one on each of several machines if you like: one holds the lock and
    enqueues, the others stand by and take over if it stops.
    """
    from feedback.schedule.cron import build_scheduler

    build_scheduler(current_app._get_current_object(), name=name).start()


def register(app: Flask) -> None:
    app.cli.add_command(tick)
    app.cli.add_command(scheduler)
