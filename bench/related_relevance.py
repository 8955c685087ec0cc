"""Related entries against a judged set (issue 11): precision@5 of three lists. Run by hand.

    .venv/bin/python bench/relevance.py --related            the table, per corpus and overall
    .venv/bin/python bench/relevance.py --related --pool     the unjudged related entries, to judge
    .venv/bin/python bench/relevance.py --related --write    also update "## Related entries" in RESULTS.md

Systems: `new`, the related list of the search core (indexer/related.py); `before`, the list of
2f1c5f4 (bench/related_before.py: Whoosh's key terms, Bo1, as one OR query); `whoosh`, plain
`Searcher.more_like` over the body. Judgments: bench/judgments/related/NAME.yaml, for each
judged entry the grade of each related entry (2 = about the same thing, 1 = a real link a reader
would follow, 0 = shares words only), with a line why. Precision@5 counts grades 1 and 2;
unjudged entries count 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from related_before import related_entries as before_list

from indexer.library import Library
from indexer.related import related_entries

K = 5
SYSTEMS = ("new", "before", "whoosh")
JUDGED = Path(__file__).parent / "judgments" / "related"
NOTES = "### How the judged set was made"  # hand-written notes under the figures, kept by --write


@dataclass
class Judged:
    entry: str
    grades: dict[str, int]
    why: dict[str, str]


def load(name: str) -> list[Judged]:
    """Read one corpus's judged related entries."""
    path = JUDGED / f"{name}.yaml"
    if not path.is_file():
        return []
    out = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        marks = item.get("judgments") or {}
        out.append(
            Judged(
                item["entry"],
                {k: int(v[0]) for k, v in marks.items()},
                {k: str(v[1]) for k, v in marks.items()},
            )
        )
    return out


def lists(lib: Library, entry: str) -> dict[str, list[str]]:
    """Return each system's first K related ids for one entry."""
    view = lib._view()
    s, ctx = view.searcher, lib._postings(view)
    n = s.document_number(id=entry)
    if n is None:
        raise SystemExit(f"no entry {entry!r}")
    labels = {slug: t.label for slug, t in view.taxonomy.items()}
    runs: dict[str, Callable[[], Any]] = {
        "new": lambda: [r.id for r in related_entries(s, n, K, ctx, labels)],
        "before": lambda: [r.id for r in before_list(s, n, K, ctx)],
        "whoosh": lambda: [h["id"] for h in s.more_like(n, "body", top=K)],
    }
    return {name: run() for name, run in runs.items()}


def precision(ids: list[str], grades: dict[str, int]) -> float:
    return sum(1 for i in ids[:K] if grades.get(i, 0) >= 1) / K


def report(name: str, index: Path) -> tuple[list[str], dict[str, list[float]]]:
    """Return the markdown lines of one corpus and each system's per-entry precision."""
    lib = Library(index)
    per: dict[str, list[float]] = {s: [] for s in SYSTEMS}
    lines = [
        f"#### {name}",
        "",
        "| entry | " + " | ".join(SYSTEMS) + " |",
        "|---|" + "---:|" * len(SYSTEMS),
    ]
    for j in load(name):
        got = lists(lib, j.entry)
        vals = [precision(got[s], j.grades) for s in SYSTEMS]
        for s, v in zip(SYSTEMS, vals):
            per[s].append(v)
        lines.append(f"| {j.entry} | " + " | ".join(f"{v:.1f}" for v in vals) + " |")
    return lines + [""], per


def pool(name: str, index: Path) -> None:
    """Print each judged entry's unjudged related entries, with their openings, to judge."""
    lib = Library(index)
    s = lib._view().searcher
    for j in load(name):
        got = lists(lib, j.entry)
        todo = [
            i for i in dict.fromkeys(i for ids in got.values() for i in ids) if i not in j.grades
        ]
        if not todo:
            continue
        print(f"\n== {j.entry}: {_opening(s, j.entry, 300)}")
        for i in todo:
            where = " ".join(f"{k[0]}{v.index(i) + 1}" for k, v in got.items() if i in v)
            print(f"  {i}  [{where}]  {_opening(s, i, 240)}")


def _opening(s: Any, entry: str, chars: int) -> str:
    f = s.stored_fields(s.document_number(id=entry))
    return f["title"] + " :: " + " ".join(f.get("body", "").split())[:chars]
