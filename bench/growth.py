"""How every cost grows with the archive (issue 13): the synthetic corpora's saved figures side by
side, 10,000 · 100,000 · 1,000,000 entries, as one table in bench/RESULTS.md.

Reads what `bench/run.py --corpus synth --entries N` saved under bench/work/results/ (a size not
run shows "–") and, for the index's parts, the current generation under bench/work/indexes/.
Run by hand after the runs:

    .venv/bin/python bench/growth.py --write
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE), str(_HERE.parent / "scripts"), str(_HERE.parent)]

from measuring import Figures, mb  # noqa: E402
from places import WORK  # noqa: E402
from report import load_results  # noqa: E402
from results_md import write_section  # noqa: E402
from tables import peaks  # noqa: E402

HEADING = "Growth: 10,000 · 100,000 · 1,000,000 entries (issue 13)"
SIZES = (10_000, 100_000, 1_000_000)
# the part of a Whoosh segment each file name ends with, as a reader would name it
PARTS = {
    ".pst": "postings",
    ".trm": "term tables",
    "._stored.col": "stored fields",
    "_len.col": "field lengths",
}


def index_parts(n: int) -> Counter[str]:
    """Return the bytes of each part of the current generation of the synth-n index."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.structfile import StructFile

    from indexer.generations import current_path

    found: Counter[str] = Counter()
    current = current_path(WORK / "indexes" / f"synth-{n}")
    if current is None:
        return found
    for path in current.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix != ".seg":
            kind = "suggestion lists" if "completion" in path.name else path.name
            found[kind] += path.stat().st_size
            continue
        with open(path, "rb") as f:
            storage = CompoundStorage(StructFile(f), use_mmap=False)
            for name, where in storage._dir.items():
                kind = next((v for k, v in PARTS.items() if name.endswith(k)), "facet columns")
                found[kind] += where["length"]
    return found


def _cell(value: float | None, fmt: str, unit: str = "") -> str:
    return "–" if value is None else format(value, fmt) + unit


def _ms(seq: Figures, kind: str, stat: str = "p50") -> float | None:
    value = seq.get(kind, {}).get(stat)
    return None if not value else value * 1000


def rows(figures: dict[int, Figures], parts: dict[int, Counter[str]]) -> list[list[str]]:
    """Return the table's rows, one value per size."""
    out: list[list[str]] = []

    def row(label: str, values: list[str]) -> None:
        out.append([label, *values])

    idx = {n: figures[n].get("index", {}) for n in SIZES}
    full = {n: idx[n].get("full", {}) for n in SIZES}
    search = {n: figures[n].get("search", {}) for n in SIZES}
    systems = {n: search[n].get("systems", {}) for n in SIZES}
    ours = {n: systems[n].get("ours", {}).get("sequential", {}) for n in SIZES}
    ds = {n: systems[n].get("datasette", {}).get("sequential", {}) for n in SIZES}
    tv = {n: search[n].get("tantivy", {}).get("queries", {}) for n in SIZES}
    row("full build, wall", [_cell(full[n].get("wall"), ".0f", " s") for n in SIZES])
    row(
        "full build, entries/s (cores used)",
        [
            f"{full[n]['entries_per_s']:.0f} ({full[n]['cores_used']:.2f})" if full[n] else "–"
            for n in SIZES
        ],
    )
    row(
        "full build, peak memory of the process tree: summed RSS (PSS)",
        [
            f"{mb(full[n]['tree_peak_bytes'])} ({mb(full[n].get('tree_pss_bytes') or 0)})"
            if full[n]
            else "–"
            for n in SIZES
        ],
    )
    row("index on disk", [mb(full[n]["index_bytes"]) if full[n] else "–" for n in SIZES])
    for part in ("postings", "term tables", "stored fields", "field lengths", "facet columns"):
        row(f"… {part}", [mb(parts[n][part]) if parts[n] else "–" for n in SIZES])
    row(
        "… near-duplicate signatures, suggestion lists, manifest",
        [
            " · ".join(
                mb(parts[n][k]) for k in ("duplicates.npz", "suggestion lists", "manifest.json")
            )
            if parts[n]
            else "–"
            for n in SIZES
        ],
    )
    row(
        "no-op incremental run (whole archive scanned)",
        [_cell(idx[n].get("noop_index_seconds"), ".2f", " s") for n in SIZES],
    )
    row(
        "an edit visible through the server (scan; median)",
        [_visible(idx[n].get("edit_one", [])) for n in SIZES],
    )
    row(
        "web worker peak RSS after the whole load",
        [
            ", ".join(mb(w) for w in peaks(systems[n].get("ours", {}).get("memory", {}), "worker"))
            or "–"
            for n in SIZES
        ],
    )
    row(
        "8 clients, req/s ours · Datasette",
        [
            " · ".join(
                f"{systems[n][s]['concurrent']['rps']:.0f}"
                if systems[n].get(s, {}).get("concurrent")
                else "–"
                for s in ("ours", "datasette")
            )
            for n in SIZES
        ],
    )
    kinds = [k for k in ours[100_000] or ours[1_000_000] or ours[10_000]]
    for kind in kinds:
        if kind == "export.csv":
            row(
                "CSV export of the largest result set, ours · Datasette (s)",
                [
                    " · ".join(
                        _cell((d.get("export.csv", {}).get("p50")), ".1f") for d in (ours[n], ds[n])
                    )
                    for n in SIZES
                ],
            )
            continue
        row(
            "related entries (ours only)" if kind == "related" else f"`{kind}`",
            [
                (
                    "/".join(_cell(_ms(ours[n], kind, s), ".0f") for s in ("p50", "p95", "p99"))
                    + f" · {_cell(_ms(ds[n], kind), '.0f')}"
                    + f" · {_cell(tv[n].get(kind, {}).get('p50_ms'), '.1f')}"
                )
                if ours[n].get(kind)
                else "–"
                for n in SIZES
            ],
        )
    return out


def _visible(edits: list[Figures]) -> str:
    seen = sorted(e["visible"] for e in edits if e.get("visible") is not None)
    return f"{seen[len(seen) // 2]:.2f} s" if seen else "–"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="put the table in bench/RESULTS.md")
    args = ap.parse_args()
    figures = {n: load_results(f"synth-{n}") for n in SIZES}
    parts = {n: index_parts(n) for n in SIZES}
    runs = [
        f"{n:,}: {figures[n].get(stage, {}).get('_run', {}).get('date', '–')[:16]} "
        f"({stage}, commit {figures[n].get(stage, {}).get('_run', {}).get('machine', {}).get('git', '–')})"
        for n in SIZES
        for stage in ("index", "search")
        if figures[n].get(stage)
    ]
    lines = [
        f"## {HEADING}",
        "",
        "From the runs of `bench/run.py --corpus synth --entries N` saved under "
        "bench/work/results/ (one client, all four facets and snippets; a size not run: –); "
        "the index's parts from its current generation. A query kind's cells are ours p50/p95/p99 · "
        "Datasette p50 · tantivy p50, in ms. Runs: " + "; ".join(runs) + ".",
        "",
        "| | 10,000 | 100,000 | 1,000,000 |",
        "|---|---|---|---|",
        *("| " + " | ".join(r) + " |" for r in rows(figures, parts)),
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(HEADING, text)


if __name__ == "__main__":
    main()
