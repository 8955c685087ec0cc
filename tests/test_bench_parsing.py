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
