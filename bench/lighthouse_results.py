"""Write the scores of bench/lighthouse.sh's reports to bench/RESULTS.md under "## Lighthouse".

Usage: python bench/lighthouse_results.py REPORTS_DIR RUNS NAME… (NAME-1.json … NAME-RUNS.json
are Lighthouse reports of one page; the one with the median performance score is shown, with the
range of the performance scores over the runs).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from results_md import put_section

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
NOTES = {
    "search": "a search with words or filters is `noindex, follow` by design (each query is a "
    "URL), so SEO's *Page is blocked from indexing* fails there; `/search` without parameters, "
    "entries, themes, authors and sections are indexed",
}


def score(report: dict, category: str) -> int:
    return round(100 * (report["categories"][category]["score"] or 0))


def median(runs: list[dict]) -> dict:
    """Return the run whose performance score is the median."""
    return sorted(runs, key=lambda r: score(r, "performance"))[len(runs) // 2]


def row(name: str, runs: list[dict]) -> str:
    report = median(runs)
    scores = [str(score(report, c)) for c in CATEGORIES]
    low, high = (
        min(score(r, "performance") for r in runs),
        max(score(r, "performance") for r in runs),
    )
    if len(runs) > 1:
        scores[0] += f" ({low}–{high})"
    audits = report["audits"]
    html = next(
        (
            r["transferSize"]
            for r in audits["network-requests"]["details"]["items"]
            if r.get("resourceType") == "Document"
        ),
        0,
    )
    path = report["finalDisplayedUrl"].split("/", 3)[3]
    cells = [
        name,
        f"`/{path}`",
        *scores,
        f"{audits['cumulative-layout-shift']['numericValue']:.3f}",
        f"{audits['largest-contentful-paint']['numericValue'] / 1000:.1f} s",
        f"{html / 1024:.1f} KiB",
    ]
    return "| " + " | ".join(cells) + " |"


def section(reports: dict[str, list[dict]]) -> str:
    any_report = next(iter(reports.values()))[0]
    runs = len(next(iter(reports.values())))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "## Lighthouse",
        "",
        (
            f"Lighthouse {any_report['lighthouseVersion']} (phone emulation, simulated "
            f"throttling) with {any_report['environment']['hostUserAgent'].split(') ')[-1]}, on "
            "the 18F archive (508 entries, `fieldmaps/18f-blog.yaml`) served by gunicorn with 2 "
            f"workers. Each page ran {runs} times; the run with the median performance score is "
            "shown, the range of performance over the runs in brackets. Run `make lighthouse` "
            f"(bench/lighthouse.sh). Load average when written: {load}."
        ),
        "",
        (
            "| page | URL | performance | accessibility | best practices | SEO | CLS | LCP | "
            "HTML transferred |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
        *(row(name, report) for name, report in reports.items()),
        "",
        *(f"- {name}: {NOTES[name]}." for name in reports if name in NOTES),
    ]
    return "\n".join(lines)


def main(folder: str, runs: int, names: list[str]) -> None:
    reports = {
        n: [json.loads((Path(folder) / f"{n}-{i}.json").read_text()) for i in range(1, runs + 1)]
        for n in names
    }
    text = section(reports)
    print(text)
    RESULTS.write_text(put_section(RESULTS.read_text(), "Lighthouse", text, before="Machine"))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:])
