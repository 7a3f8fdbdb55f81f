"""Migrations: one head, every revision has a message, and the models equal the migrated schema."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from surveys.db import db


def _scripts(app) -> ScriptDirectory:
    migrate: Migrate = app.extensions["migrate"].migrate
    return ScriptDirectory.from_config(migrate.get_config())


def test_there_is_exactly_one_head(app):
    assert len(_scripts(app).get_heads()) == 1


def test_every_revision_has_a_message(app):
    for revision in _scripts(app).walk_revisions():
        assert revision.doc and revision.doc.strip(), f"revision {revision.revision} has no message"


def test_models_match_the_migrated_schema(app):
    """Autogenerate against the migrated database finds nothing to do (run on SQLite and PostgreSQL)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_database_is_at_head(app):
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert set(current) == set(_scripts(app).get_heads())
