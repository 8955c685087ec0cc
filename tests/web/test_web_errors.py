"""The one error shape: bad parameters answer 400, unknown things 404, and nothing answers 500."""

from __future__ import annotations

import html

import pytest
from flask import Flask

from webapp import create_app

MACHINE = ["/api/search", "/search.json", "/search.csv", "/search.atom"]
HUMAN = ["/", "/search", "/themes/autonomy", "/authors/datawren", "/sections/the-stories"]
BAD = [
    ("page=abc", "page", "'abc'"),
    ("page=0", "page", "0"),
    ("from=2025-13-45", "from", "2025-13-45"),
    ("to=yesterday", "to", "yesterday"),
    ("from=2026&to=2025", "to", "2025"),
    ("per_page=100000", "per_page", "100000"),
    ("per_page=-1", "per_page", "-1"),
    ("sort=random", "sort", "random"),
    ("sort=newest&sort=oldest", "sort", "2"),
]


@pytest.mark.parametrize("path", MACHINE)
@pytest.mark.parametrize(("query", "param", "echo"), BAD)
def test_bad_parameter_answers_400_with_the_error_shape(client, path, query, param, echo):
    resp = client.get(f"{path}?{query}")
    assert resp.status_code == 400
    assert resp.mimetype == "application/json"
    body = resp.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "bad_parameter"
    assert body["error"]["parameter"] == param
    assert echo in body["error"]["message"]  # says what came


@pytest.mark.parametrize("path", HUMAN)
@pytest.mark.parametrize(("query", "param", "echo"), BAD[:3])
def test_bad_parameter_on_a_page_renders_a_friendly_400(client, path, query, param, echo):
    resp = client.get(f"{path}?{query}")
    assert resp.status_code == 400
    assert resp.mimetype == "text/html"
    page = html.unescape(resp.get_data(as_text=True))
    assert "That request could not be read" in page
    assert param in page and echo in page
    assert 'role="search"' in page  # a way on


def test_a_client_that_prefers_json_gets_json_from_a_page(client):
    resp = client.get("/search?page=abc", headers={"Accept": "application/json"})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "bad_parameter"


@pytest.mark.parametrize(
    "path",
    [
        "/api/entries/no-such-entry",
        "/entries/no-such-entry.csl.json",
        "/entries/no-such-entry.bib",
    ],
)
def test_unknown_id_answers_404_json(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert resp.get_json() == {
        "error": {"code": "not_found", "message": "no entry 'no-such-entry' in the archive"}
    }


@pytest.mark.parametrize(
    "path",
    [
        "/entries/no-such-entry",
        "/themes/no-such-theme",
        "/authors/nobody-at-all",
        "/sections/no-such-section",
        "/no/such/page",
    ],
)
def test_unknown_things_answer_a_404_page(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    assert "Not in the archive" in resp.get_data(as_text=True)


def test_unknown_api_route_answers_json_404(client):
    resp = client.get("/api/nothing-here")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_wrong_method_answers_405_with_allow(client):
    resp = client.post("/api/search")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


def test_unexpected_exceptions_become_the_same_shape(web_index):
    app: Flask = create_app({"INDEX": str(web_index)})

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret detail")

    @app.get("/boom")
    def boom_page():
        raise RuntimeError("secret detail")

    client = app.test_client()
    resp = client.get("/api/boom")
    assert resp.status_code == 500
    assert resp.get_json()["error"]["code"] == "internal_error"
    assert "secret detail" not in resp.get_data(as_text=True)
    page = client.get("/boom")
    assert page.status_code == 500 and page.mimetype == "text/html"
    assert "secret detail" not in page.get_data(as_text=True)


def test_missing_index_answers_503_not_500(tmp_path):
    client = create_app({"INDEX": str(tmp_path / "nothing")}).test_client()
    resp = client.get("/api/search")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "unavailable"
    assert "perspectives index" in resp.get_json()["error"]["message"]
    assert client.get("/").status_code == 503
