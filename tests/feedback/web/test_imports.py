"""CSV upload: preview, then an import job run by a real worker, then its status page; all or nothing."""
from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedback.auth.roles import Role
from feedback.worker import make_worker
from surveys.audience.models import Account, Contact
from surveys.db import db
from tests.conftest import csrf_token_from
from tests.feedback.web.conftest import token_for

GOOD = b"external_id,name,plan,arr,renewal_date\nacme,Acme Corp,pro,48000,2026-09-30\nglobex,Globex,starter,1200,\n"
ONE_BAD = GOOD + b"initech,Initech,pro,lots,2026-02-30\n"


@pytest.fixture
def manager_client(signed_in):
    client, _user = signed_in(Role.MANAGER)
    return client


def _accounts() -> int:
    db.session.rollback()  # a new transaction sees what the worker committed
    return db.session.scalar(select(func.count()).select_from(Account))


def _upload(client, content: bytes, kind: str = "accounts", filename: str = "accounts.csv", skip_invalid: bool = False):
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    data = {"kind": kind, "file": (io.BytesIO(content), filename), "csrf_token": token}
    if skip_invalid:
        data["skip_invalid"] = "y"
    return client.post("/imports", data=data, content_type="multipart/form-data")


def _run_url(html: str) -> str:
    return re.search(r'action="(/imports/[0-9a-f]{32})"', html).group(1)


def _run(client, preview_html: str, skip_invalid: bool = False):
    """Press Import: the job is queued and the browser is sent to its status page."""
    data = {"csrf_token": csrf_token_from(preview_html)}
    if skip_invalid:
        data["skip_invalid"] = "y"
    return client.post(_run_url(preview_html), data=data)


def _work(app) -> None:
    assert make_worker(app).work(burst=True)
    db.session.rollback()  # the test's session starts afresh, seeing what the job committed


def _import(app, client, preview_html: str, skip_invalid: bool = False) -> str:
    """Import, run the worker, and return the status page once the job is done."""
    response = _run(client, preview_html, skip_invalid)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    _work(app)
    page = client.get(response.location)
    assert page.status_code == 200
    return page.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _empty_queues(app):
    for queue in make_worker(app).queues:
        queue.empty()


def test_upload_page_is_an_accessible_form(manager_client):
    html = manager_client.get("/imports").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and '<label class="form-label" for="file">' in html
    assert "<legend" in html and 'for="skip_invalid"' in html
    assert "account_external_id" in html  # the expected columns are listed


def test_preview_then_import_runs_in_the_worker(app, manager_client):
    preview = _upload(manager_client, GOOD)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Preview: accounts.csv" in html and "No problems found" in html
    assert "<td title=\"Acme Corp\">Acme Corp</td>" in html and "Separator: comma" in html
    assert _accounts() == 0  # a preview writes nothing

    response = _run(manager_client, html)
    assert response.status_code == 303
    assert re.fullmatch(r"/imports/[0-9a-f]{32}/jobs/[0-9a-f-]{36}", response.location)
    queued = manager_client.get(response.location).get_data(as_text=True)
    assert "Queued" in queued and 'http-equiv="refresh" content="2"' in queued
    assert 'role="progressbar"' in queued and 'aria-valuenow="0"' in queued
    assert _accounts() == 0  # nothing is written before the worker runs

    _work(app)
    assert _accounts() == 2
    done = manager_client.get(response.location).get_data(as_text=True)
    assert "Imported accounts.csv" in done and "The import is saved." in done
    assert "http-equiv" not in done and 'aria-valuenow="100"' in done
    assert re.search(r"Created</div>\s*<div class=\"stat-value\">2<", done)
    assert db.session.scalar(select(Account.plan).where(Account.external_id == "acme")) == "pro"


def test_reimporting_the_same_file_changes_nothing(app, manager_client):
    _import(app, manager_client, _upload(manager_client, GOOD).get_data(as_text=True))
    again = _import(app, manager_client, _upload(manager_client, GOOD).get_data(as_text=True))
    assert re.search(r"Unchanged</div>\s*<div class=\"stat-value\">2<", again)
    assert _accounts() == 2


