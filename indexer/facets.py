"""Filters and disjunctive facet counts, as array operations over every document.

`FacetTable` holds, for each facet of the index (`facetdefs.FACETS`, then those its field map
added), a `Column` of (document, value code) pairs, one per document for a single-valued facet
(read once from the index's columns per searcher, so it never outlives an index generation).
`count` builds one boolean mask per filter; a facet is counted over the documents that pass
every *other* filter (so picking one author still shows every other author's count), and the
results are the documents that pass them all. Over 100,000 entries this takes a few milliseconds, where
Whoosh's `groupedby` walks every hit in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from whoosh.reading import IndexReader

from indexer.facetdefs import FACETS, FIELD_PARAM, parse_column
from indexer.facetdefs import Facet as FacetDef
from indexer.results import BadParameter, DateBound, Facet, FacetValue, SearchRequest

NO_HIGH = 99999999
DAY_SPAN = 92  # the results (within the date range) span at most this many days: count each day


@dataclass
class Coded:
    """Values as codes into a list of distinct values."""

    codes: np.ndarray  # int32 per row
    values: list[str]
    # built on first use: the rows of each code, grouped
    _groups: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)
    # of a column joined from parts: the parts, and after each, how many rows and values
    _parts: list[Coded] = field(default_factory=list, repr=False, compare=False)
    _ends: list[tuple[int, int]] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def from_values(cls, per_row: list[str]) -> Coded:
        index: dict[str, int] = {}
        codes = np.fromiter(
            (index.setdefault(v, len(index)) for v in per_row), dtype=np.int32, count=len(per_row)
        )
        return cls(codes, list(index))

    @classmethod
    def joined(cls, parts: list[Coded], before: Coded | None = None) -> Coded:
        """Return the parts (one per segment, each with its own values) as one column. The
        parts that begin `before` (a column joined earlier: an index reopened after an
        incremental run keeps its first segments) are taken from it, not joined again."""
        kept = 0
        if before is not None:
            for old, new in zip(before._parts, parts):
                if old is not new:
                    break
                kept += 1
        rows, count = before._ends[kept - 1] if before is not None and kept else (0, 0)
        values = before.values[:count] if before is not None and kept else []
        index = dict(zip(values, range(count)))
        codes = [before.codes[:rows]] if before is not None and kept else []
        ends = before._ends[:kept] if before is not None else []
        for part in parts[kept:]:
            remap = np.array([index.setdefault(v, len(index)) for v in part.values], dtype=np.int32)
            codes.append(remap[part.codes] if len(part.values) else part.codes)
            rows += len(part.codes)
            ends.append((rows, len(index)))
        joined = np.concatenate(codes) if codes else np.zeros(0, np.int32)
        return cls(joined, list(index), _parts=list(parts), _ends=ends)

    def rows(self, codes: np.ndarray) -> np.ndarray:
        """Return the rows (ascending) holding one of the codes, without scanning every row."""
        if self._groups is None:
            order = np.argsort(self.codes, kind="stable")
            starts = np.zeros(len(self.values) + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.codes, minlength=len(self.values)), out=starts[1:])
            self._groups = (order, starts)
        order, starts = self._groups
        parts = [order[starts[c] : starts[c + 1]] for c in codes]
        if len(parts) == 1:  # one value's rows: ascending already (the sort is stable)
            return parts[0]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


@dataclass
class Column:
    """One facet's (document, value) pairs; for a single-valued facet pair i is document i."""

    facet: FacetDef
    coded: Coded  # the value of each pair
    docs: np.ndarray | None  # the document of each pair (None: single-valued)
    labels: dict[str, str] = field(default_factory=dict)  # value -> label, where they differ
    # built on first use: key of a value or of its label -> the value's codes
    _keys: dict[str, list[int]] | None = field(default=None, repr=False, compare=False)
    # built on first use: each value's place in the order of its label (or itself), case folded
    _rank: np.ndarray | None = field(default=None, repr=False, compare=False)

    @classmethod
    def read(cls, facet: FacetDef, per_doc: list[str]) -> Column:
        """Return the column of one segment from each document's column text."""
        if not facet.multi:
            return cls(facet, Coded.from_values(per_doc), None)
        index: dict[str, int] = {}
        labels: dict[str, str] = {}
        docs: list[int] = []
        codes: list[int] = []
        for d, text in enumerate(per_doc):
            if not text:
                continue
            for value, label in parse_column(text):
                docs.append(d)
                codes.append(index.setdefault(value, len(index)))
                if label:
                    labels.setdefault(value, label)
        coded = Coded(np.asarray(codes, dtype=np.int32), list(index))
        return cls(facet, coded, np.asarray(docs, dtype=np.int64), labels)

    @classmethod
    def joined(cls, parts: list[Column], sizes: list[int], before: Column | None = None) -> Column:
        """Return the columns of consecutive segments (of `sizes` documents) as one; the parts
        that begin `before` (joined earlier) are taken from it."""
        labels: dict[str, str] = {}
        for part in parts:
            labels.update({k: v for k, v in part.labels.items() if k not in labels})
        coded = Coded.joined([p.coded for p in parts], before.coded if before else None)
        if parts[0].docs is None:
            return cls(parts[0].facet, coded, None, labels)
        offsets = np.cumsum([0] + sizes[:-1])
        docs = [p.docs + o for p, o in zip(parts, offsets) if p.docs is not None]
        return cls(
            parts[0].facet, coded, np.concatenate(docs) if docs else np.zeros(0, np.int64), labels
        )

    def lend_lookups(self, other: Column) -> None:
        """Take another column's lookups by key and by name (made from the same values and
        labels: an incremental run that added no author or theme), instead of making them."""
        if other.coded.values == self.coded.values and other.labels == self.labels:
            self._keys = self._keys if self._keys is not None else other._keys
            self._rank = self._rank if self._rank is not None else other._rank

    def matching(self, keys: frozenset[str]) -> np.ndarray:
        """Return the codes of the values whose key, or whose label's key, is one of `keys`."""
        if self._keys is None:
            found: dict[str, list[int]] = {}
            for i, v in enumerate(self.coded.values):
                for k in {self.facet.key(v), self.facet.key(self.labels.get(v, v))}:
                    found.setdefault(k, []).append(i)
            self._keys = found
        return np.array(sorted({i for k in keys for i in self._keys.get(k, ())}), dtype=np.int32)

    def mask(self, keys: frozenset[str], size: int) -> np.ndarray | None:
        """Return which documents hold one of the selected values (None: nothing selected)."""
        if not keys:
            return None
        rows = self.coded.rows(self.matching(keys))
        mask = np.zeros(size, dtype=bool)
        mask[rows if self.docs is None else self.docs[rows]] = True
        return mask

    def display_rank(self) -> np.ndarray:
        """Return each value's place when values are listed by their label (or themselves), case
        folded, the empty value last: how tied counts are ordered for readers, worked out once
        per generation (an author facet of a million entries holds hundreds of thousands)."""
        if self._rank is None:
            keys = [(self.labels.get(v) or v).lower() for v in self.coded.values]
            order = sorted(range(len(keys)), key=lambda i: (not self.coded.values[i], keys[i]))
            rank = np.empty(len(keys), dtype=np.int64)
            rank[order] = np.arange(len(keys))
            self._rank = rank
        return self._rank

    def tally(self, docs_mask: np.ndarray) -> np.ndarray:
        """Return how many of the masked documents hold each value."""
        rows = docs_mask if self.docs is None else docs_mask[self.docs]
        return np.bincount(self.coded.codes[rows], minlength=len(self.coded.values))


