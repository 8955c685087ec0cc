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
