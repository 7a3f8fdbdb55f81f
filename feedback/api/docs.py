"""The API docs page: Swagger UI served from the installed ``swagger-ui-bundle``, no CDN.

flask-smorest only builds its Swagger UI page when ``OPENAPI_SWAGGER_UI_URL``
is set before ``api.init_app``; we serve our own page instead, at the same
path (``<OPENAPI_URL_PREFIX>/<OPENAPI_SWAGGER_UI_PATH>``), so that its script
lives in a file (ready for a strict Content-Security-Policy), the external
spec validator badge is off, and a logged-in user can try write calls (the
page carries the CSRF token the API asks sessions for).
"""
from __future__ import annotations

import swagger_ui_bundle
from flask import Blueprint, Flask, abort, render_template, send_from_directory, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from feedback.extensions import api

# Only what the page loads; the bundle's own index.html points at a remote petstore.
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-32x32.png", "favicon-16x16.png"})
ASSETS_MAX_AGE = 24 * 3600
ASSETS_PATH = "/assets/"  # under the docs path: /api/v1/docs/assets/
SMOREST_DOCS = "api-docs"  # flask-smorest's doc blueprint, for an Api without config prefix
SPEC_ENDPOINT = f"{SMOREST_DOCS}.openapi_json"


def _asset(filename: str):
    if filename not in ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=ASSETS_MAX_AGE)


def _page():
    return render_template(
        "api/docs.html",
        title=api.spec.title,
        spec_url=url_for(SPEC_ENDPOINT),
        csrf_token=generate_csrf() if current_user.is_authenticated else "",
    )


def init_app(app: Flask) -> None:
    """Serve the docs page and its assets under the configured docs path."""
    prefix = "/" + app.config["OPENAPI_URL_PREFIX"].strip("/")
    docs_path = app.config.get("OPENAPI_SWAGGER_UI_PATH") or "docs"
    blueprint = Blueprint("api_docs_ui", __name__, url_prefix=f"{prefix}/{docs_path.strip('/')}",
                          template_folder="templates", static_folder="static")
    if f"{SMOREST_DOCS}.openapi_swagger_ui" not in app.view_functions:
        # Else OPENAPI_SWAGGER_UI_URL was configured and flask-smorest serves its
        # page there already; it then finds its files under ASSETS_PATH.
        blueprint.add_url_rule("", endpoint="page", view_func=_page)
    blueprint.add_url_rule(ASSETS_PATH + "<path:filename>", endpoint="asset", view_func=_asset)
    app.register_blueprint(blueprint)
