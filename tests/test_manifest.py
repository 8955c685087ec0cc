"""The manifest: typed file rows over columns, and manifest.json as earlier versions wrote it."""

import json

from fixture_archive import write_archive

from indexer import generations as gens
from indexer.build import build_index, is_stale
from indexer.manifest import (
    MANIFEST_FORMAT,
    FileRow,
    FileTable,
    Manifest,
    read_manifest,
    write_manifest,
)

NEW_ENTRY = """---
title: "A New Voice"
author: "@newcomer"
date: 2026-03-01
section: "The Stories: Living With a Model"
---
Self-determination means the right to choose which model to talk to.
"""

# manifest.json exactly as the code before typed rows wrote it (format 2: columns)
WRITTEN_BEFORE = (
    '{"format":2,"config_digest":"cfg","schema_version":9,'
    '"built":"2025-01-02T03:04:05+00:00","taxonomy_ok":true,"toc":7,'
    '"paths":["a.md","sub/b.md","page.md"],"sizes":[120,340,5600],'
    '"mtimes":[1700000000000000001,1700000000000000002,1700000000000000003],'
    '"digests":["d1","d2","d3"],"ids":["a","b","p-one p-two"],"problems":["sub/b.md"]}'
)


def table(*rows):
    """Return a FileTable of (path, size, mtime, ids) rows, digests made from the path."""
    return FileTable(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [f"d-{r[0]}" for r in rows],
        [r[3] for r in rows],
    )


def test_a_manifest_written_before_typed_rows_is_read_and_written_back_the_same(tmp_path):
    (tmp_path / gens.MANIFEST).write_text(WRITTEN_BEFORE, encoding="utf-8")
    manifest = read_manifest(tmp_path)
    assert (
        manifest.config_digest,
        manifest.schema_version,
        manifest.taxonomy_ok,
        manifest.toc,
    ) == ("cfg", 9, True, 7)
    assert dict(manifest.files) == {
        "a.md": FileRow("d1", 120, 1700000000000000001, ("a",)),
        "sub/b.md": FileRow("d2", 340, 1700000000000000002, ("b",), problems=True),
        "page.md": FileRow("d3", 5600, 1700000000000000003, ("p-one", "p-two")),
    }
    write_manifest(tmp_path, manifest)
    written = json.loads((tmp_path / gens.MANIFEST).read_text(encoding="utf-8"))
    assert len(written.pop("journal")) == 12  # the token its journal's lines name
    assert json.dumps(written, separators=(",", ":")) == WRITTEN_BEFORE


def test_a_manifest_of_the_first_format_is_read_and_rewritten(tmp_path):
    archive = write_archive(tmp_path / "archive")
    index = tmp_path / "index"
    build_index(archive, index, full=True)
    current = gens.current_path(index)
    manifest = read_manifest(current)
    old = {
        "files": {
            rel: {"digest": r.digest, "size": r.size, "mtime_ns": r.mtime_ns, "ids": list(r.ids)}
            for rel, r in manifest.files.items()
        },
        "config_digest": manifest.config_digest,
        "schema_version": manifest.schema_version,
        "built": manifest.built,
    }
    (current / gens.MANIFEST).write_text(json.dumps(old, sort_keys=True), encoding="utf-8")
    assert dict(read_manifest(current).files) == dict(manifest.files)
    assert not is_stale(archive, index)
    (archive / "new.md").write_text(NEW_ENTRY, encoding="utf-8")
    assert build_index(archive, index).added == 1
    data = json.loads((current / gens.MANIFEST).read_text(encoding="utf-8"))
    assert data["format"] == MANIFEST_FORMAT and "new.md" in data["paths"]


def test_an_unreadable_manifest_reads_as_an_empty_one(tmp_path):
    (tmp_path / gens.MANIFEST).write_text('{"format":2,"paths":["a.md"]}', encoding="utf-8")
    assert read_manifest(tmp_path) == Manifest() and read_manifest(tmp_path / "none") == Manifest()


