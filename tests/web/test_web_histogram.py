"""Histogram bars per year or month, each narrowing the date range."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

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


def days_result(days: dict[str, int], req: SearchRequest | None = None) -> SearchResult:
    years: dict[str, int] = {}
    months: dict[str, int] = {}
    for k, v in days.items():
        years[k[:4]] = years.get(k[:4], 0) + v
        months[k[:7]] = months.get(k[:7], 0) + v
    base = result(years, months, req)
    day = Facet("day", tuple(FacetValue(k, v, False) for k, v in days.items()))
    return SearchResult(base.request, base.total, (), base.facets + (day,))


def test_days_when_the_core_counted_days():
    h = histogram.build(days_result({"2026-02-12": 141, "2026-02-14": 1}), SearchState(()))
    assert h.unit == "day"
    assert [b.key for b in h.bars] == ["2026-02-12", "2026-02-13", "2026-02-14"]
    assert [b.label for b in h.bars] == ["12", "13", "14"]
    assert h.bars[0].sublabel == "Feb 2026" and h.bars[1].sublabel == ""
    assert h.bars[0].title == "12 February 2026: 141 entries"
    assert h.bars[0].url == "/search?from=2026-02-12&to=2026-02-12"
    assert not any(b.minor for b in h.bars)


def test_a_chosen_day_clears_when_clicked_again():
    req = SearchRequest(
        date_from=bound("2026-02-12", dt.date(2026, 2, 12)),
        date_to=bound("2026-02-12", dt.date(2026, 2, 12)),
    )
    state = SearchState((("from", "2026-02-12"), ("to", "2026-02-12")))
    h = histogram.build(days_result({"2026-02-12": 3, "2026-02-13": 1}, req), state)
    assert h.bars[0].url == "/search" and h.bars[0].in_range and not h.bars[1].in_range


def label_spans(bars, room: float, minor_shown: bool) -> list[tuple[float, float]]:
    per = room / len(bars)
    spans = []
    for i, b in enumerate(bars):
        width = max(len(b.label), len(b.sublabel)) * histogram.CHAR_PX
        if width and (minor_shown or not b.minor):
            spans.append(((i + 0.5) * per - width / 2, (i + 0.5) * per + width / 2))
    return spans


@pytest.mark.parametrize("days", [2, 12, 31, 45, 91], ids=lambda n: f"{n}-days")
def test_labels_never_overlap_wide_or_on_a_phone(days):
    start = dt.date(2025, 12, 20)
    counts = {(start + dt.timedelta(days=n)).isoformat(): n + 1 for n in range(days)}
    h = histogram.build(days_result(counts), SearchState(()))
    for room, minor_shown in (
        (histogram.ROOM_PX["wide"], True),
        (histogram.ROOM_PX["phone"], False),
    ):
        spans = label_spans(h.bars, room, minor_shown)
        assert spans and all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), (days, room)
    assert h.bars[0].label == "20" and h.bars[0].sublabel == "Dec 2025"


def test_ten_years_show_years_and_a_phone_skips_every_other_label():
    years = {str(y): y - 2010 for y in range(2015, 2025)}
    h = histogram.build(result(years, {f"{y}-05": c for y, c in years.items()}), SearchState(()))
    assert h.unit == "year" and len(h.bars) == 10
    assert all(b.label for b in h.bars)
    phone = [b.label for b in h.bars if not b.minor]
    assert 3 <= len(phone) < 10
    spans = label_spans(h.bars, histogram.ROOM_PX["phone"], False)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
