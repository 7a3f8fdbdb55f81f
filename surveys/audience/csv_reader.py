"""Reading a CSV byte stream line by line: decoding, delimiter, header, records.

The contract of what is read (encodings, delimiters, header names, attribute
columns, line numbers) is stated in :mod:`surveys.audience.csv_import`, the
module that uses this one; this one never holds more than one record.
"""
from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

DELIMITERS = (",", ";", "\t", "|")
ROW = "row"  # the "field" of an error about the record as a whole
MAX_LINE_BYTES = 1 << 20
_CHUNK = 1 << 16
_ATTRIBUTE_PREFIXES = ("attributes.", "attr.")
_WIDE_CODECS = ("utf-16", "utf-32")


@dataclass
class RowError:
    """One problem with one field of one line of the file."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why."""


def normalise_header(name: str) -> str:
    """``" External-ID "`` -> ``"external_id"``."""
    return re.sub(r"[\s\-]+", "_", name.replace("\ufeff", "").strip().lower())


def sniff_delimiter(header_line: str) -> str:
    """The candidate delimiter seen most often outside quotes in the header; ``,`` when none is."""
    outside_quotes = re.sub(r'"[^"]*"', "", header_line)
    best = max(DELIMITERS, key=outside_quotes.count)  # ties go to the earlier, so to ","
    return best if outside_quotes.count(best) else ","


# --- bytes to lines ------------------------------------------------------------------------

