"""The one declarative Base and the Flask-SQLAlchemy ``db`` both packages share.

It lives in ``surveys`` because ``surveys`` is the lower package: ``feedback`` may
import it, never the reverse.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Insert, MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, scoped_session
from sqlalchemy.types import TypeDecorator

# Named constraints make Alembic migrations deterministic on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no timezone type, so naive values come back from it; this type
    makes both backends hand out the same aware ``datetime``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored in UTC and must be aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for every model of the product."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """``created_at`` / ``updated_at`` in UTC; ``updated_at`` moves only on a real change."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def begin_write(session: Session | scoped_session[Session]) -> None:
    """Open the session's transaction as a writer.

    On SQLite this emits ``BEGIN IMMEDIATE``, so concurrent writers queue on the
    busy timeout rather than failing when one read before another's commit. A
    read-only transaction already open (say, the API key lookup) is ended first;
    one with pending writes is left alone. Elsewhere it does nothing.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            return
        session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


db = SQLAlchemy(model_class=Base)


_IGNORING_DUPLICATES: dict[tuple[str, str, tuple[str, ...]], Insert] = {}


def insert_ignoring_duplicates(session: Session, table: Table, unique_columns: Sequence[str]) -> Insert:
    """``INSERT ... ON CONFLICT (unique_columns) DO NOTHING`` for the session's database.

    A row whose key is taken (even by a concurrent writer: PostgreSQL waits for it to
    commit) is left out without aborting the transaction; ``RETURNING`` then names only
    the rows written. Built once per database, table and key: answers and events run it
    on every request.
    """
    dialect_name = session.connection().dialect.name
    key = (dialect_name, table.name, tuple(unique_columns))
    stmt = _IGNORING_DUPLICATES.get(key)
    if stmt is None:
        if dialect_name not in ("postgresql", "sqlite"):  # pragma: no cover - the service runs on these two
            raise RuntimeError(f"unsupported database {dialect_name!r}")
        module = postgresql if dialect_name == "postgresql" else sqlite
        stmt = _IGNORING_DUPLICATES[key] = module.insert(table).on_conflict_do_nothing(
            index_elements=list(unique_columns))
    return stmt

