"""Every route answers: the URL map is pinned, and each rule is fetched with real values."""

from __future__ import annotations

import pytest
from web_fixtures import HOSTILE_ID

SAMPLES = {
    "entry_id": HOSTILE_ID,
    "slug": "autonomy",
    "handle": "datawren",
    "filename": "style.css",
    "name": "author",
}
SECTION_SAMPLE = "the-stories"
ROUTES = {
    "/",
    "/search",
    "/search.csv",
    "/search.json",
    "/search.atom",
    "/themes",
    "/themes/<slug>",
    "/authors",
    "/authors/<path:handle>",
    "/sections",
    "/sections/<slug>",
    "/entries/<entry_id>",
    "/entries/<entry_id>.csl.json",
    "/entries/<entry_id>.bib",
    "/api/search",
    "/api/suggest",
    "/api/facets/<name>",
    "/facets/<name>",
    "/api/entries/<entry_id>",
    "/api/openapi.json",
    "/trends",
    "/trends.csv",
    "/api/trends",
    "/static/<path:filename>",
}
QUERIES = {"/trends.csv": "?theme=autonomy", "/api/trends": "?theme=autonomy"}  # required


def test_the_url_map_is_what_the_readme_documents(app):
    assert {rule.rule for rule in app.url_map.iter_rules()} == ROUTES


@pytest.mark.parametrize("rule", sorted(ROUTES))
def test_every_route_answers_200(client, rule):
    url = rule
    for name, value in SAMPLES.items():
        sample = SECTION_SAMPLE if rule.startswith("/sections/") else value
        url = url.replace(f"<{name}>", sample).replace(f"<path:{name}>", sample)
    resp = client.get(url + QUERIES.get(rule, ""))
    assert resp.status_code == 200, (url, resp.get_data(as_text=True)[:300])
    resp.close()


def test_query_text_too_long_is_a_400(client):
    resp = client.get("/api/search", query_string={"q": "word " * 500})
    assert resp.status_code == 400
    assert resp.get_json()["error"]["parameter"] == "q"


def test_head_requests_work(client):
    assert client.head("/search?q=autonomy").status_code == 200
