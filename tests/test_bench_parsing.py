"""The benchmark reads the CLI's own summary line: wording changes to the CLI must not break it."""

from __future__ import annotations

import sys
from pathlib import Path

from indexer.build import BuildReport

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "bench"), str(REPO / "scripts")]

from corpora import parse_summary  # noqa: E402


def test_summary_of_a_large_build_is_read_back() -> None:
    report = BuildReport(full=True, added=12345, updated=3, removed=2, rejected=1, entries=100000)
    assert "100,000 entries" in report.summary()
    assert parse_summary(report.summary()) == {
        "added": 12345,
        "updated": 3,
        "removed": 2,
        "rejected": 1,
        "entries": 100000,
    }


def test_summary_of_one_entry_is_read_back() -> None:
    report = BuildReport(added=1, entries=1)
    assert parse_summary("log line\n" + report.summary()) == {
        "added": 1,
        "updated": 0,
        "removed": 0,
        "rejected": 0,
        "entries": 1,
    }


def test_an_atomic_benchmark_edit_leaves_a_hard_linked_source_as_it_was(tmp_path) -> None:
    # the million-entry watch benchmark edits a copy made of hard links
    import os

    from edits import edit_file

    source = tmp_path / "e1.md"
    source.write_text("---\nid: e1\n---\nBody.\n", encoding="utf-8")
    copy = tmp_path / "copy.md"
    os.link(source, copy)
    edit_file(copy, "zqxword", atomic=True)
    assert source.read_text(encoding="utf-8") == "---\nid: e1\n---\nBody.\n"
    assert copy.read_text(encoding="utf-8").endswith("Edited for the benchmark: zqxword.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.md", "e1.md"]
    edit_file(source, "inplace")  # in place, as before
    assert source.read_text(encoding="utf-8").endswith("Edited for the benchmark: inplace.\n")


def test_the_growth_table_shows_each_size_run_and_dashes_the_others() -> None:
    from collections import Counter

    from growth import SIZES, rows

    full = {
        "wall": 500.0,
        "entries_per_s": 2000.0,
        "cores_used": 1.9,
        "tree_peak_bytes": 3e9,
        "tree_pss_bytes": 2.5e9,
        "index_bytes": 9e9,
    }
    seq = {"rare": {"p50": 0.012, "p95": 0.02, "p99": 0.03}, "export.csv": {"p50": 130.0}}
    figures = {n: {} for n in SIZES}
    figures[1_000_000] = {
        "index": {"full": full, "noop_index_seconds": 20.0, "edit_one": [{"visible": 3.0}]},
        "search": {
            "systems": {
                "ours": {"sequential": seq, "concurrent": {"rps": 50.0}},
                "datasette": {"sequential": {"rare": {"p50": 0.05}}},
            },
            "tantivy": {"queries": {"rare": {"p50_ms": 2.5}}},
        },
    }
    table = {r[0]: r[1:] for r in rows(figures, {n: Counter() for n in SIZES})}
    assert table["full build, wall"] == ["–", "–", "500 s"]
    assert table["full build, entries/s (cores used)"][2] == "2000 (1.90)"
    assert table["`rare`"] == ["–", "–", "12/20/30 · 50 · 2.5"]
    assert table["8 clients, req/s ours · Datasette"][2] == "50 · –"
    assert table["no-op incremental run (whole archive scanned)"][2] == "20.00 s"
