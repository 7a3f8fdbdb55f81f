"""Uploaded CSV files waiting under ``UPLOAD_DIR``: ``<id>.csv`` plus a ``<id>.json`` note.

The note says who sent the file, under which name, and what it holds. Files
are swept a day after their upload, imported or not, so that the import job
can be run again (it is idempotent) and the "import the valid rows only" retry
still finds the file.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app

UPLOAD_TTL_SECONDS = 24 * 3600
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


class UnknownUpload(LookupError):
    """No such upload: a malformed id, or a file that was never there or is swept."""


@dataclass(frozen=True)
class Upload:
    """A file waiting to be imported."""

    id: str
    path: Path
    filename: str
    kind: str
    user_id: int


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def upload_path(upload_id: str) -> Path:
    """The CSV file of ``upload_id``; :class:`UnknownUpload` for anything but 32 hex digits."""
    if not UPLOAD_ID.match(upload_id):
        raise UnknownUpload(upload_id)
    return upload_folder() / f"{upload_id}.csv"


def sweep(folder: Path) -> None:
    """Forget uploads older than a day."""
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def store_upload(stream: BinaryIO, filename: str, kind: str, user_id: int) -> Upload:
    """Save ``stream`` as a new upload (sweeping the old ones first)."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder)
    upload_id = secrets.token_hex(16)
    path = folder / f"{upload_id}.csv"
    with path.open("wb") as out:
        while chunk := stream.read(1 << 16):
            out.write(chunk)
    filename = Path(filename or "upload.csv").name[:200]
    path.with_suffix(".json").write_text(json.dumps({"filename": filename, "kind": kind, "user_id": user_id}))
    return Upload(upload_id, path, filename, kind, user_id)


def get_upload(upload_id: str) -> Upload:
    """The upload ``upload_id`` whoever sent it; :class:`UnknownUpload` when there is none."""
    path = upload_path(upload_id)
    note_path = path.with_suffix(".json")
    if not path.is_file() or not note_path.is_file():
        raise UnknownUpload(upload_id)
    note = json.loads(note_path.read_text())
    return Upload(upload_id, path, note["filename"], note["kind"], note["user_id"])


def discard(upload: Upload) -> None:
    upload.path.unlink(missing_ok=True)
    upload.path.with_suffix(".json").unlink(missing_ok=True)
