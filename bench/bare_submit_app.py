"""The baseline of ``response_submit``: a bare Flask view that validates and inserts the same rows.

``gunicorn 'bench.bare_submit_app:create_app()'`` with ``DATABASE_URL`` set. One view,
``POST /surveys/<id>/responses``, takes the body the API takes for an NPS
relationship survey (``answers: {"nps": 0..10, <follow-up id>: text}``,
``contact_external_id``, ``client_response_id``), checks the score is an integer
0..10 and the text a string of at most 2,000 characters, and writes what the
product writes for it, in one transaction: a ``response`` row (survey version,
contact, account snapshot: plan, segment, ARR, CSM, renewal date) and one
``answer`` row per answer (NPS category included). To fill those columns it
reads the survey's status and latest version and the contact joined to its
account, as the product must.

What it leaves out is what the product adds on top: no authentication, no
flask-smorest/marshmallow, no definition-driven validation or show-if logic,
no idempotency lookup or savepoint, no ORM unit of work, no after-commit
hooks. It reuses the product's tables (SQLAlchemy Core on the models'
``Table`` objects) and the product's SQLite settings (WAL, ``synchronous=NORMAL``,
foreign keys, ``BEGIN IMMEDIATE`` for writers, 30 s busy timeout), which are
settings of the database rather than work of the app; it does not use the
product's ``pool_pre_ping``.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy import Engine, create_engine, event, insert, select

from feedback.responses.models import Answer, Channel, Response
from surveys.audience.models import Account, Contact
from surveys.design.models import Survey

FOLLOW_UPS = ("disappointed", "improve", "value_most")
TEXT_MAX = 2000
ID_MAX = 128

response_table = Response.__table__
answer_table = Answer.__table__
survey_table = Survey.__table__
contact_table = Contact.__table__
account_table = Account.__table__


def _engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not url.startswith("sqlite"):
        return create_engine(url)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # every transaction here writes

    return engine


def _category(score: int) -> str:
    return "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"


def _invalid(field: str, message: str):
    return jsonify({"errors": {field: [message]}}), 422


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = _engine(database_url or os.environ["DATABASE_URL"])

    @app.post("/surveys/<int:survey_id>/responses")
    def submit(survey_id: int):
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("answers"), dict):
            return _invalid("answers", "Send a JSON object with an answers object.")
        answers: dict[str, Any] = body["answers"]
        score = answers.get("nps")
        if type(score) is not int or not 0 <= score <= 10:
            return _invalid("answers.nps", "A whole number from 0 to 10.")
        texts = {qid: value for qid, value in answers.items() if qid != "nps"}
        for qid, value in texts.items():
            if qid not in FOLLOW_UPS:
                return _invalid(f"answers.{qid}", "Unknown question.")
            if not isinstance(value, str) or len(value) > TEXT_MAX:
                return _invalid(f"answers.{qid}", f"Text of at most {TEXT_MAX} characters.")
        client_id, external_id = body.get("client_response_id"), body.get("contact_external_id")
        for name, value in (("client_response_id", client_id), ("contact_external_id", external_id)):
            if value is not None and (not isinstance(value, str) or len(value) > ID_MAX):
                return _invalid(name, f"A string of at most {ID_MAX} characters.")

        now = datetime.now(UTC)
        with engine.begin() as conn:
            survey = conn.execute(select(survey_table.c.status, survey_table.c.latest_version_id)
                                  .where(survey_table.c.id == survey_id)).one_or_none()
            if survey is None:
                return jsonify({"message": "No such survey."}), 404
            if survey.status != "live" or survey.latest_version_id is None:
                return jsonify({"message": "This survey takes no answers."}), 409
            person = None
            if external_id is not None:
                person = conn.execute(
                    select(contact_table.c.id, contact_table.c.account_id, account_table.c.plan,
                           account_table.c.segment, account_table.c.arr, account_table.c.csm_email,
                           account_table.c.renewal_date)
                    .select_from(contact_table.outerjoin(account_table))
                    .where(contact_table.c.external_id == external_id)).one_or_none()
                if person is None:
                    return _invalid("contact_external_id", "No contact has this external id.")
            response_id = conn.execute(insert(response_table).values(
                survey_id=survey_id, survey_version_id=survey.latest_version_id, channel=Channel.API,
                client_response_id=client_id, locale=None, partial=False, submitted_at=now, completed_at=now,
                created_at=now, updated_at=now,
                contact_id=person.id if person else None, account_id=person.account_id if person else None,
                account_plan=person.plan if person else None, account_segment=person.segment if person else None,
                account_arr=person.arr if person else None, account_csm_email=person.csm_email if person else None,
                account_renewal_date=person.renewal_date if person else None,
            )).inserted_primary_key[0]
            rows = [{"response_id": response_id, "question_id": "nps", "question_type": "nps", "score": score,
                     "nps_category": _category(score), "choices": None, "other_text": None, "text": None}]
            rows += [{"response_id": response_id, "question_id": qid, "question_type": "text", "score": None,
                      "nps_category": None, "choices": None, "other_text": None, "text": value}
                     for qid, value in texts.items()]
            conn.execute(insert(answer_table), rows)
        return jsonify({"id": response_id}), 201

    return app

