"""The demo workspace's surveys and responses: every feature visible, deterministic, seeded once."""
from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, date, datetime, time as clock, timedelta

import pytest
from sqlalchemy import func, select

from feedback.app import create_app
from feedback.demo.data import ACCOUNTS
from feedback.demo.responses import plan_responses
from feedback.demo.seed import seed_demo
from feedback.responses.models import Answer, Channel, Response
from surveys.audience.models import Account, Contact
from surveys.db import db
from surveys.design.models import Survey, SurveyStatus, SurveyVersion
from surveys.design.services import pending_changes, versions_of
from tests.conftest import empty_tables

TODAY = date(2025, 6, 30)
NOW = datetime.combine(TODAY, clock(12), UTC)


@pytest.fixture(scope="module")
def seeded(app_config, _schema):
    """One seeded workspace for the whole module (the tests only read): seconds the seed took."""
    app = create_app(app_config)
    with app.app_context():
        started = time.perf_counter()
        assert seed_demo(db.session, TODAY) is not None
        db.session.commit()
        yield time.perf_counter() - started
        empty_tables()


@pytest.fixture
def session(seeded):
    """The module's seeded database (this replaces conftest's per-test, emptied one)."""
    yield db.session
    db.session.rollback()


def survey(session, name) -> Survey:
    return session.scalar(select(Survey).where(Survey.name == name))


def responses_of(session, name) -> list[Response]:
    return list(session.scalars(select(Response).where(Response.survey_id == survey(session, name).id)))


def test_seeding_is_fast(seeded):
    assert seeded < 6, f"the demo seed took {seeded:.1f} s; it should stay around two on SQLite"


def test_every_survey_state_is_there(session, seeded):
    states = {s.name: (s.status, s.latest_version.number if s.latest_version else None)
              for s in session.scalars(select(Survey))}
    assert states == {
        "Quarterly NPS": (SurveyStatus.LIVE, 2),
        "Onboarding NPS": (SurveyStatus.LIVE, 1),
        "Support CSAT": (SurveyStatus.LIVE, 1),
        "Task effort (CES)": (SurveyStatus.PAUSED, 1),
        "Beta programme feedback": (SurveyStatus.ARCHIVED, 1),
        "Cancellation reason": (SurveyStatus.DRAFT, None),
    }
    assert {s.template for s in session.scalars(select(Survey))} >= {
        "nps_relationship", "nps_onboarding", "csat_support", "ces_task", "churn_reason"}


def test_the_quarterly_nps_has_a_second_version_with_a_diff_and_french(session, seeded):
    quarterly = survey(session, "Quarterly NPS")
    v2, v1 = versions_of(session, quarterly.id)
    assert v1.published_at < v2.published_at < NOW
    assert [(c["kind"], c["question"] or c["field"]) for c in v2.changes] == [
        ("added", "area"), ("changed", "improve"), ("survey", "translations")]
    assert "fr" in v2.definition["translations"] and "fr" not in v1.definition["translations"]
    assert pending_changes(quarterly) == []
    by_version = Counter(r.survey_version_id for r in responses_of(session, "Quarterly NPS"))
    assert by_version[v1.id] > 20 and by_version[v2.id] > 20, "older responses keep answering v1"
    for response in responses_of(session, "Quarterly NPS"):
        assert (response.survey_version_id == v2.id) == (response.submitted_at >= v2.published_at)
    french = [r for r in responses_of(session, "Quarterly NPS") if r.locale == "fr"]
    assert french and all(r.survey_version_id == v2.id for r in french)


def test_drafts_with_unpublished_changes(session, seeded):
    churn = survey(session, "Cancellation reason")
    assert churn.latest_version is None and pending_changes(churn)
    assert churn.draft["questions"][-1]["prompt"] == "Is there anything that would make you stay?"
    onboarding = survey(session, "Onboarding NPS")
    assert [(c["question"], c["field"]) for c in pending_changes(onboarding)] == [
        ("onboarding_help", "options"), ("onboarding_help", "randomize")]


