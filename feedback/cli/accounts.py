"""``flask --app wsgi accounts import FILE`` and ``flask --app wsgi contacts import FILE``.

Both take ``--dry-run`` (check and count, write nothing), ``--skip-invalid``
(write the valid rows even when some are rejected) and ``--encoding ENC``
(force the file's codec). Every bad line is printed as ``line N: field:
message``, then a summary. Exit status: 0 when every row was imported, 1 when
rows were rejected (even if ``--skip-invalid`` wrote the others), 2 when the
file as a whole is unusable (a missing required column, an empty file ...).
The columns each file may have are listed in :mod:`surveys.audience.csv_import`.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from surveys.audience.csv_import import MAX_KEPT_ERRORS, ImportReport, import_csv
from surveys.db import db

EXIT_REJECTED = 1
EXIT_FILE_PROBLEM = 2
PROGRESS_EVERY_SECONDS = 5.0  # how often a non-interactive run says how far it got

accounts = AppGroup("accounts", help="Accounts: the customer companies.")
contacts = AppGroup("contacts", help="Contacts: the people surveys are sent to.")


def _import_options(command: Callable) -> Callable:
    command = click.option("--encoding", default=None, metavar="ENC",
                           help="The file's encoding (default: UTF-8, else Windows-1252 line by line).")(command)
    command = click.option("--skip-invalid", is_flag=True,
                           help="Write the valid rows even when some are rejected.")(command)
    command = click.option("--dry-run", is_flag=True, help="Check and count every row; write nothing.")(command)
    return click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))(command)


@accounts.command("import")
@_import_options
def import_accounts(file: Path, dry_run: bool, skip_invalid: bool, encoding: str | None) -> None:
    """Create or update accounts from a CSV FILE, keyed by external_id.

    Columns: external_id, name (both required), plan, segment, arr, csm_email,
    renewal_date (YYYY-MM-DD); any other column becomes an attribute.
    """
    _run_import("accounts", file, dry_run=dry_run, skip_invalid=skip_invalid, encoding=encoding)


@contacts.command("import")
@_import_options
def import_contacts(file: Path, dry_run: bool, skip_invalid: bool, encoding: str | None) -> None:
    """Create or update contacts from a CSV FILE, keyed by external_id.

    Columns: external_id (required), account_external_id, email, name, timezone,
    locale, unsubscribed (true/false); any other column becomes an attribute.
    """
    _run_import("contacts", file, dry_run=dry_run, skip_invalid=skip_invalid, encoding=encoding)


def _run_import(kind: str, file: Path, *, dry_run: bool, skip_invalid: bool, encoding: str | None) -> None:
    with file.open("rb") as stream, _progress(kind, file.stat().st_size) as progress:
        report = import_csv(db.session, stream, kind, dry_run=dry_run, skip_invalid=skip_invalid,
                            progress=progress, encoding=encoding)
    # The engine leaves nothing of the file in the session unless it should be committed.
    if report.should_commit:
        db.session.commit()
    else:
        db.session.rollback()
    _print_report(report)
    if report.problems:
        sys.exit(EXIT_FILE_PROBLEM)
    if report.rejected:
        sys.exit(EXIT_REJECTED)


@contextmanager
def _progress(kind: str, size: int) -> Iterator[Callable[[int], None]]:
    """A callback taking the bytes read so far: a progress bar on a terminal, else a line now and then."""
    if sys.stderr.isatty():
        with click.progressbar(length=size, label=f"Importing {kind}", file=sys.stderr) as bar:
            def advance(read: int) -> None:
                bar.update(read - bar.pos)
            yield advance
        return
    last = time.monotonic()

    def report(read: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
            last = time.monotonic()
            percent = 100 * read // size if size else 100
            click.echo(f"importing {kind}: {percent}% ({read:,} of {size:,} bytes)", err=True)
    yield report


def _print_report(report: ImportReport) -> None:
    for problem in report.problems:
        click.echo(f"error: {problem}")
    if report.problems:
        click.echo("nothing written")
        return
    for error in report.errors:
        click.echo(str(error))
    if len(report.errors) >= MAX_KEPT_ERRORS:
        click.echo(f"(only the first {MAX_KEPT_ERRORS:,} errors are listed)")
    if not report.dry_run and not report.should_commit:
        # Writing stopped at the first bad row, so the other counts would mislead.
        click.echo(f"{report.rows} rows: rejected {report.rejected}")
        click.echo("nothing written: fix the lines above, or import with --skip-invalid to write the valid rows")
        return
    click.echo(f"{report.rows} rows: created {report.created}, updated {report.updated}, "
               f"unchanged {report.unchanged}, rejected {report.rejected}")
    if report.dry_run:
        click.echo("dry run: nothing written")


def register(app: Flask) -> None:
    app.cli.add_command(accounts)
    app.cli.add_command(contacts)
