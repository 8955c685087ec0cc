"""indexer.urls, the one home of the site's paths and section slugs: the same bytes as Flask's
url_for over the app's own routes, and as the code each replaced, for every entry, author,
section and theme of the fixture archive and for awkward names."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlencode

import pytest
from flask import url_for

from indexer import urls
from indexer.library import Library
from indexer.results import SearchRequest
from webapp import create_app, links

AWKWARD = [
    "don't panic",
    "Anthropic’s — “model”",
    "Café au lait",
    "日本語",
    "",
    "   ",
    "a/b",
    "What? #1 at 100%",
    "@<img src=x onerror=alert(2)>",
    "The Evidence: Data-Driven",
    "a+b&c=d",
    "-",
    "Ünïcödé – dash",
    "@",
    "@@handle",
]


def old_slugify(text: str) -> str:
    """webapp/links.py's slugify, as it was before the one in indexer/slugs.py."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "-"


def old_export_url(entry_id: str, q: str = "") -> str:
    """webapp/views/exports.py's entry URL (after the root), as it was."""
    return "/entries/" + quote(entry_id, safe="") + ("?" + urlencode({"q": q}) if q else "")


@pytest.fixture
def values(library: Library) -> dict[str, list[str]]:
    """Return every entry id, author, section and theme of the fixture archive."""
    hits = list(library.iter_hits(SearchRequest(), snippets=False))
    return {
        "entries": [h.id for h in hits],
        "authors": sorted({a for h in hits for a in (h.authors or (h.author,))}),
        "sections": sorted({h.section for h in hits}),
        "themes": sorted({t for h in hits for t in h.themes} | set(library.taxonomy())),
    }


def test_the_fixture_archive_has_something_of_each_kind(values):
    assert {k: len(v) for k, v in values.items()} == {
        "entries": 6,
        "authors": 5,
        "sections": 5,
        "themes": 17,
    }


def test_paths_are_url_fors_over_the_fixture_archive_and_awkward_names(index_dir, values):
    app = create_app({"INDEX": str(index_dir), "TESTING": True})
    with app.test_request_context("/"):
        for entry_id in values["entries"] + AWKWARD:
            for q in ("", "autonomy", "what's up? a/b & c=d", "ça"):
                args = {"q": q} if q else {}
                assert urls.entry_path(entry_id, q) == url_for(
                    "entries.entry", entry_id=entry_id, **args
                )
        for author in values["authors"] + AWKWARD:
            handle = urls.author_handle(author)
            assert urls.author_path(author) == url_for("browse.author", handle=handle)
        for section in values["sections"] + AWKWARD:
            assert urls.section_slug(section) == old_slugify(section)
            slug = old_slugify(section)
            assert urls.section_path(section) == url_for("browse.section", slug=slug)
        for theme in values["themes"]:
            assert urls.theme_path(theme) == url_for("browse.theme", slug=theme)


def test_entry_urls_of_exports_are_those_of_pages(index_dir, values):
    for config in ({}, {"BASE_URL": "https://archive.example.org/p"}):
        app = create_app({"INDEX": str(index_dir), "TESTING": True, **config})
        with app.test_request_context("/"):
            made = links.entry_urls()
            for entry_id in values["entries"]:
                for q in ("", "model deprecation"):
                    assert made(entry_id, q) == links.entry_url(entry_id, q, external=True)
                    root = config.get("BASE_URL", "http://localhost")
                    assert made(entry_id, q) == root + old_export_url(entry_id, q)


def test_links_keep_the_apps_mount_point(index_dir, values):
    app = create_app({"INDEX": str(index_dir), "TESTING": True})
    with app.test_request_context("/", base_url="http://localhost/archive/"):
        entry, author = values["entries"][0], values["authors"][0]
        section, theme = values["sections"][0], values["themes"][0]
        assert links.entry_url(entry, "x y") == url_for("entries.entry", entry_id=entry, q="x y")
        assert links.entry_url(entry).startswith("/archive/entries/")
        handle = urls.author_handle(author)
        assert links.author_url(author) == url_for("browse.author", handle=handle)
        assert links.section_url(section) == url_for(
            "browse.section", slug=urls.section_slug(section)
        )
        assert links.theme_url(theme) == url_for("browse.theme", slug=theme)
        assert links.entry_urls()(entry) == "http://localhost/archive/entries/" + entry


@pytest.mark.parametrize(
    ("author", "handle", "candidates"),
    [
        ("@datawren", "datawren", ("@datawren", "datawren")),
        ("Smith, Jo", "Smith, Jo", ("@Smith, Jo", "Smith, Jo")),
        ("@", "@", ("@",)),
    ],
)
def test_an_author_handle_and_what_it_may_stand_for(author, handle, candidates):
    assert urls.author_handle(author) == handle
    assert urls.author_candidates(handle) == candidates
