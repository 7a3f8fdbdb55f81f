"""The in-product widget's server side: the public ``/w/v1`` endpoints and ``widget.js`` itself.

A top layer, like ``api/`` and ``web/``: it imports the domain packages, never the
reverse. See :mod:`feedback.widget.views` for the protocol's endpoints,
:mod:`feedback.widget.keys` for who may call them, :mod:`feedback.widget.assets`
for how the script is served.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``widget`` blueprint: public, so exempt from the form CSRF check (a public
    key and the page's origin are checked instead), and read ``widget.js`` once."""
    from feedback.extensions import csrf
    from feedback.widget import assets, views  # noqa: F401 - attach the routes
    from feedback.widget.blueprint import bp

    app.register_blueprint(bp)
    csrf.exempt(bp)
    assets.init_app(app)
