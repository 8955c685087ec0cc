"""Relevance against the peers: nDCG@10 and recall@50 over judged queries (issue 9). Run by hand.

    .venv/bin/python bench/relevance.py                   every corpus with bench/judgments/NAME.yaml
    .venv/bin/python bench/relevance.py --system ours     ours alone: quick, no peers' venv
    .venv/bin/python bench/relevance.py --show QUERY      the first 10 of each system, with grades
    .venv/bin/python bench/relevance.py --pool QUERY      what to judge: the first 20 of each system
    .venv/bin/python bench/relevance.py --write           also update "## Relevance" in RESULTS.md
    .venv/bin/python bench/relevance.py --related         precision@5 of related entries (related_relevance.py)

Moving parts: our index of each corpus, with its field map and the synonyms of
bench/synonyms/NAME.yaml (`perspectives index`, incremental, in bench/work/relevance/NAME/index;
`--no-synonyms` searches without them); the dump of its entries (dump_entries.py), which is the very
plain text (title, body) the peers index; the peers' rankings (`peers.py rank`, in the peers' venv:
SQLite FTS5 porter+bm25 with implicit AND, tantivy en_stem with its default OR parser); and the
figures (relevance_metrics.py). Corpora are found as bench/run.py finds them
(scripts/harness.py: ../shared/corpora or $PERSPECTIVES_CORPORA).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))  # harness.py

import places  # noqa: E402
import related_relevance  # noqa: E402
from harness import REPO, corpora_dir, index_command  # noqa: E402
from relevance_metrics import JudgedQuery, JudgmentError, load_judgments, ndcg, recall  # noqa: E402
from results_md import RESULTS, get_section, put_section  # noqa: E402
from systems import ensure_peers_venv  # noqa: E402

from indexer.generations import current_path  # noqa: E402
from indexer.library import Library  # noqa: E402
from indexer.results import SearchRequest  # noqa: E402

JUDGMENTS = places.BENCH / "judgments"
SYNONYMS = places.BENCH / "synonyms"  # what an editor of each judged archive would write
WORK = places.WORK / "relevance"
SYSTEMS = ("ours", "fts5", "tantivy")
DEPTH = 50  # results asked of each system: recall@50
POOL = 20  # first results of each system that make the pool to judge
NOTES = "### What moved the figures"  # hand-written notes under the figures, kept by --write

Rankings = dict[str, dict[str, list[str]]]  # system -> query -> ids, best first


@dataclass
class Corpus:
    """One judged archive: where it is, its field map, and where its index and dump go."""

    name: str
    archive: Path
    fieldmap: Path | None
    synonyms: Path | None = None  # bench/synonyms/NAME.yaml: an editor's synonyms for it

    @property
    def index(self) -> Path:
        return WORK / self.name / "index"

    @property
    def dump(self) -> Path:
        return WORK / self.name / "entries.jsonl"


def corpus(name: str) -> Corpus:
    """Find a corpus by name: its archive folder (NAME/archive or NAME) and fieldmaps/NAME.yaml;
    `manpages` is written from Debian's manpages-ja, -zh, -de and -fr (tests/manpages_archive.py)."""
    if name == "manpages":
        return manpages_corpus()
    root = corpora_dir() / name
    archive = root / "archive" if (root / "archive").is_dir() else root
    if not archive.is_dir():
        raise SystemExit(f"no corpus at {root} (set PERSPECTIVES_CORPORA to the corpora folder)")
    fieldmap = REPO / "fieldmaps" / f"{name}.yaml"
    synonyms = SYNONYMS / f"{name}.yaml"
    return Corpus(
        name,
        archive,
        fieldmap if fieldmap.is_file() else None,
        synonyms if synonyms.is_file() else None,
    )


def manpages_corpus() -> Corpus:
    """Return the multilingual corpus of manpages, written once under bench/work/relevance."""
    sys.path.insert(0, str(REPO / "tests"))
    from manpages_archive import available, write_manpages

    archive = WORK / "manpages" / "archive"
    if not archive.is_dir():
        if not available():
            raise SystemExit(
                "manpages-ja/-zh/-de/-fr are not installed (scripts/system-packages.sh)"
            )
        write_manpages(archive)
    return Corpus("manpages", archive, None)


