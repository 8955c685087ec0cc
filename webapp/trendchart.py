"""Theme trends drawn as one inline SVG: each theme's share of all entries per month as a line.

Moving parts: the scale (`_scale`: a round top share and its ticks), the month axis (`_months`:
the first month and each January, thinned so labels never meet), and each theme's `Line` (a
path broken where a month has no entries, markers of its own shape, a dash of its own): colour
is never the only cue. The template (_trends.html) writes the SVG; the table beside it reads
the same `ThemeTrends`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indexer.results import ThemeSeries, ThemeTrends

WIDTH, HEIGHT = 640, 240  # SVG units
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 30  # room for the share and month labels
MARKED_MONTHS = 48  # past this many months, only a point with no line to it has a marker
LABEL_ROOM = 56  # SVG units between two month labels
DASHES = (("", "solid"), ("8 4", "dashed"), ("2 3", "dotted"), ("10 3 2 3", "dash-dot"),
          ("14 5", "long dashes"), ("4 4", "short dashes"))  # fmt: skip
SHAPES = ("circle", "square", "triangle", "diamond", "plus", "cross")
TOPS = ((0.01, 4), (0.02, 4), (0.05, 5), (0.1, 5), (0.2, 4), (0.3, 3), (0.4, 4), (0.6, 3),
        (0.8, 4), (1.0, 4))  # fmt: skip


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in SVG units
    text: str


@dataclass(frozen=True)
class Line:
    slug: str
    label: str
    number: int  # 1.., for the CSS class that gives its colour
    dash: str  # stroke-dasharray, "" for solid
    stroke: str  # the dash's name, said in the legend
    shape: str  # the marker's name, said in the legend
    path: str
    markers: str  # one path of every marker (of lone points only, when months are many)
    sample: str  # the legend's marker


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    top: int
    bottom: int  # y of the plot's bottom edge
    lines: tuple[Line, ...]
    shares: tuple[Tick, ...]
    months: tuple[Tick, ...]
    summary: str


def month_name(key: str) -> str:
    """Return "2025-03" as "March 2025"."""
    return f"{dt.date(int(key[:4]), int(key[5:]), 1):%B %Y}"


def percent(share: float | None, digits: int = 1) -> str:
    """Return a share as a percentage ("33.3%"), or "–" when there is none."""
    if share is None:
        return "–"
    text = f"{share * 100:.{digits}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def chart(trends: ThemeTrends) -> Chart:
    """Return the chart of the themes' shares per month."""
    top, ticks = _scale(trends)
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    shares = tuple(Tick(_y(t, top), percent(t, 2)) for t in ticks)
    lines = tuple(_line(s, i, trends, top) for i, s in enumerate(trends.themes))
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        right,
        TOP,
        bottom,
        lines,
        shares,
        _months(trends.months),
        summary(trends),
    )


def summary(trends: ThemeTrends) -> str:
    """Return what the chart shows, in words: the span and each theme's highest share."""
    if not trends.months:
        return "Share of entries per month: the archive has no dated entries yet."
    span = f"{month_name(trends.months[0])} to {month_name(trends.months[-1])}"
    parts = [f"Share of all entries per month, {span}."]
    for s in trends.themes:
        known = [(v, i) for i, v in enumerate(s.shares) if v]
        if not known:
            parts.append(f"{s.label}: no entries.")
            continue
        share, i = max(known, key=lambda vi: (vi[0], -vi[1]))
        parts.append(
            f"{s.label}: highest {percent(share)} in {month_name(trends.months[i])} "
            f"({s.counts[i]} of {trends.entries[i]}), {s.total} in all."
        )
    return " ".join(parts)


def _scale(trends: ThemeTrends) -> tuple[float, list[float]]:
    """Return the round share the plot tops at and the shares ticked on its axis."""
    most = max((v for s in trends.themes for v in s.shares if v is not None), default=0.0)
    top, parts = next((t, n) for t, n in TOPS if most <= t + 1e-9)
    return top, [top * k / parts for k in range(parts + 1)]


def _x(i: int, n: int) -> float:
    width = WIDTH - RIGHT - LEFT
    return LEFT + (width / 2 if n < 2 else i * width / (n - 1))


def _y(share: float, top: float) -> float:
    return HEIGHT - BOTTOM - share / top * (HEIGHT - BOTTOM - TOP)


def _months(keys: tuple[str, ...]) -> tuple[Tick, ...]:
    """Return the month axis' labels: the first month, then each January, never too close."""
    ticks: list[Tick] = []
    for i, key in enumerate(keys):
        if i and not key.endswith("-01"):
            continue
        x = _x(i, len(keys))
        text = f"{month_name(key)[:3]} {key[:4]}" if i == 0 and not key.endswith("-01") else key[:4]
        if ticks and x - ticks[-1].at < LABEL_ROOM:
            continue
        ticks.append(Tick(round(x, 1), text))
    return tuple(ticks)


def _line(s: ThemeSeries, i: int, trends: ThemeTrends, top: float) -> Line:
    n = len(trends.months)
    points = [(_x(k, n), _y(v, top)) if v is not None else None for k, v in enumerate(s.shares)]
    path, pen = [], "M"
    for p in points:
        if p is None:
            pen = "M"
            continue
        path.append(f"{pen}{p[0]:.1f} {p[1]:.1f}")
        pen = "L"
    shape = SHAPES[i % len(SHAPES)]
    shown = [p for k, p in enumerate(points) if p and (n <= MARKED_MONTHS or _alone(points, k))]
    markers = "".join(_marker(shape, *p) for p in shown)
    dash, stroke = DASHES[i % len(DASHES)]
    return Line(
        s.slug, s.label, i + 1, dash, stroke, shape, "".join(path), markers, _marker(shape, 14, 8)
    )


def _alone(points: list[tuple[float, float] | None], k: int) -> bool:
    """Tell whether a point has no neighbour to draw a line to (a month between empty ones)."""
    return (k == 0 or points[k - 1] is None) and (k == len(points) - 1 or points[k + 1] is None)


def _marker(shape: str, x: float, y: float) -> str:
    """Return the path of one marker centred on (x, y)."""
    at = f"M{x:.1f} {y:.1f}"
    return {
        "circle": f"{at}m-3.5 0a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0",
        "square": f"{at}m-3 -3h6v6h-6z",
        "triangle": f"{at}m0 -4l4 7h-8z",
        "diamond": f"{at}m0 -4.5l4.5 4.5l-4.5 4.5l-4.5 -4.5z",
        "plus": f"{at}m-4 0h8m-4 -4v8",
        "cross": f"{at}m-3.5 -3.5l7 7m0 -7l-7 7",
    }[shape]


@dataclass(frozen=True)
class Row:
    month: str  # "March 2025"
    entries: int  # all the archive's entries that month
    themes: tuple[tuple[int, str], ...]  # per theme: its entries and its share as a percentage


def table_rows(trends: ThemeTrends) -> tuple[Row, ...]:
    """Return the table beside the chart: one row per month, each theme's entries and share."""
    return tuple(
        Row(
            month_name(key),
            trends.entries[i],
            tuple((s.counts[i], percent(s.shares[i])) for s in trends.themes),
        )
        for i, key in enumerate(trends.months)
    )
