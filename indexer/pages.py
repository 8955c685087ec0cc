"""What each page kind needs from the search core, in one call: a view (or a command) reads
its parameters, calls one of these with the app's `Library`, and renders what comes back.

Moving parts: `searched` (the search page: one result and the taxonomy of its labels);
`themes_overview` (/themes: every theme's entries from the facet counts of ONE search, and its
entries per month from one pass over the facet table, trends.py); `theme_page` and
`section_page` (the search within one theme or section and how to name it; the path's value
is checked, a section's slug resolved, before `request_for` makes the page's request from it);
`author_page` (the same for an author, or where a handle's page has `Moved`); `trends_page`
(the themes to compare and the chosen ones' trends); `entry_page` (an entry, its author's
other entries, theme labels and the themes it may lack). No URLs: the web app adds them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from indexer.facetdefs import BY_NAME
from indexer.results import (
    BadParameter,
    Entry,
    FacetValue,
    Hit,
    RelatedAuthor,
    SearchRequest,
    SearchResult,
    ThemeTimeline,
    ThemeTrends,
)
from indexer.theme_drafts import Suggestion
from indexer.themes import Theme
from indexer.trends import UnknownTheme, month_range, month_text
from indexer.urls import author_candidates, author_handle, section_slug

if TYPE_CHECKING:
    from indexer.library import Library

RequestFor = Callable[[str], SearchRequest]  # the page's search, given the value it is about


@dataclass(frozen=True)
class Searched:
    """A search page's part of the core: one page of results and the theme taxonomy."""

    result: SearchResult
    taxonomy: Mapping[str, Theme]


@dataclass(frozen=True)
class Scoped:
    """A theme's, a section's or an author's page: the value its path names, how to name it,
    and the search within it."""

    value: str
    label: str
    description: str
    searched: Searched


@dataclass(frozen=True, kw_only=True)
class ThemePage(Scoped):
    trends: ThemeTrends  # the theme's share of the entries, month by month


@dataclass(frozen=True, kw_only=True)
class AuthorPage(Scoped):
    people: tuple[RelatedAuthor, ...]  # the authors closest to this one
    months: tuple[str, ...]  # the author's months, first to last
    themes: tuple[ThemeTimeline, ...]  # their most frequent themes, per month


@dataclass(frozen=True)
class Moved:
    """An author's page is under another handle (the one the archive spells)."""

    name: str


@dataclass(frozen=True)
class ThemeCount:
    """One theme on /themes: its entries, and how many of them fall in each month."""

    slug: str
    label: str
    description: str
    count: int
    months: Mapping[str, int]  # "2025-10" -> entries, for the months that have some


@dataclass(frozen=True)
class ThemesOverview:
    total: int  # entries in the archive
    months: tuple[str, ...]  # every month from the first entry's to the last's
    themes: tuple[ThemeCount, ...]  # most entries first, then by label


@dataclass(frozen=True)
class TrendsPage:
    choices: tuple[tuple[str, str, int], ...]  # every theme's slug, label, entries; most first
    trends: ThemeTrends | None  # of the themes chosen, if any
    too_many: bool = False  # more were chosen than one chart shows


@dataclass(frozen=True)
class EntryPage:
    entry: Entry
    others: tuple[Hit, ...]  # the newest other entries of its authors
    others_total: int  # all the other entries of its authors
    theme_labels: dict[str, str]
    lacking: list[Suggestion] | None  # themes its closest entries have (None: not asked)


def searched(lib: Library, req: SearchRequest) -> Searched:
    """Return a search page's results and taxonomy."""
    return Searched(lib.search(req), lib.taxonomy())


def themes_overview(lib: Library) -> ThemesOverview:
    """Return every theme (the taxonomy's, then the entries' own tags) with its entries."""
    every = _Themes.of(lib)
    slugs, counts, taxonomy = every.slugs, every.counts, every.taxonomy
    series = lib.theme_trends(slugs, most=len(slugs)) if slugs else None
    rows = [
        ThemeCount(
            slug,
            every.names.get(slug) or counts[slug].label or slug,
            taxonomy[slug].description if slug in taxonomy else "",
            counts[slug].count if slug in counts else 0,
            _held(series, i) if series else {},
        )
        for i, slug in enumerate(slugs)
    ]
    rows.sort(key=lambda r: (-r.count, r.label.lower()))
    return ThemesOverview(every.overall.total, _span(every.overall), tuple(rows))