def test_a_bad_row_writes_nothing_and_names_line_and_field(app, manager_client):
    preview = _upload(manager_client, ONE_BAD).get_data(as_text=True)
    assert "line 4: arr:" in preview and "line 4: renewal_date:" in preview
    result = _import(app, manager_client, preview)
    assert "Not imported: accounts.csv" in result and "Nothing was written." in result
    assert "line 4: arr:" in result and "Rejected lines (2)" in result
    assert _accounts() == 0
    # The upload is kept so the valid rows can still be imported from the result page.
    assert "Import the valid rows only" in result
    retry = _import(app, manager_client, result, skip_invalid=True)
    assert "The import is saved." in retry and "1 invalid row was skipped" in retry
    assert "Import the valid rows only" not in retry
    assert _accounts() == 2


def test_skip_invalid_from_the_upload_form_imports_the_rest(app, manager_client):
    preview = _upload(manager_client, ONE_BAD, skip_invalid=True).get_data(as_text=True)
    assert 'id="skip_invalid" name="skip_invalid" type="checkbox" value="y"' in preview.replace(" checked", "") \
        and "checked" in preview
    result = _import(app, manager_client, preview, skip_invalid=True)
    assert "The import is saved." in result and "line 4: arr:" in result and _accounts() == 2


def test_latin1_semicolons_and_a_bom_are_read(app, manager_client):
    content = "\ufeffexternal_id;name\nz1;Zürich AG\n".encode("utf-8")
    html = _upload(manager_client, content).get_data(as_text=True)
    assert "Separator: semicolon" in html and "Zürich AG" in html
    latin = "external_id;name\nz2;Société Générale\n".encode("latin-1")
    html = _upload(manager_client, latin).get_data(as_text=True)
    assert "Société Générale" in html
    _import(app, manager_client, html)
    assert db.session.scalar(select(Account.name).where(Account.external_id == "z2")) == "Société Générale"


def test_a_missing_column_blocks_the_import(app, manager_client):
    html = _upload(manager_client, b"external_id,plan\nacme,pro\n").get_data(as_text=True)
    assert "This file cannot be imported" in html and "name" in html
    assert re.search(r'<button class="btn btn-primary" type="submit"\s+disabled', html)
    result = _import(app, manager_client, html)
    assert "Nothing was written." in result and "missing" in result.lower() and _accounts() == 0


def test_formulas_and_markup_stay_text(app, manager_client):
    content = b'external_id,name\nx1,"=HYPERLINK(""http://evil.example"",""hi"")"\nx2,<b>bold</b>\n'
    html = _upload(manager_client, content).get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
    _import(app, manager_client, html)
    names = set(db.session.scalars(select(Account.name)))
    assert names == {'=HYPERLINK("http://evil.example","hi")', "<b>bold</b>"}


def test_contacts_import_checks_their_accounts(app, manager_client, make_account):
    make_account(external_id="acme", name="Acme")
    content = (b"external_id,account_external_id,email,timezone\n"
               b"c1,acme,ana@acme.test,Europe/Paris\nc2,nope,bob@acme.test,Mars/Base\n")
    preview = _upload(manager_client, content, kind="contacts").get_data(as_text=True)
    assert "Importing contacts" in preview and "line 3: timezone:" in preview
    result = _import(app, manager_client, preview, skip_invalid=True)
    assert "The import is saved." in result
    assert db.session.scalar(select(Contact.email).where(Contact.external_id == "c1")) == "ana@acme.test"
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1


