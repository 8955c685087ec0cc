"""The archive's own words on the pages: the editors' site.yaml where given, the archive's own
themes and words where not; a broken file never breaks a page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from web_fixtures import text_of, write_archive

from indexer import generations as gens
from indexer.build import build_index
from indexer.site import SITE_FILE
from webapp import create_app

SITE = """\
title: Letters to a model
description: What readers wrote to the models they used, and what they asked of the companies.
about: Kept by the Letters collective since 2025.
examples: [letters, "right to choose"]
placeholder: letters, "right to choose"
"""


def parts(markup: str) -> dict[str, str]:
    """Return the text of the page's parts that speak for the archive."""

    def between(start: str, end: str) -> str:
        i = markup.find(start)
        return text_of(markup[i : markup.index(end, i)]) if i >= 0 else ""

    return {
        "intro": between('<section class="intro">', "</section>"),
        "examples": between('<p class="examples">', "</p>"),
        "footer": between('<footer class="colophon">', "</footer>"),
        "meta": re.search(r'<meta name="description" content="([^"]*)"', markup)[1],
        "placeholder": re.search(r'id="q" name="q" value="[^"]*" placeholder="([^"]*)"', markup)[1],
    }


@pytest.fixture
def with_site(tmp_path: Path):
    """An app over the test archive with a site.yaml, and a way to rewrite it and reindex."""
    archive = write_archive(tmp_path / "archive")
    index = tmp_path / "index"

    def publish(text: str | None):
        if text is None:
            (archive / SITE_FILE).unlink(missing_ok=True)
        else:
            (archive / SITE_FILE).write_text(text, encoding="utf-8")
        return build_index(archive, index)

    publish(SITE)
    app = create_app({"INDEX": str(index), "TESTING": True})
    return app.test_client(), publish, index


def test_without_a_site_file_the_words_come_from_the_archive(client):
    home = parts(client.get("/").get_data(as_text=True))
    total = client.get("/api/search").get_json()["total"]
    assert home["intro"].startswith(
        f"A reading room Search Perspectives {total} entries from 2023 to 2026."
    )
    examples = client.get("/").get_data(as_text=True)
    links = re.findall(r'<p class="examples">(.*?)</p>', examples, re.DOTALL)[0]
    words = re.findall(r">([^<]+)</a>", links)
    assert len(words) == 4 and home["examples"].startswith("Try " + words[0])
    themes = client.get("/api/search?facet_size=2").get_json()["facets"]["theme"]
    assert set(words[:2]) == {t["label"] for t in themes}
    assert home["placeholder"].startswith(words[0] if " " not in words[0] else f"&#34;{words[0]}")
    assert home["footer"].startswith(f"Perspectives keeps {total} entries")
    assert home["meta"] == home["intro"].split("Search Perspectives ")[1]
    # the bundled archive's words live in its site.yaml, not in the templates
    assert "community perspectives on ai development" not in str(home).lower()


def test_the_editors_words_are_shown(with_site):
    client, _, _ = with_site
    markup = client.get("/").get_data(as_text=True)
    home = parts(markup)
    assert home["intro"] == (
        "A reading room Letters to a model What readers wrote to the models "
        "they used, and what they asked of the companies."
    )
    assert home["examples"] == "Try letters or right to choose ."
    assert 'href="/search?q=right+to+choose"' in markup
    assert home["placeholder"] == "letters, &#34;right to choose&#34;"
    assert home["footer"].startswith("Kept by the Letters collective since 2025.")
    assert (
        home["meta"]
        == "What readers wrote to the models they used, and what they asked of the companies."
    )
    # other pages carry the footer and the description too; only the home page the examples
    entry = parts(client.get("/search?q=letters").get_data(as_text=True))
    assert entry["footer"].startswith("Kept by the Letters") and entry["examples"] == ""


def test_an_edit_shows_after_the_next_index_run_and_a_broken_file_breaks_nothing(with_site):
    client, publish, index = with_site
    publish(SITE.replace("Letters to a model", "Letters, kept"))
    assert "Letters, kept" in parts(client.get("/").get_data(as_text=True))["intro"]
    report = publish("title: [not, text]\nabout: Still kept.\n")
    assert report.problems and ":1: 'title' must be text" in str(report.problems[0])
    resp = client.get("/")
    assert resp.status_code == 200
    home = parts(resp.get_data(as_text=True))
    assert "Search Perspectives" in home["intro"] and home["footer"].startswith("Still kept.")
    publish("title: 'unclosed\n")
    assert client.get("/").status_code == 200
    assert "Search Perspectives" in parts(client.get("/").get_data(as_text=True))["intro"]
    # a copy in the index that cannot be read at all (say, a half-synced replica)
    generation = gens.current_path(index)
    (generation / SITE_FILE).write_bytes(b"title: \xff\xfe\n")
    assert client.get("/").status_code == 200
    publish(None)
    assert not (generation / SITE_FILE).exists()
    assert "Search Perspectives" in parts(client.get("/").get_data(as_text=True))["intro"]


def test_the_bundled_archive_keeps_its_words_in_its_site_file(tmp_path):
    root = Path(__file__).resolve().parents[2]
    archive = tmp_path / "archive"
    shutil.copytree(root / "archive", archive)
    report = build_index(archive, tmp_path / "index", full=True)
    assert report.problems == []
    client = create_app({"INDEX": str(tmp_path / "index"), "TESTING": True}).test_client()
    home = parts(client.get("/").get_data(as_text=True))
    assert "Community perspectives on AI development" in home["intro"]
    assert home["placeholder"] == "autonomy, &#34;user trust&#34;, anthropomorph*"


def test_an_empty_theme_list_tells_the_editor_how_to_add_themes(tmp_path):
    archive = write_archive(tmp_path / "archive")
    (archive / "themes.yaml").unlink()
    for path in archive.rglob("*.md"):  # no entry's own tags either
        path.write_text(
            re.sub(r"\nthemes: \[[^\]]*\]", "", path.read_text(encoding="utf-8")), encoding="utf-8"
        )
    build_index(archive, tmp_path / "index", full=True)
    client = create_app({"INDEX": str(tmp_path / "index"), "TESTING": True}).test_client()
    text = text_of(client.get("/themes").get_data(as_text=True))
    assert "The archive has no themes yet." in text
    assert "archive/themes.yaml" in text and "perspectives index" in text
    assert "terms: [open data, data set, api]" in text