def test_file_table_reads_as_a_mapping_of_file_rows():
    t = table(("a.md", 1, 10, "a"), ("b.md", 2, 20, "b1 b2"))
    t.problems.add("b.md")
    assert t["a.md"] == FileRow("d-a.md", 1, 10, ("a",))
    assert t["b.md"].problems and t.get("c.md") is None and list(t) == ["a.md", "b.md"]
    assert t.ids_of("b.md") == ["b1", "b2"] and t.ids_of("c.md") == []
    assert t.holders() == {"a": "a.md", "b1": "b.md", "b2": "b.md"} and t.count_ids() == 3
    again = FileTable.from_files(dict(t.items()))
    assert again.holders() == t.holders() and again.problems == {"b.md"}


def test_a_row_is_made_from_a_read_with_its_ids_sorted():
    row = FileRow.of("d", (5, 50), ["b", "a"], problems=True)
    assert row == FileRow("d", 5, 50, ("a", "b"), True)
    assert row.restat((6, 60)) == FileRow("d", 6, 60, ("a", "b"), True)


def test_file_table_says_which_files_to_read_again():
    t = table(("a.md", 1, 10, "a"), ("b.md", 2, 20, "b"), ("c.md", 3, 30, "c"))
    paths = ["a.md", "b.md", "c.md"]
    assert t.stale(paths, [1, 2, 3], [10, 20, 30]) == [] and t.matches(
        paths, [1, 2, 3], [10, 20, 30]
    )
    assert t.stale(paths, [1, 2, 3], [10, 21, 30]) == [1]  # positions in the scan
    assert t.stale(["a.md", "new.md", "c.md"], [1, 5, 3], [10, 50, 30]) == [1]
    assert t.missing(["a.md", "new.md", "c.md"]) == ["b.md"]
    assert t.matches(["c.md", "a.md", "b.md"], [3, 1, 2], [30, 10, 20])  # any order
    assert not t.matches(["a.md", "b.md"], [1, 2], [10, 20])
    t.problems.add("c.md")
    assert t.stale(paths, [1, 2, 3], [10, 21, 30]) == [1, 2]
    # files named to a run: only their positions are compared (the rest are the table's)
    assert t.stale(paths, [1, 2, 3], [10, 21, 30], only=[1]) == [1, 2]
    assert t.stale(paths, [9, 2, 3], [10, 20, 30], only=[1, 0]) == [0, 2]
    t.problems.clear()
    assert t.stale(paths, [1, 2, 3], [10, 20, 30], only=[1]) == []


def test_file_table_updated_replaces_adds_drops_and_orders_rows():
    t = table(("a.md", 1, 10, "a"), ("b.md", 2, 20, "b"), ("c.md", 3, 30, "c"))
    row = FileRow("new", 9, 90, ("b", "b2"), problems=True)
    same = t.updated(["a.md", "b.md", "c.md"], {"b.md": row}, {"c.md": (4, 40)})
    assert same["b.md"] == row and same["c.md"].size == 4 and same.problems == {"b.md"}
    assert t["b.md"].size == 2  # the table itself is left as it was
    moved = t.updated(
        ["c.md", "n.md", "a.md"], {"b.md": None, "n.md": FileRow.of("n", (1, 1), ["n"])}, {}
    )
    assert list(moved) == ["c.md", "n.md", "a.md"] and moved["n.md"].ids == ("n",)
    assert moved.holders() == {"c": "c.md", "n": "n.md", "a": "a.md"}


