"""Surveys in the web UI: the list, the designer, publishing and version history."""
from __future__ import annotations

from flask import render_template

from feedback.auth.access import requires
from feedback.auth.roles import Permission
from feedback.web.blueprint import bp


@bp.get("/surveys")
@requires(Permission.READ_SURVEYS)
def surveys():
    return render_template("web/error.html", code=501, title="Surveys", message="Coming soon."), 501
