"""Browsing: /themes, /authors, /sections, and each theme's, author's and section's own page.

A theme's, an author's or a section's page is the search page with that filter set (a `Scope`);
the index pages list the values of one facet of the empty search, with counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from indexer.results import FacetValue, SearchRequest
from indexer.urls import author_candidates, author_handle, section_slug
from webapp import histogram
from webapp.core import library, setting
from webapp.errors import NotFound
from webapp.links import author_url, section_url
from webapp.sparkline import Sparkline, sparkline
from webapp.state import Scope, same
from webapp.views.search import search_page
from webapp.views.trends import trend_parts

bp = Blueprint("browse", __name__)
LETTERS_FROM = 30  # more authors than this are grouped by first letter


def facet_values(result: object, name: str) -> tuple[FacetValue, ...]:
    facet = next((f for f in result.facets if f.name == name), None)  # type: ignore[attr-defined]
    return facet.results if facet else ()


@dataclass(frozen=True)
class ThemeRow:
    slug: str
    label: str
    description: str
    count: int
    timeline: Sparkline


@bp.get("/themes")
def themes() -> str:
    lib = library()
    overall = lib.search(SearchRequest(per_page=1))
    keys = histogram.month_keys(histogram.counts(overall, "month"))
    counts = {v.value: v for v in facet_values(overall, "theme")}
    taxonomy, names = lib.taxonomy(), lib.labels("theme")
    rows = []
    for slug in list(taxonomy) + sorted(set(counts) - set(taxonomy)):
        theme = taxonomy.get(slug)
        scoped = lib.search(SearchRequest(themes=(slug,), per_page=1))
        line = sparkline(histogram.counts(scoped, "month"), keys)
        label = names.get(slug) or counts[slug].label or slug
        rows.append(ThemeRow(slug, label, theme.description if theme else "", scoped.total, line))
    rows.sort(key=lambda r: (-r.count, r.label.lower()))
    return render_template("themes.html", rows=rows, keys=keys, total=overall.total)


@bp.get("/themes/<slug>")
def theme(slug: str) -> str:
    taxonomy = library().taxonomy()
    known = taxonomy.get(slug)
    if known is None and not library().search(SearchRequest(themes=(slug,), per_page=1)).total:
        raise NotFound(f"no theme {slug!r} in the archive")
    label = library().labels("theme").get(slug, slug)
    path = url_for("browse.theme", slug=slug)  # quoted: request.path is not ('#', '?', ' ')
    scope = Scope("theme", slug, path, label, known.description if known else "")
    return search_page(scope, path, extra=trend_parts(library().theme_trends([slug])))


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
    values = facet_values(library().search(SearchRequest(per_page=1)), "author")
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
    for candidate in author_candidates(handle):
        found = library().search(SearchRequest(authors=(candidate,), per_page=1))
        if found.hits:
            # as the archive spells it: the one of the entry's authors the handle names
            hit = found.hits[0]
            name = next((a for a in hit.authors if same("author", a, candidate)), hit.author)
            if author_handle(name) != handle:
                return redirect(_with_query(author_url(name)), 301)
            path = author_url(name)  # quoted: request.path is not ('#', '?', ' ')
            return search_page(Scope("author", name, path, name), path, extra=_discovery(name))
    raise NotFound(f"no author {handle!r} in the archive")


def _discovery(name: str) -> dict[str, object]:
    """Return what an author page adds: the closest authors and the author's themes by month."""
    keys, themes = library().author_timeline(name)
    rows = [(t, sparkline(dict(zip(keys, t.counts)), list(keys))) for t in themes]
    months = [(k, [t.counts[i] for t in themes]) for i, k in enumerate(keys)
              if any(t.counts[i] for t in themes)]
    return {
        "people": library().related_authors(name, setting("RELATED_AUTHORS")),
        "theme_rows": rows,
        "theme_months": months,
    }


def _with_query(url: str) -> str:
    query = request.query_string.decode("latin-1")
    return f"{url}?{query}" if query else url


@bp.get("/sections")
def sections() -> str:
    values = facet_values(library().search(SearchRequest(per_page=1)), "section")
    groups = [("", sorted(values, key=lambda v: v.value.casefold()))] if values else []
    lede = "The archive's published pages gather entries under sections, each with its own angle."
    return render_template(
        "index.html", title="Sections", lede=lede, groups=groups, link=section_url
    )


@bp.get("/sections/<slug>")
def section(slug: str) -> str:
    values = facet_values(library().search(SearchRequest(per_page=1)), "section")
    match = next((v.value for v in values if section_slug(v.value) == slug), None)
    if match is None:
        raise NotFound(f"no section {slug!r} in the archive")
    path = section_url(match)
    return search_page(Scope("section", match, path, match), path)