def test_a_failed_job_says_so(app, manager_client):
    preview = _upload(manager_client, GOOD).get_data(as_text=True)
    status_url = _run(manager_client, preview).location
    for path in Path(app.config["UPLOAD_DIR"]).iterdir():
        path.unlink()  # swept before the worker got to it
    _work(app)
    page = manager_client.get(status_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Import failed: accounts.csv" in html
    assert "UnknownUpload" in html and "http-equiv" not in html and _accounts() == 0


def test_unknown_or_someone_elses_job_is_404(signed_in, manager_client):
    preview = _upload(manager_client, GOOD).get_data(as_text=True)
    status_url = _run(manager_client, preview).location
    upload_part = status_url.rsplit("/jobs/", 1)[0]
    assert manager_client.get(f"{upload_part}/jobs/{uuid.uuid4()}").status_code == 404
    assert manager_client.get(f"{upload_part}/jobs/not-a-job").status_code == 404
    job_id = status_url.rsplit("/", 1)[1]
    assert manager_client.get(f"/imports/{'0' * 32}/jobs/{job_id}").status_code == 404  # not that upload's job
    other, _user = signed_in(Role.ADMIN)
    assert other.get(status_url).status_code == 404


@pytest.mark.parametrize("role", [Role.CSM, Role.VIEWER])
def test_readers_cannot_start_or_see_an_import(app, signed_in, manager_client, role):
    preview = _upload(manager_client, GOOD).get_data(as_text=True)
    status_url = _run(manager_client, preview).location
    client, _user = signed_in(role)
    token = token_for(client)
    assert client.post(_run_url(preview), data={"csrf_token": token}).status_code == 403
    assert client.get(status_url).status_code == 403
    _work(app)
    assert client.get(status_url).status_code == 403


def test_no_file_is_422_naming_the_field(manager_client):
    token = token_for(manager_client, "/imports")
    response = manager_client.post("/imports", data={"kind": "accounts", "csrf_token": token},
                                   content_type="multipart/form-data")
    assert response.status_code == 422 and 'id="file-error"' in response.get_data(as_text=True)


def test_unknown_kind_is_422(manager_client):
    token = token_for(manager_client, "/imports")
    response = manager_client.post("/imports", content_type="multipart/form-data",
                                   data={"kind": "users", "file": (io.BytesIO(GOOD), "a.csv"), "csrf_token": token})
    assert response.status_code == 422 and 'id="kind-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CSM, Role.VIEWER])
def test_readers_cannot_import(signed_in, role):
    client, _user = signed_in(role)
    token = token_for(client)
    assert client.get("/imports").status_code == 403
    response = client.post("/imports", content_type="multipart/form-data",
                           data={"kind": "accounts", "file": (io.BytesIO(GOOD), "a.csv"), "csrf_token": token})
    assert response.status_code == 403 and _accounts() == 0


def test_upload_without_csrf_is_400(manager_client):
    response = manager_client.post("/imports", content_type="multipart/form-data",
                                   data={"kind": "accounts", "file": (io.BytesIO(GOOD), "a.csv")})
    assert response.status_code == 400


def test_someone_elses_or_a_made_up_upload_is_404(signed_in, manager_client):
    preview = _upload(manager_client, GOOD).get_data(as_text=True)
    other, _user = signed_in(Role.ADMIN)
    token = token_for(other)
    assert other.post(_run_url(preview), data={"csrf_token": token}).status_code == 404
    assert other.post("/imports/" + "0" * 32, data={"csrf_token": token}).status_code == 404
    assert other.post("/imports/..secret_key", data={"csrf_token": token}).status_code == 404
    assert _accounts() == 0


def test_a_file_that_is_not_csv_is_refused_politely(app, manager_client):
    garbage = bytes(range(256)) * 8
    preview = _upload(manager_client, garbage, filename="photo.png")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "This file cannot be imported" in html
    result = _import(app, manager_client, html)
    assert "Nothing was written." in result and _accounts() == 0


def test_an_oversized_upload_is_a_friendly_413(app, manager_client):
    token = token_for(manager_client, "/imports")
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = manager_client.post("/imports", content_type="multipart/form-data",
                                   data={"kind": "accounts", "file": (io.BytesIO(GOOD * 100), "big.csv"),
                                         "csrf_token": token})
    assert response.status_code == 413 and "That file is too large" in response.get_data(as_text=True)
    assert _accounts() == 0
