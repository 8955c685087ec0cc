"""Histogram bars per year or month, each narrowing the date range."""

from __future__ import annotations

import datetime as dt

from indexer.results import DateBound, Facet, FacetValue, SearchRequest, SearchResult
from webapp import histogram
from webapp.state import SearchState


def result(
    years: dict[str, int], months: dict[str, int], req: SearchRequest | None = None
) -> SearchResult:
    facets = (
        Facet("year", tuple(FacetValue(k, v, False) for k, v in years.items())),
        Facet("month", tuple(FacetValue(k, v, False) for k, v in months.items())),
    )
    return SearchResult(req or SearchRequest(), sum(years.values()), (), facets)


def bound(text: str, day: dt.date) -> DateBound:
    return DateBound(text, day)


def test_years_when_the_results_span_more_than_three_years():
    h = histogram.build(
        result({"2019": 2, "2025": 4}, {"2019-01": 2, "2025-03": 4}), SearchState(())
    )
    assert h.unit == "year"
    assert [b.key for b in h.bars] == [str(y) for y in range(2019, 2026)]
    assert [b.count for b in h.bars][:2] == [2, 0]
    assert h.bars[-1].level == histogram.LEVELS and h.bars[0].level == 10
    assert h.bars[0].url == "/search?from=2019&to=2019"
    assert h.clear_url is None


def test_months_when_the_results_span_three_years_or_less():
    h = histogram.build(result({"2025": 3}, {"2025-10": 1, "2025-12": 2}), SearchState(()))
    assert h.unit == "month"
    assert [b.key for b in h.bars] == ["2025-10", "2025-11", "2025-12"]
    assert h.bars[1].count == 0 and h.bars[1].level == 0
    assert h.bars[0].title == "October 2025: 1 entry"


def test_range_marks_bars_and_clicking_the_range_clears_it():
    req = SearchRequest(
        date_from=bound("2025", dt.date(2025, 1, 1)), date_to=bound("2025", dt.date(2025, 12, 31))
    )
    state = SearchState((("from", "2025"), ("to", "2025")))
    h = histogram.build(result({"2024": 1, "2025": 3}, {"2024-05": 1, "2025-10": 3}, req), state)
    assert h.unit == "month"  # the chosen year, month by month, up to the last entry
    assert [b.key for b in h.bars] == [f"2025-{m:02d}" for m in range(1, 11)]
    assert all(b.in_range for b in h.bars) and not h.narrowed
    assert h.clear_url == "/search"


def test_a_range_within_the_span_marks_the_bars_inside_it():
    req = SearchRequest(
        date_from=bound("2025-10", dt.date(2025, 10, 1)),
        date_to=bound("2026", dt.date(2026, 12, 31)),
    )
    state = SearchState((("from", "2025-10"), ("to", "2026")))
    h = histogram.build(
        result({"2025": 2, "2026": 1}, {"2025-06": 1, "2025-11": 1, "2026-02": 1}, req), state
    )
    assert h.bars[0].key == "2025-06" and h.bars[-1].key == "2026-02"
    assert [b.key for b in h.bars if not b.in_range] == ["2025-06", "2025-07", "2025-08", "2025-09"]
    assert h.narrowed


def test_nothing_to_draw():
    assert histogram.build(result({}, {}), SearchState(())) is None


def test_month_keys_fill_gaps():
    assert histogram.month_keys({"2025-11": 1, "2026-02": 1}) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
