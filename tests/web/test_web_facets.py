"""Every facet value within reach over HTTP: /api/facets/<name> and /facets/<name> (no JS)."""

from __future__ import annotations

import html
import re

import pytest
from web_fixtures import assert_inert, text_of

from webapp import create_app


def values(client, url: str) -> dict:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()


def test_api_lists_the_values_holding_q_with_counts(client):
    body = values(client, "/api/facets/theme?q=TRANS")
    assert [(r["value"], r["count"], r["label"]) for r in body["results"]] == [
        ("transparency", 3, "Transparency")
    ]
    assert body["facet"] == "theme" and body["q"] == "TRANS" and body["order"] == "count"
    assert body["total"] == 1
    assert body["links"]["html"] == "http://localhost/facets/theme?q=TRANS"
    authors = values(client, "/api/facets/author?q=@quiet")["results"]
    assert [(r["value"], r["count"]) for r in authors] == [("@quietharbor", 2)]


def test_api_counts_under_the_search_and_keeps_selected_values(client):
    search = values(client, "/api/search?q=autonomy&author=@datawren&facet_size=0")
    body = values(client, "/api/facets/author?query=autonomy&author=@datawren&q=quiet")
    assert body["results"][0] == {
        "value": "@datawren",
        "count": 1,
        "selected": True,
        "label": "@datawren",
    }
    quiet = next(v for v in search["facets"]["author"] if v["value"] == "@quietharbor")
    assert body["results"][1]["value"] == "@quietharbor"
    assert body["results"][1]["count"] == quiet["count"]


def test_api_orders_by_name_and_pages(client):
    by_name = values(client, "/api/facets/author?order=name")
    names = [r["label"] for r in by_name["results"]]
    assert names == sorted(names, key=str.casefold)
    second = values(client, "/api/facets/author?order=name&per_page=2&page=2")
    assert [r["value"] for r in second["results"]] == [r["value"] for r in by_name["results"][2:4]]
    assert second["offset"] == 2 and second["total"] == by_name["total"]


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/api/facets/nope", 404, None),
        ("/api/facets/theme?order=size", 400, "order"),
        ("/api/facets/theme?per_page=0", 400, "per_page"),
        ("/api/facets/theme?from=2025-13", 400, "from"),
        ("/api/facets/theme?q=" + "x" * 201, 400, "q"),
    ],
)
def test_bad_requests_say_which_parameter(client, url, status, parameter):
    resp = client.get(url)
    assert resp.status_code == status
    error = resp.get_json()["error"]
    assert error.get("parameter") == parameter and error["message"]


def test_answer_carries_the_keys_its_schema_requires(client):
    doc = values(client, "/api/openapi.json")
    required = doc["components"]["schemas"]["FacetValues"]["required"]
    assert set(required) <= set(values(client, "/api/facets/author"))
    names = [p["name"] for p in doc["paths"]["/api/facets/{name}"]["get"]["parameters"]]
    assert {"name", "q", "query", "order", "page", "per_page", "theme", "from"} <= set(names)


def boxes(markup: str, name: str) -> list[tuple[str, str]]:
    return re.findall(rf'type="checkbox"[^>]* name="{name}" value="([^"]+)"( checked)?', markup)


def test_page_lists_every_value_as_a_checkbox_without_javascript(client):
    markup = client.get("/facets/author?query=autonomy").get_data(as_text=True)
    assert_inert(markup)
    every = values(client, "/api/facets/author?query=autonomy&per_page=1000")["results"]
    listed = [html.unescape(v) for v, _ in boxes(markup, "author")]
    assert listed == [v["value"] for v in every] and len(listed) == 5
    # the form applies them to the same search, and the filter box keeps the search too
    assert re.search(
        r'<form class="facet-apply" action="/search" method="get">\s*'
        r'<input type="hidden" name="q" value="autonomy">',
        markup,
    )
    assert '<input type="hidden" name="query" value="autonomy">' in markup


def test_page_filters_and_orders(client):
    markup = client.get("/facets/author?q=WREN").get_data(as_text=True)
    assert boxes(markup, "author") == [("@datawren", "")]
    assert "1 value holding “WREN”" in text_of(markup)
    by_name = client.get("/facets/author?order=name").get_data(as_text=True)
    names = [html.unescape(v) for v, _ in boxes(by_name, "author")]
    assert names == sorted(names, key=str.casefold) and len(names) == 8
    none = text_of(client.get("/facets/author?q=zzzz").get_data(as_text=True))
    assert "No author holds “zzzz”" in none


def test_selected_values_stay_on_the_page_whatever_the_filter(client):
    markup = client.get("/facets/author?author=@quietharbor&q=wren").get_data(as_text=True)
    assert boxes(markup, "author") == [("@quietharbor", " checked"), ("@datawren", "")]


@pytest.fixture(scope="module")
def short_panel(web_index):
    app = create_app({"INDEX": str(web_index), "TESTING": True, "FACET_SHOWN": 2})
    with app.test_client() as c:
        yield c


def test_search_panel_links_every_value_and_offers_the_filter_box(short_panel):
    markup = short_panel.get("/search?q=autonomy&sort=newest").get_data(as_text=True)
    author = markup[markup.index('id="facet-author"') : markup.index('id="facet-section"')]
    assert 'data-values="/api/facets/author?query=autonomy"' in author
    match = re.search(r'<p class="facet-all"><a href="([^"]+)">All (\d+) authors', author)
    assert match and match[1] == "/facets/author?query=autonomy"
    total = values(short_panel, "/api/facets/author?query=autonomy")["total"]
    assert int(match[2]) == total and total > 2
    # the box is for JavaScript: without it, nothing unusable shows
    assert re.search(r'<div class="facet-tools"[^>]* hidden>', author)
    # a facet whose values all show needs neither
    section = markup[markup.index('id="facet-section"') :]
    values_shown = len(values(short_panel, "/api/facets/section?query=autonomy")["results"])
    assert ("facet-tools" in section[: section.index("</fieldset>")]) == (values_shown > 2)


def test_404_page_for_an_unknown_facet(client):
    resp = client.get("/facets/colour")
    assert resp.status_code == 404 and "no facet" in resp.get_data(as_text=True)
