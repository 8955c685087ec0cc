"""Full and incremental builds, generations, the writer lock, and bad input that must not cost good data."""

import os
import threading

import pytest

from indexer import generations as gens
from indexer.build import IndexBusy, build_index, is_stale, writer_lock
from indexer.generations import MAX_SMALL, segments_to_merge
from indexer.library import Library
from indexer.manifest import read_manifest
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
        True,
        6,
        0,
        0,
        0,
    )
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
    path.write_text(
        "---\ntitle: Organising\nauthor: '@datawren'\ndate: 2024-02-30\n---\nx\n", encoding="utf-8"
    )
    report = build_index(archive_dir, index_dir, full=full)
    rel = path.relative_to(archive_dir).as_posix()
    assert report.kept == [rel]
    assert report.rejected == 1 and report.problems[0].path == rel
    assert "2024-02-30" in report.problems[0].reason
    assert total(Library(index_dir), "organising") == 1
    assert total(Library(index_dir)) == 6


def test_duplicate_ids_keep_the_first(archive_dir, tmp_path):
    original = next(archive_dir.rglob("colour-of-data.md")).read_text(encoding="utf-8")
    (archive_dir / "zz-copy.md").write_text(
        original.replace("---\ntitle", "---\nid: colour-of-data\ntitle"), encoding="utf-8"
    )
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
        t = threading.Thread(
            target=lambda: done.append(build_index(archive_dir, index_dir, on_wait=waited.set))
        )
        t.start()
        assert waited.wait(10)
        assert not done
    t.join(30)
    assert done and done[0].rejected == 0


def test_taxonomy_change_rebuilds_fully(archive_dir, index_dir):
    themes = archive_dir / "themes.yaml"
    themes.write_text(
        themes.read_text(encoding="utf-8") + "\ncolour:\n  label: Colour\n"
        "  description: Colour in charts.\n  terms: [colour]\n",
        encoding="utf-8",
    )
    report = build_index(archive_dir, index_dir)
    assert report.full
    result = Library(index_dir).search(parse_request({"theme": ["colour"]}))
    assert [h.title for h in result.hits] == ["The Colour of the Data"]


def test_missing_archive_is_a_clear_error(tmp_path):
    from indexer.records import ArchiveError

    with pytest.raises(ArchiveError, match="no archive folder"):
        build_index(tmp_path / "nope", tmp_path / "ix")


# -- incremental runs: what they write, and what they leave alone ------------------------------

PAGE = """---
title: "Voices"
---

## The Stories: Living With a Model

### Alpha Voices
*@alpha, January 5, 2025*

Alpha speaks of quiet evenings.

### Beta Voices
*@beta, January 6, 2025*

Beta speaks of loud mornings.
"""

HOLDER = """---
title: "Alpha Holder"
author: "@holder"
date: 2025-01-01
section: "The Stories: Living With a Model"
source: https://example.org/holder
id: alpha-voices
---
The holder of an id that a compiled page wants too.
"""


def toc(index_dir):
    """Return the generation number of the current Whoosh table of contents."""
    from whoosh import index as whoosh_index

    return whoosh_index.open_dir(str(gens.current_path(index_dir))).latest_generation()


def ids_in_index(index_dir):
    """Return every entry id the current generation holds, repeats included."""
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(gens.current_path(index_dir))).searcher() as searcher:
        return sorted(f["id"] for f in searcher.all_stored_fields() if "id" in f)


def test_a_run_that_finds_nothing_changed_writes_nothing(archive_dir, index_dir):
    manifest = gens.current_path(index_dir) / gens.MANIFEST
    before, generation = manifest.stat().st_mtime_ns, toc(index_dir)
    report = build_index(archive_dir, index_dir)
    assert (report.added, report.updated, report.removed, report.entries) == (0, 0, 0, 6)
    assert manifest.stat().st_mtime_ns == before and toc(index_dir) == generation


def test_touching_a_file_writes_the_manifest_but_not_the_index(archive_dir, index_dir):
    path = next(archive_dir.rglob("colour-of-data.md"))
    generation = toc(index_dir)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert build_index(archive_dir, index_dir).updated == 0
    assert toc(index_dir) == generation
    files = read_manifest(gens.current_path(index_dir)).files
    assert files[path.relative_to(archive_dir).as_posix()].mtime_ns == path.stat().st_mtime_ns


