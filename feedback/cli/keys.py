"""``flask --app wsgi keys create NAME --kind secret|public`` prints the key alone on its last line."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from feedback.auth.keys import create_key, list_keys, revoke_key
from feedback.auth.models import ApiKey, KeyKind
from surveys.db import db

keys = AppGroup("keys", help="Manage API keys.")


@keys.command("create")
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in KeyKind]), default=KeyKind.SECRET.value, show_default=True)
@click.option("--origin", "origins", multiple=True, help="Allowed browser origin of a public key (repeatable).")
def create(name: str, kind: str, origins: tuple[str, ...]) -> None:
    """Create a key; the key itself is shown once, on the last line."""
    try:
        # A public key is derived from the app's secret so the install page can show it again.
        derive = current_app.config["SECRET_KEY"] if kind == KeyKind.PUBLIC.value else None
        _key, plaintext = create_key(db.session, name, KeyKind(kind), allowed_origins=origins, derive_with=derive)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    db.session.commit()
    if kind == KeyKind.PUBLIC.value:
        click.echo(f"Created public key {name!r}; the widget install page shows it too.")
    else:
        click.echo(f"Created {kind} key {name!r}. Store it now: it is not shown again.")
    click.echo(plaintext)


@keys.command("list")
def list_() -> None:
    """List keys (never their secrets)."""
    for key in list_keys(db.session):
        state = "revoked" if key.revoked_at else "active"
        used = key.last_used_at.isoformat(timespec="seconds") if key.last_used_at else "never"
        click.echo(f"{key.prefix}\t{key.kind.value}\t{state}\tlast used {used}\t{key.name}")


@keys.command("revoke")
@click.argument("prefix")
def revoke(prefix: str) -> None:
    """Revoke the key whose prefix (e.g. sk_1a2b3c4d5e6f) is given."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise click.ClickException(f"prefix: no key with prefix {prefix!r}")
    revoke_key(db.session, key)
    db.session.commit()
    click.echo(f"Revoked {prefix}.")


def register(app: Flask) -> None:
    app.cli.add_command(keys)
