"""Streaming CSV import of accounts and contacts.

Reading
    The file is read one physical line at a time and never held whole, so 100k
    rows import in constant memory (plus a 12-byte slot per row to find
    duplicate ids). A UTF-8 byte-order mark is dropped; a UTF-16 one switches
    the file to UTF-16. Otherwise each line is UTF-8 when it decodes as such,
    else Windows-1252 (Latin-1 for its five unassigned bytes), so a file saved
    in latin-1 keeps its accents. ``encoding=`` forces one codec for every line.
    The delimiter (``,`` ``;`` tab ``|``) is sniffed from the header line.

Columns
    Header names are trimmed and lower-cased; spaces and dashes become ``_``
    (``External ID`` is ``external_id``).

    * accounts: ``external_id`` and ``name`` (both required), ``plan``,
      ``segment``, ``arr``, ``csm_email``, ``renewal_date`` (YYYY-MM-DD);
    * contacts: ``external_id`` (required), ``account_external_id``, ``email``,
      ``name``, ``timezone``, ``locale``, ``unsubscribed`` (true/false, yes/no, 1/0);
    * every other column is an attribute: ``attributes.industry``,
      ``attr.industry`` and a plain ``industry`` column all set
      ``attributes["industry"]`` to the cell's text; a column without a name
      (a trailing delimiter) is ignored.

    Each row is loaded through :mod:`surveys.audience.schemas`, the same rules as
    the API. An empty cell means "absent": the record keeps its value (null on
    create); a CSV cannot clear a field. Text is stored as given, formulas too:
    ``=HYPERLINK("http://x","y")`` stays text (exports neutralise it).

Errors
    Each bad line is reported as ``line N: field: message``, N being the physical
    line where the record starts, the header being line 1. ``row`` names errors
    of the record as a whole (cell count, CSV syntax, decoding). A second row
    with an ``external_id`` seen before is rejected, naming the earlier line; a
    contact naming an unknown account is rejected on ``account_external_id``.
    A file-level problem (missing required column, empty file, a line over
    1 MiB) rejects the whole file: nothing is imported.

Writing
    Valid rows are upserted in batches through :mod:`surveys.audience.services`
    inside one savepoint; the session is flushed, never committed. By default
    the import is all or nothing: after the first bad row no more batches are
    written, the rest of the file is still checked, and the savepoint is rolled
    back. ``skip_invalid`` writes every valid row. ``dry_run`` writes every
    valid row, counts, and rolls back. The caller commits only when
    ``report.should_commit``; when it is False the session holds nothing of the
    file. Importing the same file twice changes nothing the second time (every
    row is ``unchanged``).
"""
from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any, BinaryIO

from marshmallow import Schema
from sqlalchemy.orm import Session

from surveys.audience.csv_reader import ROW, CsvFile, FileProblem, RowError
from surveys.audience.schemas import AccountLoadSchema, ContactLoadSchema, load_lenient
from surveys.audience.services import (
    UnknownAccount,
    UpsertResult,
    account_ids_by_external_id,
    upsert_accounts,
    upsert_contacts,
)

KINDS = ("accounts", "contacts")
MAX_KEPT_ERRORS = 10_000
PREVIEW_CHECKED_ROWS = 1_000


@dataclass
class CsvPreview:
    """The first rows of a file as the importer reads them (see :func:`preview_csv`)."""

    columns: list[str]
    rows: list[dict[str, str]]
    delimiter: str
    encoding: str
    errors: list[RowError]
    problems: list[str]


@dataclass
class ImportReport:
    """What :func:`import_csv` did, or would do on a dry run.

    ``rows`` counts data records read; ``rejected`` every bad one, while
    ``errors`` keeps at most ``MAX_KEPT_ERRORS`` messages, sorted by line.
    The counts say what the valid rows did (or, on a dry run, would do); but
    without ``skip_invalid`` a real run stops writing, and counting, at the
    first rejected row. ``problems`` are file-level: nothing was imported.
    """

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    should_commit: bool = False
    problems: list[str] = field(default_factory=list)


# --- what each kind of record accepts -------------------------------------------------------

