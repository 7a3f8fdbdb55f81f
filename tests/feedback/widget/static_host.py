"""A customer's web site in a test: static pages on a second origin, and a service that fails on purpose.

The service runs at ``http://127.0.0.1:<port>`` (the ``live_server`` fixture);
:class:`StaticHost` serves the host pages at ``http://localhost:<port>``, a
different origin, so every widget request is a real cross-origin request.

:class:`StaticHost` can also play a broken service: paths under ``/svc/`` serve
``widget.js`` on GET (so the script's base URL is ``/svc/w/v1/``) and answer every
POST the way ``svc_mode`` says: ``"down"`` drops the connection without a word,
``"slow"`` holds it until the host stops. ``posts`` lists the paths POSTed.

Also here, for the browser test modules: the fixtures (``host``, ``widget_key``,
``console``), the host page and its stub, and small helpers to read what was stored.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from feedback.auth.models import KeyKind
from feedback.responses.models import Answer, Response

WIDGET_JS = Path(__file__).resolve().parents[3] / "feedback" / "widget" / "static" / "widget.js"


class StaticHost:
    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str, dict[str, str]]] = {}
        self.posts: list[str] = []
        self.svc_mode = "down"
        self._release = threading.Event()
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                if path == "/favicon.ico":
                    page = (b"", "image/x-icon", {})
                elif path.startswith("/svc/") and path.endswith("/widget.js"):
                    page = (WIDGET_JS.read_bytes(), "application/javascript", {})
                else:
                    page = host.pages.get(path)
                if page is None:
                    self.send_error(404)
                    return
                body, content_type, headers = page
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                host.posts.append(self.path)
                if host.svc_mode == "slow":
                    host._release.wait(60)
                self.close_connection = True  # "down": no status line, no headers, nothing

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self.origin = f"http://localhost:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def add(self, path: str, body: str, content_type: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None) -> str:
        """Serve ``body`` at ``path``; returns its URL on the host's origin."""
        self.pages[path] = (body.encode(), content_type, headers or {})
        return self.origin + path

    def __enter__(self) -> StaticHost:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


# --- host pages ----------------------------------------------------------------------------------

STUB = ('!function(f){f=window.feedback=window.feedback||{q:[]};["identify","track","show","reset","on"]'
        '.forEach(function(m){f[m]=f[m]||function(){f.q.push([m].concat([].slice.call(arguments)))}})}();')
"""The snippet's stub, exactly as widget.js documents it: calls made before the script loads are queued."""

# What every test page does with the widget's events: keeps them for the test to read.
RECORD_EVENTS = ('window.seen=[];["shown","answered","dismissed"].forEach(function(n){'
                 'feedback.on(n,function(d){seen.push([n,d])})});')


def host_page(script_src: str, key: str, calls: str = "", *, head: str = "", body: str = "",
              inline: bool = True) -> str:
    """A product's page: its own content, the widget's script tag, the stub and the page's calls.

    ``inline=False`` leaves the stub and calls out of the page (a strict CSP page loads them
    from ``/app.js`` instead).
    """
    script = f'<script async src="{script_src}" data-key="{key}"></script>'
    own = f"<script>{STUB}{RECORD_EVENTS}{calls}</script>" if inline else '<script src="/app.js"></script>'
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme Cloud</title>{head}</head>
<body><header><h1>Acme Cloud</h1><button id="host-button">Export report</button><output id="count">0</output></header>
<main><p>Quarterly revenue is up.</p><input id="search" aria-label="Search"></main>{body}
{script}{own}
</body></html>"""


# --- fixtures (imported by name into the browser test modules) ------------------------------------

@pytest.fixture
def host() -> Iterator[StaticHost]:
    with StaticHost() as running:
        yield running


@pytest.fixture
def widget_key(make_key, host) -> str:
    """A public key whose only allowed origin is the host's."""
    _key, plaintext = make_key(KeyKind.PUBLIC, "Acme web app", allowed_origins=[host.origin])
    return plaintext


@dataclass
class Console:
    """What the page said: console messages by type, and uncaught exceptions."""

    messages: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[str]:
        return [text for type_, text in self.messages if type_ == kind]

    @property
    def own_errors(self) -> list[str]:
        """Console errors other than the browser's own network log ("Failed to load resource")."""
        return [text for text in self.of("error") if not text.startswith("Failed to load resource")]


@pytest.fixture
def console(page) -> Console:
    seen = Console()
    page.on("console", lambda message: seen.messages.append((message.type, message.text)))
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    return seen


def open_page(page: Any, host: StaticHost, live_server: str, key: str, calls: str = "", path: str = "/app",
              **kw: Any) -> str:
    """Serve a host page that loads the service's widget.js and makes ``calls``; open it."""
    url = host.add(path, host_page(f"{live_server}/w/v1/widget.js", key, COUNTER + calls, **kw))
    page.goto(url)
    return url


COUNTER = ('document.getElementById("host-button").addEventListener("click",function(){'
           'var o=document.getElementById("count");o.textContent=+o.textContent+1});')
"""The host page's own behaviour: its button counts clicks (so a test can see the page still works)."""


CARD = "feedback-survey section[role=dialog]"  # Playwright's CSS goes through open shadow roots


def stored(session) -> list[tuple[Response, dict[str, Answer]]]:
    session.commit()  # a fresh transaction sees what the server's threads wrote
    rows = session.scalars(select(Response).order_by(Response.id)).all()
    return [(r, {a.question_id: a for a in session.scalars(select(Answer).where(Answer.response_id == r.id))})
            for r in rows]


def eventually(check, timeout: float = 10.0):
    """``check()``'s first truthy value, asking again until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
