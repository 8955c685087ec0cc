"""The first search of each kind in a new generation (issue 13), at 100,000 entries.

A server's Library (`Library(prepare=True)`, as the web app makes it) opens and warms a new
generation in the background and answers from the previous one meanwhile (indexer/preparing.py).
This measures what a reader then meets: in a fresh process per kind and round, the index is
opened and one search answered (the generation a server was serving), then a copy of the
generation (hard links, a new name: what a full rebuild publishes) becomes current; requests
go on until one is answered from the copy (how long preparing took, all of it answered from
the old one), and the first search of the kind in the copy is timed, with the same search
made again (warm) beside it. Without `--no-prepare`, as the web app runs; with it, the first
request opens the generation itself (the old behaviour). `--write` puts the table in
bench/RESULTS.md under "## First search in a new generation (issue 13)". Run by hand:

    .venv/bin/python bench/switch_bench.py --index bench/work/indexes/synth-100000 --write
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.results_md import write_section  # noqa: E402

HEADING = "First search in a new generation (issue 13)"
TARGET_MS = 100.0
# the kinds of bench/run.py's synthetic corpus, each with a second query of the same kind for
# the next round (a round must not find the words of the one before in any cache)
KINDS: dict[str, list[dict]] = {
    "rare": [{"q": "dignity"}, {"q": "stewardship"}],
    "common": [{"q": "object"}, {"q": "value"}],
    "two": [{"q": "objects arguments"}, {"q": "methods values"}],
    "phrase": [{"q": '"user defined"'}, {"q": '"default value"'}],
    "prefix": [{"q": "anthropomorph*"}, {"q": "autonom*"}],
    "rare+theme+author": [
        {"q": "dignity", "themes": ["deprecation"], "authors": ["@cpythonimple_0"]},
        {"q": "stewardship", "themes": ["deprecation"], "authors": ["@cpythonimple_0"]},
    ],
    "browse": [{"q": ""}, {"q": "", "sections": ["The Framework"]}],
}


def child(index: Path, kind: str, round_: int, prepare: bool) -> dict:
    """In this process: serve the current generation, switch to a copy, time the first search."""
    from indexer import generations as gens
    from indexer.library import Library
    from indexer.results import SearchRequest

    spec = KINDS[kind][round_ % len(KINDS[kind])]
    req = SearchRequest(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})
    lib = Library(index, prepare=prepare)
    lib.search(SearchRequest(q="the"))  # the generation the server was serving
    lib._tables.clear()  # what it keeps by segment: a rebuild's segments are all new
    lib._lengths.clear()
    old = gens.current_name(index)
    assert old is not None
    copy = f"{old}-copy{os.getpid()}"
    shutil.copytree(index / old, index / copy, copy_function=os.link)
    try:
        (index / gens.CURRENT).write_text(copy, encoding="utf-8")
        t0 = time.perf_counter()
        meanwhile = 0
        if prepare:
            while lib.search(SearchRequest(q="the")).generation != copy:
                meanwhile += 1
                time.sleep(0.05)
        prepared = time.perf_counter() - t0
        t = time.perf_counter()
        first = lib.search(req)
        first_ms = (time.perf_counter() - t) * 1000
        assert first.generation == copy
        t = time.perf_counter()
        lib.search(req)
        again_ms = (time.perf_counter() - t) * 1000
    finally:
        (index / gens.CURRENT).write_text(old, encoding="utf-8")
        shutil.rmtree(index / copy)
    return {
        "first_ms": first_ms,
        "again_ms": again_ms,
        "prepared_s": prepared,
        "meanwhile": meanwhile,
        "total": first.total,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=ROOT / "bench/work/indexes/synth-100000")
    ap.add_argument("--rounds", type=int, default=2, help="fresh processes per kind")
    ap.add_argument("--no-prepare", action="store_true")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    prepare = not args.no_prepare
    if args.child:
        print(json.dumps(child(args.index, args.child[0], int(args.child[1]), prepare)))
        return
    rows = []
    for kind in KINDS:
        found = []
        for r in range(args.rounds):
            cmd = [sys.executable, __file__, "--index", str(args.index), "--child", kind, str(r)]
            out = subprocess.run(
                cmd + (["--no-prepare"] if not prepare else []),
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            found.append(json.loads(out.strip().splitlines()[-1]))
        worst = max(f["first_ms"] for f in found)
        first = " · ".join(f"{f['first_ms']:.0f}" for f in found)
        again = " · ".join(f"{f['again_ms']:.0f}" for f in found)
        prepared = " · ".join(f"{f['prepared_s']:.1f}" for f in found)
        verdict = "PASS" if worst <= TARGET_MS else "FAIL"
        rows.append(f"| {kind} | {first} ms | {again} ms | {prepared} s | {verdict} |")
        print(rows[-1], flush=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"## {HEADING}",
        "",
        f"`bench/switch_bench.py --rounds {args.rounds}{' --no-prepare' if not prepare else ''}`"
        f", {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, index `{args.index.name}`, "
        f"load average at the end {load}. Each round a fresh process: the generation served, "
        "then a copy of it made current; "
        + (
            "the new generation prepared in the background (requests answered from the old one "
            "meanwhile), then"
            if prepare
            else "no preparing:"
        )
        + " the first search of the kind in it, and the same search again.",
        "",
        "| kind | first search (each round) | again | preparing took | first ≤ 100 ms |",
        "|---|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if args.write:
        write_section(HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()
