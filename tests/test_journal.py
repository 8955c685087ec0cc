"""The manifest's journal: runs that change a few files append to it; any other process reads
manifest.json and the journal as the same manifest; a journal cut short or left over from an
earlier manifest.json is never applied wrongly."""

import json

import pytest
from test_manifest import NEW_ENTRY

import indexer.manifest as manifest_module
from indexer import generations as gens
from indexer import journal
from indexer.build import build_index
from indexer.library import Library
from indexer.manifest import FileRow, FileTable, read_manifest
from indexer.params import parse_request


def as_read_elsewhere(generation):
    """Return the manifest as another process reads it: from the files, nothing kept."""
    manifest_module._LAST.clear()
    return read_manifest(generation)


def columns(table):
    return (table.paths, table.sizes, table.mtimes, table.digests, table.ids, table.problems)


def hits(index_dir, q):
    return Library(index_dir).search(parse_request({"q": [q]})).total


def edit(path, old, new):
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_named_edits_adds_and_deletes_are_appended_and_read_back_the_same(archive_dir, index_dir):
    current = gens.current_path(index_dir)
    whole = (current / gens.MANIFEST).read_bytes()
    edited = archive_dir / "the-research" / "colour-of-data.md"
    deleted = archive_dir / "the-research" / "organising-the-evidence.md"
    for n in range(3):
        added = archive_dir / f"new-{n}.md"
        added.write_text(NEW_ENTRY.replace("A New Voice", f"Voice {n}"), encoding="utf-8")
        edit(edited, "Charts" if n == 0 else f"Sundials{n - 1}", f"Sundials{n}")
        build_index(archive_dir, index_dir, only=[added, edited])
    deleted.unlink()
    (archive_dir / "new-1.md").unlink()
    build_index(archive_dir, index_dir, only=[deleted, archive_dir / "new-1.md"])
    assert (current / gens.MANIFEST).read_bytes() == whole  # never written again
    lines = (current / gens.JOURNAL).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and sorted(json.loads(lines[-1])["drop"]) == [
        "new-1.md",
        "the-research/organising-the-evidence.md",
    ]
    here = read_manifest(current)
    there = as_read_elsewhere(current)
    assert columns(there.table) == columns(here.table)
    assert (there.toc, there.built, there.taxonomy_ok) == (here.toc, here.built, here.taxonomy_ok)
    assert there.toc == gens.toc_generation(current)
    assert there.files["the-research/colour-of-data.md"].digest != ""
    assert list(there.files)[-2:] == ["new-0.md", "new-2.md"]
    assert sorted(there.ids()) == sorted(
        f["id"] for f in _stored(current) if "id" in f
    )  # the journal lists exactly what the index holds
    report = build_index(archive_dir, index_dir)  # a whole run after a restart: nothing to do
    assert (report.added, report.updated, report.removed) == (0, 0, 0)


def _stored(generation):
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(generation)).searcher() as searcher:
        return list(searcher.all_stored_fields())


