"""Every value of a facet within reach: the values matching a text, under a search, one page at a time.

A facet's list on the search page stops at the most frequent values; a reader looking for one
of 300 authors types part of the name instead. `match_values` takes the disjunctive counts the
search already made (`facets.count`), keeps the values whose name or label holds every word of
the text (folded: any case, any accent), sorts them by count or by name and cuts one page;
values the request has selected always come first, whatever the text, so they can be unticked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from indexer.facets import Column, Counts, FilterSet
from indexer.results import BadParameter, FacetValue, SearchRequest

VALUE_SORTS = ("count", "name")
MAX_MATCH_CHARS = 200


def fold(text: str) -> str:
    """Return text without case or accents, for matching a typed name ("José" ~ "jose")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class ValuePage:
    """One page of a facet's values that match a text, and how many match in all."""

    name: str
    match: str
    sort: str
    total: int  # values with a count that match (selected ones included)
    offset: int
    results: tuple[FacetValue, ...]  # the selected values first, then the page
    title: str = ""  # how a page names the facet ("Author", a field map's label)
    param: str = ""  # the request parameter that filters by it ("author", "facet_medium")

    def to_dict(self) -> dict[str, object]:
        """Return the JSON shape of /api/facets/<name>."""
        return {
            "facet": self.name,
            "q": self.match,
            "order": self.sort,
            "total": self.total,
            "offset": self.offset,
            "results": [
                {
                    "value": v.value,
                    "count": v.count,
                    "selected": v.selected,
                    "label": v.label or v.value,
                }
                for v in self.results
            ],
        }


def check_sort(sort: str) -> str:
    """Return the sort, or raise BadParameter naming the ones there are."""
    if sort not in VALUE_SORTS:
        raise BadParameter("order", f"expected one of {', '.join(VALUE_SORTS)}, got {sort!r}")
    return sort


@dataclass(frozen=True)
class Folded:
    """A facet's values folded once per index generation: the text matched, the name sorted."""

    text: list[str]  # value and label, folded, per value code
    label: list[str]  # the label (or the value), folded, per value code

    @classmethod
    def of(cls, column: Column, labels: dict[str, str]) -> Folded:
        names = [_label(column, i, labels) for i in range(len(column.coded.values))]
        return cls(
            [fold(v + " " + n) for v, n in zip(column.coded.values, names)],
            [fold(n) for n in names],
        )


def match_values(
    counts: Counts,
    req: SearchRequest,
    name: str,
    labels: dict[str, str],
    match: str = "",
    sort: str = "count",
    offset: int = 0,
    limit: int = 100,
    all_labels: dict[str, dict[str, str]] | None = None,
    folded: Folded | None = None,
) -> ValuePage:
    """Return the values of facet `name` whose name or label holds every word of `match`, with
    their counts under the request (its own selection ignored), `limit` of them from `offset`."""
    check_sort(sort)
    if len(match) > MAX_MATCH_CHARS:
        raise BadParameter("q", f"at most {MAX_MATCH_CHARS} characters, got {len(match)}")
    tally = counts.tallies[name]
    column = tally.column
    keys = FilterSet.from_request(req, all_labels, counts.facets).selected[name]
    chosen = [int(i) for i in column.matching(keys)] if keys else []
    words = fold(match).split()
    names = folded or Folded.of(column, labels)
    taken = set(chosen)
    found = [
        int(i)
        for i in np.flatnonzero(tally.counts)
        if all(w in names.text[i] for w in words) and column.coded.values[i] and int(i) not in taken
    ]
    if sort == "name":
        found.sort(key=lambda i: names.label[i])
    else:
        found.sort(key=lambda i: (-int(tally.counts[i]), names.label[i]))
    shown = [_value(tally.counts, column, i, labels, True) for i in chosen]
    shown += [
        _value(tally.counts, column, i, labels, False) for i in found[offset : offset + limit]
    ]
    # a selected value the index does not hold (any more) still shows, to be removed
    key = column.facet.key
    present = {key(v.value) for v in shown} | {key(v.label) for v in shown if v.label}
    shown += [FacetValue(v, 0, True) for v in req.selected(name) if key(v) not in present]
    return ValuePage(
        name,
        match,
        sort,
        len(found) + len(chosen),
        offset,
        tuple(shown),
        column.facet.title,
        column.facet.param,
    )


def _label(column: Column, i: int, labels: dict[str, str]) -> str:
    value = column.coded.values[i]
    return labels.get(value) or column.labels.get(value) or value


def _value(
    counts: np.ndarray, column: Column, i: int, labels: dict[str, str], selected: bool
) -> FacetValue:
    value = column.coded.values[i]
    label = _label(column, i, labels)
    return FacetValue(value, int(counts[i]), selected, label if label != value else "")
