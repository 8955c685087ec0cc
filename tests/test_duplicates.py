"""Near-duplicates (duplicates.py, near_copies.py): planted near copies found among 10,000
texts, and through a real index: warnings at indexing (full and incremental) and checking,
`perspectives duplicates`, and the entry's duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from near_copies_archive import KINDS, Prose, near_copy, texts, write_archive

from indexer import duplicates as dup
from indexer.build import build_index
from indexer.cli import main
from indexer.library import Library
from indexer.markup import plain_text

PARAGRAPHS = Prose(3).paragraphs(4)
ORIGINAL = "\n\n".join(PARAGRAPHS)


def test_shingles_ignore_case_spacing_and_punctuation():
    a = dup.shingles("The quick brown fox jumps over the lazy dog.")
    b = dup.shingles("the  QUICK brown\nfox, jumps over the lazy dog")
    assert np.array_equal(a, b) and len(a) == 6
    assert len(dup.shingles("too short")) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_near_copy_is_nearly_the_same(kind: str):
    copy = plain_text(near_copy(PARAGRAPHS, kind, Prose(4)))
    a, b = dup.shingles(plain_text(ORIGINAL)), dup.shingles(copy)
    assert dup.similarity(a, b) >= 0.9
    estimate = dup._estimate(
        dup.signature(a), dup.signature(b), np.uint32(len(a)), np.uint32(len(b))
    )
    assert estimate >= dup.THRESHOLD - dup.ESTIMATE_SLACK


def test_a_quotation_or_a_short_text_is_not_a_copy():
    long = dup.shingles(plain_text(ORIGINAL + "\n\n" + "\n\n".join(Prose(5).paragraphs(6))))
    short = dup.shingles(plain_text(PARAGRAPHS[0]))
    assert dup.similarity(short, long) == 0.0  # all of it is quoted, but it is a third
    tiny = dup.shingles("thank you for everything")
    assert dup.similarity(tiny, tiny) == 0.0


def test_planted_near_copies_among_10000_texts_are_all_found_and_nothing_else():
    bodies, planted = texts(10_000, planted=10)
    # the texts are plain prose except the copies with markup
    plain = {
        i: plain_text(b) if i.endswith("markup") or i + "-markup" in bodies else b
        for i, b in bodies.items()
    }
    pairs = dup.pairs_among(plain)
    assert {(p.a, p.b) for p in pairs} == planted
    assert all(p.similarity >= dup.THRESHOLD for p in pairs)
    # one of each kind at least 90% the same
    for kind in KINDS:
        assert max(p.similarity for p in pairs if p.b.endswith(kind)) >= 0.9


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, set[tuple[str, str]]]:
    root = tmp_path_factory.mktemp("near")
    bodies, planted = texts(1000, planted=2, seed=5)
    write_archive(root / "archive", bodies)
    return root / "archive", root / "index", planted


def test_a_full_build_warns_once_per_planted_pair_and_keeps_signatures_beside(built):
    archive, index, planted = built
    report = build_index(archive, index, full=True)
    assert report.problems == [] and report.rejected == 0
    # each pair once, on one of its files (both are new in a first build)
    got = {frozenset((w.path, w.reason.split(" as ")[1].split(" (")[0])) for w in report.warnings}
    assert got == {frozenset((f"{a}.md", f"{b}.md")) for a, b in planted}
    assert len(report.warnings) == len(planted)
    for w in report.warnings:
        assert w.line == 1 and w.reason.startswith("nearly the same text as ")
        assert w.reason.endswith("%)")
    lib = Library(index)
    name = lib._view().name
    sigs = dup.Signatures.load(index / name)
    assert len(sigs.ids) == 1008 and sigs.sigs.shape == (1008, dup.PERMS)
    assert (index / name / dup.FILE).stat().st_size < 1008 * 400
    found = {(p.a.id, p.b.id) for p in lib.duplicates()}
    assert found == planted


def test_an_incremental_run_warns_about_new_and_changed_files_only(built):
    archive, index, planted = built
    assert build_index(archive, index).warnings == []  # nothing changed
    original, copy = min(planted)
    text = (archive / f"{original}.md").read_text(encoding="utf-8")
    (archive / "late-copy.md").write_text(text.replace("Entry ", "Late entry "), encoding="utf-8")
    report = build_index(archive, index)
    assert report.added == 1
    reasons = sorted(str(w) for w in report.warnings)
    assert f"late-copy.md:1: nearly the same text as {original}.md (100%)" in reasons
    assert len(reasons) == 2 and any(
        r.startswith(f"late-copy.md:1: nearly the same text as {copy}.md (") for r in reasons
    )
    entry = Library(index).entry("late-copy")
    assert entry is not None
    assert {d.id for d in entry.duplicates} == {original, copy}
    assert entry.duplicates[0].similarity == 1.0 and entry.duplicates[0].id == original
    (archive / "late-copy.md").unlink()
    assert build_index(archive, index).warnings == []
    assert Library(index).entry(original).duplicates[0].id == copy


def test_the_command_line_warns_without_failing_and_lists_pairs(built):
    archive, index, planted = built
    runner = CliRunner()
    (archive / "late-copy.md").write_text(
        (archive / f"{min(planted)[0]}.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    try:
        res = runner.invoke(main, ["index", "--archive", str(archive), "--index", str(index)])
        assert res.exit_code == 0, res.output
        assert "late-copy.md:1: nearly the same text as" in res.output
        res = runner.invoke(main, ["check", "--archive", str(archive)])
        assert res.exit_code == 0
        assert res.output.count("nearly the same text as") == len(planted) + 2
        res = runner.invoke(main, ["duplicates", "--index", str(index), "--json"])
        rows = json.loads(res.output)
        assert rows["threshold"] == 0.8 and len(rows["pairs"]) == len(planted) + 2
        assert {"similarity", "a", "b"} == set(rows["pairs"][0])
        assert {"id", "title", "path", "similarity", "author", "date"} == set(rows["pairs"][0]["a"])
        res = runner.invoke(main, ["duplicates", "--index", str(index), "--threshold", "0.99"])
        assert res.exit_code == 0 and "pairs nearly the same (at least 99%)" in res.output
        assert (
            runner.invoke(main, ["duplicates", "--index", str(index), "--threshold", "2"]).exit_code
            == 2
        )
    finally:
        (archive / "late-copy.md").unlink()
        build_index(archive, index)


def test_a_missing_or_broken_signature_file_finds_nothing_and_is_rebuilt(built):
    archive, index, _ = built
    lib = Library(index)
    path = index / lib._view().name / dup.FILE
    path.write_bytes(b"not numpy")
    assert lib.duplicates() == []
    path.unlink()
    assert build_index(archive, index).warnings  # rebuilt, every pair new again
    assert len(lib.duplicates()) >= 8
