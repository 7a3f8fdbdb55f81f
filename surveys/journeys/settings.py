"""The workspace's asking rules: one row (id 1), created with the defaults on first use."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveys.journeys.models import (
    DEFAULT_ACCOUNT_LIMIT,
    DEFAULT_ACCOUNT_PERIOD_DAYS,
    DEFAULT_RECONTACT_DAYS,
    WorkspaceSettings,
)

SETTINGS_ID = 1
DEFAULT_TIMEZONE = "UTC"


def workspace_settings(session: Session) -> WorkspaceSettings:
    """The settings row, inserted with the defaults when missing (flushed; the caller commits).

    Two first users may race to insert it: the loser's savepoint rolls back on the
    primary key and it reads the winner's row instead.
    """
    settings = session.get(WorkspaceSettings, SETTINGS_ID)
    if settings is not None:
        return settings
    settings = default_settings()
    try:
        with session.begin_nested():
            session.add(settings)
    except IntegrityError:
        settings = session.get(WorkspaceSettings, SETTINGS_ID, populate_existing=True)
        if settings is None:
            raise
    return settings


def read_settings(session: Session) -> WorkspaceSettings:
    """The settings row, or (never saved yet) a transient one holding the defaults; never writes.

    For read paths (the eligibility trace, the trigger preview), so that a page view
    does not open a write transaction just to insert the defaults.
    """
    return session.get(WorkspaceSettings, SETTINGS_ID) or default_settings()


def default_settings() -> WorkspaceSettings:
    """A transient row holding the defaults (every attribute set, unlike column defaults)."""
    return WorkspaceSettings(id=SETTINGS_ID, timezone=DEFAULT_TIMEZONE, recontact_days=DEFAULT_RECONTACT_DAYS,
                             account_limit=DEFAULT_ACCOUNT_LIMIT, account_period_days=DEFAULT_ACCOUNT_PERIOD_DAYS,
                             send_window=None)
