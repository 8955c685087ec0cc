"""Theme trends: /trends compares themes' shares of entries per month on one chart, and
/trends.csv gives the series; each theme's own page shows its trend too (browse.py)."""

from __future__ import annotations

import csv
import io
import re

from flask import Blueprint, Response, render_template, request

from indexer import pages
from indexer.results import ThemeTrends
from indexer.trends import MAX_THEMES
from webapp import caching, trendchart
from webapp.core import library
from webapp.exporting import neutralise

bp = Blueprint("trends", __name__)
CSV_COLUMNS = ("month", "theme", "entries", "all_entries", "share")
_UNSAFE = re.compile(r"[^a-z0-9-]+")


def trend_parts(trends: ThemeTrends) -> dict[str, object]:
    """Return what the templates draw of a trend: the series, the chart and the table's rows."""
    return {
        "trend": trends,
        "chart": trendchart.chart(trends),
        "trend_rows": trendchart.table_rows(trends),
    }


@bp.get("/trends")
def compare() -> tuple[str, int]:
    slugs = request.args.getlist("theme")
    found = pages.trends_page(library(), slugs)
    parts = trend_parts(found.trends) if found.trends else {}
    error, status = "", 200
    if found.too_many:  # the form again, with what to change
        error, status = f"Choose at most {MAX_THEMES} themes: {len(set(slugs))} were chosen.", 400
    page = render_template(
        "trends.html",
        choices=found.choices,
        chosen=set(slugs),
        most=MAX_THEMES,
        error=error,
        **parts,
    )
    return page, status


@bp.get("/trends.csv")
@caching.validated
def compare_csv() -> Response:
    trends = library().theme_trends(request.args.getlist("theme"))
    resp = Response(csv_text(trends), mimetype="text/csv")
    name = "-".join(_UNSAFE.sub("-", t.slug.lower()) for t in trends.themes)[:80]
    resp.headers["Content-Disposition"] = f'attachment; filename="trends-{name}.csv"'
    return resp


def csv_text(trends: ThemeTrends) -> str:
    """Return the series as CSV: one row per month per theme, the share a fraction (0 to 1)
    left empty in a month without entries."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for i, month in enumerate(trends.months):
        for s in trends.themes:
            share = s.shares[i]
            writer.writerow(
                [
                    month,
                    neutralise(s.slug),
                    s.counts[i],
                    trends.entries[i],
                    "" if share is None else f"{share:.4f}",
                ]
            )
    return out.getvalue()
