"""CSV import from the browser: upload, preview the first rows and errors, import in the background.

The upload is kept under ``UPLOAD_DIR`` (see :mod:`feedback.imports.uploads`).
The preview runs in the request; the import is an RQ job
(:func:`feedback.imports.jobs.run_csv_import`) whose status page shows its
progress, refreshing itself every two seconds, then its result.
"""
from __future__ import annotations

import re

from flask import redirect, render_template, url_for
from flask_login import current_user
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from werkzeug.exceptions import NotFound

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.imports.jobs import run_csv_import
from feedback.imports.uploads import (
    UPLOAD_ID,
    UPLOAD_TTL_SECONDS,
    UnknownUpload,
    Upload,
    get_upload,
    store_upload,
)
from feedback.jobs import queues
from feedback.web.blueprint import bp
from feedback.web.forms import ImportRunForm, ImportUploadForm
from surveys.audience.csv_import import preview_csv

PREVIEW_ROWS = 10
IMPORT_TIMEOUT_SECONDS = 3600
REFRESH_SECONDS = 2
_JOB_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_RUNNING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.CREATED,
            JobStatus.RATE_LIMITED, JobStatus.READY_TO_ENQUEUE}
EXPECTED_COLUMNS = {
    "accounts": ("external_id", "name", "plan", "segment", "arr", "csm_email", "renewal_date"),
    "contacts": ("external_id", "account_external_id", "email", "name", "timezone", "locale", "unsubscribed"),
}


def load_upload(upload_id: str) -> Upload:
    """The current user's upload by id; 404 for anything else (unknown, someone else's, a path)."""
    try:
        upload = get_upload(upload_id)
    except UnknownUpload:
        raise NotFound() from None
    if upload.user_id != current_user.id:
        raise NotFound()
    return upload


def load_job(upload_id: str, job_id: str) -> Job:
    """The current user's import job of ``upload_id``; 404 for anything else."""
    if not UPLOAD_ID.match(upload_id) or not _JOB_ID.match(job_id):
        raise NotFound()
    try:
        job = Job.fetch(job_id, connection=queues().connection)
    except NoSuchJobError:
        raise NotFound() from None
    meta = job.get_meta(refresh=False)
    if (job.func_name != f"{run_csv_import.__module__}.{run_csv_import.__name__}" or job.args[:1] != (upload_id,)
            or meta.get("user_id") != current_user.id):
        raise NotFound()
    return job


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
    file = form.file.data
    upload = store_upload(file.stream, file.filename or "upload.csv", form.kind.data, current_user.id)
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
    skip_invalid = bool(form.skip_invalid.data)
    job = queues().enqueue(run_csv_import, upload.id, upload.kind, skip_invalid,
                           job_timeout=IMPORT_TIMEOUT_SECONDS, result_ttl=UPLOAD_TTL_SECONDS,
                           failure_ttl=UPLOAD_TTL_SECONDS,
                           meta={"user_id": current_user.id, "filename": upload.filename, "kind": upload.kind})
    return redirect(url_for("web.import_job", upload_id=upload.id, job_id=job.id), 303)


@bp.get("/imports/<upload_id>/jobs/<job_id>")
@requires(Permission.WRITE_AUDIENCE)
def import_job(upload_id: str, job_id: str):
    job = load_job(upload_id, job_id)
    status = job.get_status()
    meta = job.get_meta(refresh=False)
    total = meta.get("bytes_total") or 0
    percent = min(100, meta.get("bytes_read", 0) * 100 // total) if total else 0
    summary = failure = None
    if status is JobStatus.FINISHED:
        summary = job.return_value()
        percent = 100
    elif status not in _RUNNING:
        result = job.latest_result()
        failure = (result.exc_string or "").strip().splitlines()[-1:] if result else []
        failure = failure[0] if failure else f"The job was {status.value}."
    return render_template("web/imports/job.html", job=job, status=status, upload_id=upload_id,
                           filename=meta.get("filename", ""), kind=meta.get("kind", ""), skip_invalid=job.args[2],
                           running=status in _RUNNING, percent=percent, summary=summary, failure=failure,
                           refresh=REFRESH_SECONDS)
