"""A theme's entries per month as one small inline SVG: a single stepped path, a few hundred
bytes however many months it spans (the /themes page draws one per theme)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HEIGHT = 20  # SVG units; each month is one unit wide


@dataclass(frozen=True)
class Sparkline:
    path: str  # the SVG path's `d`
    width: int  # months drawn
    label: str  # what a screen reader hears: the span, the total and the busiest month
    first: str  # "March 2014"
    last: str


def _month(key: str) -> str:
    return f"{dt.date(int(key[:4]), int(key[5:]), 1):%B %Y}"


def step_path(counts: list[int]) -> str:
    """Return a closed stepped path of bars, one unit wide each, scaled to the largest."""
    top = max(counts, default=0) or 1
    parts, level, run = ["M0 20"], 0, 0
    for count in counts:
        height = 0 if not count else max(1, round(count * HEIGHT / top))
        if height != level:
            if run:
                parts.append(f"h{run}")
            parts.append(f"V{HEIGHT - height}")
            level, run = height, 0
        run += 1
    if run:
        parts.append(f"h{run}")
    return "".join(parts) + "V20Z"


def sparkline(months: dict[str, int], keys: list[str]) -> Sparkline:
    """Return the sparkline of a theme's counts by month ("2025-10") over the given months."""
    counts = [months.get(k, 0) for k in keys]
    first, last = (_month(keys[0]), _month(keys[-1])) if keys else ("", "")
    label = f"Entries per month, {first} to {last}: " if keys else "Entries per month: "
    if any(counts):
        peak = max(range(len(counts)), key=lambda i: counts[i])
        noun = "entry" if counts[peak] == 1 else "entries"
        label += f"most in {_month(keys[peak])} ({counts[peak]} {noun})"
    else:
        label += "none yet"
    return Sparkline(step_path(counts), len(keys), label, first, last)