def test_a_broken_new_file_is_reported_by_every_run_without_a_commit(archive_dir, index_dir):
    (archive_dir / "draft.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    generation = toc(index_dir)
    for _ in range(2):
        report = build_index(archive_dir, index_dir)
        assert [p.path for p in report.problems] == ["draft.md"] and report.rejected == 1
    assert toc(index_dir) == generation


def test_an_entry_rejected_as_a_duplicate_is_indexed_once_its_holder_goes(archive_dir, index_dir):
    (archive_dir / "000-holder.md").write_text(HOLDER, encoding="utf-8")
    (archive_dir / "voices.md").write_text(PAGE, encoding="utf-8")
    report = build_index(archive_dir, index_dir)
    assert [(p.path, "duplicate id" in p.reason) for p in report.problems] == [("voices.md", True)]
    again = build_index(archive_dir, index_dir)  # reported until fixed; nothing moves
    assert [p.path for p in again.problems] == ["voices.md"] and again.updated == 0
    (archive_dir / "000-holder.md").unlink()
    report = build_index(archive_dir, index_dir)
    assert report.problems == [] and (report.added, report.removed) == (0, 0)
    assert total(Library(index_dir), "quiet AND evenings") == 1
    assert ids_in_index(index_dir).count("alpha-voices") == 1


def test_a_run_killed_between_its_commit_and_its_manifest_is_made_good(archive_dir, index_dir):
    current = gens.current_path(index_dir)
    before = (current / gens.MANIFEST).read_bytes()
    (archive_dir / "new.md").write_text(NEW_ENTRY, encoding="utf-8")
    assert build_index(archive_dir, index_dir).added == 1
    (current / gens.MANIFEST).write_bytes(before)  # as if killed before writing the manifest
    (current / gens.JOURNAL).unlink(missing_ok=True)
    (archive_dir / "new.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    report = build_index(archive_dir, index_dir)
    assert [p.path for p in report.problems] == ["new.md"]
    assert ids_in_index(index_dir) == sorted(read_manifest(current).ids())


def test_thirty_edits_and_deletions_keep_every_entry_once_with_few_segments(archive_dir, index_dir):
    from whoosh import index as whoosh_index

    paths = sorted(archive_dir.rglob("*.md"))
    expected = set(ids_in_index(index_dir))
    lib = Library(index_dir)
    for n in range(30):
        path = paths[n % len(paths)]
        if n % 7 == 3:  # now and then an entry goes and a new one comes
            gone = (
                read_manifest(gens.current_path(index_dir))
                .files[path.relative_to(archive_dir).as_posix()]
                .ids
            )
            path.unlink()
            path = archive_dir / f"new-{n}.md"
            paths[n % len(paths)] = path
            path.write_text(NEW_ENTRY.replace("A New Voice", f"Voice {n}"), encoding="utf-8")
            expected = expected - set(gone) | {f"new-{n}"}
        else:
            with path.open("a", encoding="utf-8") as f:
                f.write(f"\nzqedit{n} was written here.\n")
        report = build_index(archive_dir, index_dir)
        assert report.problems == [] and report.entries == len(expected)
        assert total(lib, f"zqedit{n}") == (0 if n % 7 == 3 else 1)
        assert ids_in_index(index_dir) == sorted(expected)  # each once, the gone ones gone
        ix = whoosh_index.open_dir(str(gens.current_path(index_dir)))
        assert len(ix._segments()) <= MAX_SMALL + 1
    assert total(lib) == len(expected)
    assert all(total(lib, f"zqedit{n}") == 1 for n in range(20, 30) if n % 7 != 3)


def test_merging_takes_small_segments_of_one_tier_and_never_a_full_builds():
    kb, mb = 1024, 1024 * 1024
    large = {"full-1": 180 * mb, "full-2": 180 * mb, "vocabulary": 10 * mb}
    tiny = {f"edit-{k}": 30 * kb for k in range(MAX_SMALL)}
    assert segments_to_merge(large | tiny) == set()  # not more than MAX_SMALL small ones yet
    assert segments_to_merge(large | tiny | {"edit": 30 * kb}) == set(tiny) | {"edit"}
    mid = {f"merged-{k}": 900 * kb for k in range(MAX_SMALL)}  # the next tier up
    assert segments_to_merge(large | mid | {"edit": 30 * kb}) == set(mid)
    near = {f"near-{k}": 3 * mb for k in range(MAX_SMALL + 1)}  # a merge writes at most 8 MB
    assert len(segments_to_merge(large | near)) == 2
    many = {f"full-{k}": 40 * mb for k in range(12)}  # a full build on many cores
    assert segments_to_merge(many | tiny) == set()
    assert segments_to_merge(many | tiny | {"edit": kb}) == set(tiny) | {"edit"}


def test_named_files_are_indexed_without_scanning_the_rest(archive_dir, index_dir):
    """`perspectives index FILE...`: an added, an edited and a deleted file, named, are indexed;
    a file changed but not named waits for the next whole run."""
    lib = Library(index_dir)
    added = archive_dir / "new.md"
    added.write_text(NEW_ENTRY, encoding="utf-8")
    edited = archive_dir / "the-research" / "colour-of-data.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Charts", "Sundials"), encoding="utf-8"
    )
    deleted = archive_dir / "the-research" / "organising-the-evidence.md"
    deleted.unlink()
    unnamed = archive_dir / "the-stories" / "living-with-a-model.md"
    unnamed.write_text(unnamed.read_text(encoding="utf-8") + "\nQuokkas.\n", encoding="utf-8")

    report = build_index(archive_dir, index_dir, only=[added, edited, deleted])
    assert (report.added, report.updated, report.removed) == (1, 1, 1)
    assert total(lib, "self-determination") == 1 and total(lib, "sundials") == 1
    assert total(lib, "organised") == 0 and total(lib, "quokkas") == 0
    assert total(lib) == 6

    report = build_index(archive_dir, index_dir)  # the whole archive: the unnamed edit now
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert total(lib, "quokkas") == 1 and total(lib, "sundials") == 1
    assert not is_stale(archive_dir, index_dir)


