"""Bars of results per year, month or day, each a plain link that narrows the date range to it.

The year and month facets of the core ignore the date range, so the bars keep showing the whole
spread while the range is marked on them: clicking a bar sets the range to that bar, clicking
the bar the range already is clears it. Days are shown when the core counted them (the results
within the range fall on DAY_SPAN days or fewer: the Commons' messages, or one chosen month),
months when the results (or the range) span three years or less, years otherwise.

Labels never overlap: `_thin` keeps a label only where there is room for it beside the last
one kept, reckoned for a wide column, and marks the ones a phone (~300 px of bars) has no room
for as minor (the page hides them on narrow screens).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from indexer.results import SearchRequest, SearchResult
from webapp.state import SearchState

LEVELS = 20
MONTH_SPAN_YEARS = 3
MONTHS_NAMED = 12  # past this many month bars, only years are written under them
CHAR_PX = 7.5  # a label's character, at the label's size
ROOM_PX = {"wide": 560, "phone": 290}  # the width the bars have
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Bar:
    key: str  # "2025" or "2025-10"
    label: str  # "2025" or "Oct"; empty when the bars are too many to name each
    sublabel: str  # the year under the first month and every January; else empty
    title: str  # "October 2025: 3 entries"
    count: int
    level: int  # 0..LEVELS, for the CSS class that sets the bar's height
    in_range: bool
    url: str
    minor: bool = False  # labelled where there is room, but not on a phone


@dataclass(frozen=True)
class Histogram:
    unit: str  # "year", "month" or "day"
    bars: tuple[Bar, ...]
    clear_url: str | None  # set when a date range is selected

    @property
    def narrowed(self) -> bool:
        """Tell whether some bars are outside the date range (so the range is worth marking)."""
        return any(not b.in_range for b in self.bars)


def counts(result: SearchResult, name: str) -> dict[str, int]:
    """Return a facet's nonzero counts by value, or {} if the core gave no such facet."""
    facet = next((f for f in result.facets if f.name == name), None)
    return {v.value: v.count for v in facet.results if v.count} if facet else {}


def _span(req: SearchRequest, years: dict[str, int]) -> tuple[int, int] | None:
    lows = [int(y) for y in years]
    low = req.date_from.day.year if req.date_from else (min(lows) if lows else None)
    high = req.date_to.day.year if req.date_to else (max(lows) if lows else None)
    if low is None or high is None:
        return None
    if req.date_from and not req.date_to:
        high = max([low, *lows])
    if req.date_to and not req.date_from:
        low = min([high, *lows])
    return low, high


def _in_range(req: SearchRequest, first: dt.date, last: dt.date) -> bool:
    after_start = req.date_from is None or last >= req.date_from.day
    before_end = req.date_to is None or first <= req.date_to.day
    return after_start and before_end


def _level(count: int, top: int) -> int:
    return 0 if not count else max(1, round(count * LEVELS / max(top, 1)))


def _bar(
    state: SearchState,
    req: SearchRequest,
    key: str,
    label: tuple[str, str],
    title: str,
    count: int,
    top: int,
    first: dt.date,
    last: dt.date,
) -> Bar:
    exact = req.date_from and req.date_to and (req.date_from.text, req.date_to.text) == (key, key)
    url = state.range_url(None, None) if exact else state.range_url(key, key)
    noun = "entry" if count == 1 else "entries"
    return Bar(
        key,
        label[0],
        label[1],
        f"{title}: {count} {noun}",
        count,
        _level(count, top),
        _in_range(req, first, last),
        url,
    )


def build(result: SearchResult, state: SearchState) -> Histogram | None:
    """Return the bars for a result, or None when there is nothing to draw."""
    req = result.request
    years, months = counts(result, "year"), counts(result, "month")
    span = _span(req, years)
    if span is None:
        return None
    low, high = span
    clear = state.range_url(None, None) if (req.date_from or req.date_to) else None
    days = counts(result, "day")
    if high - low + 1 <= MONTH_SPAN_YEARS and days:
        return Histogram("day", _thin(_day_bars(state, req, days)), clear)
    if high - low + 1 <= MONTH_SPAN_YEARS and months:
        return Histogram("month", _thin(_month_bars(state, req, months, low, high)), clear)
    return Histogram("year", _thin(_year_bars(state, req, years, low, high)), clear)


