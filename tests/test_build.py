"""Full and incremental builds, generations, the writer lock, and bad input that must not cost good data."""

import threading

import pytest

from indexer import generations as gens
from indexer.build import IndexBusy, build_index, is_stale, writer_lock
from indexer.library import Library
from indexer.params import parse_request

NEW_ENTRY = """---
title: "A New Voice"
author: "@newcomer"
date: 2026-03-01
section: "The Stories: Living With a Model"
source: https://example.org/newcomer
---
Self-determination means the right to choose which model to talk to.
"""


def total(library, q=""):
    return library.search(parse_request({"q": [q]})).total


def test_full_build_reports_counts(tmp_path, archive_dir):
    report = build_index(archive_dir, tmp_path / "ix", full=True)
    assert (report.full, report.added, report.updated, report.removed, report.rejected) == (
        True, 6, 0, 0, 0)
    assert report.entries == 6
    assert "6 added" in report.summary()


def test_incremental_adds_changes_and_removes(archive_dir, index_dir):
    lib = Library(index_dir)
    assert total(lib) == 6
    (archive_dir / "new.md").write_text(NEW_ENTRY, encoding="utf-8")
    report = build_index(archive_dir, index_dir)
    assert (report.full, report.added, report.updated, report.removed) == (False, 1, 0, 0)
    assert total(lib, "self-determination") == 1

    path = archive_dir / "new.md"
    path.write_text(NEW_ENTRY.replace("Self-determination", "Sovereignty"), encoding="utf-8")
    report = build_index(archive_dir, index_dir)
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert total(lib, "sovereignty") == 1 and total(lib, "self-determination") == 0

    path.unlink()
    report = build_index(archive_dir, index_dir)
    assert (report.added, report.updated, report.removed) == (0, 0, 1)
    assert total(lib) == 6 and total(lib, "sovereignty") == 0


def test_nothing_changed_does_nothing(archive_dir, index_dir):
    before = gens.current_name(index_dir)
    report = build_index(archive_dir, index_dir)
    assert (report.added, report.updated, report.removed, report.rejected) == (0, 0, 0, 0)
    assert gens.current_name(index_dir) == before
    assert not is_stale(archive_dir, index_dir)


def test_touching_a_file_without_changing_it_updates_nothing(archive_dir, index_dir):
    path = next(archive_dir.rglob("organising-the-evidence.md"))
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert is_stale(archive_dir, index_dir)
    report = build_index(archive_dir, index_dir)
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert not is_stale(archive_dir, index_dir)


def test_bad_file_is_reported_and_the_rest_indexed(archive_dir, tmp_path):
    (archive_dir / "bad.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    (archive_dir / "new.md").write_text(NEW_ENTRY, encoding="utf-8")
    report = build_index(archive_dir, tmp_path / "ix", full=True)
    assert report.rejected == 1
    assert [p.path for p in report.problems] == ["bad.md"]
    assert str(report.problems[0]).startswith("bad.md:")
    assert report.entries == 7


@pytest.mark.parametrize("full", [False, True])
def test_a_file_broken_after_indexing_keeps_its_last_good_version(archive_dir, index_dir, full):
    path = next(archive_dir.rglob("organising-the-evidence.md"))
    path.write_text("---\ntitle: Organising\nauthor: '@datawren'\ndate: 2024-02-30\n---\nx\n",
                    encoding="utf-8")
    report = build_index(archive_dir, index_dir, full=full)
    rel = path.relative_to(archive_dir).as_posix()
    assert report.kept == [rel]
    assert report.rejected == 1 and report.problems[0].path == rel
    assert "2024-02-30" in report.problems[0].reason
    assert total(Library(index_dir), "organising") == 1
    assert total(Library(index_dir)) == 6


def test_duplicate_ids_keep_the_first(archive_dir, tmp_path):
    original = next(archive_dir.rglob("colour-of-data.md")).read_text(encoding="utf-8")
    (archive_dir / "zz-copy.md").write_text(original.replace("---\ntitle", "---\nid: colour-of-data\ntitle"),
                                            encoding="utf-8")
    report = build_index(archive_dir, tmp_path / "ix", full=True)
    assert report.rejected == 1
    assert report.problems[0].path == "zz-copy.md"
    assert "duplicate id" in report.problems[0].reason
    assert report.entries == 6


def test_full_build_switches_generation_and_open_readers_keep_working(archive_dir, index_dir):
    lib = Library(index_dir)
    old = gens.current_name(index_dir)
    assert total(lib, "autonomy") == 2
    (archive_dir / "new.md").write_text(NEW_ENTRY, encoding="utf-8")
    report = build_index(archive_dir, index_dir, full=True)
    assert report.generation != old and gens.current_name(index_dir) == report.generation
    assert report.added == 1 and report.updated == 6
    assert total(lib, "self-determination") == 1  # the library noticed the new generation
    assert (index_dir / old).is_dir()  # the previous generation stays for readers still on it


def test_old_generations_are_removed(archive_dir, index_dir):
    for _ in range(3):
        build_index(archive_dir, index_dir, full=True)
    assert len(list(index_dir.glob("gen-*"))) == 2


def test_second_writer_refuses_or_waits(archive_dir, index_dir):
    with writer_lock(index_dir):
        with pytest.raises(IndexBusy):
            build_index(archive_dir, index_dir, wait=False)
        waited = threading.Event()
        done = []
        t = threading.Thread(target=lambda: done.append(
            build_index(archive_dir, index_dir, on_wait=waited.set)))
        t.start()
        assert waited.wait(10)
        assert not done
    t.join(30)
    assert done and done[0].rejected == 0


def test_taxonomy_change_rebuilds_fully(archive_dir, index_dir):
    themes = archive_dir / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8") + "\ncolour:\n  label: Colour\n"
                      "  description: Colour in charts.\n  terms: [colour]\n", encoding="utf-8")
    report = build_index(archive_dir, index_dir)
    assert report.full
    result = Library(index_dir).search(parse_request({"theme": ["colour"]}))
    assert [h.title for h in result.hits] == ["The Colour of the Data"]


def test_missing_archive_is_a_clear_error(tmp_path):
    from indexer.records import ArchiveError

    with pytest.raises(ArchiveError, match="no archive folder"):
        build_index(tmp_path / "nope", tmp_path / "ix")
