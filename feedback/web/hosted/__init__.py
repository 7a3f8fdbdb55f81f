"""The public hosted survey page, ``/s/<token>``: its own blueprint, the only page that may be framed."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``hosted`` blueprint; it is public, so Flask-WTF's CSRF check does not apply
    (see :mod:`feedback.web.hosted.views` for why a forged post gains nothing)."""
    from feedback.extensions import csrf
    from feedback.web.hosted import email_links, unsubscribe, views  # noqa: F401 - attach the routes
    from feedback.web.hosted.blueprint import bp

    app.register_blueprint(bp)
    csrf.exempt(bp)
