"""The production command, `gunicorn 'webapp:create_app()'`, as the README gives it: security
headers, no debugger even with debug variables set, bounded requests, no traceback on errors."""

from __future__ import annotations

import http.client
import json
import shutil
import sys
from pathlib import Path

import pytest

from webapp.headers import HEADERS

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from harness import HOST, ProductionServer, get

DEBUG_ENV = {"FLASK_DEBUG": "1", "PERSPECTIVES_DEBUG": "true", "FLASK_ENV": "development"}


@pytest.fixture(scope="module")
def production(hostile_index, tmp_path_factory):
    index = tmp_path_factory.mktemp("production") / "index"
    shutil.copytree(hostile_index, index)
    with ProductionServer(index, workers=1, env=DEBUG_ENV) as server:
        yield server


@pytest.mark.parametrize(
    "path", ["/", "/api/search?q=autonomy", "/nope", "/search.csv", "/static/style.css",
             "/api/search?page=abc", "/entries/payload-00"],
)  # fmt: skip
def test_production_answers_carry_the_security_headers(production, path):
    conn = http.client.HTTPConnection(HOST, production.port, timeout=30)
    conn.request("GET", path)
    resp = conn.getresponse()
    resp.read()
    assert resp.status < 500
    for name, value in HEADERS.items():
        assert resp.getheader(name) == value, (path, name)
    conn.close()


@pytest.mark.parametrize(
    "path",
    ["/console", "/?__debugger__=yes&cmd=resource&f=debugger.js",
     "/?__debugger__=yes&cmd=printpin&s=x", "/api/search?__debugger__=yes&frm=0&cmd=dump"],
)  # fmt: skip
def test_production_runs_no_debugger_even_with_debug_variables(production, path):
    status, body, _ = get(production.port, path)
    assert status in (200, 404)
    text = body.decode("utf-8", "replace")
    for marker in ("Werkzeug", "__debugger__", "Debugger PIN", "EVALEX", "console is locked"):
        assert marker not in text, (path, marker)


@pytest.fixture(scope="module")
def unprepared(hostile_index, tmp_path_factory):
    """The same command with PERSPECTIVES_PREPARE=false: a new generation is opened by the
    first request that finds it."""
    index = tmp_path_factory.mktemp("unprepared") / "index"
    shutil.copytree(hostile_index, index)
    with ProductionServer(index, workers=1, env={"PERSPECTIVES_PREPARE": "false"}) as server:
        yield server


def test_a_broken_new_generation_is_never_switched_to(production):
    """A generation that cannot be opened (half copied, damaged) is prepared in the background
    and fails there: readers go on being answered from the one they had."""
    index = production.index
    current = (index / "CURRENT").read_text(encoding="utf-8")
    before = json.loads(get(production.port, "/api/search?q=autonomy")[1])
    broken = index / "gen-20000101-000000-broken"
    broken.mkdir()
    (broken / "_MAIN_1.toc").write_bytes(b"\x00garbage" * 64)
    try:
        (index / "CURRENT").write_text(broken.name + "\n", encoding="utf-8")
        for _ in range(3):
            status, body, _ = get(production.port, "/api/search?q=autonomy")
            after = json.loads(body)
            assert status == 200
            assert (after["generation"], after["total"]) == (before["generation"], before["total"])
            assert get(production.port, "/search?q=autonomy")[0] == 200
    finally:
        (index / "CURRENT").write_text(current, encoding="utf-8")
        shutil.rmtree(broken)
    assert get(production.port, "/api/search?q=autonomy")[0] == 200


def test_a_broken_index_answers_an_error_without_a_traceback(unprepared):
    production = unprepared
    index = production.index
    current = (index / "CURRENT").read_text(encoding="utf-8")
    broken = index / "gen-20000101-000000-broken"
    broken.mkdir()
    (broken / "_MAIN_1.toc").write_bytes(b"\x00garbage" * 64)
    try:
        (index / "CURRENT").write_text(broken.name + "\n", encoding="utf-8")
        for path in ("/api/search?q=autonomy", "/search?q=autonomy"):
            status, body, _ = get(production.port, path)
            text = body.decode("utf-8", "replace")
            assert status in (500, 503), status
            assert "Traceback" not in text and 'File "' not in text and "whoosh" not in text
    finally:
        (index / "CURRENT").write_text(current, encoding="utf-8")
    assert get(production.port, "/api/search?q=autonomy")[0] == 200


def _raw(port: int, request: bytes) -> bytes:
    import socket

    with socket.create_connection((HOST, port), timeout=30) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_production_bounds_request_lines_and_headers(production):
    long_line = _raw(
        production.port, b"GET /search?q=" + b"x" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert long_line.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")), long_line[:80]
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(200))
    many = _raw(production.port, b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert many.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4")), many[:80]
    body = _raw(production.port, b"GET /api/search HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n"
                b"Connection: close\r\n\r\n" + b"x" * 100_000)  # fmt: skip
    assert body.startswith(b"HTTP/1.1 413"), body[:80]
