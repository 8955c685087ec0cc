"""The editors' synonyms on the search page and in the API: what was searched for which words,
and on each entry that only the synonyms found, why it matched."""

from __future__ import annotations

import pytest
from web_fixtures import build

from indexer.build import build_index
from webapp import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    index = build(tmp_path_factory.mktemp("synonyms"))
    archive = index.parent / "archive"
    (archive / "synonyms.yaml").write_text("- [sunsetting, deprecation]\n", encoding="utf-8")
    build_index(archive, index)
    with create_app({"INDEX": str(index), "TESTING": True}).test_client() as c:
        yield c


def test_the_page_says_what_the_synonyms_added(client):
    markup = client.get("/search?q=sunsetting").get_data(as_text=True)
    assert (
        "Also searched, from the archive's synonyms: <em>deprecation</em> for sunsetting." in markup
    )
    assert '<p class="why">Matched <em>deprecation</em> for sunsetting</p>' in markup


def test_the_api_says_it_too(client):
    data = client.get("/api/search?q=sunsetting&subject=0").get_json()
    assert data["total"] == 2  # "deprecation" in The Colour of the Data, "deprecated" in Living
    assert data["synonyms"] == [{"typed": "sunsetting", "matched": ["deprecation"]}]
    assert all(
        r["synonyms"] == [{"typed": "sunsetting", "matched": ["deprecation"]}]
        for r in data["results"]
    )
    plain = client.get("/api/search?q=deprecation&subject=0").get_json()
    assert plain["synonyms"] == [{"typed": "deprecation", "matched": ["sunsetting"]}]
    assert all(r["synonyms"] == [] for r in plain["results"])  # they hold the word


def test_openapi_describes_them(client):
    doc = client.get("/api/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    assert schemas["SearchResult"]["properties"]["synonyms"]["items"] == {
        "$ref": "#/components/schemas/SynonymUse"
    }
    assert "synonyms" in schemas["Hit"]["properties"]
    assert schemas["SynonymUse"]["required"] == ["typed", "matched"]


def test_no_synonyms_no_line(client):
    markup = client.get("/search?q=autonomy").get_data(as_text=True)
    assert "from the archive's synonyms" not in markup and 'class="why"' not in markup