def judged_corpora() -> list[str]:
    """Return the names of the corpora that have a judgments file."""
    return sorted(p.stem for p in JUDGMENTS.glob("*.yaml"))


# -- our index and the dump the peers get ------------------------------------------------------------


def ensure_index(c: Corpus) -> None:
    """Bring our index of the corpus up to date (a no-op when nothing changed)."""
    args = index_command(c.archive, c.index)
    if c.fieldmap:
        args += ["--fieldmap", str(c.fieldmap)]
    if c.synonyms:  # published by every run, taken away by a run without it: no reindex
        args += ["--synonyms", str(c.synonyms)]
    r = subprocess.run(args, check=False, capture_output=True, text=True, cwd=str(REPO))
    if r.returncode not in (0, 1) or current_path(c.index) is None:
        raise SystemExit(f"[{c.name}] indexing failed (rc {r.returncode}):\n{r.stderr[-2000:]}")


def ensure_dump(c: Corpus) -> None:
    """Dump the entries of our current generation, once per generation."""
    gen = current_path(c.index)
    assert gen is not None
    mark = c.dump.with_suffix(".generation")
    if c.dump.is_file() and mark.is_file() and mark.read_text() == gen.name:
        return
    subprocess.run(
        [sys.executable, str(places.BENCH / "dump_entries.py"), str(c.index), str(c.dump)],
        check=True,
        cwd=str(REPO),
        stdout=subprocess.DEVNULL,
    )
    mark.write_text(gen.name)


