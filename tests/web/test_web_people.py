"""Co-authors as people and theme labels, through the test client."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from people_archive import write_people_archive

from indexer.build import build_index
from webapp import create_app


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    root = tmp_path_factory.mktemp("people-web")
    write_people_archive(root / "archive")
    build_index(root / "archive", root / "index", full=True)
    app = create_app({"INDEX": str(root / "index"), "TESTING": True})
    with app.test_client() as c:
        yield c


def ids(client: FlaskClient, query: str) -> list[str]:
    body = client.get(f"/api/search?{query}").get_json()
    return sorted(r["id"] for r in body["results"])


@pytest.mark.parametrize("query", ["theme=open-source", "theme=open%20source", "theme=Open+Source"])
def test_a_theme_filter_takes_its_slug_or_its_words(people: FlaskClient, query: str):
    assert ids(people, query) == ["three", "two"]


def test_the_api_gives_the_display_line_and_each_author(people: FlaskClient):
    body = people.get("/api/search?author=erica").get_json()
    (hit,) = body["results"]
    assert (hit["author"], hit["authors"]) == (
        "melody, kate and erica",
        ["melody", "kate", "erica"],
    )
    authors = {v["value"] for v in body["facets"]["author"]}
    assert authors == {"melody", "kate", "erica", "Smith, Jo", "@zed"}
    entry = people.get("/api/entries/three").get_json()
    assert entry["authors"] == ["melody", "kate", "erica"]


def test_authors_page_lists_people(people: FlaskClient):
    page = people.get("/authors").get_data(as_text=True)
    assert "5 people" in page
    assert "/authors/Smith,%20Jo" in page or "/authors/Smith,%20Jo".replace(",", "%2C") in page
    assert "melody, kate" not in page
    assert people.get("/authors/kate").status_code == 200
    assert "Two of us" in people.get("/authors/kate").get_data(as_text=True)


def test_entry_page_names_each_author_and_more_by_any_of_them(people: FlaskClient):
    page = people.get("/entries/three").get_data(as_text=True)
    assert page.count('name="citation_author"') == 3
    for name in ("melody", "kate", "erica"):
        assert f'href="/authors/{name}"' in page
    assert "Alone" in page and "Two of us" in page  # by melody, by kate


def test_citations_name_three_people(people: FlaskClient):
    bib = people.get("/entries/three.bib").get_data(as_text=True)
    assert "author = {{melody} and {kate} and {erica}}" in bib
    (item,) = json.loads(people.get("/entries/three.csl.json").get_data(as_text=True))
    assert item["author"] == [{"literal": "melody"}, {"literal": "kate"}, {"literal": "erica"}]


def test_exports_keep_each_author(people: FlaskClient):
    csv_text = people.get("/search.csv?author=erica").get_data(as_text=True)
    header, row = csv_text.splitlines()[:2]
    assert header.split(",")[:4] == ["id", "title", "author", "authors"]
    assert "melody; kate; erica" in row
    body = json.loads(people.get("/search.json?author=erica").get_data(as_text=True))
    assert body["results"][0]["authors"] == ["melody", "kate", "erica"]


def test_themes_page_and_facet_show_labels(people: FlaskClient):
    page = people.get("/themes").get_data(as_text=True)
    assert ">open source</a>" in page and ">how we work</a>" in page
    assert ">Agile delivery</a>" in page
    search = people.get("/search?theme=open%20source").get_data(as_text=True)
    assert "open source" in search
    assert people.get("/themes/open-source").status_code == 200
