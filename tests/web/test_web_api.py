"""The JSON API in the shape DESIGN.md promises, and the OpenAPI document that describes it."""

from __future__ import annotations

import re

import pytest
from web_fixtures import HOSTILE_ID, assert_inert

RESULT_KEYS = {"id", "title", "author", "date", "section", "themes", "url", "source", "snippet"}


def test_search_answers_the_documented_shape(client):
    data = client.get("/api/search?q=autonomy&per_page=2").get_json()
    assert {"query", "total", "page", "per_page", "results", "facets", "suggestion"} <= set(data)
    assert data["query"] == "autonomy" and data["page"] == 1 and data["per_page"] == 2
    assert len(data["results"]) == 2
    for result in data["results"]:
        assert set(result) >= RESULT_KEYS
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", result["date"])
        assert result["url"] == f"http://localhost/entries/{result['id']}?q=autonomy"
    assert {"theme", "author", "section", "year"} <= set(data["facets"])
    for values in data["facets"].values():
        assert all({"value", "count"} <= set(v) for v in values)
    assert data["links"]["next"].endswith("/api/search?q=autonomy&per_page=2&page=2")
    assert data["links"]["prev"] is None


def test_snippets_mark_words_and_escape_everything_else(client):
    for result in client.get("/api/search?q=autonomy&per_page=100").get_json()["results"]:
        assert_inert(result["snippet"])
        assert set(re.findall(r"</?([a-z]+)", result["snippet"])) <= {"mark"}


def test_hostile_entry_in_search_json(client):
    results = client.get("/api/search?q=autonomy&per_page=100").get_json()["results"]
    hostile = next(r for r in results if r["id"] == HOSTILE_ID)
    assert "<script>" not in hostile["snippet"] and "<img" not in hostile["snippet"]


def test_api_answers_are_json_with_cors(client):
    resp = client.get("/api/search")
    assert resp.mimetype == "application/json"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_openapi_document_describes_every_machine_route(client, app):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert doc["servers"] == [{"url": "http://localhost"}]
    machine = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).replace("{entry_id}", "{id}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule.endswith((".json", ".csv", ".atom", ".bib"))
    }
    assert machine == set(doc["paths"])
    for path, item in doc["paths"].items():
        op = item["get"]
        assert op["summary"] and "200" in op["responses"]
        for param in op["parameters"]:
            assert {"name", "in", "schema"} <= set(param)
            if param["in"] == "path":
                assert f"{{{param['name']}}}" in path


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_references_resolve(client):
    doc = client.get("/api/openapi.json").get_json()
    for ref in _refs(doc):
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict)


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("/api/search?q=autonomy", "SearchResult"),
        (f"/api/entries/{HOSTILE_ID}", "Entry"),
        ("/api/search?page=abc", "Error"),
    ],
)
def test_answers_carry_the_required_keys_of_their_schema(client, path, schema):
    doc = client.get("/api/openapi.json").get_json()
    required = doc["components"]["schemas"][schema]["required"]
    assert set(required) <= set(client.get(path).get_json())