@dataclass
class FacetTable:
    """Facet values per document number."""

    columns: dict[str, Column]  # by facet name, in the order of the index's facets
    days: np.ndarray  # int32 YYYYMMDD per docnum
    live: np.ndarray  # bool per docnum

    @property
    def facets(self) -> tuple[FacetDef, ...]:
        """Return the facets it holds, in order."""
        return tuple(c.facet for c in self.columns.values())

    @classmethod
    def from_reader(
        cls,
        reader: IndexReader,
        known: dict[str, FacetTable] | None = None,
        facets: Sequence[FacetDef] = FACETS,
        before: dict[str, Column] | None = None,
    ) -> FacetTable:
        """Read the facet columns of every document, segment by segment; `known` keeps each
        segment's table by segment id (a segment's documents never change, only which of them
        are deleted), so reopening an index after an incremental run reads the new segment only
        (the caller forgets segments the index no longer has), and `before` (the columns of
        the index as last opened, by facet) gives the joined columns of the segments kept."""
        parts = []
        for leaf, _ in reader.leaf_readers():
            key = leaf.segment().segment_id() if known is not None else ""
            part = known.get(key) if known is not None else None
            if part is None:
                part = cls._from_leaf(leaf, facets)
                if known is not None:
                    known[key] = part
            live = part.live.copy()
            if leaf.has_deletions():
                live[list(leaf.segment().deleted_docs())] = False
            parts.append((part, live))
        return cls._joined(parts, facets, before or {})

    @classmethod
    def _from_leaf(cls, leaf: IndexReader, facets: Sequence[FacetDef]) -> FacetTable:
        n = leaf.doc_count_all()
        days = np.asarray(_column(leaf, "day", n, 0), dtype=np.int64).astype(np.int32)
        columns = {f.name: Column.read(f, _column(leaf, f.column, n, "")) for f in facets}
        return cls(columns, days, live=days > 0)  # vocabulary documents have day 0

    @classmethod
    def _joined(
        cls,
        parts: list[tuple[FacetTable, np.ndarray]],
        facets: Sequence[FacetDef],
        before: dict[str, Column],
    ) -> FacetTable:
        if len(parts) == 1:
            table, live = parts[0]
            return cls(table.columns, table.days, live)
        if not parts:
            empty = [""] * 0
            return cls(
                {f.name: Column.read(f, empty) for f in facets},
                np.zeros(0, np.int32),
                np.zeros(0, bool),
            )
        sizes = [len(t.days) for t, _ in parts]
        return cls(
            columns={
                f.name: Column.joined(
                    [t.columns[f.name] for t, _ in parts], sizes, before.get(f.name)
                )
                for f in facets
            },
            days=np.concatenate([t.days for t, _ in parts]),
            live=np.concatenate([live for _, live in parts]),
        )


