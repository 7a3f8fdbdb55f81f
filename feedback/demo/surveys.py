"""The demo's surveys: one of each template, in every state the designer shows.

- "Quarterly NPS": live, v1 then a v2 (a new question, a reworded follow-up and
  a French translation), so the version history has a diff;
- "Onboarding NPS": live, with an edit not yet published;
- "Support CSAT": live;
- "Task effort (CES)": paused after a few months;
- "Beta programme feedback": archived;
- "Cancellation reason": a draft being worked on, never published.

Everything goes through :mod:`surveys.design.services`; only the timestamps are
moved into the past so the history reads like half a year of use.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from feedback.demo.journeys import TRIGGERS
from surveys.design.models import Survey, SurveyStatus
from surveys.design.services import create_survey, publish, set_status, update_draft
from surveys.design.templates import TEMPLATES

PRODUCT = "Beacon"
QUARTERLY, ONBOARDING, SUPPORT, EFFORT, BETA, CHURN = (
    "quarterly", "onboarding", "support", "effort", "beta", "churn")


@dataclass(frozen=True)
class Life:
    """When a demo survey takes answers, in days before now; ``closes`` None = still live."""

    opens: int
    closes: int | None = None


LIVES: dict[str, Life] = {
    QUARTERLY: Life(opens=182), ONBOARDING: Life(opens=170), SUPPORT: Life(opens=178),
    EFFORT: Life(opens=150, closes=21), BETA: Life(opens=175, closes=110),
}
QUARTERLY_V2_DAYS_AGO = 75


@dataclass(frozen=True)
class Milestone:
    """Something that happens to the workspace at ``when`` (between responses)."""

    when: datetime
    apply: Callable[[Session], None]


AREA_OPTIONS = ["Dashboards & reports", "Integrations", "Alerts", "Support", "Price"]
FRENCH = {
    "questions": {
        "nps": {"prompt": "Quelle est la probabilité que vous recommandiez {product} à un ami ou un collègue ?",
                "labels": {"min": "Pas du tout probable", "max": "Très probable"}},
        "area": {"prompt": "Quelle partie de {product} compte le plus pour vous ?",
                 "options": ["Tableaux de bord et rapports", "Intégrations", "Alertes", "Support", "Prix"]},
        "disappointed": {"prompt": "Qu'est-ce qui vous a déçu ?"},
        "improve": {"prompt": "Quelle est la chose qui ferait de {product} un 10 pour vous ?"},
        "value_most": {"prompt": "Qu'appréciez-vous le plus ?"},
    },
    "thank_you": {"title": "Merci, {contact.first_name|à vous} !",
                  "message": "Chaque réponse est lue par notre équipe."},
}

BETA_DEFINITION = {
    "product": PRODUCT,
    "questions": [
        {"id": "rating", "type": "rating", "min": 1, "max": 5, "prompt": "How would you rate the new report builder?",
         "labels": {"min": "Not useful", "max": "Can't live without it"}},
        {"id": "daily", "type": "single_choice", "prompt": "Would you use it every day?",
         "options": ["Yes", "Sometimes", "No"]},
        {"id": "anything", "type": "text", "prompt": "Anything else we should know before we ship it?",
         "placeholder": "Bugs, wishes, praise…"},
    ],
}


def _template(key: str, survey: str | None = None) -> dict:
    """A template's definition for the demo product, with the demo survey's triggers, if any."""
    return {**TEMPLATES[key].build(), "product": PRODUCT, **TRIGGERS.get(survey or "", {})}


def _publish_at(session: Session, survey: Survey, by: str, when: datetime) -> None:
    version = publish(session, survey, published_by=by)
    version.published_at = when
    session.flush()


def _quarterly_v2(survey: Survey) -> dict:
    definition = survey.draft
    questions = [dict(q) for q in definition["questions"]]
    area = {"id": "area", "type": "single_choice", "required": False, "options": AREA_OPTIONS,
            "prompt": "Which part of {product} matters most to you?"}
    for question in questions:
        if question["id"] == "improve":
            question["prompt"] = "What is the one thing that would make {product} a 10 for you?"
    return {**definition, "questions": [questions[0], area, *questions[1:]], "translations": {"fr": FRENCH}}


def seed_surveys(session: Session, now: datetime, by: str) -> tuple[dict[str, Survey], list[Milestone]]:
    """Create the demo surveys as they were half a year ago; the milestones bring them to today."""
    def ago(days: int) -> datetime:
        return now - timedelta(days=days)

    surveys = {
        QUARTERLY: create_survey(session, "Quarterly NPS", _template("nps_relationship", QUARTERLY),
                                 template="nps_relationship", created_by=by),
        ONBOARDING: create_survey(session, "Onboarding NPS", _template("nps_onboarding", ONBOARDING),
                                  template="nps_onboarding", created_by=by),
        SUPPORT: create_survey(session, "Support CSAT", _template("csat_support", SUPPORT),
                               template="csat_support", created_by=by),
        EFFORT: create_survey(session, "Task effort (CES)", _template("ces_task"), template="ces_task",
                              created_by=by),
        BETA: create_survey(session, "Beta programme feedback", BETA_DEFINITION, created_by=by),
        CHURN: create_survey(session, "Cancellation reason", _template("churn_reason"), template="churn_reason",
                             created_by=by),
    }
    for key, survey in surveys.items():
        life = LIVES.get(key)
        survey.created_at = ago((life.opens if life else 30) + 3)
        if life:
            _publish_at(session, survey, by, ago(life.opens))
    # The churn survey is still being written: a second pass on the template, not published.
    churn = surveys[CHURN]
    update_draft(session, churn, {**churn.draft, "questions": [
        *churn.draft["questions"][:-1],
        {"id": "come_back", "type": "text", "prompt": "Is there anything that would make you stay?",
         "placeholder": "A discount, a feature, a call with our team…"},
    ]})
    return surveys, _milestones(surveys, now, by)


def _milestones(surveys: dict[str, Survey], now: datetime, by: str) -> list[Milestone]:
    def quarterly_v2(session: Session) -> None:
        survey = surveys[QUARTERLY]
        update_draft(session, survey, _quarterly_v2(survey))
        _publish_at(session, survey, by, now - timedelta(days=QUARTERLY_V2_DAYS_AGO))

    def close(key: str, status: SurveyStatus) -> Callable[[Session], None]:
        return lambda session: set_status(session, surveys[key], status)

    def onboarding_edit(session: Session) -> None:
        survey = surveys[ONBOARDING]
        questions = [dict(q) for q in survey.draft["questions"]]
        questions[-1]["options"] = [*questions[-1]["options"], "Video tutorials"]
        questions[-1]["randomize"] = True
        update_draft(session, survey, {**survey.draft, "questions": questions})

    return [
        Milestone(now - timedelta(days=QUARTERLY_V2_DAYS_AGO), quarterly_v2),
        Milestone(now - timedelta(days=LIVES[EFFORT].closes), close(EFFORT, SurveyStatus.PAUSED)),
        Milestone(now - timedelta(days=LIVES[BETA].closes), close(BETA, SurveyStatus.ARCHIVED)),
        Milestone(now - timedelta(days=2), onboarding_edit),
    ]
