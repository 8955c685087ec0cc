"""Suggestions while typing (issue 10): how long `GET /api/suggest` takes as a reader types,
through the search core and through the API (Flask's test client, in this process), and what
building and opening the suggestion lists cost.

Builds a synthetic archive with ../shared/bench/make_corpus.py and its index under bench/work/
once (or uses --archive / --index), then types the first 1 to 8 letters of words drawn from the
archive's vocabulary, alone and after a first word (as a reader fills the search box), and
prints the latency percentiles; `--write` puts them in bench/RESULTS.md under
"## Suggestions while typing (issue 10)". Run by hand, never in the tests:

    .venv/bin/python bench/suggest_bench.py --entries 5000          # a minute or two
    .venv/bin/python bench/suggest_bench.py --entries 100000 --write  # the figure of the issue
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))  # harness.py

from harness import make_corpus  # noqa: E402

from bench.facet_search import percentiles  # noqa: E402
from bench.results_md import put_section  # noqa: E402
from indexer.build import build_index  # noqa: E402
from indexer.completions import COMPLETIONS_FILE, Completions  # noqa: E402
from indexer.generations import current_name, current_path  # noqa: E402
from indexer.library import Library  # noqa: E402

HEADING = "Suggestions while typing (issue 10)"
WORK = ROOT / "bench" / "work" / "suggest"


def typed(
    words: list[str], counts: list[int], rng: random.Random, n: int, first: bool
) -> list[str]:
    """Return n texts as a reader types them: the first 1-8 letters of a word (drawn with the
    weight of its entries, as readers look for words the archive holds), after a first word."""
    out = []
    for _ in range(n):
        word = rng.choices(words, weights=counts)[0]
        text = word[: rng.randint(1, min(8, len(word)))]
        if first:
            text = rng.choices(words, weights=counts)[0] + " " + text
        out.append(text)
    return out


def ensure_index(args: argparse.Namespace) -> Path:
    """Return the index to measure, making the corpus and building the index when missing."""
    index = args.index or WORK / f"index-synth-{args.entries}"
    if current_name(index) is not None:
        return index
    archive = args.archive or WORK / f"synth-{args.entries}"
    if not archive.is_dir():
        print(f"writing {args.entries:,} entries into {archive}")
        make_corpus(archive, args.entries, builtin=False)
    if (archive / "archive").is_dir():  # make_corpus.py writes OUT/archive
        archive = archive / "archive"
    t = time.perf_counter()
    report = build_index(archive, index, full=True, fieldmap=args.fieldmap)
    print(f"built {report.entries:,} entries in {time.perf_counter() - t:.0f} s")
    return index


def lists_cost(index: Path) -> dict[str, float]:
    """Return what making, loading and opening with the suggestion lists cost, in ms."""
    from whoosh import index as whoosh_index

    generation = current_path(index)
    assert generation is not None
    with whoosh_index.open_dir(str(generation)).reader() as reader:
        t = time.perf_counter()
        made = Completions.from_reader(reader)
        build = time.perf_counter() - t
    t = time.perf_counter()
    Completions.load(generation / COMPLETIONS_FILE)
    load = time.perf_counter() - t
    t = time.perf_counter()
    Library(index).suggest("a")  # opens the generation, as a fresh web worker does
    first = time.perf_counter() - t
    return {
        "words": len(made),
        "build": build * 1000,
        "load": load * 1000,
        "first": first * 1000,
        "bytes": (generation / COMPLETIONS_FILE).stat().st_size,
    }


def run(index: Path, n: int, seed: int) -> list[tuple[str, dict[str, float]]]:
    from webapp import create_app

    library = Library(index)
    library.suggest("a")
    lists = library._view().completions
    assert lists is not None
    words, counts = lists.words, [int(c) for c in lists.counts]
    client = create_app({"INDEX": str(index), "TESTING": True}).test_client()
    rng = random.Random(seed)
    rows = []
    for label, first in (("one word", False), ("after a first word", True)):
        texts = typed(words, counts, rng, n, first)
        core = []
        for text in texts:
            t = time.perf_counter()
            library.suggest(text)
            core.append(time.perf_counter() - t)
        http = []
        for text in texts:
            t = time.perf_counter()
            resp = client.get("/api/suggest", query_string={"q": text})
            assert resp.status_code == 200, resp.get_data(as_text=True)[:200]
            http.append(time.perf_counter() - t)
        rows.append((label, percentiles(core)))
        rows.append((label + " (HTTP)", percentiles(http)))
    return rows


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    lines = ["| typed | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|"]
    for label, p in rows:
        lines.append(f"| {label} | {p['p50']:.1f} | {p['p95']:.1f} | {p['max']:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--entries",
        type=int,
        default=100_000,
        help="size of the synthetic archive to make (without --archive)",
    )
    parser.add_argument("--archive", type=Path, help="archive to index instead of a synthetic one")
    parser.add_argument("--index", type=Path, help="index to use (built when it holds none)")
    parser.add_argument("--fieldmap", type=Path)
    parser.add_argument("-n", type=int, default=300, help="typed texts per row")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md's section")
    args = parser.parse_args()
    index = ensure_index(args)
    entries = Library(index).info()["entries"]
    cost = lists_cost(index)
    rows = run(index, args.n, args.seed)
    text = table(rows)
    lists = (
        f"{cost['words']:,} words; the lists cost {cost['build']:.0f} ms to make (by "
        f"`perspectives index`), {cost['bytes'] / 1e6:.1f} MB on disk, {cost['load']:.0f} ms "
        f"to load; a fresh process's first suggestion (opening the generation) "
        f"{cost['first']:.0f} ms"
    )
    print(f"{entries:,} entries, {args.n} typed texts per row; {lists}\n{text}")
    if args.write:
        results = ROOT / "bench" / "RESULTS.md"
        section = (
            f"## {HEADING}\n\n"
            f"`bench/suggest_bench.py` on {entries:,} entries, one process, 2 shared cores: a "
            f"reader types the first 1-8 letters of a word of the archive ({args.n} drawn by "
            "entries per row), alone or after a first word. The core's `Library.suggest` "
            "(completions, themes, authors, titles), then the whole `GET /api/suggest` through "
            f"Flask's test client. {lists}.\n\n" + text + "\n"
        )
        results.write_text(
            put_section(results.read_text(encoding="utf-8"), HEADING, section), encoding="utf-8"
        )
        print(f"wrote {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