@dataclass(frozen=True)
class _Kind:
    name: str
    schema: type[Schema]
    upsert: Callable[[Session, list[dict[str, Any]]], UpsertResult]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.schema().fields) - {"attributes"}

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(name for name, f in self.schema().fields.items() if f.required)


_KINDS = {
    "accounts": _Kind("accounts", AccountLoadSchema, upsert_accounts),
    "contacts": _Kind("contacts", ContactLoadSchema, upsert_contacts),
}


def _kind(kind: str) -> _Kind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}") from None


# --- records to valid rows -----------------------------------------------------------------

class _SeenIds:
    """The first line of each external_id seen, in an open-addressing table of 8-byte digests.

    Python dicts cost about 100 bytes an entry; two arrays cost 12 bytes a slot,
    which keeps a 100k-row import's memory flat.
    """

    def __init__(self) -> None:
        self._digests = array("Q", [0]) * 1024
        self._lines = array("L", [0]) * 1024
        self._count = 0

    def first_line(self, external_id: str, line: int) -> int | None:
        """The line ``external_id`` was first seen on, or None after recording it at ``line``."""
        digest = int.from_bytes(blake2b(external_id.encode(), digest_size=8).digest(), "little") or 1
        slot = self._find(digest)
        if self._digests[slot] == digest:
            return self._lines[slot]
        self._digests[slot], self._lines[slot] = digest, line
        self._count += 1
        if self._count * 2 > len(self._digests):
            self._grow()
        return None

    def _find(self, digest: int) -> int:
        mask = len(self._digests) - 1
        slot = digest & mask
        while self._digests[slot] not in (0, digest):
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        digests, lines = self._digests, self._lines
        self._digests = array("Q", [0]) * (len(digests) * 2)
        self._lines = array("L", [0]) * (len(digests) * 2)
        for digest, line in zip(digests, lines):
            if digest:
                slot = self._find(digest)
                self._digests[slot], self._lines[slot] = digest, line


def _flatten(messages: Any, name: str = "") -> Iterator[tuple[str, str]]:
    """marshmallow's nested messages as ``(field, message)`` pairs."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            key = ROW if key == "_schema" else str(key)
            yield from _flatten(value, f"{name}.{key}" if name else key)
    elif isinstance(messages, list | tuple):
        for message in messages:
            yield from _flatten(message, name)
    else:
        yield name or ROW, str(messages)


class _Checker:
    """Loads records through the kind's schema and rejects duplicate ids."""

    def __init__(self, csv_file: CsvFile, kind: _Kind) -> None:
        self.csv_file = csv_file
        self.schema = kind.schema()
        self.seen = _SeenIds()

    def check(self, line: int, cells: list[str] | None, errors: list[RowError]) -> tuple[dict | None, list[RowError]]:
        if errors or cells is None:
            return None, errors
        data = self.csv_file.row_data(cells)
        loaded, messages = load_lenient(self.schema, data)
        errors = [RowError(line, name, message) for name, message in _flatten(messages)]
        external_id = loaded["external_id"] if loaded else data.get("external_id")
        if external_id and "external_id" not in messages:
            first = self.seen.first_line(external_id, line)
            if first is not None:
                errors.append(RowError(line, "external_id", f"{external_id[:64]!r} is already on line {first}"))
        return (None if errors else loaded), errors


# --- the public functions ------------------------------------------------------------------

def preview_csv(stream: BinaryIO, kind: str, limit: int = 10) -> CsvPreview:
    """The header, the first ``limit`` rows and the errors in the first 1,000 rows of ``stream``.

    Reads from the stream's current position and at most about 1,000 records
    (rewind before importing the same stream). Checks each row as the import
    would, except whether a contact's account exists: that needs the database.
    """
    spec = _kind(kind)
    csv_file = CsvFile(stream, spec.fields, spec.required, None)
    rows: list[dict[str, str]] = []
    errors: list[RowError] = []
    try:
        problems = csv_file.read_header()
        checker = _Checker(csv_file, spec)
        for count, (line, cells, row_errors) in enumerate(csv_file.records() if csv_file.columns else ()):
            if count >= PREVIEW_CHECKED_ROWS or (problems and count >= limit):
                break
            if count < limit and cells is not None:
                rows.append(dict(zip(csv_file.columns, cells)))
            if not problems:
                errors.extend(checker.check(line, cells, row_errors)[1])
    except FileProblem as problem:
        problems = [str(problem)]
    return CsvPreview(columns=csv_file.columns, rows=rows, delimiter=csv_file.delimiter,
                      encoding=csv_file.lines.detected, errors=errors, problems=problems)


