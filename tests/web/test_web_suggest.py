"""GET /api/suggest: suggestions for text being typed, each with its kind, count and URL; the
search box that asks for them (suggest.js) and stays a plain form without JavaScript."""

from __future__ import annotations

import pytest


def test_suggest_answers_completions_themes_and_titles_with_urls(client):
    resp = client.get("/api/suggest?q=autono")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["q"] == "autono"
    assert [(s["kind"], s["text"], s["count"]) for s in body["suggestions"]][:2] == [
        ("word", "autonomy", 5),
        ("theme", "Autonomy", 5),
    ]
    by_kind = {s["kind"]: s for s in body["suggestions"]}
    assert by_kind["word"]["url"] == "http://localhost/search?q=autonomy"
    assert by_kind["theme"]["url"] == "http://localhost/themes/autonomy"
    title = by_kind["title"]
    assert title["url"] == f"http://localhost/entries/{title['value']}"


def test_an_author_leads_to_the_authors_page(client):
    found = client.get("/api/suggest?q=@kuma").get_json()["suggestions"]
    assert found[0]["kind"] == "author" and found[0]["url"] == "http://localhost/authors/kumabwari"


@pytest.mark.parametrize("query", ["q=", "q=%20", "", "q=zzzzqx", "q=%22%28%28", "q=NOT"])
def test_nothing_to_suggest_is_an_empty_list(client, query):
    resp = client.get(f"/api/suggest?{query}")
    assert resp.status_code == 200
    assert resp.get_json()["suggestions"] == []


@pytest.mark.parametrize(
    "query, parameter",
    [
        (f"q={'a' * 201}", "q"),
        ("q=a&limit=0", "limit"),
        ("q=a&limit=x", "limit"),
        ("q=a&limit=21", "limit"),
    ],
)
def test_bad_parameters_answer_400(client, query, parameter):
    resp = client.get(f"/api/suggest?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["parameter"] == parameter


def test_limit(client):
    assert len(client.get("/api/suggest?q=a&limit=3").get_json()["suggestions"]) == 3


def test_answers_carry_an_etag(client):
    first = client.get("/api/suggest?q=autono")
    again = client.get("/api/suggest?q=autono", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_openapi_describes_suggest(client):
    doc = client.get("/api/openapi.json").get_json()
    op = doc["paths"]["/api/suggest"]["get"]
    assert [p["name"] for p in op["parameters"]] == ["q", "limit"]
    schema = doc["components"]["schemas"]["Suggestions"]
    assert schema["properties"]["suggestions"]["items"]["properties"]["kind"]["enum"] == [
        "word",
        "title",
        "author",
        "theme",
    ]


def test_the_search_box_names_its_suggestions_and_loads_the_script(client):
    html = client.get("/").get_data(as_text=True)
    assert 'data-suggest="/api/suggest"' in html
    assert "/static/suggest.js?v=" in html
    # without JavaScript it is a plain search form: no combobox role in the HTML itself
    assert 'role="combobox"' not in html
