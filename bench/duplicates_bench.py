"""Near-duplicates at 100,000 entries (issue 11): near copies planted into the benchmark's
synthetic archive, added by an incremental run, found by `perspectives index` (its warnings)
and by `Library.duplicates` (every pair).

Copies the archive and index of `bench/run.py` (bench/work/corpora/synth-N, bench/work/indexes/
synth-N) into bench/work/scratch/duplicates, writes near copies of `--planted` entries of each
kind (a word changed, a paragraph added, whitespace changed, markup changed: the ways of
tests/near_copies_archive.py), indexes them incrementally, and prints what was found, the
pairs no one planted, and the times; `--write` puts them in bench/RESULTS.md under
"## Near-duplicates at 100,000 entries (issue 11)". Run by hand, never in the tests:

    .venv/bin/python bench/duplicates_bench.py --entries 100000 --write
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from near_copies_archive import KINDS, Prose, near_copy  # noqa: E402

from bench.results_md import write_section  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.library import Library  # noqa: E402

HEADING = "Near-duplicates at 100,000 entries (issue 11)"
WORK = ROOT / "bench" / "work"


def plant(archive: Path, planted: int, seed: int) -> set[tuple[str, str]]:
    """Write near copies of entries drawn at random; return the (original id, copy id) pairs."""
    rng = random.Random(seed)
    files = sorted(archive.rglob("*.md"))
    chosen = rng.sample(files, planted * len(KINDS))
    prose = Prose(seed)
    pairs = set()
    for k, path in enumerate(chosen):
        kind = KINDS[k // planted]
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        copy = path.with_name(f"{path.stem}-{kind}.md")
        paragraphs = [p for p in body.strip().split("\n\n") if p.strip()]
        text = near_copy(paragraphs, kind, prose)
        lines = [ln for ln in head.splitlines() if not ln.startswith(("id:", "title:"))]
        copy.write_text(
            "\n".join(lines) + f'\ntitle: "A copy ({kind})"\n---\n{text}\n', encoding="utf-8"
        )
        pairs.add((path.stem, copy.stem))
    return pairs


def hash_all(index: Path) -> float:
    """Time the near-duplicate step of a first full build: the generation's signatures made
    from nothing (its signature file removed), with the pairs and warnings."""
    from indexer import generations as gens
    from indexer import near_copies

    generation = gens.current_path(index)
    assert generation is not None
    (generation / near_copies.FILE).unlink(missing_ok=True)
    t = time.perf_counter()
    near_copies.refresh(generation)
    return time.perf_counter() - t


def last_full_build(entries: int) -> float | None:
    """Return the wall time of our last full build of synth-N in bench/RESULTS.md, if any."""
    text = (ROOT / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    section = text.partition(f"\n## synth-{entries}\n")[2].partition("\n## ")[0]
    m = re.search(r"ours, `perspectives index --full`[^|]*\| ([\d.]+) s", section)
    return float(m[1]) if m else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--planted", type=int, default=10, help="near copies of each kind")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    source = WORK / "corpora" / f"synth-{args.entries}" / "archive"
    index = WORK / "indexes" / f"synth-{args.entries}"
    if not source.is_dir() or not (index / "CURRENT").is_file():
        raise SystemExit(f"run bench/run.py --corpus synth --entries {args.entries} first")
    scratch = WORK / "scratch" / "duplicates"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(source, scratch / "archive")
    shutil.copytree(index, scratch / "index")
    pairs = plant(scratch / "archive", args.planted, args.seed)
    t = time.perf_counter()
    report = build_index(scratch / "archive", scratch / "index")
    indexed = time.perf_counter() - t
    warned = {
        p.path.rsplit("/", 1)[-1].removesuffix(".md")
        for p in report.warnings
        if "nearly the same text" in p.reason
    }
    lib = Library(scratch / "index")
    t = time.perf_counter()
    found = lib.duplicates()
    every = time.perf_counter() - t
    hashing = hash_all(scratch / "index")
    build = last_full_build(args.entries)
    got = {(p.a.id, p.b.id) for p in found} | {(p.b.id, p.a.id) for p in found}
    missed = sorted(pair for pair in pairs if pair not in got)
    unplanted = [
        p for p in found if (p.a.id, p.b.id) not in pairs and (p.b.id, p.a.id) not in pairs
    ]
    copies = {c for _, c in pairs}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"## {HEADING}",
        "",
        f"`bench/duplicates_bench.py --entries {args.entries} --planted {args.planted}`, "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, load average at the end {load}. "
        f"{len(pairs)} near copies ({args.planted} of each kind: {', '.join(KINDS)}) of entries "
        f"of the synthetic archive drawn at random, added to its index by one incremental run.",
        "",
        "| | |",
        "|---|---|",
        f"| planted pairs found by `Library.duplicates` | {len(pairs) - len(missed)} of {len(pairs)} |",
        f"| planted copies warned about by the index run | {len(warned & copies)} of {len(copies)} |",
        f"| pairs found that no one planted | {len(unplanted)} |",
        f"| incremental run (40 files, signatures and warnings included) | {indexed:.1f} s |",
        f"| every pair of {report.entries:,} entries (`Library.duplicates`) | {every:.1f} s |",
        f"| what a first full build pays: every entry's signature made from nothing, the pairs "
        f"and warnings (`near_copies.refresh`) | {hashing:.1f} s |",
        (
            f"| share of the last full build of {args.entries:,} in RESULTS ({build:.0f} s, this "
            f"step included): target ≤ 15% | {hashing / (build - hashing):.1%} over the rest, "
            f"{'PASS' if hashing / (build - hashing) <= 0.15 else 'FAIL'} |"
        )
        if build
        else "| share of a full build | no full build in RESULTS to compare with |",
    ]
    if missed:
        lines += ["", "Missed: " + ", ".join(f"{a} / {b}" for a, b in missed)]
    if unplanted:
        lines += [
            "",
            "Not planted: "
            + ", ".join(f"{p.a.id} / {p.b.id} ({p.similarity:.0%})" for p in unplanted[:10]),
        ]
    print("\n".join(lines))
    if args.write:
        write_section(HEADING, "\n".join(lines))


if __name__ == "__main__":
    main()