def test_named_files_must_be_archive_markdown(archive_dir, index_dir, tmp_path):
    from indexer.records import ArchiveError

    outside = tmp_path / "elsewhere.md"
    outside.write_text(NEW_ENTRY, encoding="utf-8")
    with pytest.raises(ArchiveError, match="not a file of the archive"):
        build_index(archive_dir, index_dir, only=[outside])
    with pytest.raises(ArchiveError, match="not an archive file"):
        build_index(archive_dir, index_dir, only=[archive_dir / "themes.yaml"])


def test_a_named_broken_file_is_reported_and_keeps_its_last_good_version(archive_dir, index_dir):
    lib = Library(index_dir)
    path = archive_dir / "the-research" / "colour-of-data.md"
    path.write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    report = build_index(archive_dir, index_dir, only=[path])
    assert report.rejected == 1 and report.problems[0].path == "the-research/colour-of-data.md"
    assert total(lib, "colour") >= 1


def test_a_parallel_build_settles_ids_and_problems_as_one_process_does(
    archive_dir, tmp_path, monkeypatch
):
    """Each process reads its own share of the files; duplicate ids across shares, broken
    files and the documents indexed must come out as a single-process build has them."""
    from indexer import parallel

    (archive_dir / "zz-duplicate.md").write_text(
        NEW_ENTRY.replace('title: "A New Voice"', 'title: "Copy"\nid: kumabwari-the-map'),
        encoding="utf-8",
    )
    (archive_dir / "aa-duplicate.md").write_text(
        NEW_ENTRY.replace('title: "A New Voice"', 'title: "First"\nid: aa-first'), encoding="utf-8"
    )
    (archive_dir / "zz-aa-again.md").write_text(
        NEW_ENTRY.replace('title: "A New Voice"', 'title: "Again"\nid: aa-first'), encoding="utf-8"
    )
    (archive_dir / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")

    def build(name):
        report = build_index(archive_dir, tmp_path / name, full=True)
        searcher = Library(tmp_path / name)._view().searcher
        docs = [(f["path"], f["id"], f["title"]) for f in searcher.all_stored_fields() if "id" in f]
        return report, docs

    one_report, one_docs = build("one")
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    monkeypatch.setenv("PERSPECTIVES_BUILD_PROCS", "2")
    two_report, two_docs = build("two")
    assert two_docs == one_docs and len(one_docs) == 8
    assert two_report.problems == one_report.problems
    assert {p.path for p in two_report.problems} == {"broken.md", "zz-aa-again.md"}
    assert (two_report.added, two_report.rejected, two_report.entries) == (8, 2, 8)


def test_segment_sizes_come_from_one_listing_as_whoosh_lists_each_segments_files(
    archive_dir, index_dir
):
    from whoosh import index as whoosh_index

    from indexer.generations import _segment_bytes
    from indexer.whoosh_internals import index_segments

    (archive_dir / "new.md").write_text(NEW_ENTRY, encoding="utf-8")
    build_index(archive_dir, index_dir)
    ix = whoosh_index.open_dir(str(gens.current_path(index_dir)))
    segments = index_segments(ix)
    whooshs = {
        seg.segment_id(): sum(ix.storage.file_length(n) for n in seg.list_files(ix.storage))
        for seg in segments
    }
    assert len(whooshs) >= 2 and all(whooshs.values())
    assert _segment_bytes(ix, list(whooshs)) == whooshs
