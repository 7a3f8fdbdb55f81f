"""What a respondent sees at one step of a survey, for the hosted page and the designer's preview.

:func:`build_step` turns a (localized) definition, the answers so far and the
question to show into a :class:`Step`; ``hosted/step.html`` renders it. The
real page (:mod:`feedback.web.hosted.views`) and :func:`render_preview` go
through the same two, so the preview is exactly what a respondent sees.

Texts go through placeholders here and come out as plain text: the templates
escape them (Jinja autoescape; never ``|safe`` on survey or answer text).
"""
from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_request_context, render_template

from feedback.web.hosted.texts import texts_for
from surveys.design.answers import AnswerValue, visible_questions
from surveys.design.definition import DEFAULT_PRODUCT
from surveys.design.kinds import CHOICE_TYPES, SCORE_TYPES, QuestionType, score_range
from surveys.design.locales import localize, pick_locale
from surveys.design.placeholders import render, values_for

THANK_YOU = "__thank_you__"  # never a question id: those start with a letter or digit
OTHER = "__other__"          # the form value of a choice question's "Other" option


@dataclass
class Prefill:
    """What the form shows as already chosen: a stored answer, a preset score, or what was just posted."""

    score: int | None = None
    choices: tuple[str, ...] = ()
    other: str = ""
    text: str = ""

    @classmethod
    def from_answer(cls, answer: AnswerValue | None) -> Prefill:
        if answer is None:
            return cls()
        return cls(score=answer.score, choices=tuple(answer.choices or ()) + ((OTHER,) if answer.other else ()),
                   other=answer.other or "", text=answer.text or "")


@dataclass
class Step:
    """One screen of the hosted page: a question, or the thank-you step (``question`` None)."""

    locale: str
    texts: dict[str, str]
    question: dict[str, Any] | None = None
    number: int = 1
    total: int = 1
    prefill: Prefill = field(default_factory=Prefill)
    error: str | None = None
    notice: str | None = None
    thank_you: dict[str, str] = field(default_factory=dict)
    form_action: str = "#"
    hidden: dict[str, str] = field(default_factory=dict)
    back_url: str | None = None
    change_url: str | None = None
    preview: bool = False
    title: str = ""
    last: bool = False  # no question can follow: the button says "Send"

    @property
    def kind(self) -> str:
        return "thank_you" if self.question is None else self.question["type"]

    @property
    def percent(self) -> int:
        if self.question is None:
            return 100
        return round(100 * (self.number - 1) / max(self.total, 1))


def display_question(question: Mapping[str, Any], values: Mapping[str, str | None], seed: str) -> dict[str, Any]:
    """A localized question ready for the template: texts filled in, scores and choices listed.

    ``choices`` pairs each canonical option (what the form posts and answers
    store) with its shown label; a ``randomize`` question shuffles them in an
    order fixed by ``seed`` (the respondent), so a reload does not reshuffle.
    """
    shown = dict(question)
    for key in ("prompt", "description", "placeholder"):
        if shown.get(key):
            shown[key] = render(shown[key], values)
    if shown.get("labels"):
        shown["labels"] = {k: render(v or "", values) for k, v in shown["labels"].items()}
    qtype = QuestionType(shown["type"])
    if qtype in SCORE_TYPES:
        low, high = score_range(shown)
        shown["points"] = list(range(low, high + 1))
    if qtype in CHOICE_TYPES:
        labels = [render(o, values) for o in shown.get("options", [])]
        choices = list(zip(shown.get("option_values", shown.get("options", [])), labels, strict=False))
        if shown.get("randomize"):
            random.Random(f"{seed}:{shown['id']}").shuffle(choices)
        shown["choices"] = choices
    return shown


def thank_you_texts(definition: Mapping[str, Any], values: Mapping[str, str | None]) -> dict[str, str]:
    texts = definition.get("thank_you") or {}
    return {"title": render(texts.get("title") or "Thank you!", values),
            "message": render(texts.get("message") or "", values)}


def estimated_total(definition: Mapping[str, Any], answers: Mapping[str, AnswerValue]) -> int:
    """How many questions this respondent will likely see: the shown ones, plus one follow-up
    for each shown question whose answer (still missing) may reveal some."""
    shown = {q["id"] for q in visible_questions(definition, answers)}
    pending = {q["show_if"]["question"] for q in definition["questions"]
               if q.get("show_if") and q["show_if"]["question"] in shown and q["show_if"]["question"] not in answers}
    return len(shown) + len(pending)


def page_title(definition: Mapping[str, Any]) -> str:
    """The product's name for the page title, when the survey names one."""
    product = definition.get("product")
    return product if product and product != DEFAULT_PRODUCT else ""


def localized(definition: Mapping[str, Any], wanted: list[str | None]) -> tuple[dict[str, Any], str]:
    """The definition in the first wanted locale it speaks, and that locale's tag."""
    locale = pick_locale(dict(definition), wanted)
    shown = localize(dict(definition), locale)
    return shown, shown["shown_locale"]


def render_step(step: Step) -> str:
    return render_template("hosted/step.html", step=step)


def render_message(title: str, text: str, locale: str = "en") -> str:
    """A friendly full page for a link that cannot be answered (invalid, expired, closed...)."""
    return render_template("hosted/message.html", title=title, text=text, locale=locale)


def _preview_position(questions: list[dict[str, Any]], index: int) -> tuple[int, int]:
    """Where a question sits for a typical respondent: follow-ups of one question count once."""
    def slots(upto: list[dict[str, Any]]) -> int:
        plain = sum(1 for q in upto if not q.get("show_if"))
        return plain + len({q["show_if"]["question"] for q in upto if q.get("show_if")})
    own = questions[index].get("show_if")
    earlier = [q for q in questions[:index] if not (own and q.get("show_if") and
                                                    q["show_if"]["question"] == own["question"])]
    return slots(earlier) + 1, max(slots(questions), 1)


def render_preview(definition: dict[str, Any], *, question_id: str | None = None, locale: str | None = None,
                   product_values: Mapping[str, str | None] | None = None) -> str:
    """The full hosted-page HTML of one step of ``definition``, marked "Preview", that posts nowhere.

    ``question_id`` None shows the first question and ``"__thank_you__"`` the closing
    step; an id the definition lacks shows the first question too. ``product_values``
    overrides placeholder values (``{"product": ..., "contact.name": ...}``).
    """
    if not has_request_context():  # url_for needs one for the static files' URLs
        with current_app.test_request_context():
            return render_preview(definition, question_id=question_id, locale=locale,
                                  product_values=product_values)
    shown, tag = localized(definition, [locale])
    values = {**values_for(shown.get("product")), **(product_values or {})}
    step = Step(locale=tag, texts=texts_for([tag]), preview=True, title=page_title(shown))
    questions = shown["questions"]
    if question_id == THANK_YOU:
        step.thank_you = thank_you_texts(shown, values)
        step.number = step.total = _preview_position(questions, len(questions) - 1)[1]
        step.change_url = "#"
        return render_step(step)
    index = next((i for i, q in enumerate(questions) if q["id"] == question_id), 0)
    step.question = display_question(questions[index], values, seed="preview")
    step.number, step.total = _preview_position(questions, index)
    step.back_url = "#" if index > 0 else None
    step.last = index == len(questions) - 1
    step.hidden = {"q": questions[index]["id"]}
    return render_step(step)