def read_dump(c: Corpus) -> dict[str, dict]:
    """Return the dumped entries by id."""
    with open(c.dump, encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


# -- rankings ---------------------------------------------------------------------------------------


def rank_ours(c: Corpus, queries: list[str], depth: int = DEPTH) -> dict[str, list[str]]:
    """Return our first ids for each query, through the search core as the web app calls it."""
    lib = Library(c.index)
    return {q: [h.id for h in lib.search(SearchRequest(q=q, per_page=depth)).hits] for q in queries}


def rank_peers(c: Corpus, queries: list[str], depth: int = DEPTH) -> Rankings:
    """Return the peers' first ids for each query (peers.py rank, in the peers' venv)."""
    ensure_peers_venv()
    qfile = WORK / c.name / "queries.json"
    qfile.write_text(json.dumps(queries), encoding="utf-8")
    r = subprocess.run(
        [
            str(places.PEERS_PY),
            str(places.BENCH / "peers.py"),
            "rank",
            str(c.dump),
            str(WORK / c.name / "peers"),
            str(qfile),
            str(depth),
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=str(REPO),
    )
    if r.returncode != 0:
        raise SystemExit(f"[{c.name}] peers.py rank failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def rankings(c: Corpus, queries: list[str], systems: tuple[str, ...]) -> Rankings:
    """Return each asked system's ranking of the queries."""
    out: Rankings = {}
    if "ours" in systems:
        out["ours"] = rank_ours(c, queries)
    if set(systems) - {"ours"}:
        peers = rank_peers(c, queries)
        out.update({s: peers[s] for s in systems if s != "ours"})
    return out


# -- figures and their rendering -----------------------------------------------------------------------


def figures(judged: list[JudgedQuery], ranked: Rankings) -> dict[str, dict]:
    """Return per system the mean nDCG@10, mean recall@50 and each query's nDCG@10."""
    out = {}
    for system, by_query in ranked.items():
        per = {j.query: ndcg(by_query[j.query], j.grades, 10) for j in judged}
        rec = [recall(by_query[j.query], j.grades, DEPTH) for j in judged]
        out[system] = {
            "ndcg": sum(per.values()) / len(per),
            "recall": sum(rec) / len(rec),
            "per_query": per,
        }
    return out


def table(name: str, judged: list[JudgedQuery], figs: dict[str, dict]) -> list[str]:
    """Return the markdown lines of one corpus: the means, then nDCG@10 query by query."""
    systems = list(figs)
    n_rel = sum(len(j.relevant()) for j in judged)
    L = [
        f"### {name}",
        "",
        f"{len(judged)} judged queries, {n_rel} relevant (graded 1 or 2) entries in all.",
        "",
        "| system | nDCG@10 | recall@50 |",
        "|---|---:|---:|",
    ]
    L += [f"| {s} | {figs[s]['ndcg']:.3f} | {figs[s]['recall']:.3f} |" for s in systems]
    L += [
        "",
        "nDCG@10 per query (the best of each row in bold):",
        "",
        "| query | rel | " + " | ".join(systems) + " |",
        "|---|---:|" + "---:|" * len(systems),
    ]
    for j in judged:
        vals = [figs[s]["per_query"][j.query] for s in systems]
        best = max(vals)
        cells = [f"**{v:.2f}**" if v == best and best > 0 else f"{v:.2f}" for v in vals]
        L.append(
            f"| {j.query.replace('|', '/')} | {len(j.relevant())} | " + " | ".join(cells) + " |"
        )
    return L + [""]


def write_results(sections: list[str]) -> None:
    """Replace the Relevance section of RESULTS.md, keeping the rest of the file."""
    body = "\n".join(
        [
            "## Relevance",
            "",
            textwrap.dedent("""\
        `bench/relevance.py` over the judged queries of `bench/judgments/` (each pooled entry
        graded 0/1/2 by reading it; unjudged entries count 0). nDCG@10 uses linear gains and a
        log2 discount; recall@50 counts entries graded 1 or 2. Ours: the search core with the
        corpus's field map, 50 results asked. FTS5: `porter unicode61`, bm25, the query as typed
        (implicit AND; each token quoted when FTS5 rejects the syntax). Tantivy: `en_stem`, its
        default query parser (OR) over title and body. The peers index the same plain text
        (title, body) as ours, dumped from our index."""),
            "",
            *sections,
        ]
    )
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    # the notes written by hand under the figures (what moved them) stay
    kept = (get_section(old, "Relevance") or "").partition(NOTES)
    if kept[1]:
        body = body.rstrip("\n") + "\n\n" + NOTES + kept[2]
    RESULTS.write_text(put_section(old, "Relevance", body, before="Machine"), encoding="utf-8")


# -- looking at one query -------------------------------------------------------------------------------

_WORD = re.compile(r"[\w.#-]+")


def context(text: str, query: str, width: int = 110) -> str:
    """Return the passage around the first occurrence of the query's longest word."""
    words = sorted(_WORD.findall(query.lower().replace('"', "")), key=len, reverse=True)
    low = text.lower()
    for w in words:
        at = low.find(w)
        if at >= 0:
            start = max(0, at - width // 2)
            return " ".join(text[start : start + width].split())
    return ""


def counts(text: str, query: str) -> str:
    """Return how often each query word occurs in the text as typed (no stemming)."""
    low = text.lower()
    words = dict.fromkeys(_WORD.findall(query.lower().replace('"', "")))
    found = {w: len(re.findall(r"(?<!\w)" + re.escape(w), low)) for w in words}
    return " ".join(f"{w}:{n}" for w, n in found.items())


def show(
    c: Corpus,
    query: str,
    ranked: Rankings,
    judged: JudgedQuery | None,
    k: int,
    entries: dict[str, dict],
    pool: bool,
) -> None:
    """Print the first k of each system (grades beside) or, with pool, the union to judge."""
    grades = judged.grades if judged else {}
    if not pool:
        for system, by_query in ranked.items():
            print(f"\n{system}  nDCG@10 {ndcg(by_query[query], grades, 10):.2f}")
            for n, i in enumerate(by_query[query][:k], 1):
                g = grades.get(i, "-")
                print(f"  {n:2} [{g}] {i}  {entries[i]['title'][:70] if i in entries else ''}")
        return
    ids = list(dict.fromkeys(i for by_query in ranked.values() for i in by_query[query][:k]))
    for i in ids:
        e = entries[i]
        text = e["title"] + "\n" + e["body"]
        where = " ".join(
            f"{s[0]}{r[query].index(i) + 1 if i in r[query] else '-'}" for s, r in ranked.items()
        )
        print(
            f"{i}  [{grades.get(i, '?')}] {where}  {counts(text, query)}\n"
            f"    T: {e['title'][:100]}\n    C: {context(text, query)}"
        )


# -- main --------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", action="append", help="only this corpus (repeatable)")
    ap.add_argument("--system", choices=("all", *SYSTEMS), default="all")
    ap.add_argument("--show", metavar="QUERY", help="print the first 10 of each system, graded")
    ap.add_argument(
        "--pool",
        metavar="QUERY",
        action="append",
        nargs="?",
        const="",
        help=f"print the first {POOL} of each system with context, to judge",
    )
    ap.add_argument(
        "--no-synonyms",
        action="store_true",
        help="search without bench/synonyms/NAME.yaml (to compare)",
    )
    ap.add_argument("--write", action="store_true", help='update "## Relevance" in RESULTS.md')
    ap.add_argument("--related", action="store_true", help="precision@5 of related entries")
    cfg = ap.parse_args()
    if cfg.related:
        return related_main(cfg)
    names = cfg.corpus or judged_corpora()
    systems = SYSTEMS if cfg.system == "all" else (cfg.system,)
    sections = []
    for name in names:
        c = corpus(name)
        if cfg.no_synonyms:
            c.synonyms = None
        sections += run_corpus(c, systems, cfg)
    if cfg.write and sections:
        write_results(sections)
        print(f"wrote {RESULTS}")


def run_corpus(c: Corpus, systems: tuple[str, ...], cfg: argparse.Namespace) -> list[str]:
    """Index, rank and print one corpus; return its lines for RESULTS.md."""
    ensure_index(c)
    ensure_dump(c)
    entries = read_dump(c)
    path = JUDGMENTS / f"{c.name}.yaml"
    try:
        judged = load_judgments(path, set(entries)) if path.is_file() else []
    except JudgmentError as e:
        raise SystemExit(f"bad judgments: {e}") from None
    by_text = {j.query: j for j in judged}
    if cfg.show or cfg.pool:
        looked = cfg.pool or [cfg.show]
        ranked = rankings(c, looked, systems)
        for q in looked:
            print(f"\n== {c.name}: {q}  ({by_text[q].intent if q in by_text else 'not judged'})")
            show(c, q, ranked, by_text.get(q), POOL if cfg.pool else 10, entries, bool(cfg.pool))
        return []
    if not judged:
        print(f"[{c.name}] no judgments at {path}")
        return []
    figs = figures(judged, rankings(c, [j.query for j in judged], systems))
    lines = table(c.name, judged, figs)
    print("\n".join(lines))
    return lines


def related_main(cfg: argparse.Namespace) -> None:
    """Report precision@5 of the related lists over the judged entries (or, with --pool, judge)."""
    names = cfg.corpus or sorted(p.stem for p in related_relevance.JUDGED.glob("*.yaml"))
    lines, overall = [], {s: [] for s in related_relevance.SYSTEMS}
    for name in names:
        c = corpus(name)
        ensure_index(c)
        if cfg.pool is not None:
            related_relevance.pool(name, c.index)
            continue
        more, per = related_relevance.report(name, c.index)
        lines += more
        for s in overall:
            overall[s] += per[s]
    if cfg.pool is not None:
        return
    n = len(overall["new"])
    head = ["| system | precision@5 |", "|---|---:|"]
    head += [f"| {s} | {sum(v) / max(n, 1):.2f} |" for s, v in overall.items()]
    text = "\n".join([f"{n} judged entries.", "", *head, "", *lines])
    print(text)
    if cfg.write:
        old = RESULTS.read_text(encoding="utf-8")
        body = (
            "## Related entries\n\n" + related_relevance.__doc__.split("\n\n", 2)[2] + "\n" + text
        )
        kept = (get_section(old, "Related entries") or "").partition(related_relevance.NOTES)
        if kept[1]:  # the notes written by hand under the figures stay
            body = body.rstrip("\n") + "\n\n" + kept[1] + kept[2]
        RESULTS.write_text(
            put_section(old, "Related entries", body, before="Machine"), encoding="utf-8"
        )
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
