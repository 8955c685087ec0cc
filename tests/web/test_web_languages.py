"""The language of each entry over HTTP: the facet and filter, the API and export fields,
CSL-JSON, and the `lang` attributes of pages; CJK and German queries through the real app."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from fixture_archive import write_archive

from indexer.build import build_index
from webapp import create_app

LANGUAGES = Path(__file__).resolve().parents[1] / "fixtures" / "languages"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    base = tmp_path_factory.mktemp("languages")
    archive = write_archive(base / "archive")
    shutil.copytree(LANGUAGES, archive / "languages")
    assert build_index(archive, base / "index", full=True).problems == []
    app = create_app({"INDEX": str(base / "index"), "TESTING": True})
    with app.test_client() as c:
        yield c


def api(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize(
    ("q", "ids"),
    [
        ("利用者", {"ja-henko", "ja-sentaku"}),
        ("信任", {"zh-xuanze", "zh-touming"}),
        ("Entscheidungen", {"de-entscheidung"}),
        ("choisissent", {"fr-choisir"}),
    ],
)
def test_search_api_finds_every_language(client, q, ids):
    data = api(client, q=q)
    assert {r["id"] for r in data["results"]} == ids
    assert all(r["language"] == r["id"][:2] for r in data["results"])


def test_language_facet_and_filter(client):
    data = api(client, language="ja")
    assert {r["id"] for r in data["results"]} == {"ja-henko", "ja-kioku", "ja-sentaku"}
    values = {v["value"]: v for v in data["facets"]["language"]}
    assert values["ja"]["selected"] and values["ja"]["label"] == "Japanese"
    assert values["de"]["count"] == 3 and not values["de"]["selected"]
    by_name = api(client, language=["Japanese", "zh"])
    assert by_name["total"] == 6


def test_facet_values_api(client):
    data = client.get("/api/facets/language", query_string={"q": "germ"}).get_json()
    assert [(v["value"], v["label"], v["count"]) for v in data["results"]] == [("de", "German", 3)]


def test_entry_api_and_csl(client):
    assert client.get("/api/entries/zh-jiyi").get_json()["language"] == "zh"
    items = json.loads(client.get("/entries/fr-liberte.csl.json").get_data(as_text=True))
    assert [item["language"] for item in items] == ["fr"]


def test_exports_carry_the_language(client):
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/search.csv", query_string={"language": "de"}).get_data(as_text=True)
            )
        )
    )
    assert {r["language"] for r in rows} == {"de"} and len(rows) == 3
    text = client.get("/search.json", query_string={"q": "変更"}).get_data(as_text=True)
    assert {r["language"] for r in json.loads(text)["results"]} == {"ja"}


def test_entry_page_declares_the_language(client):
    page = client.get("/entries/ja-henko").get_data(as_text=True)
    assert '<h1 id="entry-title" lang="ja">' in page
    assert '<div class="prose entry-body" lang="ja">' in page
    assert re.search(r"<dt>Language</dt>\s*<dd><a href=\"/search\?language=ja\">Japanese</a>", page)


def test_result_page_declares_each_entry_language(client):
    page = client.get("/search", query_string={"q": "変更"}).get_data(as_text=True)
    assert '<h3 class="hit-title" lang="ja">' in page
    assert '<p class="snippet" lang="ja">' in page and "<mark>変更</mark>" in page
    assert 'class="language-link" href="/search?language=ja">Japanese</a>' in page
    english = client.get("/search", query_string={"q": "autonomy"}).get_data(as_text=True)
    assert '<p class="snippet" lang="en">' in english and "language-link" not in english


def test_search_page_lists_the_language_facet(client):
    page = client.get("/search").get_data(as_text=True)
    assert "Language" in page and "Japanese" in page and "German" in page
