"""``flask --app wsgi serve``: the whole product in one command, for trying it.

Starts (when ``REDIS_URL`` is unset) an embedded Redis, migrates the database,
seeds the demo workspace on first run, starts an RQ worker process and the
periodic-job scheduler (``flask scheduler``: dispatching due invitations,
fallbacks, date triggers...), prints the URL and the demo login, and serves the
web UI and API until Ctrl-C. The same code paths as production run underneath;
only the servers are embedded.
"""
from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from feedback.cli.demo import send_demo_invitations
from feedback.demo.seed import load_login, save_login, seed_demo
from surveys.db import db


def _start_worker(redis_url: str) -> subprocess.Popen:
    return _start_command("worker", redis_url)


def _start_scheduler(redis_url: str) -> subprocess.Popen:
    """The periodic jobs run as in production: RQ's cron scheduler enqueues them for the worker."""
    return _start_command("scheduler", redis_url)


def _start_command(command: str, redis_url: str) -> subprocess.Popen:
    env = {**os.environ, "REDIS_URL": redis_url}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", command], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)
    return proc


def _banner(app: Flask, url: str, redis_url: str) -> str:
    login = load_login(Path(app.instance_path))
    lines = ["", "  Feedback Loop is running.", "", f"  Open      {url}/"]
    if login:
        lines += [f"  Log in    {login.email}", f"  Password  {login.password}",
                  f"  API key   {login.api_key}",
                  f"  Try       curl -H 'Authorization: Bearer {login.api_key}' {url}/api/v1/accounts"]
    lines += [f"  API docs  {url}/api/v1/docs",
              f"  Database  {app.config['SQLALCHEMY_DATABASE_URI']}",
              f"  Redis     {redis_url}{' (embedded)' if not app.config.get('REDIS_URL') else ''}",
              f"  Email     {app.config['SMTP_URL'] or 'local outbox, see ' + url + '/outbox'}",
              "", "  Press Ctrl-C to stop.", ""]
    return "\n".join(lines)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a background worker process.")
@click.option("--no-scheduler", is_flag=True, help="Do not start the periodic-job scheduler process.")
@click.option("--no-demo", is_flag=True, help="Do not seed the demo workspace into an empty database.")
def serve(host: str, port: int, no_worker: bool, no_scheduler: bool, no_demo: bool) -> None:
    """Run everything in one process group with embedded defaults (SQLite, Redis, outbox)."""
    app = current_app._get_current_object()
    # SIGTERM (a supervisor, `timeout`) should stop the worker and embedded Redis too: exit cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo("Migrating the database ...", err=True)
    upgrade()
    if not no_demo:
        login = seed_demo(db.session)
        if login is not None:
            db.session.commit()
            save_login(Path(app.instance_path), login)
            send_demo_invitations()
            click.echo("Seeded the demo workspace.", err=True)
    db.session.remove()
    redis_url = app.extensions["rq"].url  # starts the embedded Redis when REDIS_URL is unset
    if not no_worker:
        _start_worker(redis_url)
    if not no_scheduler:
        _start_scheduler(redis_url)
    url = f"http://{host}:{port}"
    click.echo(_banner(app, url, redis_url))
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def register(app: Flask) -> None:
    app.cli.add_command(serve)
