"""``flask --app wsgi worker [--burst]``: run an RQ worker inside the app."""
from __future__ import annotations

import click
from flask import Flask, current_app

from feedback.jobs import QUEUE_NAMES
from feedback.worker import make_worker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
@click.option("--queue", "queue_names", multiple=True, type=click.Choice(QUEUE_NAMES),
              help="Queues to listen on, in priority order (default: all).")
def worker(burst: bool, queue_names: tuple[str, ...]) -> None:
    """Process background jobs (any number of workers, on any machine)."""
    app = current_app._get_current_object()
    make_worker(app, queue_names or QUEUE_NAMES).work(burst=burst, logging_level="INFO")


def register(app: Flask) -> None:
    app.cli.add_command(worker)