def test_a_few_hundred_responses_over_half_a_year(session, seeded):
    responses = list(session.scalars(select(Response)))
    assert 250 <= len(responses) <= 500
    dates = [r.submitted_at for r in responses]
    assert min(dates) > NOW - timedelta(days=190) and max(dates) < NOW
    assert max(dates) - min(dates) > timedelta(days=170)
    months = Counter(min((NOW - d).days // 30, 5) for d in dates)
    assert sorted(months) == [0, 1, 2, 3, 4, 5] and min(months.values()) >= 20, months
    assert {r.channel for r in responses} >= {Channel.LINK, Channel.EMAIL, Channel.IN_APP, Channel.API}
    assert not responses_of(session, "Cancellation reason")


def test_responses_only_while_a_survey_takes_answers(session, seeded):
    for name, last_day in (("Task effort (CES)", NOW - timedelta(days=21)),
                           ("Beta programme feedback", NOW - timedelta(days=110))):
        answered = [r.submitted_at for r in responses_of(session, name)]
        assert answered and max(answered) < last_day
    for response in session.scalars(select(Response)):
        version = session.get(SurveyVersion, response.survey_version_id)
        assert response.submitted_at > version.published_at


def test_partials_are_kept_and_some_were_completed_later(session, seeded):
    responses = list(session.scalars(select(Response)))
    partial = [r for r in responses if r.partial]
    completed_later = [r for r in responses if not r.partial and r.completed_at > r.submitted_at]
    assert len(partial) >= 5 and len(completed_later) >= 3
    assert all(r.completed_at is None for r in partial)


def test_answers_are_realistic(session, seeded):
    texts = list(session.scalars(select(Answer.text).where(Answer.text.is_not(None))))
    assert len(texts) >= 80 and len(set(texts)) >= 30
    assert any("support" in t.lower() for t in texts) and any("export" in t.lower() for t in texts)
    categories = Counter(session.scalars(select(Answer.nps_category).where(Answer.nps_category.is_not(None))))
    assert all(categories[c] >= 20 for c in ("detractor", "passive", "promoter")), categories
    assert session.scalar(select(func.count()).select_from(Answer).where(Answer.other_text.is_not(None))) >= 1


def nps_by_account(session) -> dict[str, int]:
    rows = session.execute(select(Account.external_id, Answer.score).join(Response, Response.account_id == Account.id)
                           .join(Answer, Answer.response_id == Response.id).where(Answer.question_type == "nps"))
    scores: dict[str, list[int]] = {}
    for account, score in rows:
        scores.setdefault(account, []).append(score)
    return {a: round(100 * (sum(s >= 9 for s in v) - sum(s <= 6 for s in v)) / len(v)) for a, v in scores.items()}


def test_some_accounts_are_unhappy(session, seeded):
    nps = nps_by_account(session)
    assert set(nps) == {account[0] for account in ACCOUNTS}, "every account answered"
    assert nps["oscorp"] < 0 and nps["soylent"] < 0 and nps["umbrella"] < 0
    assert nps["globex"] > 30 and nps["stark"] > 30


def test_snapshots_keep_the_account_as_it_was(session, seeded):
    initech = session.scalar(select(Account).where(Account.external_id == "initech"))
    plans = {(r.account_plan, r.submitted_at < NOW - timedelta(days=60))
             for r in session.scalars(select(Response).where(Response.account_id == initech.id))}
    assert plans == {("starter", True), ("pro", False)}
    assert initech.plan == "pro"


def test_the_plan_is_deterministic(session, seeded):
    contacts = list(session.scalars(select(Contact).order_by(Contact.external_id)))
    first, second = plan_responses(contacts, NOW), plan_responses(contacts, NOW)
    assert [(p.when, p.survey, p.answers, p.channel) for p in first] == [
        (p.when, p.survey, p.answers, p.channel) for p in second]


def test_seeding_twice_adds_nothing(session, seeded):
    before = session.scalar(select(func.count()).select_from(Response))
    assert seed_demo(session, TODAY) is None
    session.commit()
    assert session.scalar(select(func.count()).select_from(Response)) == before
    assert session.scalar(select(func.count()).select_from(Survey)) == 6
