"""widget.js in Chromium: its size, the time from ``show()`` to the survey on screen, and what it costs a page's load.

The service runs in a thread (werkzeug, threaded) on the benchmark's database; the
host pages come from a second tiny server on another origin (``localhost`` vs
``127.0.0.1``), as a customer's product would; Debian's Chromium through Playwright.

* **size**: widget.js as committed, gzip -9 and brotli (quality 11), against the 10 KB
  gzip budget; timed: fetching and running it from a blocking ``<script>`` tag in a
  fresh browser context (no cache), ``rows`` times;
* **show() → visible**: ``feedback.show(id)`` of an anonymous survey until the frame after
  the card is built (the ``shown`` event, then a paint), page and token warm; the
  baseline is the bare ``fetch()`` of the same ``/w/v1/show`` request from the same page,
  so the ratio is what rendering adds to the round trip;
* **page load**: the ``load`` event (navigation timing ``loadEventEnd``) of a product page
  (~1 MB of app script that renders a 300-row table, and its CSS) without the widget (the
  baseline) and with the snippet (async script tag, stub, ``identify``, ``track``), the two
  kinds interleaved: a first visit (a fresh browser context per load: cold cache, new
  connections) and a returning visitor (one context: widget.js from the HTTP cache). The
  widget must add less than 5 %: the path's name gives the median of the paired ratios
  (each load with the widget over the load without it just before or after it) and the
  difference of the medians of the main thread's CPU time at the load event (Chromium's
  ``ThreadTime`` metric), which other processes on the machine disturb much less.
  The first visit of a bare page (a heading and a paragraph, no script of its own) shows
  the fixed cost at its most visible.

Latencies are medians (p50) and p99 of ``rows`` runs (default 30).
"""
from __future__ import annotations

import gzip
import logging
import shutil
import statistics
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli

from bench.harness import Result, Target, say

NAME = "widget"
DEFAULT_ROWS = 30
BUDGET = 10 * 1024
SCRIPT = Path(__file__).resolve().parent.parent / "feedback" / "widget" / "static" / "widget.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STUB = ('!function(f){f=window.feedback=window.feedback||{q:[]};["identify","track","show","reset","on"]'
        '.forEach(function(m){f[m]=f[m]||function(){f.q.push([m].concat([].slice.call(arguments)))}})}();')