def _column(reader: IndexReader, name: str, n: int, default: object) -> list:
    """Read a column of every document, segment by segment (a segment may lack the column)."""
    out: list = []
    for leaf, _ in reader.leaf_readers():
        count = leaf.doc_count_all()
        if leaf.has_column(name):
            out.extend(
                v.decode("utf-8") if isinstance(v, bytes) else v for v in leaf.column_reader(name)
            )
        else:
            out.extend([default] * count)
    return out


@dataclass(frozen=True)
class FilterSet:
    """A request's selections as keys per facet (see `facetdefs.Facet.key`) and a day range."""

    selected: dict[str, frozenset[str]]
    low: int
    high: int

    @classmethod
    def from_request(
        cls,
        req: SearchRequest,
        labels: dict[str, dict[str, str]] | None = None,
        facets: Sequence[FacetDef] = FACETS,
    ) -> FilterSet:
        """Read the request's selections of the index's `facets` (a field map's facet it does
        not have is a BadParameter); a value may also be named by one of `labels` (per facet,
        value -> label: a theme's label in the taxonomy)."""

        def day(d: DateBound) -> int:
            return d.day.year * 10000 + d.day.month * 100 + d.day.day

        _check_extra(req, facets)
        selected = {}
        for f in facets:
            keys = f.selected(req.selected(f.name))
            named = (labels or {}).get(f.name, {})
            if keys and named:
                keys |= {f.key(v) for v, label in named.items() if f.key(label) in keys}
            selected[f.name] = keys
        return cls(
            selected=selected,
            low=day(req.date_from) if req.date_from else 0,
            high=day(req.date_to) if req.date_to else NO_HIGH,
        )

    @property
    def dated(self) -> bool:
        return bool(self.low) or self.high != NO_HIGH


def _check_extra(req: SearchRequest, facets: Sequence[FacetDef]) -> None:
    """Reject a selection of a field map's facet that the index does not have."""
    own = [f for f in facets if not f.request]
    for name, _ in req.extra:
        if not any(f.name == name for f in own):
            held = ", ".join(f.name for f in own) or "none"
            raise BadParameter(
                FIELD_PARAM + name, f"no facet {name!r} in this index (its field map adds: {held})"
            )


@dataclass
class Tally:
    """A facet's count for each of its values (most are zero)."""

    counts: np.ndarray
    column: Column  # the column the counts are of, to look values and labels up in

    @property
    def names(self) -> list[str]:
        return self.column.coded.values

    def as_dict(self) -> dict[str, int]:
        """Return the values that have a count, with it."""
        return {self.names[i]: int(self.counts[i]) for i in np.flatnonzero(self.counts)}


@dataclass
class Counts:
    """The documents that pass every filter, and the disjunctive counts of each facet."""

    docs: np.ndarray  # docnums, ascending
    tallies: dict[str, Tally]  # by facet name, in the order of the index's facets
    year: dict[int, int]
    month: dict[int, int]
    day: dict[int, int] = field(default_factory=dict)  # YYYYMMDD: only over DAY_SPAN days or less

    @property
    def facets(self) -> tuple[FacetDef, ...]:
        """Return the facets counted, in order."""
        return tuple(t.column.facet for t in self.tallies.values())


