"""``flask --app wsgi demo seed``: the demo workspace, for trying the product."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from feedback.demo.seed import load_login, save_login, seed_demo
from surveys.db import db

demo = AppGroup("demo", help="Demo data for trying the product.")


@demo.command("seed")
def seed() -> None:
    """Seed demo accounts, contacts, teammates and an API key into an empty workspace."""
    login = seed_demo(db.session)
    if login is None:
        click.echo("The workspace has users already; nothing seeded.")
        return
    db.session.commit()
    save_login(Path(current_app.instance_path), login)
    click.echo(f"Seeded the demo workspace. Log in as {login.email} / {login.password}")


def register(app: Flask) -> None:
    app.cli.add_command(demo)


__all__ = ["load_login", "register"]