def import_csv(session: Session, stream: BinaryIO, kind: str, *, dry_run: bool = False,
               skip_invalid: bool = False, batch_size: int = 1000,
               progress: Callable[[int], None] | None = None, encoding: str | None = None) -> ImportReport:
    """Upsert the accounts or contacts of a CSV ``stream`` (see the module docstring).

    ``progress`` is called with the number of bytes read so far after every
    batch and at the end. The session is flushed, never committed: commit only
    when ``report.should_commit``; otherwise the session holds nothing of the file.
    """
    spec = _kind(kind)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = ImportReport(kind=kind, dry_run=dry_run)
    savepoint = session.begin_nested()
    try:
        _Import(session, spec, report, skip_invalid, batch_size, progress).run(stream, encoding)
    except BaseException:
        savepoint.rollback()
        raise
    report.should_commit = not dry_run and not report.problems and (report.rejected == 0 or skip_invalid)
    if report.should_commit:
        savepoint.commit()
    else:
        savepoint.rollback()
    report.errors.sort(key=lambda error: error.line)
    return report


class _Import:
    """One run of :func:`import_csv`: records in, batches of upserts out."""

    def __init__(self, session: Session, kind: _Kind, report: ImportReport, skip_invalid: bool,
                 batch_size: int, progress: Callable[[int], None] | None) -> None:
        self.session, self.kind, self.report = session, kind, report
        self.skip_invalid, self.batch_size, self.progress = skip_invalid, batch_size, progress

    def run(self, stream: BinaryIO, encoding: str | None) -> None:
        try:
            csv_file = CsvFile(stream, self.kind.fields, self.kind.required, encoding)
            self.report.problems = csv_file.read_header()
            if self.report.problems:
                return
            self.lines = csv_file.lines
            checker = _Checker(csv_file, self.kind)
            batch: list[tuple[int, dict[str, Any]]] = []
            for line, cells, errors in csv_file.records():
                self.report.rows += 1
                row, errors = checker.check(line, cells, errors)
                if errors:
                    self.reject(errors)
                    continue
                batch.append((line, row))
                if len(batch) >= self.batch_size:
                    self.write(batch)
                    batch = []
            self.write(batch)
        except FileProblem as problem:
            self.report.problems = [str(problem)]

    def reject(self, errors: list[RowError]) -> None:
        self.report.rejected += 1
        room = MAX_KEPT_ERRORS - len(self.report.errors)
        self.report.errors.extend(errors[:max(room, 0)])

    def write(self, batch: list[tuple[int, dict[str, Any]]]) -> None:
        rows = self._with_known_accounts(batch) if self.kind.name == "contacts" else [row for _, row in batch]
        # All or nothing: once a row is rejected nothing more is written, since
        # the savepoint will be rolled back anyway; the checking goes on. A dry
        # run writes on (and rolls back) so that its counts are complete.
        if rows and (self.skip_invalid or self.report.dry_run or self.report.rejected == 0):
            result = self.kind.upsert(self.session, rows)
            self.report.created += result.created
            self.report.updated += result.updated
            self.report.unchanged += result.unchanged
        if self.progress is not None:
            self.progress(self.lines.bytes_read)

    def _with_known_accounts(self, batch: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
        """The batch's rows whose account exists; the others are rejected."""
        known = account_ids_by_external_id(self.session, (row.get("account_external_id") for _, row in batch))
        rows = []
        for line, row in batch:
            account = row.get("account_external_id")
            if account and account not in known:
                self.reject([RowError(line, "account_external_id", str(UnknownAccount(account)))])
            else:
                rows.append(row)
        return rows


__all__ = ["KINDS", "MAX_KEPT_ERRORS", "CsvPreview", "ImportReport", "RowError", "import_csv", "preview_csv"]
