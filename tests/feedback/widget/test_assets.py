"""widget.js: served compressed, cached by content hash, revalidated by ETag, loadable from any origin."""
from __future__ import annotations

import gzip
import hashlib

import brotli

from feedback.widget.assets import SCRIPT_PATH, load_script

RAW = SCRIPT_PATH.read_bytes()
DIGEST = hashlib.sha256(RAW).hexdigest()[:16]


def test_the_script_is_served_with_a_short_cache_and_its_hash_as_etag(client):
    response = client.get("/w/v1/widget.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.data == RAW
    assert response.mimetype == "application/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"] == f'"{DIGEST}"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Content-Encoding" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_a_matching_etag_gets_a_304(client):
    etag = client.get("/w/v1/widget.js", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    response = client.get("/w/v1/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    stale = client.get("/w/v1/widget.js", headers={"If-None-Match": '"0000000000000000"'})
    assert stale.status_code == 200


def test_gzip_is_served_to_who_accepts_it(client):
    response = client.get("/w/v1/widget.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["ETag"] == f'"{DIGEST}-gzip"'
    assert gzip.decompress(response.data) == RAW
    assert int(response.headers["Content-Length"]) == len(response.data) < len(RAW)


def test_brotli_is_preferred_when_accepted(client):
    response = client.get("/w/v1/widget.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.data) == RAW
    gzipped = client.get("/w/v1/widget.js", headers={"Accept-Encoding": "gzip"}).data
    assert len(response.data) < len(gzipped)


def test_the_hashed_url_serves_the_same_bytes_for_a_year(client):
    response = client.get(f"/w/v1/widget.{DIGEST}.js", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.data == RAW
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    gone = client.get("/w/v1/widget.0123456789abcdef.js")
    assert gone.status_code == 404
    assert gone.get_json()["error"] == "not_found"


def test_the_script_is_compressed_once_at_startup(app, monkeypatch):
    calls: list[bytes] = []
    real = brotli.compress
    monkeypatch.setattr("feedback.widget.assets.brotli.compress",
                        lambda data, **kw: calls.append(data) or real(data, **kw))
    client = app.test_client()
    for _ in range(3):
        client.get("/w/v1/widget.js", headers={"Accept-Encoding": "br"})
    assert calls == []
    assert app.extensions["widget_script"].digest == DIGEST


def test_a_missing_script_is_a_404_not_a_crash(app, client, tmp_path):
    app.extensions["widget_script"] = load_script(tmp_path / "missing.js")
    response = client.get("/w/v1/widget.js")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
