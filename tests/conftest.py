"""Shared fixtures: a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
a real Redis server, the app, clients, factories, and real Chromium through Playwright.

Run the suite on PostgreSQL with
``TEST_DATABASE_URL=postgresql://user:pass@127.0.0.1/feedback_test pytest``;
each xdist worker gets a database of its own (``feedback_test_gw0`` ...).
"""
from __future__ import annotations

import contextvars
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from feedback.app import create_app
from feedback.extensions import limiter
from feedback.auth.keys import create_key
from feedback.auth.models import ApiKey, KeyKind, User
from feedback.auth.roles import Role
from feedback.auth.users import create_user
from surveys.audience.models import Account, Contact
from surveys.db import Base, db

PASSWORD = "correct horse battery"


def _worker_suffix() -> str:
    # Outside xdist, the pid keeps two people's runs on one server from dropping each other's database.
    return os.environ.get("PYTEST_XDIST_WORKER") or f"main{os.getpid()}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A fresh, empty database for this test session (one per xdist worker)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1) if base.startswith("postgresql://") else base)
    name = f"{url.database}_{_worker_suffix()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A real redis-server of this session's own, on a Unix socket (or TEST_REDIS_URL)."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; .ci/run installs it (apt-get install redis-server)")
    folder = tmp_path_factory.mktemp("redis")
    sock = folder / "redis.sock"
    proc = subprocess.Popen([binary, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no",
                             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not sock.exists():
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.02)
    yield f"unix://{sock}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def app_config(database_url, redis_url, tmp_path_factory) -> dict[str, Any]:
    instance = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "BASE_URL": "http://localhost",
        "OUTBOX_DIR": str(instance / "outbox"),
        "UPLOAD_DIR": str(instance / "uploads"),
    }


@pytest.fixture(scope="session")
def _schema(app_config) -> None:
    """Build the schema once per session through the real migrations."""
    from flask_migrate import upgrade

    app = create_app(app_config)
    with app.app_context():
        upgrade()
        db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own, as in production.

    The ``app`` fixture keeps an app context open for the test's own database work;
    Flask would reuse it for test-client requests, sharing ``g`` (Flask-Login's user,
    the CSRF token, the API principal) and the database session between requests
    and with the test. Running each request in a copied ``contextvars`` context with
    no current app context gives it a fresh ``g`` and session, torn down afterwards.
    """

    def open(self, *args, **kwargs):
        def run():
            _cv_app.set(None)
            return super(IsolatedClient, self).open(*args, **kwargs)
        # End the test's transaction on both sides of the request: the request sees what
        # the test wrote, and the test's next read sees what the request wrote.
        db.session.commit()
        response = contextvars.copy_context().run(run)
        db.session.expire_all()
        db.session.commit()
        return response


@pytest.fixture
def app(app_config, _schema):
    """The app, its tables emptied after the test."""
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        limiter.reset()  # rate-limit counters live in the session's Redis: each test starts fresh
        empty_tables()


def empty_tables() -> None:
    """End the app's session, delete every row (children first) and close the connections."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    return db.session


# --- factories -------------------------------------------------------------------------------

@pytest.fixture
def make_user(app):
    def make(role: Role | str = Role.ADMIN, email: str | None = None, password: str = PASSWORD, **kw) -> User:
        role = Role(role)
        email = email or f"{role.value}-{os.urandom(3).hex()}@example.com"
        user = create_user(db.session, email, role, password=password, **kw)
        db.session.commit()
        return user
    return make


@pytest.fixture
def make_account(app):
    counter = iter(range(1, 1_000_000))

    def make(**kw) -> Account:
        n = next(counter)
        values = {"external_id": f"acct-{n}", "name": f"Account {n}", "attributes": {}} | kw
        account = Account(**values)
        db.session.add(account)
        db.session.commit()
        return account
    return make


@pytest.fixture
def make_contact(app):
    counter = iter(range(1, 1_000_000))

    def make(**kw) -> Contact:
        n = next(counter)
        values = {"external_id": f"contact-{n}", "email": f"person{n}@example.com", "attributes": {}} | kw
        contact = Contact(**values)
        db.session.add(contact)
        db.session.commit()
        return contact
    return make


@pytest.fixture
def make_key(app):
    def make(kind: KeyKind | str = KeyKind.SECRET, name: str = "test key", **kw) -> tuple[ApiKey, str]:
        key, plaintext = create_key(db.session, name, KeyKind(kind), **kw)
        db.session.commit()
        return key, plaintext
    return make


@pytest.fixture
def api_headers(make_key) -> dict[str, str]:
    """Headers of a request authenticated with a fresh secret key."""
    _key, plaintext = make_key()
    return {"Authorization": f"Bearer {plaintext}"}


def csrf_token_from(html: str) -> str:
    """The CSRF token a rendered form carries."""
    import re

    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


@pytest.fixture
def login(client):
    """Log ``user`` in through the real login form (CSRF token included)."""
    def do(user: User, password: str = PASSWORD):
        page = client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        response = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return client
    return do


# --- a live server and real Chromium ---------------------------------------------------------

@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served over HTTP on a free loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed; .ci/run installs Debian's chromium package")
    return path


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shots_dir() -> Path:
    """Where browser tests leave screenshots for a person to look at."""
    path = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).parent.parent / "instance" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
