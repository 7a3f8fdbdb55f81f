"""1,000 concurrent submissions of one idempotency key record exactly one response.

Real HTTP against the threaded live server, so each request has its own
connection and transaction, as under gunicorn. On SQLite the writers queue on
``BEGIN IMMEDIATE`` (surveys.db.begin_write); on PostgreSQL the unique
constraint on (survey_id, client_response_id) decides and the losers replay.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from feedback.responses.models import Answer, Response
from surveys.db import db
from surveys.design.services import create_survey, publish

SUBMISSIONS = 1000
THREADS = 32


def _call(url: str, headers: dict[str, str], body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_one_client_response_id_submitted_1000_times_at_once_is_one_response(live_server, make_key):
    survey = create_survey(db.session, "Pulse", template="nps_relationship")
    publish(db.session, survey)
    db.session.commit()
    survey_id = survey.id
    _key, plaintext = make_key()
    headers = {"Authorization": f"Bearer {plaintext}", "Content-Type": "application/json"}
    # The key's first use records last_used_at; do it once, before the burst, as a long-lived key would have.
    assert _call(f"{live_server}/api/v1/surveys/{survey_id}", headers)[0] == 200

    url = f"{live_server}/api/v1/surveys/{survey_id}/responses"
    body = json.dumps({"client_response_id": "one-and-only", "answers": {"nps": 9, "value_most": "Speed"}}).encode()
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda _: _call(url, headers, body), range(SUBMISSIONS)))

    statuses = Counter(status for status, _headers, _body in results)
    failures = [(status, body[:300]) for status, _headers, body in results if status not in (200, 201)]
    assert not failures, failures[:5]
    assert statuses == {201: 1, 200: SUBMISSIONS - 1}
    assert all(headers.get("Idempotent-Replay") == "true" for status, headers, _ in results if status == 200)
    assert len({json.loads(body)["id"] for _status, _headers, body in results}) == 1
    db.session.rollback()  # read what the server committed, not an older snapshot
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 2
