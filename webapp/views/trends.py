"""Theme trends: /trends compares themes' shares of entries per month on one chart, and
/trends.csv gives the series; each theme's own page shows its trend too (browse.py)."""

from __future__ import annotations

import csv
import io
import re

from flask import Blueprint, Response, render_template, request

from indexer.results import BadParameter, SearchRequest, ThemeTrends
from indexer.trends import MAX_THEMES
from webapp import caching, trendchart
from webapp.core import library
from webapp.exporting import neutralise

bp = Blueprint("trends", __name__)
CSV_COLUMNS = ("month", "theme", "entries", "all_entries", "share")
_UNSAFE = re.compile(r"[^a-z0-9-]+")


def trend_parts(trends: ThemeTrends) -> dict[str, object]:
    """Return what the templates draw of a trend: the series, the chart and the table's rows."""
    return {"trend": trends, "chart": trendchart.chart(trends),
            "trend_rows": trendchart.table_rows(trends)}


def theme_choices() -> list[tuple[str, str, int]]:
    """Return every theme as (slug, label, entries), most entries first."""
    lib = library()
    result = lib.search(SearchRequest(per_page=1))
    facet = next((f for f in result.facets if f.name == "theme"), None)
    counts = {v.value: v.count for v in facet.results} if facet else {}
    labels = lib.labels("theme")
    slugs = list(lib.taxonomy()) + sorted(set(counts) - set(lib.taxonomy()))
    rows = [(s, labels.get(s, s), counts.get(s, 0)) for s in slugs]
    return sorted(rows, key=lambda r: (-r[2], r[1].casefold()))


@bp.get("/trends")
def compare() -> tuple[str, int]:
    slugs = request.args.getlist("theme")
    parts: dict[str, object] = {}
    error, status = "", 200
    try:
        parts = trend_parts(library().theme_trends(slugs)) if slugs else {}
    except BadParameter:  # too many: the form again, with what to change
        error, status = f"Choose at most {MAX_THEMES} themes: {len(set(slugs))} were chosen.", 400
    page = render_template("trends.html", choices=theme_choices(), chosen=set(slugs),
                           most=MAX_THEMES, error=error, **parts)
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
            writer.writerow([month, neutralise(s.slug), s.counts[i], trends.entries[i],
                             "" if share is None else f"{share:.4f}"])
    return out.getvalue()
