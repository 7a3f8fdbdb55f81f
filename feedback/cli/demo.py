"""``flask --app wsgi demo seed``: the demo workspace, for trying the product."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from sqlalchemy import select

from feedback.auth.models import User
from feedback.demo.seed import ADMIN_EMAIL, load_login, save_login, seed_demo
from feedback.web.invitations import send_invitation
from surveys.db import db

demo = AppGroup("demo", help="Demo data for trying the product.")


@demo.command("seed")
def seed() -> None:
    """Seed a demo workspace into an empty database.

    Teammates, accounts, contacts, an API key, surveys in every state, and half
    a year of responses.
    """
    login = seed_demo(db.session)
    if login is None:
        click.echo("The workspace has users already; nothing seeded.")
        return
    db.session.commit()
    save_login(Path(current_app.instance_path), login)
    send_demo_invitations()
    click.echo(f"Seeded the demo workspace. Log in as {login.email} / {login.password}")


def send_demo_invitations() -> int:
    """Mail the demo's pending teammates their invitations, so the outbox shows one."""
    pending = db.session.scalars(select(User).where(User.password_hash.is_(None), User.active)).all()
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    # The mail templates share the web UI's context processors, which expect a request.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        for user in pending:
            send_invitation(user, admin)
    return len(pending)


def register(app: Flask) -> None:
    app.cli.add_command(demo)


__all__ = ["load_login", "register"]
