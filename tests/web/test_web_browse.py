"""Browsing pages: /themes, /authors, /sections, and each one's page (the search with a filter set)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from web_fixtures import HOSTILE_AUTHOR, assert_inert


def facet(client, name: str) -> list[dict]:
    return client.get("/api/search").get_json()["facets"][name]


def test_themes_page_lists_description_count_and_timeline(client):
    resp = client.get("/themes")
    assert resp.status_code == 200
    markup = resp.get_data(as_text=True)
    for value in facet(client, "theme"):
        assert f'href="/themes/{value["value"]}"' in markup
    assert "The right of users to choose" in markup
    assert re.search(r"\d+ entries", markup)
    # one small SVG per theme: one path, however many months
    lines = re.findall(
        r'<svg class="sparkline" viewBox="0 0 (\d+) 20"[^>]*role="img" '
        r'aria-label="([^"]+)"><path d="(M0 20[hV\d]*V20Z)"/></svg>',
        markup,
    )
    assert len(lines) == len(facet(client, "theme"))
    assert all(int(w) >= 5 and label.startswith("Entries per month, ") for w, label, _ in lines)
    assert 'class="spark ' not in markup


def test_sparkline_path_steps_through_each_month():
    from webapp.sparkline import sparkline, step_path

    assert step_path([0, 2, 2, 0, 1]) == "M0 20h1V0h2V20h1V10h1V20Z"
    assert step_path([]) == "M0 20V20Z"
    line = sparkline({"2025-01": 1, "2025-03": 4}, ["2025-01", "2025-02", "2025-03"])
    assert line.width == 3 and line.path == "M0 20V15h1V20h1V0h1V20Z"
    assert (
        line.label
        == "Entries per month, January 2025 to March 2025: most in March 2025 (4 entries)"
    )


def test_theme_page_is_the_search_with_the_theme_set(client):
    markup = client.get("/themes/autonomy").get_data(as_text=True)
    total = client.get("/api/search?theme=autonomy").get_json()["total"]
    assert f"{total} entries" in markup
    assert "<h1>Autonomy</h1>" in markup
    assert 'action="/themes/autonomy"' in markup
    # the fixed theme is shown ticked, cannot be unticked here, and its chip leads to /search
    assert re.search(r'name="theme" value="autonomy" checked disabled', markup)
    assert 'class="chip-remove" href="/search"' in markup


def test_theme_page_takes_the_search_parameters(client):
    markup = client.get("/themes/autonomy?q=model&author=%40quietharbor").get_data(as_text=True)
    total = client.get("/api/search?theme=autonomy&q=model&author=@quietharbor").get_json()["total"]
    assert f"{total} entr" in markup
    assert 'href="/search?q=model&amp;author=%40quietharbor"' in markup  # remove the theme


def test_authors_page_lists_every_author_and_each_round_trips(client):
    markup = client.get("/authors").get_data(as_text=True)
    assert_inert(markup)
    for value in facet(client, "author"):
        handle = value["value"].removeprefix("@")
        assert (
            f'href="/authors/{quote(handle, safe="/@()")}"' in markup
            or value["value"] == HOSTILE_AUTHOR
        )
        resp = client.get("/authors/" + quote(handle))
        assert resp.status_code == 200, value
        api = client.get("/api/search", query_string={"author": value["value"]}).get_json()
        assert f"{api['total']} entr" in resp.get_data(as_text=True)


def test_author_without_at_sign_round_trips(client):
    resp = client.get("/authors/" + quote("Anonymous reader (GPT-4o)"))
    assert resp.status_code == 200
    assert "<h1>Anonymous reader (GPT-4o)</h1>" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/authors/@datawren", "/authors/datawren"),
        ("/authors/DataWren?q=model", "/authors/datawren?q=model"),
    ],
)
def test_other_spellings_of_an_author_redirect_to_one_url(client, path, target):
    resp = client.get(path)
    assert resp.status_code == 301
    assert resp.headers["Location"].endswith(target)


def test_sections_page_and_each_section(client):
    markup = client.get("/sections").get_data(as_text=True)
    for value in facet(client, "section"):
        slug = re.sub(r"[^a-z0-9]+", "-", value["value"].lower()).strip("-")
        assert f'href="/sections/{slug}"' in markup
        resp = client.get(f"/sections/{slug}")
        assert resp.status_code == 200
        assert f"{value['count']} entr" in resp.get_data(as_text=True)


def test_section_page_shows_the_full_heading(client):
    markup = client.get("/sections/the-evidence").get_data(as_text=True)
    assert "Data-Driven Accountability" in markup


PAGE_KINDS = (
    "searched",
    "themes_overview",
    "theme_page",
    "section_page",
    "author_page",
    "trends_page",
    "entry_page",
)
CORE_CALLS = (
    "search",
    "taxonomy",
    "labels",
    "theme_trends",
    "entry",
    "theme_suggestions",
    "related_authors",
    "author_timeline",
    "facet_values",
    "iter_hits",
)


def counting(real, name: str, made: list[str], depth: list[int]):  # type: ignore[no-untyped-def]
    """Wrap a core call so that each call a view makes is listed in `made`."""

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not depth[0]:
            made.append(name)
        depth[0] += 1
        try:
            return real(*args, **kwargs)
        finally:
            depth[0] -= 1

    return counted


@pytest.mark.parametrize(
    ("path", "calls"),
    [
        ("/themes", ["themes_overview"]),
        ("/themes/autonomy?q=model", ["theme_page"]),
        ("/sections/the-research", ["section_page"]),
        ("/authors/datawren", ["author_page"]),
        ("/authors/@datawren", ["author_page"]),  # the redirect
        ("/entries/organising-the-evidence", ["entry_page"]),
        ("/search?q=autonomy", ["searched"]),
        ("/trends?theme=autonomy&theme=deprecation", ["trends_page"]),
    ],
)
def test_each_page_asks_the_core_once(app, client, monkeypatch, path, calls):
    from indexer import pages

    made: list[str] = []
    depth = [0]  # calls the page kinds make of each other are theirs, not the view's
    for name in PAGE_KINDS:
        monkeypatch.setattr(pages, name, counting(getattr(pages, name), name, made, depth))
    library = app.extensions["perspectives.library"]
    for name in CORE_CALLS:  # asked of the library by a view itself, they are listed too
        monkeypatch.setattr(library, name, counting(getattr(library, name), name, made, depth))
    searches = []
    search = library.search
    monkeypatch.setattr(library, "search", lambda req: searches.append(req) or search(req))
    assert client.get(path).status_code in (200, 301)
    assert made == calls
    if path == "/themes":  # one search counts every theme (it was one per theme)
        assert len(searches) == 1
