"""Facet search (issue 10): how long finding a facet's values by typed text takes, through the
search core and through GET /api/facets/<name> (Flask's test client, in this process).

Builds the index of ARCHIVE into bench/work/ once (or uses --index), then types, for each facet,
the first one to four letters of values drawn at random (as a reader fills the filter box), alone
and under a search and a filter, and prints the latency percentiles; `--write` puts them in
bench/RESULTS.md under "## Facet search (issue 10)".

    .venv/bin/python bench/facet_search.py --archive ARCHIVE --index bench/work/index-synth-100000 --write
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results_md import put_section  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.facetdefs import FACETS  # noqa: E402
from indexer.generations import current_name  # noqa: E402
from indexer.library import Library  # noqa: E402
from indexer.params import parse_request  # noqa: E402

HEADING = "Facet search (issue 10)"


def percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)

    def at(p):
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {
        "p50": at(0.50) * 1000,
        "p95": at(0.95) * 1000,
        "max": ordered[-1] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def typed(values: list[str], rng: random.Random, n: int) -> list[str]:
    """Return n texts as a reader types them: the first 1-4 letters of a value, any case."""
    out = []
    for _ in range(n):
        value = rng.choice(values).lstrip("@")
        out.append(value[: rng.randint(1, 4)])
    return out


def run(index: Path, n: int, seed: int) -> list[tuple[str, str, int, dict[str, float]]]:
    from webapp import create_app

    library = Library(index)
    everything = library.search(parse_request({"facet_size": ["0"]}))
    client = create_app({"INDEX": str(index), "TESTING": True}).test_client()
    rng = random.Random(seed)
    common = everything.facet("theme").results[0].value if everything.facet("theme").results else ""
    searches = {
        "whole archive": {},
        "under a query": {"q": ["model"]},
        "under a query and a theme": {"q": ["model"], "theme": [common]},
    }
    rows = []
    for facet in FACETS:
        values = [v.label or v.value for v in everything.facet(facet.name).results]
        if not values:
            continue
        texts = typed(values, rng, n)
        for label, params in searches.items():
            req = parse_request(params)
            library.facet_values(req, facet.name, texts[0])  # warm: first reads of the columns
            core = []
            for text in texts:
                t = time.perf_counter()
                library.facet_values(req, facet.name, text, limit=50)
                core.append(time.perf_counter() - t)
            http = []
            query = [("query", v) if k == "q" else (k, v) for k, vs in params.items() for v in vs]
            for text in texts:
                t = time.perf_counter()
                resp = client.get(
                    f"/api/facets/{facet.name}",
                    query_string=query + [("q", text), ("per_page", "50")],
                )
                assert resp.status_code == 200, resp.get_data(as_text=True)[:200]
                http.append(time.perf_counter() - t)
            rows.append((facet.name, label, len(values), percentiles(core)))
            rows.append((facet.name, label + " (HTTP)", len(values), percentiles(http)))
    return rows


def table(rows: list[tuple[str, str, int, dict[str, float]]]) -> str:
    lines = [
        "| facet | values | search | p50 ms | p95 ms | max ms |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for name, label, count, p in rows:
        lines.append(
            f"| {name} | {count:,} | {label} | {p['p50']:.1f} | {p['p95']:.1f} | {p['max']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=Path, help="archive to index when --index is missing")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--fieldmap", type=Path)
    parser.add_argument("-n", type=int, default=200, help="typed texts per facet and search")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    args = parser.parse_args()
    if current_name(args.index) is None:
        if args.archive is None:
            parser.error(f"{args.index} holds no index: give --archive to build it")
        t = time.perf_counter()
        report = build_index(args.archive, args.index, full=True, fieldmap=args.fieldmap)
        print(f"built {report.entries:,} entries in {time.perf_counter() - t:.0f} s")
    entries = Library(args.index).info()["entries"]
    rows = run(args.index, args.n, args.seed)
    text = table(rows)
    print(f"{entries:,} entries, {args.n} typed texts per row\n{text}")
    if args.write:
        results = ROOT / "bench" / "RESULTS.md"
        section = (
            f"## {HEADING}\n\n"
            f"`bench/facet_search.py` on {entries:,} entries (the synthetic archive of "
            "`bench/run.py`), one process, 2 shared cores: a reader types the first 1-4 letters "
            f"of a facet value ({args.n} drawn at random per row) into the facet's filter box. "
            "The core's `Library.facet_values` (counts under the search, matching, sorting, one "
            "page of 50), then the whole `GET /api/facets/<name>` through Flask's test client "
            "(parameters, JSON).\n\n" + text + "\n"
        )
        results.write_text(
            put_section(results.read_text(encoding="utf-8"), HEADING, section), encoding="utf-8"
        )
        print(f"wrote {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
