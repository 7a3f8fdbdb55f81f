"""The background job that imports an uploaded CSV file, reporting its progress in the job's meta.

It commits only when the import says so (all or nothing, unless invalid rows
are skipped) and leaves the upload in place: running it again re-imports the
same file to the same rows, since the upserts are idempotent.
"""
from __future__ import annotations

import time
from typing import Any

from rq import get_current_job

from feedback.imports.uploads import get_upload
from surveys.audience.csv_import import import_csv
from surveys.db import db

SHOWN_ERRORS = 500
PROGRESS_EVERY_SECONDS = 0.5


class _Progress:
    """Stores ``{"bytes_read", "bytes_total"}`` in the current RQ job's meta, at most every half second."""

    def __init__(self, bytes_total: int) -> None:
        self.job = get_current_job()
        self.bytes_total = bytes_total
        self.saved_at = float("-inf")
        self(0)

    def __call__(self, bytes_read: int) -> None:
        now = time.monotonic()
        done = bytes_read >= self.bytes_total
        if self.job is None or (now - self.saved_at < PROGRESS_EVERY_SECONDS and not done):
            return
        self.job.meta.update(bytes_read=min(bytes_read, self.bytes_total), bytes_total=self.bytes_total)
        self.job.save_meta()
        self.saved_at = now


def run_csv_import(upload_id: str, kind: str, skip_invalid: bool) -> dict[str, Any]:
    """Import upload ``upload_id`` as ``kind``; a JSON-serialisable summary of what was done."""
    upload = get_upload(upload_id)
    progress = _Progress(upload.path.stat().st_size)
    try:
        with upload.path.open("rb") as stream:
            report = import_csv(db.session, stream, kind, skip_invalid=skip_invalid, progress=progress)
        if report.should_commit:
            db.session.commit()
        else:
            db.session.rollback()
    except BaseException:
        db.session.rollback()
        raise
    return {
        "kind": kind,
        "rows": report.rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "errors": [str(error) for error in report.errors[:SHOWN_ERRORS]],
        "error_count": len(report.errors),
        "problems": list(report.problems),
        "written": report.should_commit,
    }
