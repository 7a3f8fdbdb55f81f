"""The workspace settings page (admins): the asking rules every survey shares.

Timezone (the fallback for contacts without a valid one), the recontact period, the account
limit (N invitations per period per account) and the default send window; the widget card
(identity verification and its secret) posts to :mod:`feedback.web.workspace_widget`. A bad value is
answered with a 422 that shows the page again, the message beside the field it names, and
nothing saved.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from flask import flash, make_response, redirect, render_template, url_for
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange
from wtforms.validators import ValidationError as FieldError

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp, no_store
from feedback.web.forms import ConfirmForm
from surveys.db import begin_write, db
from surveys.journeys.models import TIMEZONE_MAX, WorkspaceSettings
from surveys.journeys.settings import read_settings, workspace_settings
from surveys.journeys.triggers import DAY_NAMES, SendWindowSchema

DAY_TITLES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_DAYS = 3650
MAX_ACCOUNT_LIMIT = 1000
DEFAULT_WINDOW = {"days": ["tue", "wed", "thu"], "start": "09:00", "end": "17:00"}


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _known_zone(_form: FlaskForm, field: StringField) -> None:
    if field.data and field.data not in timezone_names():
        raise FieldError(f"{field.data[:64]!r} is not a timezone. Use an IANA name such as Europe/Paris or "
                         "America/New_York.")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class WorkspaceForm(FlaskForm):
    timezone = StringField("Workspace timezone", filters=[_strip], render_kw={"list": "timezones", "autocomplete": "off"},
                           validators=[InputRequired("Choose a timezone."), Length(max=TIMEZONE_MAX), _known_zone],
                           description="Used for contacts without a valid timezone of their own.")
    recontact_days = IntegerField("Recontact period (days)", validators=[
        InputRequired("Enter a number of days."), NumberRange(1, MAX_DAYS, "Between %(min)s and %(max)s days.")],
        description="Nobody is asked again within this many days, across every survey and channel. A survey "
                    "may lengthen it, or opt out as transactional.")
    account_limit = IntegerField("Invitations per account", validators=[
        InputRequired("Enter a number."), NumberRange(0, MAX_ACCOUNT_LIMIT, "Between %(min)s and %(max)s.")],
        description="At most this many invitations to the people of one account per period; 0: no limit.")
    account_period_days = IntegerField("Per period of (days)", validators=[
        InputRequired("Enter a number of days."), NumberRange(1, MAX_DAYS, "Between %(min)s and %(max)s days.")])
    window_enabled = BooleanField("Only send inside a window",
                                  description="In each contact's timezone; a survey may set its own window.")
    window_days = SelectMultipleField("Days", choices=[SelectChoice(name, title) for name, title in zip(DAY_NAMES, DAY_TITLES, strict=True)],
                                      widget=widgets.ListWidget(prefix_label=False),
                                      option_widget=widgets.CheckboxInput())
    window_start = StringField("From", filters=[_strip], render_kw={"type": "time"})
    window_end = StringField("Until", filters=[_strip], render_kw={"type": "time"})

    @classmethod
    def of(cls, settings: WorkspaceSettings) -> WorkspaceForm:
        window = settings.send_window or DEFAULT_WINDOW
        return cls(formdata=None, timezone=settings.timezone, recontact_days=settings.recontact_days,
                   account_limit=settings.account_limit, account_period_days=settings.account_period_days,
                   window_enabled=settings.send_window is not None, window_days=window["days"],
                   window_start=window["start"], window_end=window["end"])

    def send_window(self) -> dict[str, Any] | None:
        """The window as stored (canonical JSON), ``None`` when off; errors go beside the fields."""
        if not self.window_enabled.data:
            return None
        raw = {"days": self.window_days.data or [], "start": self.window_start.data or "",
               "end": self.window_end.data or ""}
        try:
            return SendWindowSchema().load(raw)
        except ValidationError as err:
            fields = {"days": self.window_days, "start": self.window_start, "end": self.window_end}
            for name, messages in err.normalized_messages().items():
                target = fields.get(name, self.window_days)
                target.errors = [*target.errors, *(messages if isinstance(messages, list) else [str(messages)])]
            raise


def _page(form: WorkspaceForm, status: int = 200):
    # The page shows the widget secret: kept out of every cache.
    return no_store(make_response(render_template(
        "web/workspace/settings.html", form=form, timezones=timezone_names(), widget=read_settings(db.session),
        widget_form=ConfirmForm()), status))


@bp.get("/settings", endpoint="workspace_settings")
@requires(Permission.MANAGE_WORKSPACE)
def settings_page():
    return _page(WorkspaceForm.of(read_settings(db.session)))


@bp.post("/settings", endpoint="save_workspace_settings")
@requires(Permission.MANAGE_WORKSPACE)
def save_settings():
    form = WorkspaceForm()
    valid = form.validate_on_submit()
    try:
        window = form.send_window()
    except ValidationError:
        valid = False
    if not valid:
        flash("Not saved: " + "; ".join(f"{form[name].label.text}: {' '.join(errors)}"
                                         for name, errors in form.errors.items() if name != "csrf_token")
              if set(form.errors) - {"csrf_token"} else "Not saved: the form expired; try again.", "danger")
        return _page(form, 422 if set(form.errors) - {"csrf_token"} else 400)
    begin_write(db.session)
    settings = workspace_settings(db.session)
    settings.timezone = form.timezone.data
    settings.recontact_days = form.recontact_days.data
    settings.account_limit = form.account_limit.data
    settings.account_period_days = form.account_period_days.data
    settings.send_window = window
    db.session.commit()
    flash("Workspace settings saved. They apply to every invitation from now on.", "success")
    return redirect(url_for("web.workspace_settings"), code=303)
