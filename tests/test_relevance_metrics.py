"""The figures of bench/relevance.py (nDCG@k, recall@k) and its judgments loader, on hand-made data."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
_spec = importlib.util.spec_from_file_location("relevance_metrics", BENCH / "relevance_metrics.py")
assert _spec and _spec.loader
rm = importlib.util.module_from_spec(_spec)
sys.modules["relevance_metrics"] = rm
_spec.loader.exec_module(rm)

GRADES = {"a": 2, "b": 1, "c": 0, "d": 2}


def test_dcg_uses_linear_gain_and_log2_discount() -> None:
    assert rm.dcg([2, 1, 0]) == pytest.approx(2 / 1 + 1 / math.log2(3))


def test_ndcg_of_the_ideal_ranking_is_one() -> None:
    assert rm.ndcg(["a", "d", "b", "c"], GRADES, 10) == pytest.approx(1.0)


def test_ndcg_of_a_worse_ranking() -> None:
    # got: c(0) a(2) x(0, unjudged) b(1); ideal: 2 2 1
    got = 2 / math.log2(3) + 1 / math.log2(5)
    ideal = 2 + 2 / math.log2(3) + 1 / 2
    assert rm.ndcg(["c", "a", "x", "b"], GRADES, 10) == pytest.approx(got / ideal)


def test_ndcg_cuts_at_k() -> None:
    assert rm.ndcg(["c", "a"], GRADES, 1) == 0.0
    assert rm.ndcg(["a", "c"], GRADES, 1) == pytest.approx(1.0)


def test_nothing_relevant_scores_zero() -> None:
    assert rm.ndcg(["a"], {"a": 0}, 10) == 0.0
    assert rm.recall(["a"], {"a": 0}, 50) == 0.0


def test_recall_counts_grades_one_and_two_within_k() -> None:
    assert rm.recall(["a", "c", "b", "d"], GRADES, 50) == pytest.approx(1.0)
    assert rm.recall(["a", "c", "b", "d"], GRADES, 3) == pytest.approx(2 / 3)
    assert rm.recall(["x", "c"], GRADES, 50) == 0.0


GOOD = """\
- query: remote work
  intent: teams working remotely
  judgments:
    a: [2, "about telework"]
    c: [0, "remote sensing"]
"""


def test_loader_reads_grades_reasons_and_relevant(tmp_path: Path) -> None:
    path = tmp_path / "j.yaml"
    path.write_text(GOOD)
    (jq,) = rm.load_judgments(path, {"a", "c"})
    assert jq == rm.JudgedQuery(
        "remote work",
        "teams working remotely",
        {"a": 2, "c": 0},
        {"a": "about telework", "c": "remote sensing"},
    )
    assert jq.relevant() == {"a"}


@pytest.mark.parametrize(
    ("text", "known", "message"),
    [
        (
            GOOD.replace("[2,", "[3,"),
            None,
            "query 'remote work': entry 'a': grade must be 0, 1 or 2, got 3",
        ),
        (GOOD, {"a"}, "query 'remote work': entry 'c' is not in the index"),
        (
            GOOD.replace('[0, "remote sensing"]', "0"),
            None,
            "entry 'c': expected [grade, reason], got 0",
        ),
        (
            GOOD.replace("  intent: teams working remotely\n", ""),
            None,
            "'intent' must be non-empty",
        ),
        (GOOD + GOOD, None, "query 'remote work' is judged twice"),
        ("query: x", None, "expected a list of queries"),
    ],
)
def test_loader_names_file_query_and_entry(
    tmp_path: Path, text: str, known: set[str] | None, message: str
) -> None:
    path = tmp_path / "j.yaml"
    path.write_text(text)
    with pytest.raises(rm.JudgmentError) as err:
        rm.load_judgments(path, known)
    assert str(path) in str(err.value)
    assert message in str(err.value)