class _Lines:
    """The decoded physical lines of a byte stream, counting lines and bytes read.

    Decoding problems of single lines (only with a forced codec) wait in
    ``problems`` for the record they belong to.
    """

    def __init__(self, stream: BinaryIO, encoding: str | None) -> None:
        self.stream = stream
        self.forced = _codec_name(encoding) if encoding else None
        self.encoding = self.forced or "utf-8"
        self.fell_back = False
        self.bytes_read = 0
        self.line_no = 0
        self.problems: list[tuple[int, str]] = []

    def __iter__(self) -> Iterator[str]:
        raw = self._readline()
        if self.forced is None and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
        if self.encoding.startswith(_WIDE_CODECS):
            yield from self._wide(raw)
            return
        if self.forced is None and raw.startswith(codecs.BOM_UTF8):
            raw, self.encoding = raw[len(codecs.BOM_UTF8):], "utf-8-sig"
        while raw:
            self.line_no += 1
            yield self._decode(raw)
            raw = self._readline()

    def take_problems(self) -> list[tuple[int, str]]:
        problems, self.problems = self.problems, []
        return problems

    @property
    def detected(self) -> str:
        return "cp1252" if self.fell_back else self.encoding

    def _readline(self) -> bytes:
        raw = self.stream.readline(MAX_LINE_BYTES)
        self.bytes_read += len(raw)
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            raise FileProblem(f"line {self.line_no + 1}: longer than {MAX_LINE_BYTES} bytes; is this a CSV file?")
        return raw

    def _decode(self, raw: bytes) -> str:
        if self.forced:
            try:
                return raw.decode(self.forced)
            except UnicodeDecodeError as err:
                self.problems.append((self.line_no, f"not valid {self.forced} at byte {err.start + 1}"))
                return raw.decode(self.forced, errors="replace")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            # Excel and older CRMs save "ANSI": Windows-1252, whose printable range
            # is a superset of Latin-1's except five unassigned bytes.
            self.fell_back = True
            try:
                return raw.decode("cp1252")
            except UnicodeDecodeError:
                return raw.decode("latin-1")

    def _wide(self, head: bytes) -> Iterator[str]:
        """Lines of a UTF-16/32 file, whose newlines are not single ``\\n`` bytes."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        text, chunk = "", head
        while True:
            final = not chunk
            try:
                text += decoder.decode(chunk, final=final)
            except UnicodeDecodeError as err:
                raise FileProblem(f"line {self.line_no + 1}: not valid {self.encoding} ({err.reason})") from None
            start = 0
            while (end := text.find("\n", start)) >= 0:
                self.line_no += 1
                yield text[start:end + 1]
                start = end + 1
            text = text[start:]
            if len(text) > MAX_LINE_BYTES:
                raise FileProblem(f"line {self.line_no + 1}: longer than {MAX_LINE_BYTES} characters; is this a CSV file?")
            if final:
                if text:
                    self.line_no += 1
                    yield text
                return
            chunk = self.stream.read(_CHUNK)
            self.bytes_read += len(chunk)


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise FileProblem(f"encoding: unknown encoding {encoding[:40]!r}") from None


# --- lines to records ----------------------------------------------------------------------

class CsvFile:
    """The header of a CSV stream, then its records as ``(line, cells, errors)``."""

    def __init__(self, stream: BinaryIO, fields: frozenset[str], required: tuple[str, ...],
                 encoding: str | None) -> None:
        self.fields, self.required = fields, required
        self.lines = _Lines(stream, encoding)
        self.columns: list[str] = []
        self.delimiter = ","
        self.targets: list[tuple[str, str] | None] = []  # per column: ("field"|"attr", key) or ignored
        self._body: Iterator[str] = iter(())

    def read_header(self) -> list[str]:
        """Read the header line; return the file-level problems found in it."""
        self._body = iter(self.lines)
        first = next(self._body, None)
        if first is None or not first.strip():
            return ["the file is empty" if first is None else "line 1: the header line is blank"]
        self.delimiter = sniff_delimiter(first)
        try:
            header = next(csv.reader([first], delimiter=self.delimiter))
        except csv.Error as err:
            return [f"line 1: not a CSV header ({err})"]
        self.columns = [normalise_header(name) for name in header]
        return self._map_columns()

    def _map_columns(self) -> list[str]:
        problems, seen = [], set()
        for column in self.columns:
            target = self._target(column)
            if target is not None and target in seen:
                problems.append(f"{column}: duplicate column")
            seen.add(target)
            self.targets.append(target)
        for required in self.required:
            if ("field", required) not in seen:
                problems.append(f"{required}: missing column")
        return problems

    def _target(self, column: str) -> tuple[str, str] | None:
        if not column:
            return None  # an unnamed column, e.g. from a trailing delimiter: ignored
        if column in self.fields:
            return ("field", column)
        for prefix in _ATTRIBUTE_PREFIXES:
            if column.startswith(prefix) and len(column) > len(prefix):
                return ("attr", column[len(prefix):])
        return ("attr", column)

    def records(self) -> Iterator[tuple[int, list[str] | None, list[RowError]]]:
        """Every non-blank record after the header with the line it starts on."""
        reader = csv.reader(self._body, delimiter=self.delimiter)
        width = len(self.columns)
        while True:
            line = reader.line_num + 2  # the header was line 1, read by another reader
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                self.lines.take_problems()
                yield line, None, [RowError(line, ROW, f"not valid CSV: {err}")]
                continue
            errors = [RowError(n, ROW, message) for n, message in self.lines.take_problems()]
            if not errors and not any(cell.strip() for cell in cells):
                continue
            if not errors and len(cells) != width:
                errors.append(RowError(line, ROW, f"{len(cells)} cells where the header has {width}"))
            yield line, cells, errors

    def row_data(self, cells: list[str]) -> dict[str, Any]:
        """A record as input for the load schema; empty cells are left out."""
        data: dict[str, Any] = {}
        attributes: dict[str, str] = {}
        for cell, target in zip(cells, self.targets):
            value = cell.strip()
            if target is None or not value:
                continue
            kind, key = target
            (attributes if kind == "attr" else data)[key] = value
        if attributes:
            data["attributes"] = attributes
        if "unsubscribed" in data:
            data["unsubscribed"] = data["unsubscribed"].lower()
        return data