def _thin(bars: tuple[Bar, ...]) -> tuple[Bar, ...]:
    """Drop the labels there is no room for beside the previous one; mark minor those a phone
    has no room for."""
    if not bars:
        return bars
    per_bar = {k: room / len(bars) for k, room in ROOM_PX.items()}
    out, ends = [], {"wide": -1e9, "phone": -1e9}  # where the last label kept ends, in px
    for i, bar in enumerate(bars):
        width = max(len(bar.label), len(bar.sublabel)) * CHAR_PX
        if not width:
            out.append(bar)
            continue
        start = {k: (i + 0.5) * w - width / 2 for k, w in per_bar.items()}
        if start["wide"] < ends["wide"] + CHAR_PX:
            out.append(replace(bar, label="", sublabel=""))
            continue
        ends["wide"] = start["wide"] + width
        minor = start["phone"] < ends["phone"] + CHAR_PX
        if not minor:
            ends["phone"] = start["phone"] + width
        out.append(replace(bar, minor=minor))
    return tuple(out)


def _day_bars(state: SearchState, req: SearchRequest, days: dict[str, int]) -> tuple[Bar, ...]:
    first, last = dt.date.fromisoformat(min(days)), dt.date.fromisoformat(max(days))
    top = max(days.values(), default=0)
    bars = []
    for n in range((last - first).days + 1):
        day = first + dt.timedelta(days=n)
        key = day.isoformat()
        month = f"{MONTHS[day.month - 1]} {day.year}" if n == 0 or day.day == 1 else ""
        title = f"{day.day} {day:%B %Y}"
        bars.append(
            _bar(state, req, key, (str(day.day), month), title, days.get(key, 0), top, day, day)
        )
    return tuple(bars)


def _year_bars(
    state: SearchState, req: SearchRequest, years: dict[str, int], low: int, high: int
) -> tuple[Bar, ...]:
    top = max(years.values(), default=0)
    return tuple(
        _bar(
            state,
            req,
            str(y),
            (str(y), ""),
            str(y),
            years.get(str(y), 0),
            top,
            dt.date(y, 1, 1),
            dt.date(y, 12, 31),
        )
        for y in range(low, high + 1)
    )


def _month_bars(
    state: SearchState, req: SearchRequest, months: dict[str, int], low: int, high: int
) -> tuple[Bar, ...]:
    keys = [f"{y:04d}-{m:02d}" for y in range(low, high + 1) for m in range(1, 13)]
    if months:  # none before the first month with entries, none after the last
        keys = [k for k in keys if min(months) <= k <= max(months)]
    top = max((months.get(k, 0) for k in keys), default=0)
    bars = []
    for key in keys:
        y, m = int(key[:4]), int(key[5:])
        last = dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        marks_year = m == 1 or key == keys[0]
        if len(keys) > MONTHS_NAMED:
            label = (str(y) if marks_year else "", "")
        else:
            label = (MONTHS[m - 1], str(y) if marks_year else "")
        bars.append(
            _bar(
                state,
                req,
                key,
                label,
                f"{dt.date(y, m, 1):%B %Y}",
                months.get(key, 0),
                top,
                dt.date(y, m, 1),
                last,
            )
        )
    return tuple(bars)


def timeline(months: dict[str, int], keys: list[str], state: SearchState) -> tuple[Bar, ...]:
    """Return a small month-by-month timeline over the given months (for /themes)."""
    req = SearchRequest()
    top = max(months.values(), default=0)
    return tuple(
        _bar(
            state,
            req,
            k,
            (k, ""),
            f"{dt.date(int(k[:4]), int(k[5:]), 1):%B %Y}",
            months.get(k, 0),
            top,
            dt.date(int(k[:4]), int(k[5:]), 1),
            dt.date(int(k[:4]), int(k[5:]), 1),
        )
        for k in keys
    )
