"""Discovery on the web (issue 11): an entry's possible duplicates, in its page and its JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from web_fixtures import REPOST, assert_inert, build, text_of

from webapp import create_app


@pytest.fixture(scope="module")
def discovery_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("discovery"), REPOST)


@pytest.fixture
def client(discovery_index: Path) -> Iterator[FlaskClient]:
    with create_app({"INDEX": str(discovery_index), "TESTING": True}).test_client() as c:
        yield c


def test_an_entry_page_lists_its_possible_duplicates(client: FlaskClient):
    page = client.get("/entries/living-with-a-model")
    assert page.status_code == 200
    markup = page.get_data(as_text=True)
    assert_inert(markup)
    text = text_of(markup)
    assert "Possible duplicates" in text
    assert "Living With a Model (repost)" in text and "100% the same text" in text
    assert 'href="/entries/living-with-a-model-repost"' in markup
    assert "the-stories/living-with-a-model-repost.md" in text


def test_an_entry_without_duplicates_says_nothing_of_them(client: FlaskClient):
    markup = client.get("/entries/organising-the-evidence").get_data(as_text=True)
    assert "Possible duplicates" not in markup


def test_the_api_gives_duplicates_with_their_urls(client: FlaskClient):
    data = client.get("/api/entries/living-with-a-model-repost").get_json()
    assert [d["id"] for d in data["duplicates"]] == ["living-with-a-model"]
    first = data["duplicates"][0]
    assert first["similarity"] == 1.0 and first["url"].endswith("/entries/living-with-a-model")
    assert first["path"] == "the-stories/living-with-a-model.md"
    assert client.get("/api/entries/organising-the-evidence").get_json()["duplicates"] == []


def test_an_entry_page_names_who_else_writes_on_this(client: FlaskClient):
    markup = client.get("/entries/living-with-a-model").get_data(as_text=True)
    assert_inert(markup)
    text = text_of(markup)
    assert "Who else writes on this" in text
    people = text[text.index("Who else writes on this") :]
    # the reposting author first, with the themes and phrases they share and a count
    assert people.split()[5] == "@archivist"
    assert "1 of 1 entry on these themes and phrases" in people
    assert 'href="/authors/archivist"' in markup
    # never the entry's own author
    assert "@quietharbor" not in people.split("Cite this entry")[0]


def test_the_api_names_related_authors_with_their_pages(client: FlaskClient):
    data = client.get("/api/entries/living-with-a-model").get_json()
    people = data["related_authors"]
    assert people and people[0]["name"] == "@archivist"
    first = people[0]
    assert first["count"] == 1 and first["entries"] == 1
    assert "Deprecation" in first["themes"] and first["url"].endswith("/authors/archivist")
    assert all(p["name"] != "@quietharbor" for p in people)
    assert set(first) == {"name", "count", "entries", "themes", "phrases", "score", "url"}


def test_an_author_page_shows_themes_over_time_and_related_authors(client: FlaskClient):
    markup = client.get("/authors/datawren").get_data(as_text=True)
    assert_inert(markup)
    text = text_of(markup)
    assert "Themes over time" in text and "Who else writes on this" in text
    assert "Autonomy 1 entry" in text
    # the table beside the charts: one row per month with an entry, one column per theme
    assert "Entries per month, as a table" in text
    assert "Month Deprecation Autonomy Transparency March 2024 0 1 1 June 2025 1 0 0" in text
    assert markup.count('<svg class="sparkline"') == 3
    people = text[text.index("Who else writes on this") :]
    assert "@quietharbor 2 of 2 entries on the same themes and phrases" in people
    assert "@datawren" not in people.split("Search within")[0]


def test_an_entry_page_suggests_missing_themes_only_for_editors(discovery_index: Path):
    quiet = create_app({"INDEX": str(discovery_index), "TESTING": True}).test_client()
    editors = create_app(
        {"INDEX": str(discovery_index), "TESTING": True, "SUGGEST_THEMES": True}
    ).test_client()
    path = "/entries/why-youre-anthropomorphizing-misses-the-point"
    assert "Themes it may lack" not in quiet.get(path).get_data(as_text=True)
    markup = editors.get(path).get_data(as_text=True)
    assert_inert(markup)
    text = text_of(markup)
    assert "Themes it may lack" in text
    assert "Autonomy 60% of its closest entries, e.g." in text
    assert 'href="/themes/autonomy"' in markup
