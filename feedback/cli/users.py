"""``flask --app wsgi users create EMAIL --role ROLE``."""
from __future__ import annotations

import secrets

import click
from flask import Flask
from flask.cli import AppGroup

from feedback.auth.roles import Role
from feedback.auth.users import UserError, create_user
from surveys.db import db

users = AppGroup("users", help="Manage the people who use the web UI.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.VIEWER.value, show_default=True)
@click.option("--name", default=None, help="Display name.")
@click.option("--password", default=None, help="Password; omitted: one is generated and printed.")
def create(email: str, role: str, name: str | None, password: str | None) -> None:
    """Create a user who can log in right away."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = create_user(db.session, email, Role(role), password=password, name=name)
    except UserError as err:
        raise click.ClickException(str(err)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({user.role.value}).")
    if generated:
        click.echo(f"Password: {password}")


def register(app: Flask) -> None:
    app.cli.add_command(users)