def trends_page(lib: Library, slugs: list[str]) -> TrendsPage:
    """Return every theme to choose from, and the chosen ones' trends (none past MAX_THEMES)."""
    every = _Themes.of(lib)
    choices = sorted(
        (
            (s, every.names.get(s, s), every.counts[s].count if s in every.counts else 0)
            for s in every.slugs
        ),
        key=lambda r: (-r[2], r[1].casefold()),
    )
    try:
        trends = lib.theme_trends(slugs) if slugs else None
    except BadParameter:  # too many: the choice is shown again, with what to change
        return TrendsPage(tuple(choices), None, too_many=True)
    return TrendsPage(tuple(choices), trends)


@dataclass(frozen=True)
class _Themes:
    """Every theme: the search that counts them, the taxonomy, labels and counts."""

    overall: SearchResult
    taxonomy: Mapping[str, Theme]
    names: dict[str, str]
    counts: dict[str, FacetValue]
    slugs: list[str]  # the taxonomy's, then the entries' own tags

    @classmethod
    def of(cls, lib: Library) -> _Themes:
        overall = lib.search(SearchRequest(per_page=1))
        counts = {v.value: v for v in overall.facet("theme").results}
        taxonomy = lib.taxonomy()
        slugs = list(taxonomy) + sorted(set(counts) - set(taxonomy))
        return cls(overall, taxonomy, lib.labels("theme"), counts, slugs)


def _held(series: ThemeTrends, i: int) -> dict[str, int]:
    """Return one theme's entries per month, for the months that have some."""
    return {m: c for m, c in zip(series.months, series.themes[i].counts) if c}


def _span(result: SearchResult) -> tuple[str, ...]:
    """Return every month from the result's first month to its last."""
    held = [int(v.value.replace("-", "")) for v in result.facet("month").results if v.count]
    return tuple(month_text(m) for m in month_range(min(held), max(held))) if held else ()


def theme_page(lib: Library, slug: str, request_for: RequestFor) -> ThemePage | None:
    """Return a theme's page, or None if neither the taxonomy nor any entry has the theme."""
    known = lib.taxonomy().get(slug)
    try:
        trends = lib.theme_trends([slug])
    except UnknownTheme:
        return None
    if known is None and not trends.themes[0].total:
        return None
    label = lib.labels("theme").get(slug, slug)
    return ThemePage(
        slug,
        label,
        known.description if known else "",
        searched(lib, request_for(slug)),
        trends=trends,
    )


def section_page(lib: Library, slug: str, request_for: RequestFor) -> Scoped | None:
    """Return the page of the section whose slug this is, or None if none has it."""
    sections = lib.search(SearchRequest(per_page=1)).facet("section").results
    match = next((v.value for v in sections if section_slug(v.value) == slug), None)
    if match is None:
        return None
    return Scoped(match, match, "", searched(lib, request_for(match)))


def author_page(
    lib: Library, handle: str, request_for: RequestFor, related: int
) -> AuthorPage | Moved | None:
    """Return the page of the author a handle names (or Moved, when the archive spells the
    handle otherwise), or None if no entry has that author."""
    same = BY_NAME["author"].key
    for candidate in author_candidates(handle):
        found = lib.search(SearchRequest(authors=(candidate,), per_page=1))
        if found.hits:
            # as the archive spells it: the one of the entry's authors the handle names
            hit = found.hits[0]
            name = next((a for a in hit.authors if same(a) == same(candidate)), hit.author)
            if author_handle(name) != handle:
                return Moved(name)
            months, themes = lib.author_timeline(name)
            return AuthorPage(
                name,
                name,
                "",
                searched(lib, request_for(name)),
                people=lib.related_authors(name, related),
                months=months,
                themes=themes,
            )
    return None


def entry_page(
    lib: Library, entry_id: str, *, related: int, authors: int, by_author: int, suggest_themes: bool
) -> EntryPage | None:
    """Return an entry with its related entries and authors, its authors' newest other
    entries and the themes it may lack, or None if no entry has that id."""
    entry = lib.entry(entry_id, related=related, authors=authors)
    if entry is None:
        return None
    written = lib.search(
        # by any of its authors: each is a person of the author facet
        SearchRequest(
            authors=entry.authors or (entry.author,), sort="newest", per_page=by_author + 1
        )
    )
    others = tuple(h for h in written.hits if h.id != entry.id)[:by_author]
    lacking = lib.theme_suggestions(entry.id) if suggest_themes else None
    return EntryPage(entry, others, max(written.total - 1, 0), lib.labels("theme"), lacking)
