"""Related entries, cold (issue 11): how long an entry page's related list takes the first time
that entry is asked for, in a fresh process, at 100,000 entries.

Opens the index in a new process for each round, answers one search (as a server would have),
then asks for the related entries and authors of entries drawn at random (each entry once: its
first list, nothing of it remembered) and prints the percentiles; `--write` puts them in
bench/RESULTS.md under "## Related entries, cold (issue 11)". Run by hand, never in the tests:

    .venv/bin/python bench/related_bench.py --index bench/work/indexes/synth-100000 --write
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.facet_search import percentiles  # noqa: E402
from bench.results_md import write_section  # noqa: E402

HEADING = "Related entries, cold (issue 11)"
TARGET_MS = 100.0


def measure(index: Path, n: int, seed: int, prepared: bool) -> dict:
    """Time the first related list of n random entries in this process; `prepared`: in a new
    generation (a hard-linked copy of the current one made current) that the Library prepared
    in the background before any list was asked of it, as a server does."""
    from indexer import generations as gens
    from indexer.library import Library
    from indexer.results import SearchRequest

    started = time.perf_counter()
    lib = Library(index, prepare=prepared)
    lib.search(SearchRequest(q="the", per_page=10))
    opened = time.perf_counter() - started
    old = gens.current_name(index)
    assert old is not None
    copy = f"{old}-copy{os.getpid()}"
    if prepared:
        lib._tables.clear()  # what it keeps by segment: a rebuild's segments are all new
        lib._lengths.clear()
        shutil.copytree(index / old, index / copy, copy_function=os.link)
        (index / gens.CURRENT).write_text(copy, encoding="utf-8")
    try:
        while lib.search(SearchRequest(q="the")).generation != gens.current_name(index):
            time.sleep(0.05)
        view = lib._view()
        stored = view.searcher.reader().all_stored_fields()
        ids = [f["id"] for f in stored if f.get("id")]
        chosen = random.Random(seed).sample(ids, min(n, len(ids)))
        times = []
        for entry_id in chosen:
            t = time.perf_counter()
            entry = lib.entry(entry_id, related=5, authors=3)
            times.append(time.perf_counter() - t)
            assert entry is not None
    finally:
        if prepared:
            (index / gens.CURRENT).write_text(old, encoding="utf-8")
            shutil.rmtree(index / copy, ignore_errors=True)
    return {"entries": len(ids), "open_s": opened, "ms": times}


def rounds(args: argparse.Namespace, prepared: bool) -> tuple[list[float], list[float], int]:
    """Run the rounds, each in a fresh process: the times (s), index openings (s), entries."""
    times: list[float] = []
    opens = []
    entries = 0
    for seed in range(args.rounds):
        command = [sys.executable, __file__, "--index", str(args.index)]
        command += ["--entries", str(args.entries), "--child", str(seed)]
        out = subprocess.run(
            command + (["--prepared"] if prepared else []),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found = json.loads(out.strip().splitlines()[-1])
        times += found["ms"]
        opens.append(found["open_s"])
        entries = found["entries"]
    return times, opens, entries


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=ROOT / "bench/work/indexes/synth-100000")
    ap.add_argument("--entries", type=int, default=100, help="entries asked for per round")
    ap.add_argument("--rounds", type=int, default=3, help="fresh processes")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--prepared", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.index, args.entries, args.child, args.prepared)))
        return
    rows = []
    entries = 0
    for prepared in (False, True):
        times, opens, entries = rounds(args, prepared)
        p = percentiles(times)
        at = sorted(times)
        p90, p99 = (at[min(len(at) - 1, int(q * len(at)))] * 1000 for q in (0.9, 0.99))
        verdict = "PASS" if p99 <= TARGET_MS else "FAIL"
        where = "a new generation, prepared" if prepared else "a fresh process, nothing warmed"
        rows.append(
            f"| {where} | {len(times)} | {p['p50']:.1f} ms | {p90:.1f} ms | {p['p95']:.1f} ms "
            f"| {p99:.1f} ms | {p['max']:.1f} ms | {sorted(opens)[len(opens) // 2]:.2f} s "
            f"| {verdict} |"
        )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"## {HEADING}",
        "",
        f"`bench/related_bench.py --rounds {args.rounds} --entries {args.entries}`, "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, {entries:,} entries, "
        f"load average at the end {load}.",
        "",
        "Each entry's first related list (5 entries and 3 related authors, `Library.entry`), "
        f"in {args.rounds} fresh processes, {args.entries} entries each drawn at random, the "
        "index opened and one search answered first: in the generation the process opened "
        "(nothing warmed), and in a new generation the process prepared before any list was "
        "asked of it (as a server meets a rebuilt index: preparing.py).",
        "",
        "| lists of | lists | p50 | p90 | p95 | p99 | max | index open (median) "
        "| target p99 ≤ 100 ms |",
        "|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if args.write:
        write_section(HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()