def count(table: FacetTable, matched: np.ndarray, fs: FilterSet) -> Counts:
    """Filter the matched documents (a bool mask) and count every facet, each ignoring its own selection."""
    base = matched & table.live
    masks = {
        name: col.mask(fs.selected.get(name, frozenset()), len(base))
        for name, col in table.columns.items()
    }
    d = (table.days >= fs.low) & (table.days <= fs.high) if fs.dated else None
    undated = _all(base, *masks.values())
    tallies = {
        name: Tally(col.tally(_all(base, d, *(m for k, m in masks.items() if k != name))), col)
        for name, col in table.columns.items()
    }
    days = table.days[undated]
    return Counts(
        docs=np.flatnonzero(undated if d is None else undated & d),
        tallies=tallies,
        year=_by(days // 10000),
        month=_by(days // 100),
        day=_days(days, fs),
    )


def _days(days: np.ndarray, fs: FilterSet) -> dict[int, int]:
    """Count the days the results fall on, within the date range, when they span DAY_SPAN days
    or less (a few days' messages need bars per day; years of posts must not send thousands)."""
    days = days[(days >= fs.low) & (days <= fs.high) & (days > 0)]
    if not len(days):
        return {}
    first, last = (_date(int(d)) for d in (days.min(), days.max()))
    if (last - first).days >= DAY_SPAN:
        return {}
    return _by(days)


def _date(day: int) -> dt.date:
    return dt.date(day // 10000, day // 100 % 100, day % 100)


def _all(base: np.ndarray, *masks: np.ndarray | None) -> np.ndarray:
    out = base
    for mask in masks:
        if mask is not None:
            out = out & mask
    return out


def _by(keys: np.ndarray) -> dict[int, int]:
    values, counts = np.unique(keys, return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts)}


def facets(
    counts: Counts,
    req: SearchRequest,
    labels: dict[str, dict[str, str]] | None = None,
    size: int = 0,
) -> tuple[Facet, ...]:
    """Return the facets in the shared result shape, most frequent values first (`size` of them,
    0: all); `labels` adds labels per facet (a theme's from the taxonomy) over the index's own."""
    fs = FilterSet.from_request(req, labels, counts.facets)
    year = tuple(
        FacetValue(str(y), c, fs.dated and fs.low // 10000 <= y <= fs.high // 10000)
        for y, c in sorted(counts.year.items())
        if y
    )
    month = tuple(
        FacetValue(
            f"{m // 100:04d}-{m % 100:02d}", c, fs.dated and fs.low // 100 <= m <= fs.high // 100
        )
        for m, c in sorted(counts.month.items())
        if m
    )
    valued = tuple(
        Facet(
            f.name,
            _values(
                counts.tallies[f.name],
                fs.selected[f.name],
                {**counts.tallies[f.name].column.labels, **(labels or {}).get(f.name, {})},
                size,
                own_labels=not (labels or {}).get(f.name),
            ),
            int(np.count_nonzero(counts.tallies[f.name].counts)),
            f.title,
            f.param,
        )
        for f in counts.facets
    )
    day = tuple(
        FacetValue(_date(d).isoformat(), c, fs.dated and fs.low <= d <= fs.high)
        for d, c in sorted(counts.day.items())
    )
    dated = (Facet("year", year, title="Year"), Facet("month", month, title="Month"))
    return valued + dated + ((Facet("day", day, title="Day"),) if day else ())


def _values(
    tally: Tally,
    selected: frozenset[str],
    labels: dict[str, str],
    size: int,
    own_labels: bool = False,
) -> tuple[FacetValue, ...]:
    counts, names = tally.counts, tally.names
    chosen = {int(i) for i in tally.column.matching(selected)} if selected else set()
    shown = np.flatnonzero(counts)
    if size and len(shown) > size:
        # the `size` largest counts (all values tied at the cut compete), without sorting them all
        cut = counts[shown[np.argpartition(-counts[shown], size - 1)[:size]]].min()
        above, tied = shown[counts[shown] > cut], shown[counts[shown] == cut]
        need = size - len(above)  # at least 1: the cut is one of the `size` largest
        if own_labels and len(tied) > need:
            # thousands of authors once each: the first by name win the tie, found by the
            # column's ranks rather than by making and sorting a value for each of them
            rank = tally.column.display_rank()
            tied = tied[np.argpartition(rank[tied], need - 1)[:need]]
        shown = np.concatenate([above, tied])
    rows = [
        FacetValue(names[i], int(counts[i]), int(i) in chosen, labels.get(names[i], ""))
        for i in shown
        if names[i]
    ]
    rows.sort(key=lambda r: (-r.count, (r.label or r.value).lower()))
    if size:
        rows = rows[:size]
        present = {r.value for r in rows}
        rows += [
            FacetValue(names[i], int(counts[i]), True, labels.get(names[i], ""))
            for i in sorted(chosen)
            if names[i] not in present and counts[i]
        ]
    # a selected value with no matches still shows, so it can be removed
    key = tally.column.facet.key
    present_keys = {key(r.value) for r in rows} | {key(r.label) for r in rows if r.label}
    present_keys |= {key(names[i]) for i in chosen if counts[i]}
    rows += [
        FacetValue(v, 0, True, labels.get(v, "")) for v in sorted(selected) if v not in present_keys
    ]
    return tuple(rows)
