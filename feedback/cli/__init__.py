"""Flask CLI commands: ``flask --app wsgi <group> <command>``."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from feedback.cli import accounts, demo, keys, schedule, serve, users, worker

    for module in (users, keys, accounts, demo, serve, worker, schedule):
        module.register(app)
