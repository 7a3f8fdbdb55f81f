"""run_csv_import: the background import of an upload, its progress in the job's meta, and its summary."""
from __future__ import annotations

import io
import json

import pytest
from rq.job import JobStatus
from sqlalchemy import func, select

from feedback.imports import jobs
from feedback.imports.jobs import run_csv_import
from feedback.imports.uploads import UnknownUpload, store_upload
from feedback.worker import make_worker
from surveys.audience.models import Account
from surveys.db import db

GOOD = b"external_id,name,plan\nacme,Acme Corp,pro\nglobex,Globex,starter\n"
ONE_BAD = GOOD + b"initech,Initech,pro,extra-cell\n"


@pytest.fixture
def queues(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    queues = app.extensions["rq"]
    queues.queue().empty()
    return queues


def _store(content: bytes):
    return store_upload(io.BytesIO(content), "crm.csv", "accounts", user_id=1)


def _accounts() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Account))


def test_the_worker_imports_commits_and_records_progress(app, queues):
    upload = _store(GOOD)
    job = queues.enqueue(run_csv_import, upload.id, "accounts", False)
    assert make_worker(app).work(burst=True)
    job.refresh()
    assert job.get_status() is JobStatus.FINISHED
    summary = job.return_value()
    assert summary == {"kind": "accounts", "rows": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0,
                       "errors": [], "error_count": 0, "problems": [], "written": True}
    json.dumps(summary)  # stored and shown as is
    assert job.get_meta() == {"bytes_read": len(GOOD), "bytes_total": len(GOOD)}
    assert _accounts() == 2

    # Run twice: the same upload re-imports to the same rows.
    again = queues.enqueue(run_csv_import, upload.id, "accounts", False)
    make_worker(app).work(burst=True)
    assert again.return_value(refresh=True) | {"unchanged": 0, "created": 2} == summary
    assert again.return_value()["unchanged"] == 2 and _accounts() == 2


def test_a_bad_line_writes_nothing_unless_skipped(app, queues):
    upload = _store(ONE_BAD)
    summary = run_csv_import(upload.id, "accounts", False)  # outside a worker: no job, no progress to store
    assert summary["written"] is False and summary["rejected"] == 1 and summary["rows"] == 3
    assert summary["errors"][0].startswith("line 4: row:")
    assert _accounts() == 0 and upload.path.is_file()  # kept for a retry
    summary = run_csv_import(upload.id, "accounts", True)
    assert summary["written"] is True and summary["created"] == 2 and _accounts() == 2


def test_only_the_first_errors_are_returned(app, queues):
    upload = _store(b"external_id,name\n" + b"".join(b"x%d,\n" % n for n in range(600)))
    summary = run_csv_import(upload.id, "accounts", False)
    assert len(summary["errors"]) == jobs.SHOWN_ERRORS and summary["error_count"] == 600


def test_a_missing_upload_fails_the_job(app, queues):
    with pytest.raises(UnknownUpload):
        run_csv_import("0" * 32, "accounts", False)
    with pytest.raises(UnknownUpload):
        run_csv_import("../secret", "accounts", False)


def test_progress_is_saved_at_most_every_half_second(monkeypatch):
    saved = []

    class FakeJob:
        def __init__(self):
            self.meta = {}

        def save_meta(self):
            saved.append(dict(self.meta))

    clock = iter([0.0, 0.1, 0.2, 0.7, 0.8, 0.9])
    monkeypatch.setattr(jobs, "get_current_job", FakeJob)
    monkeypatch.setattr(jobs.time, "monotonic", lambda: next(clock))
    progress = jobs._Progress(1000)  # 0.0: saved
    for read in (100, 200, 300, 400, 1000):  # 0.1, 0.2 skipped; 0.7 saved; 0.8 skipped; 0.9 the end, saved
        progress(read)
    assert [s["bytes_read"] for s in saved] == [0, 300, 1000]
    assert all(s["bytes_total"] == 1000 for s in saved)
