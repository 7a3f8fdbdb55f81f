"""The one blueprint of the web UI, named ``web``; view modules attach their routes to it."""
from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web/static")


@bp.after_request
def _page_headers(response: Response) -> Response:
    """Pages are never framed (clickjacking), and never leak their URL to other sites:
    an invitation link carries its token in the path."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def no_store(response: Response) -> Response:
    """Keep a page that shows a secret (a new key, an invitation link) out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response
