"""Theme trends: each theme's entries per month and its share of all the entries of that month,
over the archive's whole span of months (first entry's month to last's).

A month without entries has no share (None), never 0; a theme the taxonomy names but no entry
holds has a series of zeros; a slug neither the taxonomy nor any entry knows is `UnknownTheme`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from indexer.facetdefs import BY_NAME
from indexer.facets import FacetTable
from indexer.results import BadParameter, ThemeSeries, ThemeTrends

MAX_THEMES = 6  # themes compared on one chart: past this, lines can no longer be told apart


class UnknownTheme(LookupError):
    """A theme slug that neither the taxonomy nor any entry has."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"no theme {slug!r} in the archive")
        self.slug = slug


def month_range(first: int, last: int) -> list[int]:
    """Return every month (YYYYMM) from first to last, both included."""
    out, y, m = [], first // 100, first % 100
    while y * 100 + m <= last:
        out.append(y * 100 + m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_text(month: int) -> str:
    """Return a YYYYMM month as "YYYY-MM"."""
    return f"{month // 100:04d}-{month % 100:02d}"


def chosen(slugs: Sequence[str], most: int = MAX_THEMES) -> tuple[str, ...]:
    """Return the slugs once each, in order, checking there are 1 to `most` of them."""
    unique = tuple(dict.fromkeys(slugs))
    if not unique:
        raise BadParameter("theme", "expected at least one theme, got none")
    if len(unique) > most:
        raise BadParameter("theme", f"at most {most} themes are compared, got {len(unique)}")
    return unique


def trends(
    table: FacetTable, slugs: Sequence[str], known: Mapping[str, str], most: int = MAX_THEMES
) -> ThemeTrends:
    """Return the themes' entries and shares per month; `known` maps the taxonomy's slugs and
    any other labelled theme to their labels; `most` themes at a time (a chart's lines)."""
    wanted = chosen(slugs, most)
    live = table.live & (table.days > 0)
    months = table.days[live] // 100
    if not len(months):
        keys: list[int] = []
    else:
        keys = month_range(int(months.min()), int(months.max()))
    where = {k: i for i, k in enumerate(keys)}
    every = _per_month(months, where, len(keys))
    series = tuple(_series(table, live, slug, known, where, every) for slug in wanted)
    return ThemeTrends(tuple(month_text(k) for k in keys), every, series)


def _per_month(months: np.ndarray, where: dict[int, int], size: int) -> tuple[int, ...]:
    """Return how many of the months fall in each of the span's months."""
    counts = np.zeros(size, dtype=np.int64)
    for m, n in zip(*np.unique(months, return_counts=True), strict=True):
        counts[where[int(m)]] = n
    return tuple(int(c) for c in counts)


def _series(
    table: FacetTable,
    live: np.ndarray,
    slug: str,
    known: Mapping[str, str],
    where: dict[int, int],
    every: tuple[int, ...],
) -> ThemeSeries:
    """Return one theme's series, or raise UnknownTheme."""
    column = table.columns["theme"]
    mask = column.mask(frozenset([BY_NAME["theme"].key(slug)]), len(table.live))
    held = np.flatnonzero(mask & live) if mask is not None else np.zeros(0, dtype=np.int64)
    if not len(held) and slug not in known:
        raise UnknownTheme(slug)
    counts = _per_month(table.days[held] // 100, where, len(every))
    shares = tuple(c / n if n else None for c, n in zip(counts, every, strict=True))
    label = known.get(slug) or column.labels.get(slug) or slug
    return ThemeSeries(slug, label, len(held), counts, shares)
