"""Browsing: /themes, /authors, /sections, and each theme's, author's and section's own page.

A theme's, an author's or a section's page is the search page with that filter set (a `Scope`);
the index pages list the values of one facet of the empty search, with counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from indexer import pages
from indexer.results import FacetValue, SearchRequest
from indexer.urls import author_handle
from webapp.core import library, scoped_request, setting
from webapp.errors import NotFound
from webapp.links import author_url, section_url, theme_url
from webapp.sparkline import Sparkline, sparkline
from webapp.state import Scope
from webapp.views.search import search_page
from webapp.views.trends import trend_parts

bp = Blueprint("browse", __name__)
LETTERS_FROM = 30  # more authors than this are grouped by first letter


@dataclass(frozen=True)
class ThemeRow:
    slug: str
    label: str
    description: str
    count: int
    timeline: Sparkline


@bp.get("/themes")
def themes() -> str:
    overview = pages.themes_overview(library())
    keys = list(overview.months)
    rows = [
        ThemeRow(t.slug, t.label, t.description, t.count, sparkline(dict(t.months), keys))
        for t in overview.themes
    ]
    return render_template("themes.html", rows=rows, keys=keys, total=overview.total)


@bp.get("/themes/<slug>")
def theme(slug: str) -> str:
    found = pages.theme_page(library(), slug, scoped_request("theme"))
    if found is None:
        raise NotFound(f"no theme {slug!r} in the archive")
    path = theme_url(slug)  # quoted: request.path is not ('#', '?', ' ')
    scope = Scope("theme", slug, path, found.label, found.description)
    return search_page(scope, path, extra=trend_parts(found.trends), found=found.searched)


def letter_groups(
    values: tuple[FacetValue, ...], key: Callable[[str], str]
) -> list[tuple[str, list[FacetValue]]]:
    """Return values sorted by name and grouped by first letter ("#" for the rest)."""
    groups: dict[str, list[FacetValue]] = {}
    for v in sorted(values, key=lambda v: key(v.value).casefold()):
        first = key(v.value)[:1].upper()
        groups.setdefault(first if first.isalpha() else "#", []).append(v)
    return sorted(groups.items(), key=lambda g: (g[0] == "#", g[0]))


@bp.get("/authors")
def authors() -> str:
    values = library().search(SearchRequest(per_page=1)).facet("author").results
    groups = (
        letter_groups(values, author_handle)
        if len(values) > LETTERS_FROM
        else [("", sorted(values, key=lambda v: author_handle(v.value).casefold()))]
    )
    people = "one person" if len(values) == 1 else f"{len(values)} people"
    lede = (
        f"{people} wrote in the archive, listed by name. Each leads to their entries, "
        "searchable on their own."
    )
    return render_template("index.html", title="Authors", lede=lede, groups=groups, link=author_url)


@bp.get("/authors/<path:handle>")
def author(handle: str) -> BaseResponse | str:
    found = pages.author_page(
        library(), handle, scoped_request("author"), setting("RELATED_AUTHORS")
    )
    if found is None:
        raise NotFound(f"no author {handle!r} in the archive")
    if isinstance(found, pages.Moved):
        return redirect(_with_query(author_url(found.name)), 301)
    path = author_url(found.value)  # quoted: request.path is not ('#', '?', ' ')
    scope = Scope("author", found.value, path, found.label)
    return search_page(scope, path, extra=_discovery(found), found=found.searched)


def _discovery(found: pages.AuthorPage) -> dict[str, object]:
    """Return what an author page adds: the closest authors and the author's themes by month."""
    keys, themes = found.months, found.themes
    rows = [(t, sparkline(dict(zip(keys, t.counts)), list(keys))) for t in themes]
    months = [
        (k, [t.counts[i] for t in themes])
        for i, k in enumerate(keys)
        if any(t.counts[i] for t in themes)
    ]
    return {"people": found.people, "theme_rows": rows, "theme_months": months}


def _with_query(url: str) -> str:
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


@bp.get("/sections")
def sections() -> str:
    values = library().search(SearchRequest(per_page=1)).facet("section").results
    groups = [("", sorted(values, key=lambda v: v.value.casefold()))] if values else []
    lede = "The archive's published pages gather entries under sections, each with its own angle."
    return render_template(
        "index.html", title="Sections", lede=lede, groups=groups, link=section_url
    )


@bp.get("/sections/<slug>")
def section(slug: str) -> str:
    found = pages.section_page(library(), slug, scoped_request("section"))
    if found is None:
        raise NotFound(f"no section {slug!r} in the archive")
    path = section_url(found.value)
    return search_page(Scope("section", found.value, path, found.label), path, found=found.searched)
