"""The server-rendered web UI: login, team, API keys, accounts, CSV import, outbox,
the survey designer, responses, and the public hosted survey page.

Every page works without JavaScript (forms are plain GET/POST with a CSRF
token); Bootstrap's script only adds the collapsing navbar, dropdowns and the
copy buttons. Every asset is served by the service itself.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``web`` blueprint, its template helpers and the HTML error pages."""
    from feedback.web import (  # noqa: F401 - each attaches its routes to the blueprint
        accounts, errors, filters, hosted, imports, keys, login, outbox, response_views, survey_triggers, survey_views,
        users,
        contacts, survey_trigger_preview, workspace,
        survey_widget, widget_demo, widget_install, workspace_widget,
    )
    from feedback.web.blueprint import bp

    app.register_blueprint(bp)
    hosted.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
