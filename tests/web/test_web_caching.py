"""HTTP caching and compression: immutable versioned static files, ETags and 304s on what the
index makes, compressed answers, and a Server header without versions."""

from __future__ import annotations

import gzip
import re
import shutil
import urllib.request
from pathlib import Path

import brotli
import pytest
from web_fixtures import build, serving

from indexer.build import build_index
from webapp import create_app
from webapp.headers import QuietRequestHandler

VALIDATED = (
    "/search.atom",
    "/search.atom?theme=autonomy",
    "/search.csv?q=autonomy",
    "/search.json?q=autonomy",
    "/api/search?q=autonomy",
    "/api/entries/organising-the-evidence",
    "/api/openapi.json",
    "/entries/organising-the-evidence.bib",
    "/entries/organising-the-evidence.csl.json",
)


def asset(client, name: str) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(rf'"(/static/{re.escape(name)}\?v=[0-9a-f]+)"', html)[1]


@pytest.mark.parametrize("name", ["style.css", "app.js", "favicon.svg"])
def test_versioned_static_files_are_cached_for_a_year(client, name):
    with client.get(asset(client, name)) as resp:
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_static_files_of_another_version_are_revalidated(client):
    for url in ("/static/style.css", "/static/style.css?v=0123456789"):
        with client.get(url) as resp:
            assert resp.status_code == 200
            assert "immutable" not in resp.headers.get("Cache-Control", ""), url


@pytest.mark.parametrize("path", VALIDATED)
def test_a_second_request_with_the_etag_gets_304(client, path):
    first = client.get(path)
    assert first.status_code == 200, first.get_data(as_text=True)[:200]
    tag = first.headers["ETag"]
    assert tag.startswith('W/"') and first.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag
    other = client.get(path, headers={"If-None-Match": 'W/"something-else"'})
    assert (
        other.status_code == 200
        and other.get_data() == first.get_data()
        or path.endswith(
            (".csv", ".json")  # exports record when they were made
        )
    )


def test_etags_differ_by_request(client):
    tags = {client.get(p).headers["ETag"] for p in VALIDATED}
    assert len(tags) == len(VALIDATED)


def test_a_new_index_generation_changes_the_etag(tmp_path):
    index = build(tmp_path)
    client = create_app({"INDEX": str(index)}).test_client()
    tag = client.get("/search.atom").headers["ETag"]
    archive = tmp_path / "archive"
    shutil.copy(archive / "the-evidence/formula.md", archive / "the-evidence/formula-copy.md")
    (archive / "the-evidence/formula-copy.md").write_text(
        (archive / "the-evidence/formula.md").read_text().replace("2023-05-01", "2027-01-01")
    )
    build_index(archive, index, full=False)
    resp = client.get("/search.atom", headers={"If-None-Match": tag})
    assert resp.status_code == 200 and resp.headers["ETag"] != tag


@pytest.mark.parametrize(
    "path, mimetype",
    [
        ("/", "text/html"),
        ("/search?q=autonomy", "text/html"),
        ("/api/search?q=autonomy", "application/json"),
        ("/search.csv", "text/csv"),
        ("/search.json", "application/json"),
        ("/search.atom", "application/atom+xml"),
    ],
)
@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_answers_arrive_compressed(client, path, mimetype, encoding):
    plain = client.get(path).get_data()
    resp = client.get(path, headers={"Accept-Encoding": encoding})
    assert resp.status_code == 200 and resp.mimetype == mimetype
    assert resp.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in resp.headers["Vary"]
    body = resp.get_data()
    data = gzip.decompress(body) if encoding == "gzip" else brotli.decompress(body)
    if path.startswith("/search.") and path != "/search.atom":
        data, plain = (re.sub(rb"\d{4}-\d\d-\d\dT[\d:]+\+00:00", b"", d) for d in (data, plain))
    assert data == plain and len(body) < len(plain)


def test_no_compression_unless_asked(client):
    assert "Content-Encoding" not in client.get("/", headers={"Accept-Encoding": ""}).headers


def test_permissions_policy_has_no_interest_cohort(client):
    assert "interest-cohort" not in client.get("/").headers["Permissions-Policy"]


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    """The app behind Werkzeug's server with the handler `perspectives serve` uses."""
    index = build(tmp_path_factory.mktemp("devserver"))
    with serving(create_app({"INDEX": str(index)}), request_handler=QuietRequestHandler) as url:
        yield url


def test_the_development_server_names_no_versions_and_compresses(dev_server):
    req = urllib.request.Request(dev_server + "/", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.headers["Server"] == "Perspectives"
        assert resp.headers["Content-Encoding"] == "gzip"
        assert b"<!doctype html>" in gzip.decompress(resp.read())


def test_gunicorn_compresses(tmp_path: Path):
    """The README's production command: gunicorn over create_app() sends gzip, no versions."""
    import os
    import socket
    import subprocess
    import sys
    import time

    index = build(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = {**os.environ, "PERSPECTIVES_INDEX": str(index)}
    proc = subprocess.Popen(
        [str(gunicorn), "-w", "1", "-b", f"127.0.0.1:{port}", "webapp:create_app()"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/search.atom", headers={"Accept-Encoding": "gzip"}
        )
        for _ in range(200):
            try:
                resp = urllib.request.urlopen(req, timeout=30)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer")
        with resp:
            assert resp.headers["Content-Encoding"] == "gzip"
            assert "/" not in resp.headers["Server"]
            assert b"<feed" in gzip.decompress(resp.read())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
