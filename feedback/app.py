"""The composition root: the only place that wires everything together."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from feedback import jobs
from feedback.config import load_settings
from feedback.extensions import api, bootstrap, csrf, db, limiter, login_manager, migrate
from feedback.json import DecimalJSONProvider

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the service. ``config`` overrides environment settings (see ``feedback.config``)."""
    app = Flask(__name__, instance_relative_config=True)
    app.json_provider_class = DecimalJSONProvider
    app.json = DecimalJSONProvider(app)
    app.config.update(load_settings(Path(app.instance_path), config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    jobs.init_app(app)
    _tune_sqlite(app)

    import feedback.auth.access  # noqa: F401 - registers the login user loader
    import feedback.models  # noqa: F401 - registers every table on the shared metadata
    from feedback import api as api_layer, cli, journeys, web, widget
    from feedback.responses import erasure, hooks

    hooks.init_app(app)
    journeys.init_app(app)  # events matched after commit, their eraser, the answers listener
    erasure.init_app(app)  # answers' free text goes when a contact is erased
    api_layer.init_app(app)
    web.init_app(app)
    widget.init_app(app)  # the in-product widget: public /w/v1 endpoints and widget.js
    cli.init_app(app)
    return app


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT (releasing the outer one
    # commits): turn it off and let SQLAlchemy emit BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while the worker writes; foreign keys are off by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # A writer asks for BEGIN IMMEDIATE (see surveys.db.begin_write): a deferred
    # transaction that reads, then writes, fails at once with "database is locked"
    # when another process wrote in between, instead of waiting its turn.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}" if mode in ("IMMEDIATE", "EXCLUSIVE") else "BEGIN")


def _tune_sqlite(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas)
        event.listen(db.engine, "begin", _sqlite_begin)