def test_a_manifest_is_parsed_once_until_its_file_changes(tmp_path, monkeypatch):
    # `index --watch` reads the manifest before every batch: at 1,000,000 entries its JSON
    # takes seconds to parse, so a process keeps the one it last read or wrote
    import indexer.manifest as manifest_module

    table = FileTable.from_files({"a.md": FileRow("d1", 10, 1, ("a",), False)})
    write_manifest(tmp_path, Manifest(table, "cfg", 3, "2026-12-07", True, 4))
    parsed = []
    real_loads = manifest_module.json.loads
    monkeypatch.setattr(
        manifest_module.json, "loads", lambda text: parsed.append(1) or real_loads(text)
    )
    first = read_manifest(tmp_path)
    assert parsed == [] and first.table is table  # the one this process wrote
    first.toc, first.built = 99, "changed by a run"  # a run's changes are its own
    again = read_manifest(tmp_path)
    assert (again.toc, again.built, again.config_digest) == (4, "2026-12-07", "cfg")
    assert parsed == []
    # another process writes the file: read from it
    data = real_loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    data["built"] = "2026-12-08"
    (tmp_path / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    other = read_manifest(tmp_path)
    assert parsed == [1] and other.built == "2026-12-08" and dict(other.table) == dict(table)
    assert read_manifest(tmp_path).built == "2026-12-08" and parsed == [1]
    # a table's holders are made once and follow an update
    holders = other.table.holders()
    assert holders == {"a": "a.md"} and other.table.holders() is holders
    updated = other.table.updated(["a.md"], {"a.md": FileRow("d2", 11, 2, ("b",), False)}, {})
    assert updated.holders() == {"b": "a.md"} and updated.holders() is holders  # moved on
    assert other.table.holders() == {"a": "a.md"}  # the table updated from makes its own again


def test_ids_holders_after_an_edit_in_place_are_those_made_afresh():
    """An edit that adds and drops no file keeps the table's holders of ids up to date from
    the old ones (or makes them again where an id moves between files), never stale."""
    import random

    rng = random.Random(5)
    paths = [f"f{k}.md" for k in range(40)]
    rows = {
        rel: FileRow.of(f"d{k}", (k, k), [f"id{k}"] + ([f"x{k}"] if k % 7 == 0 else []))
        for k, rel in enumerate(paths)
    }
    first, grown = rows, 0
    for step in range(200):
        table = FileTable.from_files(rows, paths)
        table.holders()  # made, so the next table can grow its own from them
        changes: dict[str, FileRow | None] = {}
        for rel in rng.sample(paths, 3):
            old = table[rel]
            ids = list(old.ids)
            roll = rng.random()
            if roll < 0.3:
                ids = [f"new{rng.randrange(10**6)}"]
            elif roll < 0.35:
                ids = ids + [f"id{rng.randrange(40)}"]  # may take another file's id
            elif roll < 0.45:
                ids = []
            changes[rel] = FileRow.of(old.digest + "+", (old.size + 1, old.mtime_ns), ids)
        updated = table.updated(paths, changes, {})
        fresh = FileTable(
            list(updated.paths),
            list(updated.sizes),
            list(updated.mtimes),
            list(updated.digests),
            list(updated.ids),
            updated.problems,
        )
        grown += updated._holders is not None
        assert updated.holders() == fresh.holders()
        rows = first if step % 10 == 9 else {rel: updated[rel] for rel in paths}
    assert 50 < grown < 190  # both ways were taken: grown, and made again


def test_stats_of_named_files_are_the_table_with_what_changed(tmp_path):
    from indexer.fieldmap import load_fieldmap
    from indexer.scanning import _named_stats

    archive = tmp_path / "archive"
    archive.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (archive / name).write_text("x", encoding="utf-8")
    table = FileTable(["a.md", "b.md", "c.md"], [1, 1, 1], [5, 5, 5], ["d"] * 3, ["a", "b", "c"])
    fieldmap = load_fieldmap(archive)
    (archive / "b.md").write_text("longer", encoding="utf-8")
    edited = _named_stats(archive, fieldmap, table, ["b.md"])
    assert edited.paths == ["a.md", "b.md", "c.md"] and edited.sizes == [1, 6, 1]
    assert edited.mtimes[0] == edited.mtimes[2] == 5 and edited.mtimes[1] > 5
    assert table.sizes == [1, 1, 1]  # the table itself is left as it was
    (archive / "d.md").write_text("new", encoding="utf-8")
    (archive / "a.md").unlink()
    both = _named_stats(archive, fieldmap, table, ["a.md", "d.md"])
    assert both.paths == ["b.md", "c.md", "d.md"] and both.sizes == [1, 1, 3]
