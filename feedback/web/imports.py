"""CSV import from the browser: upload, preview the first rows and errors, import, see the result.

The upload is kept under ``UPLOAD_DIR`` between the preview and the import
(a random name plus a small JSON note of who sent it and what it holds), and
deleted once imported. The import runs in the request for now; it streams, so
memory stays flat whatever the file size.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp
from feedback.web.forms import ImportRunForm, ImportUploadForm
from surveys.audience.csv_import import import_csv, preview_csv
from surveys.db import db

PREVIEW_ROWS = 10
SHOWN_ERRORS = 500
UPLOAD_TTL_SECONDS = 24 * 3600
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
EXPECTED_COLUMNS = {
    "accounts": ("external_id", "name", "plan", "segment", "arr", "csm_email", "renewal_date"),
    "contacts": ("external_id", "account_external_id", "email", "name", "timezone", "locale", "unsubscribed"),
}


@dataclass(frozen=True)
class Upload:
    """A file waiting between its preview and its import."""

    id: str
    path: Path
    filename: str
    kind: str
    user_id: int


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _sweep(folder: Path) -> None:
    """Forget uploads nobody imported within a day."""
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def save_upload(file: FileStorage, kind: str) -> Upload:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    upload_id = secrets.token_hex(16)
    path = folder / f"{upload_id}.csv"
    file.save(path)
    filename = Path(file.filename or "upload.csv").name[:200]
    note = {"filename": filename, "kind": kind, "user_id": current_user.id}
    path.with_suffix(".json").write_text(json.dumps(note))
    return Upload(upload_id, path, filename, kind, current_user.id)


def load_upload(upload_id: str) -> Upload:
    """The current user's upload by id; 404 for anything else (unknown, someone else's, a path)."""
    if not _UPLOAD_ID.match(upload_id):
        raise NotFound()
    path = _folder() / f"{upload_id}.csv"
    note_path = path.with_suffix(".json")
    if not path.is_file() or not note_path.is_file():
        raise NotFound()
    note = json.loads(note_path.read_text())
    if note.get("user_id") != current_user.id:
        raise NotFound()
    return Upload(upload_id, path, note["filename"], note["kind"], note["user_id"])


def discard(upload: Upload) -> None:
    upload.path.unlink(missing_ok=True)
    upload.path.with_suffix(".json").unlink(missing_ok=True)


@bp.get("/imports")
@requires(Permission.WRITE_AUDIENCE)
def import_upload():
    return render_template("web/imports/new.html", form=ImportUploadForm(), expected=EXPECTED_COLUMNS)


@bp.post("/imports")
@requires(Permission.WRITE_AUDIENCE)
def import_preview():
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_template("web/imports/new.html", form=form, expected=EXPECTED_COLUMNS), 422
    upload = save_upload(form.file.data, form.kind.data)
    with upload.path.open("rb") as stream:
        preview = preview_csv(stream, upload.kind, limit=PREVIEW_ROWS)
    run_form = ImportRunForm(skip_invalid=form.skip_invalid.data)
    return render_template("web/imports/preview.html", upload=upload, preview=preview, form=run_form,
                           expected=EXPECTED_COLUMNS[upload.kind])


@bp.post("/imports/<upload_id>")
@requires(Permission.WRITE_AUDIENCE)
def import_run(upload_id: str):
    upload = load_upload(upload_id)
    form = ImportRunForm()
    form.validate_on_submit()  # a checkbox cannot be invalid; CSRFProtect has checked the token
    with upload.path.open("rb") as stream:
        report = import_csv(db.session, stream, upload.kind, skip_invalid=form.skip_invalid.data)
    if report.should_commit:
        db.session.commit()
        discard(upload)
    else:
        db.session.rollback()  # kept, so that it can be imported again skipping the bad rows
    return render_template("web/imports/result.html", upload=upload, report=report,
                           errors=[str(e) for e in report.errors[:SHOWN_ERRORS]], skip_invalid=form.skip_invalid.data)
