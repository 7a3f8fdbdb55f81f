"""The ``hosted`` blueprint: the public survey page, the one page of the service that may be framed."""
from __future__ import annotations

from flask import Blueprint, Response, request

bp = Blueprint("hosted", __name__, template_folder="templates", static_folder="static",
               static_url_path="/hosted/static")

# The longest answer is 10,000 characters (TEXT_MAX_LIMIT): even as 4-byte UTF-8 sent
# percent-encoded that is 120 kB. Anything bigger is refused before it is parsed.
MAX_BODY = 256 * 1024

# Customers embed the page in their product or help centre, so any site may frame it.
# Everything else comes from this service: no inline script, no CDN, and the form
# posts only back here. ``data:`` images are Bootstrap's checkbox and radio marks.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors *")


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_BODY
    request.max_form_memory_size = MAX_BODY


@bp.after_request
def _page_headers(response: Response) -> Response:
    """Framing allowed (this page only); never cached; the token in the URL never leaks."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.endpoint == "hosted.static":
        return response  # the stylesheet and script cache like any static file
    response.headers.pop("X-Frame-Options", None)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
