"""Response submissions per second and p99 through gunicorn, as ratios to a bare Flask view.

Two servers, each ``gunicorn -w 2`` on the run's database, take the same
generated NPS responses (a score 0..10 and the follow-up text its band shows,
from one of 300 contacts at 60 accounts, each with its own
``client_response_id``) over loopback from ``CONCURRENCY`` client connections:

* ``bare Flask view`` (the baseline, :mod:`bench.bare_submit_app`): checks the
  score and the text, inserts the response and answer rows with SQLAlchemy Core;
* ``API``: ``POST /api/v1/surveys/<id>/responses`` of the product (``wsgi:app``)
  with a real secret key.

``rows`` is the number of measured requests per server. Each server is warmed
up first (unmeasured), then measured in two halves in the order baseline,
API, API, baseline, so that a drift of the machine's load weighs on both alike.
The run fails loudly if any answer is not ``201``, if the database does not hold
exactly one response (and its two answers) per request, or if the API's rows
differ from the baseline's for the same request.

The servers get a private ``redis-server`` (``REDIS_URL``); the API has no rate
limit, so nothing is raised or disabled for the benchmark.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.harness import Result, Target, say
from bench.load import (
    LoadError,
    LoadReport,
    gunicorn,
    post,
    redis_server,
    run_load,
    tail,
)

NAME = "response_submit"
DEFAULT_ROWS = 3_000
CONCURRENCY = 16
WORKERS = 2
ACCOUNTS = 60
CONTACTS = 300
PRODUCT_APP = "wsgi:app"
BASELINE_APP = "bench.bare_submit_app:create_app()"
PRODUCT_LABEL = "API (gunicorn -w 2)"
BASELINE_LABEL = "bare Flask view (baseline)"
FOLLOW_UP = {range(7): "disappointed", range(7, 9): "improve", range(9, 11): "value_most"}
COMPARED = ("survey_version_id", "contact_id", "account_id", "channel", "partial", "locale", "account_plan",
            "account_segment", "account_arr", "account_csm_email", "account_renewal_date")


def warmup_count(rows: int) -> int:
    return min(500, max(100, rows // 10))


def body(n: int, prefix: str) -> dict[str, Any]:
    """The ``n``-th submission; the same for both servers but for the ``client_response_id`` prefix."""
    score = n % 11
    follow_up = next(qid for band, qid in FOLLOW_UP.items() if score in band)
    return {"answers": {"nps": score, follow_up: f"Response {n}: the reporting is clear and the team answers fast, "
                                                 f"but exports could be quicker (score {score})."},
            "contact_external_id": f"bench-contact-{n % CONTACTS:04d}",
            "client_response_id": f"{prefix}-{n:07d}"}


def run(target: Target, rows: int) -> list[Result]:
    from surveys.db import db

    survey_id, secret = _seed()
    url = target.app.config["DATABASE_URL"]
    db.session.remove()
    db.engine.dispose()  # the servers own the database from here on
    warm = warmup_count(rows)
    half = rows // 2
    paths = {
        BASELINE_LABEL: (f"/surveys/{survey_id}/responses", {}, "base"),
        PRODUCT_LABEL: (f"/api/v1/surveys/{survey_id}/responses", {"Authorization": f"Bearer {secret}"}, "api"),
    }

    def requests(label: str, start: int, count: int) -> list[bytes]:
        path, headers, prefix = paths[label]
        return [post(path, json.dumps(body(n, prefix)).encode(), headers) for n in range(start, start + count)]

    reports: dict[str, LoadReport] = {}
    logs = {BASELINE_LABEL: target.workdir / "baseline.log", PRODUCT_LABEL: target.workdir / "product.log"}
    with redis_server(target.workdir) as redis_url:
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key", "REDIS_URL": redis_url,
               "FEEDBACK_ENV": "development", "BASE_URL": "http://127.0.0.1"}
        with gunicorn(BASELINE_APP, env, logs[BASELINE_LABEL], WORKERS) as base_port, \
                gunicorn(PRODUCT_APP, env, logs[PRODUCT_LABEL], WORKERS) as api_port:
            ports = {BASELINE_LABEL: base_port, PRODUCT_LABEL: api_port}
            for label in paths:
                say(f"{target.database}: warming up {label} ({warm} requests)")
                _check(label, run_load(ports[label], requests(label, 0, warm), CONCURRENCY, 201), logs[label])
            # Halves in the order A B B A: a linear drift of the machine weighs on both alike.
            for label, start, count in ((BASELINE_LABEL, warm, half), (PRODUCT_LABEL, warm, half),
                                        (PRODUCT_LABEL, warm + half, rows - half),
                                        (BASELINE_LABEL, warm + half, rows - half)):
                if not count:
                    continue  # --rows 1
                report = _check(label, run_load(ports[label], requests(label, start, count), CONCURRENCY, 201),
                                logs[label])
                say(f"{target.database}: {label}: {report.per_second:,.0f} requests/s, "
                    f"p99 {report.percentile(99) * 1000:.1f} ms ({count:,} requests)")
                reports[label] = reports[label] + report if label in reports else report
    _verify(warm + rows)
    base, api = reports[BASELINE_LABEL], reports[PRODUCT_LABEL]
    return [_result(target, BASELINE_LABEL, base, None), _result(target, PRODUCT_LABEL, api, base)]


def _result(target: Target, label: str, report: LoadReport, baseline: LoadReport | None) -> Result:
    p99 = report.percentile(99)
    return Result(NAME, target.database, label, report.requests, report.seconds,
                  ratio=None if baseline is None else report.per_second / baseline.per_second,
                  p50=report.percentile(50), p99=p99,
                  p99_ratio=None if baseline is None else baseline.percentile(99) / p99)


def _check(label: str, report: LoadReport, log: Path) -> LoadReport:
    if report.statuses.get(201, 0) != report.requests:
        raise LoadError(f"{label}: not every request was answered 201: {dict(report.statuses)}; "
                        f"first failures: {report.failures}\nserver log ({log}):\n{tail(log)}")
    return report


def _seed() -> tuple[int, str]:
    """Accounts and contacts, a live NPS relationship survey and a secret key; returns (survey id, key)."""
    from feedback.auth.keys import create_key
    from feedback.auth.models import KeyKind
    from surveys.audience.models import Account, Contact
    from surveys.db import db
    from surveys.design.services import create_survey, publish

    plans, segments = ("starter", "pro", "enterprise"), ("smb", "mid-market", "enterprise")
    accounts = [Account(external_id=f"bench-account-{n:03d}", name=f"Account {n}", plan=plans[n % 3],
                        segment=segments[n % 3], arr=Decimal(f"{(n + 1) * 1200}.50"), csm_email=f"csm{n % 7}@example.com",
                        renewal_date=date(2026, 1, 1) + timedelta(days=n * 5), attributes={})
                for n in range(ACCOUNTS)]
    db.session.add_all(accounts)
    db.session.flush()
    db.session.add_all(Contact(external_id=f"bench-contact-{n:04d}", email=f"person{n}@example.com",
                               name=f"Person {n}", account_id=accounts[n % ACCOUNTS].id, attributes={})
                       for n in range(CONTACTS))
    survey = create_survey(db.session, "Quarterly NPS", template="nps_relationship", created_by="bench")
    publish(db.session, survey, published_by="bench")
    _key, secret = create_key(db.session, "bench", KeyKind.SECRET)
    db.session.commit()
    return survey.id, secret


def _verify(per_path: int) -> None:
    """Exactly one response with two answers per request on each path, and the same rows on both."""
    from feedback.responses.models import Answer, Response
    from surveys.db import db

    session = db.session
    try:
        for prefix in ("base", "api"):
            responses = session.scalar(select(func.count()).select_from(Response)
                                       .where(Response.client_response_id.like(f"{prefix}-%")))
            answers = session.scalar(select(func.count()).select_from(Answer).join(Response)
                                     .where(Response.client_response_id.like(f"{prefix}-%")))
            if (responses, answers) != (per_path, 2 * per_path):
                raise LoadError(f"{prefix}: expected {per_path} responses and {2 * per_path} answers, "
                                f"found {responses} and {answers}")
        for n in (0, 1, 7, 9, 10, per_path // 2, per_path - 1):
            rows = [_stored(session, f"{prefix}-{n:07d}") for prefix in ("base", "api")]
            if rows[0] != rows[1]:
                raise LoadError(f"request {n}: the API stored {rows[1]}, the baseline {rows[0]}")
    finally:
        db.session.remove()


def _stored(session, client_response_id: str) -> tuple[dict[str, Any], list[tuple]]:
    from feedback.responses.models import Answer, Response

    response = session.scalar(select(Response).where(Response.client_response_id == client_response_id))
    if response is None:
        raise LoadError(f"no response stored for {client_response_id}")
    answers = session.execute(select(Answer.question_id, Answer.question_type, Answer.score, Answer.nps_category,
                                     Answer.choices, Answer.other_text, Answer.text)
                              .where(Answer.response_id == response.id).order_by(Answer.question_id)).all()
    return {column: getattr(response, column) for column in COMPARED}, [tuple(a) for a in answers]
