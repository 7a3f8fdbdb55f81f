"""One respondent's way through a survey: the version they answer, their answers so far, what comes next.

A :class:`Flow` is loaded per request from the stored response (if any): an
existing response keeps the version it started on; a new one takes the
survey's latest version. It knows which questions logic shows, which comes
after which, and builds the :class:`~feedback.web.hosted.rendering.Step` of any of them.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from sqlalchemy.orm import Session

from feedback.responses.models import Response
from feedback.responses.services import answer_values
from feedback.web.hosted.rendering import (
    THANK_YOU,
    Prefill,
    Step,
    display_question,
    estimated_total,
    localized,
    page_title,
    thank_you_texts,
)
from feedback.web.hosted.respondent import Respondent
from feedback.web.hosted.texts import texts_for
from surveys.design.answers import AnswerValue, visible_questions
from surveys.design.models import SurveyVersion
from surveys.design.placeholders import values_for

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$")


def wanted_lang() -> str | None:
    """``?lang=`` (or the form's ``lang``), when it looks like a language tag."""
    lang = request.values.get("lang") or ""
    return lang if _LANG.match(lang) else None


@dataclass
class Flow:
    respondent: Respondent
    response: Response | None
    definition: dict[str, Any]            # the version's own definition: what answers are checked against
    answers: dict[str, AnswerValue]
    shown: dict[str, Any]                 # the same, in the respondent's language
    locale: str
    texts: dict[str, str]
    values: dict[str, str | None]         # placeholder values
    lang: str | None

    @classmethod
    def load(cls, session: Session, respondent: Respondent) -> Flow:
        response = respondent.response(session)
        if response is not None:
            version = session.get(SurveyVersion, response.survey_version_id)
            answers = answer_values(session, response.id)
        else:
            version, answers = respondent.survey.latest_version, {}
        assert version is not None  # only a published (live) survey gets here
        lang = wanted_lang()
        contact = respondent.contact
        wanted = [contact.locale if contact else None, lang, *request.accept_languages.values()]
        shown, locale = localized(version.definition, wanted)
        account = contact.account if contact else None
        values = values_for(shown.get("product"), contact.name if contact else None,
                            account.name if account else None)
        return cls(respondent, response, version.definition, answers, shown, locale, texts_for([locale]),
                   values, lang)

    @property
    def complete(self) -> bool:
        return self.response is not None and not self.response.partial

    def visible_ids(self, answers: Mapping[str, AnswerValue] | None = None) -> list[str]:
        return [q["id"] for q in visible_questions(self.definition, self.answers if answers is None else answers)]

    def question(self, question_id: str) -> dict[str, Any] | None:
        return next((q for q in self.definition["questions"] if q["id"] == question_id), None)

    def resume_at(self) -> str:
        """The first shown question still unanswered (else the last shown one)."""
        shown = self.visible_ids()
        return next((qid for qid in shown if qid not in self.answers), shown[-1])

    def after(self, question_id: str, answers: Mapping[str, AnswerValue]) -> str | None:
        """The question shown after ``question_id`` given ``answers``; None at the end."""
        shown = self.visible_ids(answers)
        index = shown.index(question_id) if question_id in shown else -1
        return shown[index + 1] if index + 1 < len(shown) else None

    def missing_required(self, answers: Mapping[str, AnswerValue]) -> list[str]:
        return [qid for qid in self.visible_ids(answers) if self.question(qid)["required"] and qid not in answers]

    def url(self, question_id: str | None = None) -> str:
        return url_for("hosted.respond", token=self.respondent.token, r=self.respondent.anonymous_key,
                       q=question_id, lang=self.lang)

    def _may_follow(self, question_id: str) -> bool:
        """Whether any question could still come after ``question_id`` (shown, or revealed by its answer)."""
        shown = self.visible_ids()
        later = shown[shown.index(question_id) + 1:] if question_id in shown else []
        reveals = any((q.get("show_if") or {}).get("question") == question_id for q in self.definition["questions"])
        return bool(later) or reveals

    def step(self, question_id: str, *, prefill: Prefill | None = None, error: str | None = None) -> Step:
        """The page for ``question_id`` (or :data:`THANK_YOU`)."""
        shown_ids = self.visible_ids()
        step = Step(locale=self.locale, texts=self.texts, error=error, title=page_title(self.shown),
                    form_action=url_for("hosted.respond", token=self.respondent.token),
                    hidden={k: v for k, v in (("r", self.respondent.anonymous_key), ("lang", self.lang)) if v})
        if question_id == THANK_YOU:
            step.thank_you = thank_you_texts(self.shown, self.values)
            step.number = step.total = len(shown_ids)
            step.change_url = self.url(shown_ids[0])
            return step
        localized_question = next(q for q in self.shown["questions"] if q["id"] == question_id)
        step.question = display_question(localized_question, self.values,
                                         seed=self.respondent.client_response_id or "new")
        index = shown_ids.index(question_id)
        step.number = index + 1
        step.total = max(estimated_total(self.definition, self.answers), step.number)
        step.back_url = self.url(shown_ids[index - 1]) if index > 0 else None
        step.last = not self._may_follow(question_id)
        step.hidden["q"] = question_id
        step.prefill = prefill if prefill is not None else Prefill.from_answer(self.answers.get(question_id))
        return step
