"""Serving ``widget.js``: compressed once, cached by content hash, loadable from any origin.

- ``GET /w/v1/widget.js``: what the snippet loads; cached 5 minutes (a new
  release reaches every page within minutes), revalidated by its ``ETag``;
- ``GET /w/v1/widget.<hash>.js``: the same bytes under their content hash, cached
  for a year as ``immutable`` (an old hash is 404: those bytes are gone).

The script is read, hashed and compressed (gzip and brotli, at their best
levels) once when the app starts, and served by ``Accept-Encoding``; in debug
mode it is read again whenever the file changes. Every origin may load it
(``Access-Control-Allow-Origin: *``, ``Cross-Origin-Resource-Policy: cross-origin``).
"""
from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask, Response, current_app, request, url_for

from feedback.widget.blueprint import bp
from feedback.widget.errors import WidgetError

SCRIPT_PATH = Path(__file__).resolve().parent / "static" / "widget.js"
SHORT_CACHE = "public, max-age=300"
IMMUTABLE = "public, max-age=31536000, immutable"
DIGEST_LENGTH = 16
_EXTENSION = "widget_script"


@dataclass(frozen=True)
class Script:
    digest: str
    mtime: float
    bodies: dict[str, bytes]  # content coding ("identity", "br", "gzip") → bytes

    def etag(self, coding: str) -> str:
        return self.digest if coding == "identity" else f"{self.digest}-{coding}"


def load_script(path: Path = SCRIPT_PATH) -> Script | None:
    """The script, hashed and compressed; None when the file is missing."""
    try:
        raw = path.read_bytes()
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    digest = hashlib.sha256(raw).hexdigest()[:DIGEST_LENGTH]
    bodies = {"identity": raw, "br": brotli.compress(raw, quality=11, mode=brotli.MODE_TEXT),
              "gzip": gzip.compress(raw, compresslevel=9, mtime=0)}
    return Script(digest, mtime, bodies)


def current_script() -> Script:
    script = current_app.extensions.get(_EXTENSION)
    if current_app.debug and (script is None or _changed(script)):
        script = current_app.extensions[_EXTENSION] = load_script()
    if script is None:
        raise WidgetError(404, "not_found", "widget.js is missing from this installation.")
    return script


def _changed(script: Script) -> bool:
    try:
        return SCRIPT_PATH.stat().st_mtime != script.mtime
    except FileNotFoundError:
        return True


def script_url(*, hashed: bool = False, external: bool = False) -> str:
    """The script's URL: the stable one, or (``hashed``) the immutable one of this release."""
    if hashed:
        return url_for("widget.script_hashed", digest=current_script().digest, _external=external)
    return url_for("widget.script", _external=external)


def _coding() -> str:
    accepted = request.accept_encodings
    for coding in ("br", "gzip"):
        if accepted.quality(coding) > 0:
            return coding
    return "identity"


def _serve(script: Script, cache_control: str) -> Response:
    coding = _coding()
    known = [script.etag(c) for c in script.bodies]
    not_modified = any(request.if_none_match.contains_weak(tag) for tag in known)
    response = Response(b"" if not_modified else script.bodies[coding], status=304 if not_modified else 200,
                        mimetype="application/javascript")
    if coding != "identity" and not not_modified:
        response.headers["Content-Encoding"] = coding
    response.set_etag(script.etag(coding))
    response.headers["Cache-Control"] = cache_control
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.vary.add("Accept-Encoding")
    return response


@bp.route("/widget.js", methods=["GET"], endpoint="script")
def script() -> Response:
    return _serve(current_script(), SHORT_CACHE)


@bp.route("/widget.<digest>.js", methods=["GET"], endpoint="script_hashed")
def script_hashed(digest: str) -> Response:
    script = current_script()
    if digest != script.digest:
        raise WidgetError(404, "not_found", "No such release of widget.js; load /w/v1/widget.js.")
    return _serve(script, IMMUTABLE)


def init_app(app: Flask) -> None:
    """Read and compress the script once, at startup."""
    app.extensions[_EXTENSION] = load_script()
