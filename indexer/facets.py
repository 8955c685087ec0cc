"""Filters and disjunctive facet counts, computed in one pass over the matching documents.

`FacetTable` holds, per document number, the values every facet needs; it is read once from
the index's columns per searcher (so it never outlives an index generation). `FilterSet` turns a
request's selections into per-facet tests. `count` walks the documents that match the query
text once: a document counts for a facet when it passes every *other* facet's filter (so picking
one author still shows every other author's count), and is a result when it passes all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh.reading import IndexReader

from indexer.results import Facet, FacetValue, SearchRequest


@dataclass
class FacetTable:
    """Facet values per document number."""

    authors: list[str]
    sections: list[str]
    themes: list[tuple[str, ...]]
    days: list[int]  # YYYYMMDD
    live: list[int]  # document numbers that are not deleted
    deleted: frozenset[int]

    @classmethod
    def from_reader(cls, reader: IndexReader) -> FacetTable:
        """Read the facet columns of every document."""
        n = reader.doc_count_all()
        deleted = reader.is_deleted if reader.has_deletions() else None
        live = [d for d in range(n) if not deleted(d)] if deleted else list(range(n))
        return cls(
            authors=_column(reader, "author", n, ""),
            sections=_column(reader, "section", n, ""),
            themes=[tuple(t for t in v.split("|") if t) for v in _column(reader, "themes_col", n, "")],
            days=[int(d or 0) for d in _column(reader, "day", n, 0)],
            live=live,
            deleted=frozenset(range(n)) - frozenset(live) if len(live) < n else frozenset(),
        )


def _column(reader: IndexReader, name: str, n: int, default: object) -> list:
    if n == 0 or not reader.has_column(name):
        return [default] * n
    values = list(reader.column_reader(name))
    return [_text(v) for v in values]


def _text(v: object) -> object:
    return v.decode("utf-8") if isinstance(v, bytes) else v


@dataclass(frozen=True)
class FilterSet:
    """A request's selections as sets of lowercased values and a day range."""

    themes: frozenset[str]
    authors: frozenset[str]
    sections: frozenset[str]
    low: int
    high: int

    @classmethod
    def from_request(cls, req: SearchRequest) -> FilterSet:
        def day(d) -> int:  # type: ignore[no-untyped-def]
            return d.day.year * 10000 + d.day.month * 100 + d.day.day

        return cls(
            themes=frozenset(t.lower() for t in req.themes),
            authors=frozenset(a.lower() for a in req.authors),
            sections=frozenset(s.split(":")[0].strip().lower() for s in req.sections),
            low=day(req.date_from) if req.date_from else 0,
            high=day(req.date_to) if req.date_to else 99999999,
        )


@dataclass
class Counts:
    """The documents that pass every filter, and the disjunctive counts of each facet."""

    docs: list[int]
    theme: Counter
    author: Counter
    section: Counter
    year: Counter
    month: Counter


def count(table: FacetTable, matches: Iterable[int], fs: FilterSet) -> Counts:
    """Filter the matching documents and count every facet, each ignoring its own selection."""
    out = Counts([], Counter(), Counter(), Counter(), Counter(), Counter())
    authors, sections, themes, days = table.authors, table.sections, table.themes, table.days
    deleted = table.deleted
    for n in matches:
        if deleted and n in deleted:
            continue
        th = themes[n]
        t_ok = not fs.themes or not fs.themes.isdisjoint(th)
        a_ok = not fs.authors or authors[n].lower() in fs.authors
        s_ok = not fs.sections or sections[n].lower() in fs.sections
        d_ok = fs.low <= days[n] <= fs.high
        if a_ok and s_ok and d_ok:
            out.theme.update(th)
            if t_ok:
                out.docs.append(n)
                out.author[authors[n]] += 1
                out.section[sections[n]] += 1
        elif t_ok and d_ok:
            if s_ok:
                out.author[authors[n]] += 1
            elif a_ok:
                out.section[sections[n]] += 1
        if t_ok and a_ok and s_ok:
            out.year[days[n] // 10000] += 1
            out.month[days[n] // 100] += 1
    return out


def facets(counts: Counts, req: SearchRequest, labels: dict[str, str]) -> tuple[Facet, ...]:
    """Return the facets in the shared result shape, most frequent values first."""
    fs = FilterSet.from_request(req)
    theme = _values(counts.theme, fs.themes, labels)
    author = _values(counts.author, fs.authors, {})
    section = _values(counts.section, fs.sections, {})
    years = sorted(counts.year.items())
    year = tuple(
        FacetValue(str(y), c, _year_selected(y, fs)) for y, c in years if y
    )
    month = tuple(
        FacetValue(f"{m // 100:04d}-{m % 100:02d}", c, _month_selected(m, fs))
        for m, c in sorted(counts.month.items()) if m
    )
    return (Facet("theme", theme), Facet("author", author), Facet("section", section),
            Facet("year", year), Facet("month", month))


def _values(counter: Counter, selected: frozenset[str], labels: dict[str, str]
            ) -> tuple[FacetValue, ...]:
    present = {v.lower() for v in counter}
    rows = [FacetValue(v, c, v.lower() in selected, labels.get(v, "")) for v, c in counter.items()]
    # a selected value with no matches still shows, so it can be removed
    rows += [FacetValue(v, 0, True, labels.get(v, "")) for v in selected if v not in present]
    rows.sort(key=lambda r: (-r.count, (r.label or r.value).lower()))
    return tuple(rows)


def _year_selected(year: int, fs: FilterSet) -> bool:
    return bool(fs.low or fs.high != 99999999) and fs.low // 10000 <= year <= fs.high // 10000


def _month_selected(month: int, fs: FilterSet) -> bool:
    return bool(fs.low or fs.high != 99999999) and fs.low // 100 <= month <= fs.high // 100
