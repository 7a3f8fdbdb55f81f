"""Recording responses through the API (one and batch), reading them back with filters and a cursor."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from feedback.auth.models import KeyKind
from feedback.responses.models import Answer, Response
from surveys.db import db, utcnow
from surveys.design.models import Survey, SurveyStatus
from surveys.design.services import create_survey, publish, set_status

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
DEFINITION = {"questions": [
    {"id": "nps", "type": "nps"},
    {"id": "disappointed", "type": "text", "show_if": {"question": "nps", "in": [0, 1, 2, 3, 4, 5, 6]}},
    {"id": "value_most", "type": "text", "show_if": {"question": "nps", "in": [9, 10]}},
    {"id": "plan", "type": "single_choice", "options": ["Basic", "Pro"], "required": False},
    {"id": "features", "type": "multiple_choice", "options": ["Reports", "Alerts"], "allow_other": True,
     "required": False},
    {"id": "ease", "type": "ces", "required": False},
    {"id": "comment", "type": "text", "required": False},
]}


def _survey(definition=DEFINITION, name="Pulse", status: SurveyStatus | None = SurveyStatus.LIVE) -> Survey:
    survey = create_survey(db.session, name, definition)
    if status is not SurveyStatus.DRAFT:
        publish(db.session, survey, published_by="test")
    if status not in (SurveyStatus.DRAFT, SurveyStatus.LIVE):
        set_status(db.session, survey, status)
    db.session.commit()
    return survey


@pytest.fixture
def survey(app) -> Survey:
    return _survey()


def _url(survey: Survey) -> str:
    return f"/api/v1/surveys/{survey.id}/responses"


def _post(client, survey, headers, **body):
    return client.post(_url(survey), json=body, headers=headers)


def test_a_response_is_recorded_with_its_contact_account_and_scores(client, api_headers, survey, make_account,
                                                                    make_contact):
    account = make_account(external_id="acme", plan="pro", segment="smb", arr=12000, csm_email="c@example.com")
    make_contact(external_id="u-1", account_id=account.id)
    response = _post(client, survey, api_headers, contact_external_id="u-1", client_response_id="r-1",
                     channel="import", submitted_at="2024-05-01T10:00:00+02:00", locale="en",
                     answers={"nps": 3, "disappointed": "Too slow", "features": ["Alerts", "Exports"],
                              "plan": "Pro", "ease": 6.0})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert response.headers["Location"] == f"/api/v1/responses/{data['id']}"
    assert response.mimetype == "application/json"
    assert data["survey_id"] == survey.id and data["survey_version"] == 1
    assert (data["contact_external_id"], data["account_external_id"]) == ("u-1", "acme")
    assert (data["channel"], data["client_response_id"], data["partial"], data["locale"]) == (
        "import", "r-1", False, "en")
    assert data["submitted_at"] == "2024-05-01T08:00:00+00:00" == data["completed_at"]
    assert data["account"] == {"plan": "pro", "segment": "smb", "arr": "12000.00", "csm_email": "c@example.com",
                               "renewal_date": None}
    assert data["answers"] == {"nps": 3, "disappointed": "Too slow", "features": ["Alerts", "Exports"],
                               "plan": "Pro", "ease": 6}
    assert data["scores"] == {"nps": {"type": "nps", "score": 3, "nps_category": "detractor"},
                              "ease": {"type": "ces", "score": 6, "nps_category": None}}
    assert client.get(f"/api/v1/responses/{data['id']}", headers=api_headers).get_json() == data
    stored = db.session.scalar(select(Answer).where(Answer.question_id == "nps"))
    assert (stored.score, stored.nps_category) == (3, "detractor")


def test_an_anonymous_response_defaults_to_the_api_channel_and_now(client, api_headers, survey):
    before = utcnow()
    data = _post(client, survey, api_headers, answers={"nps": 10}).get_json()
    assert data["channel"] == "api" and data["contact_external_id"] is None and data["client_response_id"] is None
    assert before <= datetime.fromisoformat(data["submitted_at"]) <= utcnow()
    assert data["account"]["plan"] is None


@pytest.mark.parametrize(("answers", "qid"), [
    ({"nps": 11}, "nps"),
    ({"nps": -1}, "nps"),
    ({"nps": "nine"}, "nps"),
    ({"nps": 9.5}, "nps"),
    ({"nps": True}, "nps"),
    ({"nps": None}, "nps"),
    ({"plan": "Pro"}, "nps"),  # the required NPS is missing
    ({"nps": 8, "plan": "Platinum"}, "plan"),
    ({"nps": 8, "features": "Alerts"}, "features"),
    ({"nps": 8, "ease": 8}, "ease"),
    ({"nps": 10, "disappointed": "hidden for promoters"}, "disappointed"),
    ({"nps": 8, "nope": 1}, "nope"),
    ({"nps": 8, "comment": "x" * 5_000_000}, "comment"),
])
def test_bad_answers_are_422_naming_the_question(client, api_headers, survey, count, answers, qid):
    response = _post(client, survey, api_headers, answers=answers)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]
    assert list(errors) == ["answers"] and list(errors["answers"]) == [qid]
    assert len(response.get_data()) < 10_000  # the 5 MB answer is not echoed back
    assert count(Response) == 0 and count(Answer) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({}, "answers"),
    ({"answers": [8]}, "answers"),
    ({"answers": {"x" * 65: 1}}, "answers"),
    ({"answers": {"nps": 8}, "channel": "fax"}, "channel"),
    ({"answers": {"nps": 8}, "submitted_at": "2024-05-01T10:00:00"}, "submitted_at"),
    ({"answers": {"nps": 8}, "submitted_at": "yesterday"}, "submitted_at"),
    ({"answers": {"nps": 8}, "submitted_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "submitted_at"),
    ({"answers": {"nps": 8}, "client_response_id": ""}, "client_response_id"),
    ({"answers": {"nps": 8}, "client_response_id": "x" * 129}, "client_response_id"),
    ({"answers": {"nps": 8}, "contact_external_id": "nobody"}, "contact_external_id"),
    ({"answers": {"nps": 8}, "contact_external_id": "gone"}, "contact_external_id"),
    ({"answers": {"nps": 8}, "partial": "maybe"}, "partial"),
    ({"answers": {"nps": 8}, "locale": "<b>"}, "locale"),
    ({"answers": {"nps": 8}, "survey_version": 1}, "survey_version"),
])
def test_bad_fields_are_422_naming_the_field(client, api_headers, survey, make_contact, count, body, field):
    make_contact(external_id="gone", erased_at=utcnow())
    response = _post(client, survey, api_headers, **body)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["json"]) == [field]
    assert count(Response) == 0


def test_a_huge_body_is_refused_without_a_500(client, api_headers, survey, count):
    huge = '{"answers": {"nps": 8, "comment": "' + "x" * (70 * 1024 * 1024) + '"}}'
    response = client.post(_url(survey), data=huge, content_type="application/json", headers=api_headers)
    assert response.status_code == 413 and response.is_json
    assert count(Response) == 0


def test_markup_in_answers_round_trips_as_json(client, api_headers, survey):
    response = _post(client, survey, api_headers, answers={"nps": 2, "disappointed": XSS[0],
                                                           "features": [XSS[1]]})
    assert response.status_code == 201, response.get_json()
    again = client.get(response.headers["Location"], headers=api_headers)
    assert again.mimetype == "application/json"
    assert again.get_json()["answers"] == {"nps": 2, "disappointed": XSS[0], "features": [XSS[1]]}


def test_a_past_submitted_at_is_kept(client, api_headers, survey):
    data = _post(client, survey, api_headers, answers={"nps": 9}, submitted_at="2019-01-02T03:04:05Z").get_json()
    assert data["submitted_at"] == "2019-01-02T03:04:05+00:00"
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    assert _post(client, survey, api_headers, answers={"nps": 9}, submitted_at=soon).status_code == 201


def test_the_same_client_response_id_replays_or_conflicts(client, api_headers, survey, count):
    body = {"client_response_id": "r-1", "answers": {"nps": 9, "value_most": "Speed"}}
    first = _post(client, survey, api_headers, **body)
    assert first.status_code == 201 and "Idempotent-Replay" not in first.headers
    replay = _post(client, survey, api_headers, **body)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replay"] == "true"
    assert replay.get_json() == first.get_json()

    other = _post(client, survey, api_headers, client_response_id="r-1", answers={"nps": 2})
    assert other.status_code == 409
    assert f"(id {first.get_json()['id']})" in other.get_json()["message"]
    assert "first answers stand" in other.get_json()["message"]
    assert count(Response) == 1
    stored = client.get(first.headers["Location"], headers=api_headers).get_json()
    assert stored["answers"] == {"nps": 9, "value_most": "Speed"}
    assert _post(client, survey, api_headers, client_response_id="r-2", answers={"nps": 2}).status_code == 201


def test_a_partial_response_is_completed_later(client, api_headers, survey, count):
    first = _post(client, survey, api_headers, client_response_id="r-1", partial=True, answers={"nps": 3})
    assert first.status_code == 201
    assert (first.get_json()["partial"], first.get_json()["completed_at"]) == (True, None)
    more = _post(client, survey, api_headers, client_response_id="r-1", partial=True, answers={"plan": "Basic"})
    assert more.status_code == 200 and "Idempotent-Replay" not in more.headers
    assert more.get_json()["answers"] == {"nps": 3, "plan": "Basic"}
    done = _post(client, survey, api_headers, client_response_id="r-1", answers={"disappointed": "Slow"})
    assert done.status_code == 200, done.get_json()
    data = done.get_json()
    assert data["id"] == first.get_json()["id"] and data["partial"] is False and data["completed_at"]
    assert data["answers"] == {"nps": 3, "plan": "Basic", "disappointed": "Slow"}
    assert count(Response) == 1


def test_the_account_snapshot_survives_account_changes(client, api_headers, survey, make_account, make_contact):
    account = make_account(external_id="acme", plan="pro", segment="smb", arr=500)
    make_contact(external_id="u-1", account_id=account.id)
    created = _post(client, survey, api_headers, contact_external_id="u-1", answers={"nps": 7}).get_json()
    changed = client.put("/api/v1/accounts/acme", json={"name": "Acme", "plan": "enterprise", "arr": 90000}, headers=api_headers)
    assert changed.status_code == 200
    data = client.get(f"/api/v1/responses/{created['id']}", headers=api_headers).get_json()
    assert (data["account"]["plan"], data["account"]["segment"], data["account"]["arr"]) == ("pro", "smb", "500.00")
    assert data["account_external_id"] == "acme"


@pytest.mark.parametrize("status", [SurveyStatus.DRAFT, SurveyStatus.PAUSED, SurveyStatus.ARCHIVED])
def test_a_survey_that_is_not_live_answers_409(client, api_headers, count, status):
    closed = _survey(status=status)
    response = _post(client, closed, api_headers, answers={"nps": 8})
    assert response.status_code == 409, response.get_json()
    assert {"draft": "published", "paused": "paused", "archived": "archived"}[status.value] in (
        response.get_json()["message"])
    batch = client.post(f"{_url(closed)}/batch", json={"responses": [{"answers": {"nps": 8}}]}, headers=api_headers)
    assert batch.status_code == 409
    assert count(Response) == 0


def test_a_response_keeps_the_version_it_answered(client, api_headers, survey):
    old = _post(client, survey, api_headers, client_response_id="r-1", partial=True, answers={"nps": 4}).get_json()
    questions = [*DEFINITION["questions"], {"id": "extra", "type": "csat"}]
    assert client.patch(f"/api/v1/surveys/{survey.id}", json={"questions": questions},
                        headers=api_headers).status_code == 200
    assert client.post(f"/api/v1/surveys/{survey.id}/publish", headers=api_headers).status_code == 201
    new = _post(client, survey, api_headers, answers={"nps": 4, "extra": 5}).get_json()
    assert (old["survey_version"], new["survey_version"]) == (1, 2)
    stale = _post(client, survey, api_headers, client_response_id="r-1", answers={"extra": 5})
    assert stale.status_code == 422 and list(stale.get_json()["errors"]["json"]["answers"]) == ["extra"]


def _batch(client, survey, headers, rows):
    return client.post(f"{_url(survey)}/batch", json={"responses": rows}, headers=headers)


def test_a_batch_records_every_row_and_replays(client, api_headers, survey, make_contact, count):
    make_contact(external_id="u-1")
    rows = [{"client_response_id": f"b-{n}", "answers": {"nps": n}, "channel": "import",
             "submitted_at": f"2024-01-{n + 1:02d}T00:00:00Z"} for n in range(7, 10)]
    rows.append({"contact_external_id": "u-1", "answers": {"nps": 10}})
    response = _batch(client, survey, api_headers, rows)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert (data["created"], data["updated"], data["unchanged"]) == (4, 0, 0)
    assert len(data["ids"]) == 4 and count(Response) == 4
    first = client.get(f"/api/v1/responses/{data['ids'][0]}", headers=api_headers).get_json()
    assert (first["client_response_id"], first["answers"]) == ("b-7", {"nps": 7})

    again = _batch(client, survey, api_headers, rows[:3]).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert again["ids"] == data["ids"][:3]


def test_a_batch_with_a_bad_row_writes_nothing(client, api_headers, survey, count):
    _post(client, survey, api_headers, client_response_id="done", answers={"nps": 9})
    rows = [{"client_response_id": "ok", "answers": {"nps": 8}},
            {"answers": {"nps": 11}},
            {"contact_external_id": "nobody", "answers": {"nps": 8}},
            {"client_response_id": "done", "answers": {"nps": 1}},
            {"answers": {"nps": 8}, "channel": "fax"},
            {"client_response_id": "ok", "answers": {"nps": 8}}]
    response = _batch(client, survey, api_headers, rows)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]["json"]["responses"]
    assert set(errors) == {"4", "5"}  # field errors come first: no row is looked at before they are fixed
    assert list(errors["4"]) == ["channel"] and list(errors["5"]) == ["client_response_id"]
    response = _batch(client, survey, api_headers, rows[:4])
    errors = response.get_json()["errors"]["json"]["responses"]
    assert set(errors) == {"1", "2", "3"}
    assert list(errors["1"]["answers"]) == ["nps"]
    assert list(errors["2"]) == ["contact_external_id"]
    assert "first answers stand" in errors["3"]["client_response_id"][0]
    assert count(Response) == 1


@pytest.mark.parametrize("rows", [[], [{"answers": {"nps": 1}}] * 1001, "rows"])
def test_a_batch_of_a_wrong_size_is_422(client, api_headers, survey, count, rows):
    response = _batch(client, survey, api_headers, rows)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == ["responses"]
    assert count(Response) == 0


def test_a_full_batch_of_1000(client, api_headers, survey, make_contact, count):
    contacts = [make_contact(external_id=f"u-{n}").external_id for n in range(50)]
    rows = [{"contact_external_id": contacts[n % 50], "client_response_id": f"r-{n}", "answers": {"nps": n % 11}}
            for n in range(1000)]
    response = _batch(client, survey, api_headers, rows)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["created"] == 1000 and count(Response) == 1000


# --- reading ----------------------------------------------------------------------------------

LIST = "/api/v1/responses"


@pytest.fixture
def history(client, api_headers, survey, make_account, make_contact):
    """Eight responses over two surveys, two accounts and contacts, channels and days."""
    acme = make_account(external_id="acme")
    make_contact(external_id="ann", account_id=acme.id)
    make_contact(external_id="bob", account_id=make_account(external_id="globex").id)
    other = _survey(name="Other")
    rows = [  # (survey, contact, channel, day, nps, partial)
        (survey, "ann", "api", 1, 2, False), (survey, "ann", "email", 2, 9, False),
        (survey, "bob", "api", 3, 7, False), (survey, None, "link", 4, 10, True),
        (other, "bob", "in_app", 5, 0, False), (other, "ann", "api", 6, 8, False),
        (survey, "bob", "import", 7, 4, True), (other, None, "api", 7, 9, False),
    ]
    ids = []
    for target, contact, channel, day, score, partial in rows:
        body = {"channel": channel, "submitted_at": f"2024-03-{day:02d}T12:00:00Z", "answers": {"nps": score},
                "partial": partial, **({"contact_external_id": contact} if contact else {})}
        response = _post(client, target, api_headers, **body)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["id"])
    return {"survey": survey, "other": other, "ids": ids}


def _ids(client, headers, query: str = "") -> list[int]:
    response = client.get(f"{LIST}?{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [r["id"] for r in response.get_json()]


def test_the_list_is_newest_first_and_filters(client, api_headers, history):
    ids = history["ids"]
    newest_first = [ids[7], ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]  # same day: higher id first
    assert _ids(client, api_headers) == newest_first
    assert _ids(client, api_headers, f"survey={history['other'].id}") == [ids[7], ids[5], ids[4]]
    assert _ids(client, api_headers, "account=acme") == [ids[5], ids[1], ids[0]]
    assert _ids(client, api_headers, "contact=bob") == [ids[6], ids[4], ids[2]]
    assert _ids(client, api_headers, "channel=api") == [ids[7], ids[5], ids[2], ids[0]]
    assert _ids(client, api_headers, "score_band=detractor") == [ids[6], ids[4], ids[0]]
    assert _ids(client, api_headers, "score_band=promoter") == [ids[7], ids[3], ids[1]]
    assert _ids(client, api_headers, "score_band=passive&account=acme") == [ids[5]]
    assert _ids(client, api_headers, "partial=true") == [ids[6], ids[3]]
    assert _ids(client, api_headers, "from=2024-03-03&to=2024-03-05") == [ids[4], ids[3], ids[2]]
    assert _ids(client, api_headers, "from=2024-03-02T12:00:00Z&to=2024-03-03T11:59:59Z") == [ids[1]]
    assert _ids(client, api_headers, "from=2024-03-02T13:00:00%2B01:00&to=2024-03-02T12:00:00Z") == [ids[1]]
    assert _ids(client, api_headers, "contact=nobody") == []


def test_cursor_pages_cover_everything_once(client, api_headers, history):
    seen: list[int] = []
    query, pages = "limit=3", 0
    while True:
        response = client.get(f"{LIST}?{query}", headers=api_headers)
        assert response.status_code == 200
        seen += [r["id"] for r in response.get_json()]
        pages += 1
        cursor = response.headers.get("X-Next-Cursor")
        if cursor is None:
            assert "Link" not in response.headers
            break
        assert response.headers["Link"].endswith('>; rel="next"') and f"cursor={cursor}" in response.headers["Link"]
        query = f"limit=3&cursor={cursor}"
    assert pages == 3
    assert seen == _ids(client, api_headers)
    filtered = client.get(f"{LIST}?limit=1&channel=api", headers=api_headers)
    next_page = client.get(f"{LIST}?limit=1&channel=api&cursor={filtered.headers['X-Next-Cursor']}",
                           headers=api_headers)
    assert [r["channel"] for r in next_page.get_json()] == ["api"]
    assert next_page.get_json()[0]["id"] == history["ids"][5]


@pytest.mark.parametrize(("query", "field"), [
    ("cursor=nonsense", "cursor"),
    ("cursor=WyJ4IiwgMV0", "cursor"),  # base64 of ["x", 1]
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("from=2024-02-30", "from"),
    ("to=2024-03-01T10:00:00", "to"),
    ("score_band=grumpy", "score_band"),
    ("channel=fax", "channel"),
    ("survey=abc", "survey"),
    ("partial=perhaps", "partial"),
])
def test_bad_list_arguments_are_422_naming_them(client, api_headers, query, field):
    response = client.get(f"{LIST}?{query}", headers=api_headers)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["errors"]["query"]) == [field]


def test_a_page_loads_its_answers_in_one_query(app, client, api_headers, history):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    def selects(limit: int) -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert len(_ids(client, api_headers, f"limit={limit}")) == limit
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        return sum(s.lstrip().upper().startswith("SELECT") for s in statements)

    assert selects(1) == selects(8)


def test_an_erased_contact_is_not_named(client, api_headers, survey, make_contact):
    make_contact(external_id="u-1")
    created = _post(client, survey, api_headers, contact_external_id="u-1", answers={"nps": 9}).get_json()
    assert client.delete("/api/v1/contacts/u-1", headers=api_headers).status_code == 204
    data = client.get(f"{LIST}/{created['id']}", headers=api_headers).get_json()
    assert data["contact_external_id"] is None and data["answers"] == {"nps": 9}


def test_unknown_response_is_a_json_404(client, api_headers):
    response = client.get(f"{LIST}/999", headers=api_headers)
    assert response.status_code == 404 and "999" in response.get_json()["message"]


def test_a_viewer_reads_responses_but_cannot_submit(session_caller, client, api_headers, survey, count):
    created = _post(client, survey, api_headers, answers={"nps": 9}).get_json()
    viewer, token = session_caller("viewer")
    assert [r["id"] for r in viewer.get(LIST).get_json()] == [created["id"]]
    assert viewer.get(f"{LIST}/{created['id']}").status_code == 200
    csrf = {"X-CSRFToken": token}
    assert viewer.post(_url(survey), json={"answers": {"nps": 1}}, headers=csrf).status_code == 403
    assert viewer.post(f"{_url(survey)}/batch", json={"responses": [{"answers": {"nps": 1}}]},
                       headers=csrf).status_code == 403
    assert viewer.post(f"/api/v1/surveys/{survey.id}/links", json={"contact_external_id": "x"},
                       headers=csrf).status_code == 403
    assert count(Response) == 1


def test_a_public_key_cannot_submit_or_read(client, make_key, survey, count):
    _key, plaintext = make_key(KeyKind.PUBLIC)
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert _post(client, survey, headers, answers={"nps": 9}).status_code == 403
    assert client.get(LIST, headers=headers).status_code == 403
    assert count(Response) == 0
