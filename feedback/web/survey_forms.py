"""Flask-WTF forms of the survey designer. Every form carries a CSRF token.

The forms only type what was sent (text, numbers, ticks); whether the result is
a valid survey is decided by ``load_definition`` through ``update_draft``, whose
messages the views put back on these fields (see :data:`QUESTION_FIELDS`).
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from feedback.web.survey_drafts import QuestionInput
from surveys.design.definition import LOCALE, PROMPT_MAX, QUESTION_ID
from surveys.design.models import NAME_MAX
from surveys.design.templates import TEMPLATES

BLANK_CHOICE = "blank"


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class NewSurveyForm(FlaskForm):
    name = StringField("Survey name", filters=[_strip], validators=[DataRequired(), Length(max=NAME_MAX)],
                       description="For your team only; respondents never see it.",
                       render_kw={"placeholder": "e.g. Q3 relationship NPS"})
    template = RadioField("Start from", default=BLANK_CHOICE,
                          choices=[SelectChoice(key, t.name) for key, t in TEMPLATES.items()]
                          + [SelectChoice(BLANK_CHOICE, "Blank")])


class SettingsForm(FlaskForm):
    name = StringField("Survey name", filters=[_strip], validators=[DataRequired(), Length(max=NAME_MAX)])
    product = StringField("Product name", filters=[_strip], validators=[Length(max=100)],
                          description="Fills {product} in your questions.")
    thank_you_title = StringField("Thank-you title", filters=[_strip], validators=[Length(max=120)])
    thank_you_message = TextAreaField("Thank-you message", filters=[_strip], validators=[Length(max=1000)],
                                      render_kw={"rows": 2})


class QuestionForm(FlaskForm):
    """One question. Which fields show depends on the type; the logic checkboxes are read from
    ``request.form`` by :meth:`to_input` because their names depend on the chosen question."""

    type = HiddenField()
    id = StringField("Question id", filters=[_strip], validators=[
        Optional(), Length(max=64),
        Regexp(QUESTION_ID, message="Letters, digits, '-' and '_', starting with a letter or digit.")])
    prompt = TextAreaField("Question", filters=[_strip], validators=[Length(max=PROMPT_MAX)],
                           render_kw={"rows": 2},
                           description="Placeholders: {product}, {contact.name}, {contact.first_name}, "
                                       "{account.name}; a fallback after a bar: {contact.first_name|there}.")
    description = StringField("Help text", filters=[_strip], validators=[Length(max=PROMPT_MAX)],
                              description="Optional; shown under the question.")
    required = BooleanField("An answer is required")
    options = TextAreaField("Options", render_kw={"rows": 5}, description="One option per line, in order.")
    randomize = BooleanField("Show the options in a random order to each respondent")
    allow_other = BooleanField("Offer “Other” with a text box")
    min = IntegerField("Lowest score", validators=[Optional()], render_kw={"inputmode": "numeric"},
                       description="0 or 1.")
    max = IntegerField("Highest score", validators=[Optional()], render_kw={"inputmode": "numeric"},
                       description="Up to 10.")
    label_min = StringField("Label of the lowest score", filters=[_strip], validators=[Length(max=60)])
    label_max = StringField("Label of the highest score", filters=[_strip], validators=[Length(max=60)])
    max_length = IntegerField("Longest answer (characters)", validators=[Optional()],
                              render_kw={"inputmode": "numeric"})
    placeholder = StringField("Placeholder", filters=[_strip], validators=[Length(max=200)],
                              description="Greyed-out hint inside the empty text box.")
    logic_question = SelectField("Show this question", validate_choice=False)

    def to_input(self, form: MultiDict) -> QuestionInput:
        """The typed values, with the logic checkboxes of every candidate question."""
        values = {key[len("logic_in-"):]: form.getlist(key) for key in form if key.startswith("logic_in-")}
        bands = {key[len("logic_band-"):]: form.getlist(key) for key in form if key.startswith("logic_band-")}
        return QuestionInput(
            type=self.type.data, id=self.id.data or None, prompt=self.prompt.data or "",
            description=self.description.data or "", required=self.required.data, options=self.options.data or "",
            randomize=self.randomize.data, allow_other=self.allow_other.data, min=self.min.data,
            max=self.max.data, max_length=self.max_length.data, label_min=self.label_min.data or "",
            label_max=self.label_max.data or "", placeholder=self.placeholder.data or "",
            logic_question=self.logic_question.data or "", logic_values=values, logic_bands=bands)

    def fill(self, question: dict) -> None:
        """Show a saved question in the form (GET)."""
        self.type.data = question["type"]
        self.id.data = question["id"]
        for name in ("prompt", "description", "placeholder"):
            getattr(self, name).data = question.get(name, "")
        self.required.data = bool(question.get("required"))
        self.options.data = "\n".join(question.get("options") or [])
        self.randomize.data = bool(question.get("randomize"))
        self.allow_other.data = bool(question.get("allow_other"))
        if question["type"] == "rating":
            self.min.data, self.max.data = question.get("min"), question.get("max")
        if question["type"] == "text":
            self.max_length.data = question.get("max")
        labels = question.get("labels") or {}
        self.label_min.data, self.label_max.data = labels.get("min", ""), labels.get("max", "")
        self.logic_question.data = (question.get("show_if") or {}).get("question", "")


# Where a definition error about one question goes in the form: schema field → form field.
QUESTION_FIELDS = {"id": "id", "prompt": "prompt", "description": "description", "required": "required",
                   "options": "options", "randomize": "randomize", "allow_other": "allow_other", "min": "min",
                   "labels": "label_min", "placeholder": "placeholder", "show_if": "logic_question"}
SETTINGS_FIELDS = {"product": "product", "thank_you": "thank_you_title"}


class LocaleForm(FlaskForm):
    locale = StringField("Language tag", filters=[_strip], validators=[
        DataRequired(), Length(max=35), Regexp(LOCALE, message="A language tag such as fr, de or pt-BR.")],
        render_kw={"placeholder": "fr, de, pt-BR", "autocomplete": "off", "spellcheck": "false"})
