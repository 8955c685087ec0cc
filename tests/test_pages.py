"""indexer.pages: one core call per page kind, against the fixture archive's real index. The
oracle of each is what the views asked the core for themselves before (a search per theme for
/themes, the section facet's values for a section's slug, three calls for an entry)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer import pages
from indexer.build import build_index
from indexer.library import Library
from indexer.results import SearchRequest

UNHELD = """
unheld:
  label: Unheld
  description: A theme the editors named that no entry has yet.
  terms: [zyzzyva]
"""


@pytest.fixture
def searches(library: Library, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SearchRequest]]:
    """Record every search the library runs."""
    seen: list[SearchRequest] = []
    search = library.search

    def recorded(req: SearchRequest):  # type: ignore[no-untyped-def]
        seen.append(req)
        return search(req)

    monkeypatch.setattr(library, "search", recorded)
    yield seen


@pytest.fixture
def unheld(tmp_path: Path, archive_dir: Path) -> Library:
    """Return a library over the fixture archive whose taxonomy has a theme no entry holds."""
    with (archive_dir / "themes.yaml").open("a", encoding="utf-8") as taxonomy:
        taxonomy.write(UNHELD)
    build_index(archive_dir, tmp_path / "unheld", full=True)
    return Library(tmp_path / "unheld")


def months(library: Library, req: SearchRequest) -> dict[str, int]:
    return {v.value: v.count for v in library.search(req).facet("month").results if v.count}


def test_themes_overview_counts_every_theme_from_one_search(library: Library, searches):
    overview = pages.themes_overview(library)
    assert len(searches) == 1
    searches.clear()
    assert overview.total == 6
    assert overview.months[0] == "2024-03" and overview.months[-1] == "2026-02"
    assert len(overview.months) == 24  # every month between, with entries or not
    taxonomy = library.taxonomy()
    assert {t.slug for t in overview.themes} >= set(taxonomy) | {"transparency"}
    for theme in overview.themes:  # as a search within each theme counts them
        scoped = SearchRequest(themes=(theme.slug,), per_page=1)
        assert theme.count == library.search(scoped).total, theme.slug
        assert dict(theme.months) == months(library, scoped), theme.slug
        assert theme.description == (
            taxonomy[theme.slug].description if theme.slug in taxonomy else ""
        )
    counts = [(-t.count, t.label.lower()) for t in overview.themes]
    assert counts == sorted(counts)


def test_a_theme_no_entry_holds_is_listed_last_and_empty(unheld: Library):
    last = pages.themes_overview(unheld).themes[-1]
    assert last == pages.ThemeCount(
        "unheld", "Unheld", "A theme the editors named that no entry has yet.", 0, {}
    )


def test_a_themes_page_searches_within_it(library: Library, searches):
    asked: list[str] = []

    def request_for(value: str) -> SearchRequest:
        asked.append(value)
        return SearchRequest(q="model", themes=(value,))

    page = pages.theme_page(library, "model-deprecation", request_for)
    assert page is not None and asked == ["model-deprecation"] and len(searches) == 1
    assert (page.value, page.label) == ("model-deprecation", "Model Deprecation")
    assert page.description == library.taxonomy()["model-deprecation"].description
    assert page.searched.result.request == request_for("model-deprecation")
    assert page.searched.taxonomy == library.taxonomy()
    assert page.trends == library.theme_trends(["model-deprecation"])


def test_a_theme_nobody_has_is_no_page_and_no_search(library: Library, searches):
    def never(value: str) -> SearchRequest:
        raise AssertionError(value)

    assert pages.theme_page(library, "no-such-theme", never) is None
    assert searches == []


def test_a_taxonomy_theme_without_entries_has_its_page(unheld: Library):
    page = pages.theme_page(unheld, "unheld", lambda v: SearchRequest(themes=(v,)))
    assert page is not None and page.searched.result.total == 0
    assert (page.label, page.trends.themes[0].total) == ("Unheld", 0)


@pytest.mark.parametrize(
    ("slug", "section"),
    [
        ("the-research", "The Research"),
        ("the-stories", "The Stories"),
        ("nope", None),
        ("The-Research", None),
    ],
)
def test_a_sections_slug_is_resolved_in_the_core(library: Library, slug, section):
    page = pages.section_page(library, slug, lambda v: SearchRequest(sections=(v,)))
    if section is None:
        assert page is None
        return
    assert page is not None and (page.value, page.label) == (section, section)
    assert page.searched.result.total == library.search(SearchRequest(sections=(section,))).total


@pytest.mark.parametrize(
    ("handle", "expected"),
    [
        ("datawren", "@datawren"),
        ("@datawren", pages.Moved("@datawren")),
        ("DataWren", pages.Moved("@datawren")),
        ("nobody", None),
    ],
)
def test_an_authors_page_or_where_it_moved(library: Library, handle, expected):
    page = pages.author_page(library, handle, lambda v: SearchRequest(authors=(v,)), 5)
    if not isinstance(page, pages.AuthorPage):
        assert page == expected
        return
    assert page.value == page.label == expected
    assert page.searched.result.total == 2
    assert (page.months, page.themes) == library.author_timeline("@datawren")
    assert page.people == library.related_authors("@datawren", 5)


def test_an_entry_page_in_one_call(library: Library):
    page = pages.entry_page(
        library, "organising-the-evidence", related=3, authors=2, by_author=5, suggest_themes=True
    )
    assert page is not None
    assert page.entry == library.entry("organising-the-evidence", related=3, authors=2)
    assert [h.id for h in page.others] == ["colour-of-data"] and page.others_total == 1
    assert page.theme_labels == library.labels("theme")
    assert page.lacking == library.theme_suggestions("organising-the-evidence")
    alone = pages.entry_page(
        library, "organising-the-evidence", related=0, authors=0, by_author=0, suggest_themes=False
    )
    assert alone is not None and alone.others == () and alone.others_total == 1
    assert alone.lacking is None
    assert (
        pages.entry_page(library, "nope", related=3, authors=0, by_author=5, suggest_themes=True)
        is None
    )


def test_the_trends_page_offers_every_theme_and_draws_the_chosen(library: Library, searches):
    page = pages.trends_page(library, ["model-deprecation", "transparency"])
    assert len(searches) == 1
    assert page.trends == library.theme_trends(["model-deprecation", "transparency"])
    overview = {t.slug: t.count for t in pages.themes_overview(library).themes}
    assert {slug: count for slug, _, count in page.choices} == overview
    assert page.choices[0] == ("model-behavior", "Model Behavior", 4)
    assert not page.too_many and pages.trends_page(library, []).trends is None
    crowded = pages.trends_page(library, list(overview)[:7])
    assert crowded.too_many and crowded.trends is None and crowded.choices == page.choices