def test_a_line_cut_short_is_left_out_and_the_next_run_makes_the_index_good(archive_dir, index_dir):
    current = gens.current_path(index_dir)
    edited = archive_dir / "the-research" / "colour-of-data.md"
    edit(edited, "Charts", "Sundials")
    build_index(archive_dir, index_dir, only=[edited])
    text = (current / gens.JOURNAL).read_text(encoding="utf-8")
    (current / gens.JOURNAL).write_text(text[: len(text) // 2], encoding="utf-8")  # killed
    cut = as_read_elsewhere(current)
    assert cut.toc != gens.toc_generation(current)  # the index holds more than it lists
    assert cut.files["the-research/colour-of-data.md"].mtime_ns != edited.stat().st_mtime_ns
    report = build_index(archive_dir, index_dir)
    assert report.updated == 1 and report.problems == []
    assert hits(index_dir, "sundials") == 1 and hits(index_dir, '"charts are never"') == 0
    stored = [f["id"] for f in _stored(current) if "id" in f]
    assert sorted(stored) == sorted(as_read_elsewhere(current).ids()) and len(stored) == 6
    assert "journal" in json.loads((current / gens.MANIFEST).read_text(encoding="utf-8"))
    assert not (current / gens.JOURNAL).exists()  # a journal cut short is written whole


def test_a_journal_left_from_an_earlier_manifest_is_not_applied(
    archive_dir, index_dir, monkeypatch
):
    current = gens.current_path(index_dir)
    edited = archive_dir / "the-research" / "colour-of-data.md"
    edit(edited, "Charts", "Sundials")
    build_index(archive_dir, index_dir, only=[edited])
    left = (current / gens.JOURNAL).read_bytes()
    edit(edited, "Sundials", "Astrolabes")
    monkeypatch.setattr(manifest_module, "JOURNAL_MIN", 0)  # the journal is folded now
    build_index(archive_dir, index_dir, only=[edited])
    assert not (current / gens.JOURNAL).exists()
    (current / gens.JOURNAL).write_bytes(left)  # as if killed before removing the old journal
    row = as_read_elsewhere(current).files["the-research/colour-of-data.md"]
    assert row.mtime_ns == edited.stat().st_mtime_ns  # the latest run's, not the journal's
    assert build_index(archive_dir, index_dir).updated == 0


def test_a_long_journal_is_folded_into_manifest_json(archive_dir, index_dir, monkeypatch):
    monkeypatch.setattr(manifest_module, "JOURNAL_MIN", 1500)
    current = gens.current_path(index_dir)
    edited = archive_dir / "the-research" / "colour-of-data.md"
    sizes, word = [], "Charts"
    for n in range(8):
        edit(edited, word, word := f"Sundials{n}")
        build_index(archive_dir, index_dir, only=[edited])
        journal_file = current / gens.JOURNAL
        sizes.append(journal_file.stat().st_size if journal_file.exists() else 0)
    assert 0 in sizes[1:] and max(sizes) < 1500 + 1000  # folded once it passed the bound
    assert as_read_elsewhere(current).files["the-research/colour-of-data.md"].mtime_ns == (
        edited.stat().st_mtime_ns
    )
    assert hits(index_dir, word) == 1


def table(*paths):
    return FileTable.from_files({rel: FileRow(f"d-{rel}", 1, 1, (rel[:-3],)) for rel in paths})


def test_a_delta_says_only_what_a_replay_makes_again():
    base = table("a.md", "b.md", "c.md")
    row = FileRow("new", 2, 2, ("n",))
    moved = base.updated(["n.md", "a.md", "c.md"], {"b.md": None, "n.md": row}, {})
    assert journal.delta_of(base, moved, moved._touched) is None  # a new file placed first
    grown = base.updated(["a.md", "c.md", "n.md"], {"b.md": None, "n.md": row}, {})
    delta = journal.delta_of(base, grown, grown._touched)
    assert delta is not None and (delta.dropped, delta.added) == (["b.md"], ["n.md"])
    # b.md dropped, then added back: it follows the others, as the run that added it put it
    back = grown.updated(["a.md", "c.md", "n.md", "b.md"], {"b.md": row}, {"a.md": (7, 7)})
    text = "".join(
        journal.entry("t", {key: None for key in journal.HEADER}, d)
        for d in (delta, journal.delta_of(grown, back, back._touched))
    )
    replayed, header, clean = journal.replay(base, text, "t")
    assert clean and header is not None and columns(replayed) == columns(back)
    other, header, clean = journal.replay(base, text, "another manifest")
    assert clean and header is None and columns(other) == columns(base)


@pytest.mark.parametrize("cut", [1, 20])
def test_a_replay_stops_at_a_line_it_cannot_read(cut):
    base = table("a.md", "b.md")
    once = base.updated(["a.md", "b.md"], {}, {"a.md": (5, 5)})
    twice = once.updated(["a.md", "b.md"], {}, {"b.md": (6, 6)})
    lines = [
        journal.entry("t", {key: None for key in journal.HEADER}, d)
        for d in (
            journal.delta_of(base, once, once._touched),
            journal.delta_of(once, twice, twice._touched),
        )
    ]
    replayed, _, clean = journal.replay(base, lines[0] + lines[1][:cut], "t")
    assert not clean and columns(replayed) == columns(once)
