"""Flask-WTF forms of the web UI. Every form carries a CSRF token (CSRFProtect checks it)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from feedback.auth.models import KeyKind
from feedback.auth.passwords import password_problem
from feedback.auth.roles import Role

ROLE_CHOICES = [SelectChoice(Role.ADMIN.value, "Admin"), SelectChoice(Role.MANAGER.value, "Manager"),
                SelectChoice(Role.CSM.value, "CSM"), SelectChoice(Role.VIEWER.value, "Viewer")]
IMPORT_KINDS = [SelectChoice("accounts", "Accounts"), SelectChoice("contacts", "Contacts")]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(), Length(max=320)],
                       render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


class InviteForm(FlaskForm):
    email = EmailField("Email", filters=[_strip], render_kw={"autocomplete": "off"}, validators=[
        DataRequired(), Email(message="Enter an email address such as ana@example.com."), Length(max=320)])
    name = StringField("Name", filters=[_strip], validators=[Length(max=255)],
                       description="Optional; shown in the team list.")
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.CSM.value)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ConfirmForm(FlaskForm):
    """A button that posts: the CSRF token is the only field."""


def _acceptable_password(_form: FlaskForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SetPasswordForm(FlaskForm):
    password = PasswordField("Choose a password", validators=[DataRequired(), _acceptable_password],
                             render_kw={"autocomplete": "new-password"},
                             description="At least 10 characters. A few unrelated words make a strong one.")
    confirm = PasswordField("Type it again", render_kw={"autocomplete": "new-password"},
                            validators=[DataRequired(), EqualTo("password", "The two passwords differ.")])


class KeyForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired(), Length(max=100)],
                       description="What uses it, e.g. “Salesforce sync” or “Marketing site widget”.")
    kind = RadioField("Kind", default=KeyKind.SECRET.value, choices=[
        SelectChoice(KeyKind.SECRET.value, "Secret: server-to-server calls to the REST API. Keep it on your servers."),
        SelectChoice(KeyKind.PUBLIC.value, "Public: the in-product widget. Safe to ship in a web page."),
    ])


class ImportUploadForm(FlaskForm):
    kind = RadioField("What does the file hold?", choices=IMPORT_KINDS, default="accounts")
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")],
                     render_kw={"accept": ".csv,text/csv"},
                     description="UTF-8 or Latin-1, separated by commas or semicolons, with a header row.")
    skip_invalid = BooleanField("Skip invalid rows and import the rest",
                                description="Without this, one bad row stops the whole import and nothing is written.")


class ImportRunForm(FlaskForm):
    skip_invalid = BooleanField("Skip invalid rows and import the rest")
