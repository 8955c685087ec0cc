"""The counts behind the completion lists, kept per segment: an index run reads only the
segments it wrote, and what it makes equals reading every segment again."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index

from indexer import completion_parts as parts
from indexer import completions as compl
from indexer.build import build_index
from indexer.generations import current_path


def _entry(archive: Path, name: str, body: str) -> None:
    (archive / f"{name}.md").write_text(
        f'---\ntitle: "{name.title()}"\nauthor: "@airship"\ndate: 2025-01-02\n'
        f'section: "Stories"\nsource: https://example.org/{name}\n---\n{body}\n',
        encoding="utf-8",
    )


def _reader(index_dir: Path):  # type: ignore[no-untyped-def]
    return whoosh_index.open_dir(str(current_path(index_dir))).reader()


def _same(a: parts.Totals, b: parts.Totals) -> None:
    assert (a.segments, a.title, a.body, a.words, a.stems) == (
        b.segments,
        b.title,
        b.body,
        b.words,
        b.stems,
    )


def test_a_build_keeps_a_part_per_segment_and_their_totals(index_dir: Path):
    folder = current_path(index_dir) / parts.PARTS_DIR
    with _reader(index_dir) as reader:
        segments = parts.segment_ids(reader)
        kept = parts.Totals.load(folder / parts.TOTALS_FILE)
        assert kept is not None and kept.segments == frozenset(segments)
        _same(kept, parts.totals(reader))  # as reading every segment again
    assert {p.stem for p in folder.glob("*.npz")} == {*segments, "totals"}
    assert kept.entries("=autonomy") == 2 and kept.words["autonomy"] >= 1


def test_incremental_runs_add_and_take_away_segments(archive_dir: Path, index_dir: Path):
    for i, word in enumerate(["zeppelin", "dirigible", "zeppelin blimp"]):
        _entry(archive_dir, f"airship{i}", f"A {word} floats.")
        build_index(archive_dir, index_dir)
    (archive_dir / "airship0.md").unlink()
    _entry(archive_dir, "airship1", "Now about balloons.")
    build_index(archive_dir, index_dir)
    folder = current_path(index_dir) / parts.PARTS_DIR
    with _reader(index_dir) as reader:
        kept = parts.Totals.load(folder / parts.TOTALS_FILE)
        assert kept is not None
        _same(kept, parts.totals(reader))
        assert {p.stem for p in folder.glob("*.npz")} == {*parts.segment_ids(reader), "totals"}
        made = compl.Completions.load(current_path(index_dir) / compl.COMPLETIONS_FILE)
        again = compl.Completions.from_reader(reader)
    assert made is not None and made.words == again.words
    assert made.counts.tolist() == again.counts.tolist()
    assert made.shown.tolist() == again.shown.tolist()
    assert made.generation == again.generation
    # deleted entries still count until their segment is merged away, as doc_frequency does
    assert kept.entries("=zeppelin") >= 1 and kept.entries("=balloon") == 1


def test_lost_parts_are_read_again(archive_dir: Path, index_dir: Path):
    folder = current_path(index_dir) / parts.PARTS_DIR
    for path in folder.glob("*.npz"):
        if path.name != parts.TOTALS_FILE:
            path.write_bytes(b"not a part")
    _entry(archive_dir, "airship", "A zeppelin floats.")
    build_index(archive_dir, index_dir)
    with _reader(index_dir) as reader:
        kept = parts.Totals.load(folder / parts.TOTALS_FILE)
        assert kept is not None
        _same(kept, parts.totals(reader))
    assert kept.entries("=zeppelin") == 1


def test_a_run_that_changes_nothing_reads_nothing(archive_dir: Path, index_dir: Path, monkeypatch):
    def never(*args):  # type: ignore[no-untyped-def]
        raise AssertionError("read again")

    monkeypatch.setattr(parts.Part, "read", classmethod(never))
    monkeypatch.setattr(compl, "publish", never)
    assert build_index(archive_dir, index_dir).added == 0


def test_part_files_round_trip(tmp_path: Path):
    part = parts.Part({"=a": (1, 2), "=é": (0, 3)}, ["a", "é"], {"autonom": 2})
    part.save(tmp_path / "p.npz")
    assert parts.Part.load(tmp_path / "p.npz") == part
    assert parts.Part.load(tmp_path / "missing.npz") is None
    empty = parts.Part({}, [], {})
    empty.save(tmp_path / "e.npz")
    assert parts.Part.load(tmp_path / "e.npz") == empty


def test_body_stems_count_entries_as_whoosh_does(archive_dir: Path, index_dir: Path):
    _entry(archive_dir, "airship", "Autonomy of a zeppelin.")
    build_index(archive_dir, index_dir)  # a second segment
    generation = current_path(index_dir)
    with _reader(index_dir) as reader:
        stems = parts.stem_entries(generation, frozenset(parts.segment_ids(reader)))
        assert stems is not None and stems["autonom"] == reader.doc_frequency("body", "autonom")
        assert all(stems[t] == reader.doc_frequency("body", t) for t in list(stems)[:50])
        assert not any(t.startswith("=") for t in stems)
    assert parts.stem_entries(generation, frozenset({"another"})) is None


def test_a_related_list_reads_the_kept_counts(archive_dir: Path, index_dir: Path, monkeypatch):
    from indexer import postings
    from indexer.library import Library

    lib = Library(index_dir)
    view = lib._view()
    plain = lib.entry("colour-of-data", related=3)
    assert view.searcher.reader() in postings._BODY
    reader_type = type(view.searcher.reader())
    real = reader_type.doc_frequency

    def counted(self, fieldname, text):  # type: ignore[no-untyped-def]
        assert fieldname != "body", f"{text!r} looked up in the segments"
        return real(self, fieldname, text)

    monkeypatch.setattr(reader_type, "doc_frequency", counted)
    postings._ENTRIES.clear()
    again = lib.entry("colour-of-data", related=3)
    assert plain is not None and again is not None and again.related == plain.related


def test_a_reader_grows_its_stem_counts_to_the_next_state_before_its_totals_are_written(
    archive_dir: Path, index_dir: Path
):
    # `index --watch` writes the totals after the batch (a child process): a reader that
    # reopens meanwhile grows the counts it had by the segments gone and new
    stems = parts.BodyStems()
    generation = current_path(index_dir)
    with _reader(index_dir) as reader:
        first = stems.of(reader, generation)
        assert first is not None and first == parts.totals(reader).stems
    for i, body in enumerate(["A zeppelin of autonomy.", "Autonomy, again.", "Balloons."]):
        _entry(archive_dir, f"airship{i}", body)
        build_index(archive_dir, index_dir, side_files=False)
        if i == 1:
            (archive_dir / "airship0.md").unlink()
            build_index(archive_dir, index_dir, side_files=False)
    with _reader(index_dir) as reader:
        segments = frozenset(parts.segment_ids(reader))
        assert parts.stem_entries(generation, segments) is None  # no totals of this state
        assert parts.BodyStems().of(reader, generation) is None  # nothing to grow from
        grown = stems.of(reader, generation)
        assert grown is not None and grown == parts.totals(reader).stems
        assert grown["autonom"] == reader.doc_frequency("body", "autonom")
        assert stems.of(reader, generation) is grown  # made once per state
    assert first != grown
