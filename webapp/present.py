"""What a search page shows, worked out from one SearchResult: facet lists, filter chips, pages."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import url_for

from indexer.results import Facet, FacetValue, SearchResult
from indexer.slugs import name_slug
from webapp import histogram
from webapp.state import SearchState, same


@dataclass(frozen=True)
class Choice:
    """One facet value as a checkbox: what it submits, how it reads, where its link goes."""

    facet: str
    value: str
    label: str
    count: int
    selected: bool
    fixed: bool  # set by the page's path, so it cannot be unticked here
    input_id: str
    url: str


@dataclass(frozen=True)
class FacetBox:
    name: str
    param: str  # the parameter its checkboxes submit ("author", "facet_medium")
    title: str
    shown: tuple[Choice, ...]
    more: tuple[Choice, ...]
    distinct: int = 0  # values with a count, listed here or not
    all_url: str = ""  # /facets/<name>: every value, under this search
    api_url: str = ""  # /api/facets/<name> under this search, for the filter box

    @property
    def listed(self) -> int:
        return len(self.shown) + len(self.more)

    @property
    def selected_count(self) -> int:
        return sum(c.selected for c in self.shown + self.more)


@dataclass(frozen=True)
class Chip:
    """A selected filter, shown as words with a link that removes it."""

    kind: str
    label: str
    remove_url: str


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None is a gap ("…")
    url: str
    current: bool


def labels(result: SearchResult, taxonomy: Mapping[str, object]) -> dict[str, str]:
    """Return display labels of theme slugs, from the facet first, then the taxonomy."""
    out = {slug: getattr(theme, "label", slug) for slug, theme in taxonomy.items()}
    for facet in result.facets:
        if facet.name == "theme":
            out.update({v.value: v.label for v in facet.results if v.label})
    return out


def filtered(result: SearchResult) -> tuple[Facet, ...]:
    """Return the facets a reader filters by a parameter of their own (not the dates), in the
    index's order: the built-in ones, then those the archive's field map adds."""
    return tuple(f for f in result.facets if f.param)


def _choices(
    result: SearchResult, state: SearchState, facet: Facet, names: dict[str, str]
) -> list[Choice]:
    name, param = facet.name, facet.param
    values: list[FacetValue] = list(facet.results)
    values += [
        FacetValue(v, 0, True)
        for v in result.request.selected(name)
        if not any(same(name, v, h.value) or same(name, v, h.label or h.value) for h in values)
    ]
    return [
        Choice(
            param,
            v.value,
            _label(name, v, names),
            v.count,
            v.selected,
            state.is_scope(param, v.value),
            _input_id(name, v.value),
            state.toggle_url(param, v.value),
        )
        for v in values
    ]


def _input_id(name: str, value: str) -> str:
    # Stable across pages (so focus can return to it) and unique even when slugs collide.
    digest = hashlib.blake2s(value.encode(), digest_size=3).hexdigest()
    return f"f-{name}-{name_slug(value)[:24]}-{digest}"


def _label(name: str, v: FacetValue, names: dict[str, str]) -> str:
    if name == "theme":
        return v.label or names.get(v.value, v.value)
    return v.label or v.value


def facet_boxes(
    result: SearchResult, state: SearchState, names: dict[str, str], shown: int
) -> list[FacetBox]:
    """Return the facet panel: per facet the first values (and every selected one), then the rest."""
    boxes = []
    for facet in filtered(result):
        choices = _choices(result, state, facet, names)
        first = [c for i, c in enumerate(choices) if i < shown or c.selected]
        rest = [c for i, c in enumerate(choices) if not (i < shown or c.selected)]
        if choices:
            where = values_query(state)
            boxes.append(
                FacetBox(
                    facet.name,
                    facet.param,
                    facet.title,
                    tuple(first),
                    tuple(rest),
                    facet.distinct,
                    url_for("facets.facet_page", name=facet.name) + where,
                    url_for("api.facet_values", name=facet.name) + where,
                )
            )
    return boxes


def values_query(state: SearchState) -> str:
    """Return the query string that asks for a facet's values under this search (its text as
    `query`: `q` is the text the values must hold)."""
    pairs = [
        ("query" if k == "q" else k, v)
        for k, v in state.all_pairs()
        if k not in ("sort", "per_page")
    ]
    return "?" + urlencode(pairs) if pairs else ""


def chips(result: SearchResult, state: SearchState, names: dict[str, str]) -> list[Chip]:
    """Return the selected filters, each removable on its own."""
    req = result.request
    out = [
        Chip(f.title, names.get(v, v) if f.name == "theme" else v, state.remove_url(f.param, v))
        for f in filtered(result)
        for v in req.selected(f.name)
    ]
    if req.date_from:
        out.append(
            Chip(
                "From",
                req.date_from.text,
                state.range_url(None, req.date_to.text if req.date_to else None),
            )
        )
    if req.date_to:
        out.append(
            Chip(
                "To",
                req.date_to.text,
                state.range_url(req.date_from.text if req.date_from else None, None),
            )
        )
    return out


def pages(result: SearchResult, state: SearchState, around: int = 2) -> list[PageLink]:
    """Return page links: the first, the last, and those around the current one, with gaps."""
    current, last = result.request.page, result.pages
    wanted = {1, last, *range(current - around, current + around + 1)}
    out: list[PageLink] = []
    for n in sorted(p for p in wanted if 1 <= p <= last):
        if out and out[-1].number is not None and n - out[-1].number > 1:
            out.append(PageLink(None, "", False))
        out.append(PageLink(n, state.page_url(n), n == current))
    return out


@dataclass(frozen=True)
class SearchPage:
    result: SearchResult
    state: SearchState
    names: dict[str, str]
    facets: list[FacetBox]
    chips: list[Chip]
    histogram: histogram.Histogram | None
    pages: list[PageLink]


def search_page(
    result: SearchResult, state: SearchState, taxonomy: Mapping[str, object], shown: int
) -> SearchPage:
    names = labels(result, taxonomy)
    return SearchPage(
        result,
        state,
        names,
        facet_boxes(result, state, names, shown),
        chips(result, state, names),
        histogram.build(result, state),
        pages(result, state),
    )