class _Server:
    """A WSGI app or a dict of static pages, served in a thread on a loopback port."""

    def __init__(self, app=None, pages: dict[str, tuple[bytes, str]] | None = None) -> None:
        if app is not None:
            from werkzeug.serving import make_server

            self._server = make_server("127.0.0.1", 0, app, threaded=True)
        else:
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), _static_handler({} if pages is None else pages))
            self._server.daemon_threads = True
            self._server.handle_error = lambda request, address: None  # a page closed mid-answer: nothing to report
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def _static_handler(pages: dict[str, tuple[bytes, str]]):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body, content_type = pages.get(self.path.split("?")[0], (b"", "text/plain"))
            self.send_response(200 if body or self.path == "/favicon.ico" else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass
    return Handler


def run(target: Target, rows: int) -> list[Result]:
    from playwright.sync_api import sync_playwright

    target.app.config["WIDGET_RATE_LIMIT"] = "1000000 per minute"  # the benchmark is one address in a loop
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request on stderr
    pages: dict[str, tuple[bytes, str]] = {}
    with _Server(app=target.app) as service, _Server(pages=pages) as host, sync_playwright() as pw:
        origin, api = f"http://localhost:{host.port}", f"http://127.0.0.1:{service.port}"
        key, survey_id = _seed(origin)
        pages.update(_pages(api, key, survey_id))
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        if executable is None:
            raise RuntimeError("Chromium is not installed (apt-get install chromium)")
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            results = [_size(target, browser, origin, rows), *_show(target, browser, origin, rows, survey_id)]
            results += _load(target, browser, origin, rows, "product page, first visit", "/app")
            results += _load(target, browser, origin, rows, "product page, returning visitor", "/app", warm=True)
            results += _load(target, browser, origin, rows, "bare page, first visit", "/bare")
        finally:
            browser.close()
    return results


def _seed(origin: str) -> tuple[str, int]:
    from feedback.auth.keys import create_key
    from feedback.auth.models import KeyKind
    from surveys.db import db
    from surveys.design.services import create_survey, publish

    _key, plaintext = create_key(db.session, "bench widget", KeyKind.PUBLIC, allowed_origins=[origin])
    survey = create_survey(db.session, "Bench widget NPS", {"product": "Acme Cloud", "widget": {"anonymous": True},
                                                            "questions": [{"id": "nps", "type": "nps"}]})
    publish(db.session, survey)
    db.session.commit()
    return plaintext, survey.id


def _bundle() -> str:
    """About 1 MB of app script: many small functions, and a table rendered at start."""
    functions = "".join(f"M.f{n}=function(a,b){{var x=a*{n}+b;for(var i=0;i<{n % 7 + 2};i++)x=(x*31+i)%1000003;"
                        f"return x+'{n:x}'.length}};\n" for n in range(9000))
    return ("var M={};\n" + functions + "document.addEventListener('DOMContentLoaded',function(){"
            "var t=document.createElement('table'),r,c,i,j;for(i=0;i<300;i++){r=t.insertRow();"
            "for(j=0;j<6;j++){c=r.insertCell();c.textContent=M['f'+(i*6+j)](i,j)}}document.body.appendChild(t)});")


def _pages(api: str, key: str, survey_id: int) -> dict[str, tuple[bytes, str]]:
    tag = f'<script async src="{api}/w/v1/widget.js" data-key="{key}"></script>'
    snippet = f'{tag}<script>{STUB}feedback.identify("bench-visitor",{{plan:"pro"}});feedback.track("page_viewed");</script>'
    css = "".join(f".c{n}{{margin:{n % 9}px;padding:{n % 5}px;color:#{n % 4096:03x}}}\n" for n in range(2500))

    def page(head: str, body: str) -> tuple[bytes, str]:
        return (f'<!doctype html><html><head><meta charset="utf-8"><title>Acme</title>{head}</head>'
                f"<body><h1>Acme Cloud</h1><p>Quarterly revenue is up.</p>{body}</body></html>").encode(), "text/html"

    app_head = '<link rel="stylesheet" href="/app.css"><script defer src="/bundle.js"></script>'
    return {
        "/favicon.ico": (b"", "image/x-icon"),
        "/bundle.js": (_bundle().encode(), "application/javascript"),
        "/app.css": (css.encode(), "text/css"),
        "/app": page(app_head, ""),
        "/app-widget": page(app_head, snippet),
        "/bare": page("", ""),
        "/bare-widget": page("", snippet),
        "/boot": page("", f'<script>performance.mark("a")</script><script src="{api}/w/v1/widget.js" '
                          f'data-key="{key}"></script><script>performance.measure("boot","a")</script>'),
        "/show": page("", f"{tag}<script>{STUB}window.API={api!r};window.KEY={key!r};</script>"),
    }


def _size(target: Target, browser, origin: str, rows: int) -> Result:
    raw = SCRIPT.read_bytes()
    gz, br = len(gzip.compress(raw, 9)), len(brotli.compress(raw, quality=11, mode=brotli.MODE_TEXT))
    times = []
    for _ in range(rows):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{origin}/boot")
        times.append(page.evaluate("performance.getEntriesByName('boot')[0].duration") / 1000)
        context.close()
    say(f"{target.database}: widget.js {len(raw):,} B raw, {gz:,} B gzip, {br:,} B brotli; "
        f"boot p50 {statistics.median(times) * 1000:.1f} ms")
    if gz > BUDGET:
        raise RuntimeError(f"widget.js is {gz:,} B gzipped, over the {BUDGET:,} B budget")
    return Result(NAME, target.database, f"widget.js {gz:,} B gzip -9 (budget {BUDGET:,}), {br:,} B brotli, "
                  f"{len(raw):,} B raw: fetch + boot, cold", rows, sum(times), None,
                  p50=statistics.median(times), p99=_p99(times))


SHOW = """async ([id, bare]) => {
  await new Promise(r => setTimeout(r, 30));
  const t0 = performance.now();
  if (bare) {
    const token = JSON.parse(localStorage.getItem("fb_v_" + KEY));
    await fetch(API + "/w/v1/show", {method: "POST", headers: {"Content-Type": "text/plain;charset=UTF-8"},
      body: JSON.stringify({key: KEY, token: token, survey_id: id})}).then(r => r.json());
    return performance.now() - t0;
  }
  return await new Promise(done => {
    const off = feedback.on("shown", () => requestAnimationFrame(() => setTimeout(() => {
      off(); done(performance.now() - t0); })));
    feedback.show(id);
  });
}"""


def _show(target: Target, browser, origin: str, rows: int, survey_id: int) -> list[Result]:
    context = browser.new_context()
    page = context.new_page()
    timings: dict[bool, list[float]] = {True: [], False: []}
    for n in range(rows + 1):
        for bare in (n % 2 == 0, n % 2 == 1):
            page.goto(f"{origin}/show")
            page.wait_for_function("window.feedback && window.feedback.loaded")
            seconds = page.evaluate(SHOW, [survey_id, bare]) / 1000
            if n:  # the first round warms the page, the connection and the visitor token
                timings[bare].append(seconds)
    context.close()
    base, shown = timings[True], timings[False]
    say(f"{target.database}: show() → visible p50 {statistics.median(shown) * 1000:.1f} ms "
        f"(the bare request {statistics.median(base) * 1000:.1f} ms)")
    return [Result(NAME, target.database, "fetch() of /w/v1/show alone (baseline)", rows, sum(base), None,
                   p50=statistics.median(base), p99=_p99(base)),
            Result(NAME, target.database, "show() → survey visible", rows, sum(shown), sum(base) / sum(shown),
                   p50=statistics.median(shown), p99=_p99(shown), p99_ratio=_p99(base) / _p99(shown))]


def _load(target: Target, browser, origin: str, rows: int, label: str, path: str, warm: bool = False) -> list[Result]:
    """Load events without and with the widget, interleaved: each in a fresh browser context (cold cache), or
    ``warm``, pages of one context (a returning visitor: widget.js comes from the HTTP cache)."""
    timings: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    shared = browser.new_context() if warm else None
    for n in range(rows + 1):
        for widget in (n % 2 == 0, n % 2 == 1):
            context = shared or browser.new_context()
            page = context.new_page()
            devtools = context.new_cdp_session(page)
            devtools.send("Performance.enable")
            page.goto(f"{origin}{path}{'-widget' if widget else ''}", wait_until="load")
            metrics = {m["name"]: m["value"] for m in devtools.send("Performance.getMetrics")["metrics"]}
            seconds = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
            if n:
                cpu[widget].append(metrics["ThreadTime"])  # the page's main thread, CPU seconds: steady under load
            if widget:
                page.wait_for_function("window.feedback && window.feedback.loaded")
            page.close()
            if not warm:
                context.close()
            if n:  # the first round warms Chromium, the servers (and the cache)
                timings[widget].append(seconds)
    if shared:
        shared.close()
    base, with_widget = timings[False], timings[True]
    p50, p50_base = statistics.median(with_widget), statistics.median(base)
    # Each load with the widget next to the one without it: the median of these ratios is steadier than the
    # ratio of the medians on a machine whose load drifts.
    added = (statistics.median(w / b for w, b in zip(with_widget, base, strict=True)) - 1) * 100
    thread = (statistics.median(cpu[True]) - statistics.median(cpu[False])) * 1000
    say(f"{target.database}: {label} load p50 {p50_base * 1000:.1f} ms without the widget, {p50 * 1000:.1f} ms with; "
        f"paired median {added:+.1f} %; main thread CPU {thread:+.1f} ms")
    return [Result(NAME, target.database, f"{label} load, no widget (baseline)", rows, sum(base), None,
                   p50=p50_base, p99=_p99(base)),
            Result(NAME, target.database, f"{label} load, with the widget ({added:+.1f} % paired median, "
                                          f"{thread:+.1f} ms main-thread CPU)",
                   rows, sum(with_widget), sum(base) / sum(with_widget), p50=p50, p99=_p99(with_widget),
                   p99_ratio=_p99(base) / _p99(with_widget))]


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
