"""Judged query sets and the figures computed over them: nDCG@k and recall@k.

A judgments file (`bench/judgments/CORPUS.yaml`) is a list of

    - query: remote work during pandemic
      intent: what the reader wants
      judgments:
        ENTRY-ID: [GRADE, "why"]

GRADE is 0 (not relevant), 1 (substantially mentions it, partly relevant) or 2 (about the
topic); an entry not judged counts as 0. `load_judgments` checks the file and names the file,
the query and the entry of anything wrong.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

GRADES = (0, 1, 2)


class JudgmentError(ValueError):
    """A judgments file that cannot be used; the message names the file, query and entry."""


@dataclass(frozen=True)
class JudgedQuery:
    """One query as a reader types it, what they want, and each judged entry's grade and reason."""

    query: str
    intent: str
    grades: Mapping[str, int]
    reasons: Mapping[str, str]

    def relevant(self) -> set[str]:
        """Return the entries graded 1 or 2."""
        return {i for i, g in self.grades.items() if g >= 1}


def dcg(gains: Iterable[float]) -> float:
    """Return the discounted cumulative gain of gains in rank order (log2 discount, linear gain)."""
    return sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Return nDCG@k of a ranking of ids against graded judgments (0 when nothing is relevant)."""
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(grades.get(i, 0) for i in ranking[:k]) / ideal


def recall(ranking: Sequence[str], grades: Mapping[str, int], k: int = 50) -> float:
    """Return the share of the entries graded 1 or more found in the first k (0 when none are)."""
    relevant = {i for i, g in grades.items() if g >= 1}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def load_judgments(path: Path, known_ids: set[str] | None = None) -> list[JudgedQuery]:
    """Read and check a judgments file; with known_ids, every judged id must be one of them."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise JudgmentError(f"{path}: not YAML: {e}") from None
    if not isinstance(data, list):
        raise JudgmentError(f"{path}: expected a list of queries, got {type(data).__name__}")
    out: list[JudgedQuery] = []
    seen: set[str] = set()
    for n, item in enumerate(data, 1):
        jq = _judged_query(path, n, item, known_ids)
        if jq.query in seen:
            raise JudgmentError(f"{path}: query {jq.query!r} is judged twice")
        seen.add(jq.query)
        out.append(jq)
    return out


def _judged_query(path: Path, n: int, item: Any, known_ids: set[str] | None) -> JudgedQuery:
    where = f"{path}: query #{n}"
    if not isinstance(item, dict):
        raise JudgmentError(f"{where}: expected a mapping with query, intent and judgments")
    query, intent, judgments = item.get("query"), item.get("intent"), item.get("judgments")
    if not isinstance(query, str) or not query.strip():
        raise JudgmentError(f"{where}: 'query' must be non-empty text, got {query!r}")
    where = f"{path}: query {query!r}"
    if not isinstance(intent, str) or not intent.strip():
        raise JudgmentError(f"{where}: 'intent' must be non-empty text, got {intent!r}")
    if not isinstance(judgments, dict) or not judgments:
        raise JudgmentError(f"{where}: 'judgments' must map entry ids to [grade, reason]")
    extra = set(item) - {"query", "intent", "judgments"}
    if extra:
        raise JudgmentError(f"{where}: unknown keys {sorted(extra)}")
    grades, reasons = {}, {}
    for entry, value in judgments.items():
        grades[str(entry)], reasons[str(entry)] = _judgment(where, str(entry), value, known_ids)
    return JudgedQuery(query, intent.strip(), grades, reasons)


def _judgment(where: str, entry: str, value: Any, known_ids: set[str] | None) -> tuple[int, str]:
    if known_ids is not None and entry not in known_ids:
        raise JudgmentError(f"{where}: entry {entry!r} is not in the index")
    ok = isinstance(value, list) and len(value) == 2 and isinstance(value[1], str)
    if not ok:
        raise JudgmentError(f"{where}: entry {entry!r}: expected [grade, reason], got {value!r}")
    grade = value[0]
    if isinstance(grade, bool) or grade not in GRADES:
        raise JudgmentError(f"{where}: entry {entry!r}: grade must be 0, 1 or 2, got {grade!r}")
    if not value[1].strip():
        raise JudgmentError(f"{where}: entry {entry!r}: the reason is empty")
    return int(grade), value[1]
