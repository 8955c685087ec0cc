"""Whoosh's private parts behind indexer/whoosh_internals.py: the fix to its compound-segment
reading (same bytes, no private copy of the index) and a contract test per private attribute."""

import io
import os
from pathlib import Path

import pytest

from indexer.library import Library
from indexer.params import parse_request
from indexer.whoosh_internals import _View

ROOT = Path(__file__).resolve().parent.parent

DATA = b"line one\nline two\n" + bytes(range(256)) * 40 + b"\nend"


@pytest.mark.parametrize(
    "ops",
    [
        [("read", 3), ("readline",), ("tell",), ("seek", 5), ("read", 100), ("readline",)],
        [
            ("readline",),
            ("readline",),
            ("readline", 10),
            ("seek", -2, 2),
            ("read", -1),
            ("read", 5),
        ],
        [
            ("seek", 4, 1),
            ("seek", 3, 1),
            ("tell",),
            ("read",),
            ("tell",),
            ("seek", 0),
            ("readline", 4),
        ],
    ],
)
def test_view_reads_as_bytesio_does(ops):
    view, ref = _View(DATA), io.BytesIO(DATA)
    for name, *args in ops:
        assert getattr(view, name)(*args) == getattr(ref, name)(*args)


def _anon_mb() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith("RssAnon"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_opening_an_index_does_not_copy_it(tmp_path):
    """A 2,500-entry index is ~8 MB of postings: reading it must not add them to the heap."""
    from whoosh import index as whoosh_index
    from whoosh.fields import TEXT, Schema

    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT))
    writer = ix.writer()
    for i in range(2500):
        writer.add_document(body=" ".join(f"w{(i * 7 + k) % 5000}x{k % 50}" for k in range(200)))
    writer.commit()
    size = sum(p.stat().st_size for p in tmp_path.iterdir()) // 2**20
    assert size >= 5
    before = _anon_mb()
    with ix.searcher() as s:
        assert s.doc_frequency("body", "w7x7") >= 1
        assert _anon_mb() - before < size / 2


def test_search_through_the_fix(library: Library):
    assert library.search(parse_request({"q": ["autonomy"]})).total == 2


def test_released_pages_are_read_again_unchanged(library: Library, monkeypatch):
    """Past MAPPED_MB of mapped pages, a view hands back the index pages it read (madvise):
    the next reads fault them in again from the file, with the same answers."""
    from indexer import view as view_module

    before = library.search(parse_request({"q": ["autonomy"]}))
    view = library._view()
    segments = view.searcher.reader().leaf_readers()
    assert len(view.maps()) == len(segments) >= 1  # what release() hands back

    released = []
    monkeypatch.setattr(view_module, "MAPPED_MB", 0)  # release after every request
    monkeypatch.setattr(type(view), "release", lambda self: released.append(self.name))
    after = library.search(parse_request({"q": ["autonomy"]}))
    hits = list(library.iter_hits(parse_request({"q": ["autonomy"]})))
    assert len(released) >= 2
    monkeypatch.undo()
    view.release()  # the real one
    again = library.search(parse_request({"q": ["autonomy"]}))
    assert [h.id for h in before.hits] == [h.id for h in after.hits] == [h.id for h in again.hits]
    assert [h.snippet for h in again.hits] == [h.snippet for h in before.hits]
    assert len(hits) == before.total


# -- the contract: each private part of Whoosh that indexer/whoosh_internals.py reaches -------
# An upgrade that renames or reshapes one fails here, by name, instead of a search silently
# taking a slow path.


def test_the_whoosh_imported_is_the_one_pinned_and_asserted():
    import importlib.metadata
    import tomllib

    import whoosh

    from indexer import whoosh_internals

    pins = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = ".".join(map(str, whoosh_internals.PINNED))
    assert f"whoosh-reloaded=={wanted}" in pins["project"]["dependencies"]
    assert importlib.metadata.version("whoosh-reloaded") == wanted
    assert tuple(whoosh.__version__) == whoosh_internals.PINNED


def test_another_whoosh_version_stops_the_import(monkeypatch):
    import importlib.util

    import whoosh

    from indexer import whoosh_internals

    monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    monkeypatch.setattr(whoosh, "versionstring", lambda: "2.7.6")
    spec = importlib.util.spec_from_file_location("internals_again", whoosh_internals.__file__)
    assert spec is not None and spec.loader is not None
    with pytest.raises(ImportError, match=r"needs Whoosh 2\.7\.5 .* found 2\.7\.6"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_buffer_file_init_sets_what_the_fix_sets():
    """The fix replaces BufferFile.__init__: Whoosh's must take the same arguments and set
    the same attributes (with `file` a copy, which is what the fix avoids)."""
    import inspect

    from indexer.whoosh_internals import WHOOSH_BUFFER_INIT

    assert list(inspect.signature(WHOOSH_BUFFER_INIT).parameters) == [
        "self",
        "buf",
        "name",
        "onclose",
    ]
    source = inspect.getsource(WHOOSH_BUFFER_INIT)
    for attribute in ("_buf", "_name", "file", "onclose", "is_real", "is_closed"):
        assert f"self.{attribute} = " in source, attribute
    assert "BytesIO(buf)" in source


def test_hash_files_open_as_whoosh_opens_them(index_dir):
    """The fix reads a hash file's directory in one read: each term table and each stored
    field table of the index opens with the same attributes as Whoosh's own opening gives."""
    from whoosh import index as whoosh_index
    from whoosh.filedb import filetables

    from indexer import generations as gens
    from indexer.whoosh_internals import WHOOSH_HASH_READER_INIT

    assert filetables.HashReader.__init__ is not WHOOSH_HASH_READER_INIT
    ix = whoosh_index.open_dir(str(gens.current_path(index_dir)))
    opened = 0
    for segment in ix._segments():
        storage = segment.open_compound_file(ix.storage)
        for part in storage.list():
            if not part.endswith((".trm", ".fvz")):
                continue
            kind = filetables.OrderedHashReader
            ours, theirs = kind.__new__(kind), kind.__new__(kind)
            filetables.HashReader.__init__(ours, storage.open_file(part), storage.file_length(part))
            WHOOSH_HASH_READER_INIT(theirs, storage.open_file(part), storage.file_length(part))
            assert _attributes(ours) == _attributes(theirs)
            assert len(ours.tables) == 256 and ours.endofdata > ours.startofdata
            opened += 1
    assert opened >= 2


def _attributes(reader):  # type: ignore[no-untyped-def]
    """Return a reader's attributes, methods bound to its file named by their function."""
    return {k: getattr(v, "__func__", v) for k, v in vars(reader).items() if k != "dbfile"}


@pytest.fixture
def segment(index_dir):
    """The segment of the fixture index's entries (its vocabulary document has another)."""
    from whoosh import index as whoosh_index

    from indexer import generations as gens

    ix = whoosh_index.open_dir(str(gens.current_path(index_dir)))
    with ix.searcher() as searcher:
        leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
        yield max(leaves, key=lambda leaf: leaf.doc_count_all())


def _doc_frequency_term(segment, least):  # type: ignore[no-untyped-def]
    return next(
        text for text in segment.lexicon("body") if segment.doc_frequency("body", text) >= least
    )


def test_postings_come_as_block_matchers_never_inlined(segment):
    """W3Codec reads every term's postings from blocks (W3LeafMatcher): it would inline fewer
    than `inlinelimit` (1) postings in the term; a segment with deletions wraps the matcher in
    a FilterMatcher."""
    from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
    from whoosh.matching.wrappers import FilterMatcher

    assert W3Codec()._inlinelimit == 1
    single = next(t for t in segment.lexicon("body") if segment.doc_frequency("body", t) == 1)
    for text in (_doc_frequency_term(segment, 3), single):
        assert type(segment.postings("body", text)) is W3LeafMatcher
    inner = segment.postings("body", single)
    assert FilterMatcher(inner, {0}, exclude=True).child is inner


@pytest.mark.parametrize(
    "attribute",
    ["_read_ids", "_read_weights", "_read_values", "_next_block", "_ids", "_weights", "_values"],
)
def test_block_matchers_read_a_block_at_a_time(segment, attribute):
    m = segment.postings("body", _doc_frequency_term(segment, 3))
    m._read_ids()
    m._read_weights()
    m._read_values()
    assert hasattr(m, attribute)
    ids, weights, values = list(m._ids), list(m._weights), list(m._values)
    assert len(ids) == len(weights) == len(values) >= 3
    m._next_block()
    assert not m.is_active()  # the fixture's lists are one block


def test_read_postings_and_segment_positions_equal_the_public_matcher(segment):
    import numpy as np

    from indexer.whoosh_internals import read_postings, segment_positions

    for text in (_doc_frequency_term(segment, 3), _doc_frequency_term(segment, 1)):
        public = segment.postings("body", text)
        expected = list(public.items_as("positions"))
        ids, weights = read_postings(segment.postings("body", text))
        assert ids.tolist() == [n for n, _ in expected]
        assert weights.tolist() == [segment.postings("body", text).weight()] + weights.tolist()[1:]
        wanted = np.ones(segment.doc_count_all() + 5, dtype=bool)
        positions = _by_document(*segment_positions(segment, "body", text, wanted, 5))
        assert positions == {n + 5: list(p) for n, p in expected}
        some = np.zeros_like(wanted)
        some[expected[-1][0] + 5] = True
        assert _by_document(*segment_positions(segment, "body", text, some, 5)) == {
            expected[-1][0] + 5: list(expected[-1][1])
        }
    for docs, positions in (
        segment_positions(segment, "body", "no-such-word", wanted, 0),
        segment_positions(segment, "nofield", "x", wanted, 0),
    ):
        assert docs.tolist() == positions.tolist() == []


def _by_document(docs, positions) -> dict[int, list[int]]:
    """Group `segment_positions`' rows by document, as the public matcher gives them."""
    out: dict[int, list[int]] = {}
    for n, p in zip(docs.tolist(), positions.tolist(), strict=True):
        out.setdefault(n, []).append(p)
    return out


def test_position_values_are_unpickled_together_as_one_by_one():
    # the deltas' pickles of every size (one byte, two, four; more than the 1,000 items a
    # pickle appends at once), run together into one, read as each alone reads
    import pickle

    from indexer.analysis import _encode
    from indexer.whoosh_internals import _unpickled

    lists = [[0], [3, 9], list(range(0, 3000, 2)), [255, 256, 65535, 65536, 2**31 - 1], [7] * 1001]
    values = [_encode(positions) for positions in lists]
    expected = [pickle.loads(v[4:]) for v in values]
    assert _unpickled(values) == expected
    assert _unpickled(values[1:2]) == expected[1:2]
    # a value without its STOP (as some writers leave it) is read one by one
    assert _unpickled([values[0], values[1][:-1]]) == expected[:2]


def test_another_kind_of_matcher_is_refused(segment):
    from whoosh.matching import NullMatcher

    from indexer.whoosh_internals import Unexpected, read_postings

    with pytest.raises(Unexpected, match="NullMatcherClass"):
        read_postings(NullMatcher)


def test_range_texts_are_a_term_ranges_words(segment):
    from whoosh import query as wq

    from indexer.whoosh_internals import range_texts

    texts = list(range_texts(wq.TermRange("body", "a", "c"), segment))
    assert texts and all(isinstance(t, bytes) and b"a" <= t <= b"c" for t in texts)


def test_lengths_are_read_from_the_segments_length_column(segment):
    """SegmentReader._perdoc, its _cached_reader, whoosh3._lenfield and LENGTHS_COLUMN, and the
    column reader's _fixedlen, _count, _dbfile and _basepos."""
    from whoosh.codec import whoosh3
    from whoosh.columns import FixedBytesColumn
    from whoosh.util.numeric import length_to_byte

    from indexer.whoosh_internals import segment_lengths

    column = segment._perdoc._cached_reader(whoosh3._lenfield("body"), whoosh3.LENGTHS_COLUMN)
    assert isinstance(column, FixedBytesColumn.Reader) and column._fixedlen == 1
    assert column._count == segment.doc_count_all() and column._basepos >= 0
    assert hasattr(column._dbfile, "get")
    expected = bytes(
        length_to_byte(segment.doc_field_length(n, "body", 0))
        for n in range(segment.doc_count_all())
    )
    assert segment_lengths(segment, "body") == expected
    assert segment_lengths(segment, "path") == bytes(segment.doc_count_all())  # no lengths


@pytest.mark.parametrize(
    "attribute",
    [
        "_flush_segment",
        "_added",
        "_close_segment",
        "_finalize_segment",
        "_commit_toc",
        "_finish",
        "perdocwriter",
        "fieldwriter",
        "per_document_reader",
        "codec",
        "pool",
        "docnum",
        "schema",
        "_check_state",
        "_doc_boost",
        "_field_boost",
        "_check_fields",
    ],
)
def test_segment_writers_have_what_lengths_writer_uses(tmp_path, attribute):
    import inspect

    from whoosh import index as whoosh_index
    from whoosh.fields import TEXT, Schema
    from whoosh.writing import SegmentWriter

    from indexer.whoosh_internals import lengths_writer

    assert "_lk" in inspect.signature(SegmentWriter.__init__).parameters
    writer = lengths_writer(whoosh_index.create_in(str(tmp_path), Schema(body=TEXT)))
    assert hasattr(writer, attribute)
    assert hasattr(writer.codec, "length_stats")
    for name in ("start_field", "finish_field", "_tindex"):
        assert hasattr(writer.fieldwriter, name)
    writer.fieldwriter.start_field("body", writer.schema["body"])
    for name in ("_postwriter", "_fieldid", "_format"):  # set by start_field
        assert hasattr(writer.fieldwriter, name)
    for name in ("add_field", "add_column_value", "start_doc", "finish_doc", "cancel_doc"):
        assert hasattr(writer.perdocwriter, name)
    writer.cancel()


def test_segments_written_apart_and_committed_together(tmp_path):
    """Two writers without the lock each end a segment; a third commits them with its own
    documents: one index, each field length as Whoosh's own writer records it."""
    from whoosh import index as whoosh_index
    from whoosh.fields import TEXT, Schema

    from indexer.whoosh_internals import (
        commit_segments,
        end_segment,
        index_segments,
        lengths_writer,
        pool_bytes,
    )

    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(stored=True)))
    texts = ["one two three", "four five", "six", "seven eight nine ten"]
    segments = []
    for part in (texts[:2], texts[2:3]):
        writer = lengths_writer(ix, lock=False)
        for text in part:
            writer.add_document(body=text)
        assert pool_bytes(writer) > 0
        segments.append(end_segment(writer))
    empty = lengths_writer(ix, lock=False)
    assert end_segment(empty) is None
    last = lengths_writer(ix)
    last.add_document(body=texts[3])
    commit_segments(last, segments)
    assert len(index_segments(ix)) == 3
    with ix.searcher() as searcher:
        lengths = {
            d["body"]: searcher.reader().doc_field_length(n, "body")
            for n, d in enumerate(searcher.all_stored_fields())
        }
    assert lengths == {text: len(text.split()) for text in texts}


@pytest.mark.parametrize(
    "fieldname, prefix",
    [
        ("title", b"="),
        ("body", b"="),
        ("body", b""),
        ("words", b""),
        ("body", b"zzz"),
        ("nofield", b""),
    ],
)
def test_term_frequencies_are_the_public_iteration(segment, fieldname, prefix):
    """The term table read straight gives what Whoosh's iter_prefix and doc_frequency give."""
    from indexer.whoosh_internals import term_frequencies

    public = (
        [(text, info.doc_frequency()) for text, info in segment.iter_prefix(fieldname, prefix)]
        if fieldname in segment.schema
        else []
    )
    assert list(term_frequencies(segment, fieldname, prefix)) == public
    if fieldname == "body" and prefix == b"=":
        assert len(public) > 10 and any(n > 1 for _, n in public)


def test_term_frequencies_rely_on_the_term_table_layout(segment):
    """W3TermsReader's ordered hash table, its key coder and W3TermInfo's packing."""
    from whoosh.codec import whoosh3
    from whoosh.filedb.filetables import OrderedHashReader, _lengths

    assert isinstance(segment._terms, whoosh3.W3TermsReader)
    assert isinstance(segment._terms._tindex, OrderedHashReader)
    assert whoosh3.W3TermInfo._struct.format == "!BfIBBfII"
    assert _lengths.format == "!ii"
    assert segment._terms._keycoder("body", b"x")[2:] == b"x"
    for attribute in ("closest_key_pos", "endofdata", "dbfile"):
        assert hasattr(segment._terms._tindex, attribute), attribute


def test_pickles_load_through_the_view_as_through_bytesio():
    """The C unpickler reads ahead through `peek` and then skips what it used: every pickle of
    a run is read, and the position after each is where it ends."""
    import pickle

    items = [(i, float(i), b"x" * (i * 37 % 900), list(range(i % 50))) for i in range(300)]
    data = b"".join(pickle.dumps(item, 2) for item in items)
    view, plain = _View(data), io.BytesIO(data)
    for item in items:
        assert pickle.load(view) == pickle.load(plain) == item
        assert view.tell() == plain.tell()
    assert view.read() == b"" and view.peek(10) == b""


def test_segment_postings_are_the_public_postings_and_count(segment):
    from whoosh.reading import TermNotFound

    from indexer.whoosh_internals import read_postings, segment_postings

    for text in [t.decode() for t in segment.lexicon("body")][:40] + ["zzznothing"]:
        found = segment_postings(segment, "body", text)
        try:
            public = read_postings(segment.postings("body", text))
        except TermNotFound:
            assert found is None
            continue
        assert found is not None
        assert found[0].tolist() == public[0].tolist() and found[1].tolist() == public[1].tolist()
        assert found[2] == segment.doc_frequency("body", text)
    assert segment_postings(segment, "nofield", "x") is None


def test_segment_maps_are_the_compound_segments_memory_maps(segment, library):
    """SegmentReader._storage, OverlayStorage.a and CompoundStorage._source."""
    import mmap

    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import OverlayStorage

    storage = segment._storage
    storage = storage.a if isinstance(storage, OverlayStorage) else storage
    assert isinstance(storage, CompoundStorage) and isinstance(storage._source, mmap.mmap)
    assert len(library._view().maps()) == len(library._view().searcher.reader().leaf_readers())


def test_no_module_but_whoosh_internals_reaches_a_private_name_it_does_not_define():
    """Every `x._name` in indexer/ and webapp/ (x not self or cls) names something our own code
    defines; Whoosh's and NLTK's private names appear in whoosh_internals.py alone."""
    import ast

    ours: set[str] = set()
    used: dict[str, set[str]] = {}
    for path in sorted([*(ROOT / "indexer").glob("*.py"), *(ROOT / "webapp").glob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                ours.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                ours.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                ours.add(node.attr)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                ours.add(node.target.id)
            elif isinstance(node, ast.ImportFrom) and path.name != "whoosh_internals.py":
                for alias in node.names:
                    if alias.name.startswith("_") and (node.module or "").startswith(
                        ("whoosh", "nltk")
                    ):
                        used.setdefault(path.name, set()).add(alias.name)
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and path.name != "whoosh_internals.py"
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                used.setdefault(path.name, set()).add(node.attr)
    foreign = {name: sorted(names - ours - {"_exit"}) for name, names in used.items()}
    assert {name: names for name, names in foreign.items() if names} == {}


def test_segment_postings_read_long_lists_block_by_block(tmp_path):
    """A list longer than a block (128 postings), with weights of one, of one other value and
    of many, read from the raw blocks, equals the public matcher's."""
    import numpy as np
    from whoosh import fields
    from whoosh import index as whoosh_index

    from indexer.whoosh_internals import (
        block_positions,
        read_postings,
        segment_blocks,
        segment_positions,
        segment_postings,
    )

    ix = whoosh_index.create_in(str(tmp_path), fields.Schema(body=fields.TEXT(phrase=True)))
    with ix.writer() as w:
        for i in range(700):
            words = (
                ["every", "twice twice"]
                + ["many"] * (1 + i % 5)
                + (["filler"] * 300 + ["rare"] if i % 97 == 0 else [])
            )
            w.add_document(body=" ".join(words))
    with ix.searcher() as s:
        ((segment, _),) = s.reader().leaf_readers()
        for text, df in (("every", 700), ("twice", 700), ("many", 700), ("rare", 8)):
            found = segment_postings(segment, "body", text)
            public = read_postings(segment.postings("body", text))
            assert found is not None and found[2] == df
            assert (
                found[0].tolist()
                == public[0].tolist()
                == (list(range(700)) if df == 700 else list(range(0, 700, 97)))
            )
            assert found[1].tolist() == public[1].tolist()
        assert (
            set(found_weights := segment_postings(segment, "body", "many")[1].tolist())
            == {1.0, 2.0, 3.0, 4.0, 5.0}
            and len(found_weights) == 700
        )
        # positions from the raw blocks too, past the first block and past position 255
        wanted = np.ones(701, dtype=bool)
        for text in ("many", "rare", "twice"):
            public = {
                n + 1: list(p) for n, p in segment.postings("body", text).items_as("positions")
            }
            assert _by_document(*segment_positions(segment, "body", text, wanted, 1)) == public
            # read once, kept raw: the same list and the same positions
            blocks = segment_blocks(segment, "body", text)
            listed = segment_postings(segment, "body", text)
            assert blocks is not None and listed is not None
            assert len(blocks[3]) == (1 if text == "rare" else 6)  # 128 postings a block
            assert blocks[0].tolist() == listed[0].tolist()
            assert blocks[1].tolist() == listed[1].tolist() and blocks[2] == listed[2]
            assert _by_document(*block_positions(blocks[3], wanted, 1)) == public
        rare = _by_document(*segment_positions(segment, "body", "rare", wanted, 1))
        assert rare[98] == [3 + (1 + 97 % 5) + 300]
        assert segment_blocks(segment, "body", "no-such-word") is None


def test_hashed_value_is_whoosh_own_lookup_for_every_term(segment):
    """W3TermsReader._tindex (an OrderedHashReader: hashfn, tables, dbfile._buf) and _keycoder:
    our in-place lookup finds every term's info bytes as Whoosh's does, and nothing else."""
    from indexer.whoosh_internals import _hashed_value

    terms = segment._terms
    keys = [terms._keycoder(field, text) for field, text in segment.all_terms()]
    assert len(keys) > 100
    for key in keys:
        assert bytes(_hashed_value(terms._tindex, key)) == terms._tindex[key]
    for missing in (b"\x00\x00zzz-none", terms._keycoder("body", b"zzznothing")):
        assert _hashed_value(terms._tindex, missing) is None and missing not in terms._tindex


def _segments_written_both_ways(tmp_path):
    """Return the documents and, per writer (Whoosh's own; the build's `lengths_writer`), the
    index it wrote of them: over every kind of field the schema has, lists longer than a
    block, weights of one, of one other value and of many, boosts, and documents without a
    field."""
    import random

    from whoosh import fields
    from whoosh import index as whoosh_index

    from indexer.schema import make_schema
    from indexer.whoosh_internals import lengths_writer

    schema = make_schema()
    rng = random.Random(7)
    words = [
        "user",
        "autonomy",
        "model",
        "micro-purchase",
        "organisation",
        "behaviour",
        "e-mail",
        "trust",
        "people",
        "care",
        "A/B",
        "24/7",
        "dignity",
    ]
    docs = []
    for i in range(700):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(0, 60)))
        doc = {
            "id": f"e{i}",
            "path": f"e{i}.md",
            "title": f"Entry {i} {rng.choice(words)}",
            "body": body,
            "author_key": f"@a{i % 7}",
            "section": f"S{i % 3}",
            "section_key": f"s{i % 3}",
            "themes": ",".join(words[: i % 4]),
            "day": 20240101 + i % 28,
            "language": "en",
            "authors_col": f"@a{i % 7}",
        }
        docs.append({k: v for k, v in doc.items() if k in schema.names() and (v or i % 5)})
    assert any(isinstance(schema[name], fields.KEYWORD) for name in docs[1])
    indexes = {}
    for name, make in (("whoosh", lambda ix: ix.writer()), ("ours", lengths_writer)):
        (tmp_path / name).mkdir()
        ix = indexes[name] = whoosh_index.create_in(str(tmp_path / name), schema)
        writer = make(ix)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    return docs, indexes


def _segment_files(ix):
    with ix.searcher() as s:
        ((segment, _),) = s.reader().leaf_readers()
        terms = segment._terms
        longest = max(segment.doc_frequency("body", t) for t in segment.lexicon("body"))
        assert longest > 128  # lists of several blocks
        return bytes(terms._postfile._buf), bytes(terms._tindex.dbfile._buf)


def test_the_build_writer_writes_what_whoosh_writes_byte_for_byte(tmp_path, monkeypatch):
    """The build's writer (`lengths_writer`: postings grouped by term as documents come, a
    term written at a time) against Whoosh's own (`PostingPool`, `FieldWriter.add_postings`
    through `W3PostingsWriter`, a posting at a time), every block compressed as Whoosh does:
    the same posting file and term table."""
    from indexer import whoosh_internals

    monkeypatch.setattr(whoosh_internals, "RAW_BELOW", 0)
    _, indexes = _segments_written_both_ways(tmp_path)
    ours, whoosh = _segment_files(indexes["ours"]), _segment_files(indexes["whoosh"])
    assert ours[0] == whoosh[0]  # the posting file
    assert ours[1] == whoosh[1]  # the term table


def test_small_blocks_written_raw_read_back_the_same_through_whoosh(tmp_path):
    """With small blocks left uncompressed (`RAW_BELOW`), Whoosh's own matchers and the
    search core's block reader read every posting of every term as Whoosh's writer wrote it,
    and the posting file is smaller."""
    from indexer.whoosh_internals import RAW_BELOW, segment_postings

    assert RAW_BELOW > 20
    _, indexes = _segments_written_both_ways(tmp_path)
    ours, whoosh = _segment_files(indexes["ours"]), _segment_files(indexes["whoosh"])
    assert ours[0] != whoosh[0] and len(ours[0]) < len(whoosh[0])
    read = {}
    for name, ix in indexes.items():
        with ix.searcher() as s:
            ((segment, _),) = s.reader().leaf_readers()
            lists = {}
            for fieldname in ("body", "title", "themes", "author_key", "day"):
                for btext in segment.lexicon(fieldname):
                    m = segment.postings(fieldname, btext)
                    postings = []
                    while m.is_active():
                        postings.append((m.id(), m.weight(), m.value()))
                        m.next()
                    info = segment.term_info(fieldname, btext)
                    if fieldname != "day":  # numeric terms are bytes, not text
                        core = segment_postings(segment, fieldname, btext.decode("utf-8"))
                        assert [p[0] for p in postings] == list(core[0])
                        assert [p[1] for p in postings] == list(core[1])
                    lists[fieldname, btext] = (
                        postings,
                        (info.weight(), info.doc_frequency(), info.max_weight()),
                        (info.min_length(), info.max_length(), info.min_id(), info.max_id()),
                    )
            read[name] = lists
    assert len(read["ours"]) > 100
    assert read["ours"] == read["whoosh"]


def test_a_finished_segment_writer_lets_its_posting_pool_go(tmp_path):
    # a build's writer ends a segment whenever its posting pool fills; were the writer's pool
    # kept alive by the cycle through its own bound `_flush_segment` until a full collection,
    # finished pools piled up (a share of a million entries: 6.5 GB a process, bench/RESULTS.md)
    import weakref

    from whoosh import index as whoosh_index

    from indexer.analysis import add_entry
    from indexer.schema import make_schema
    from indexer.whoosh_internals import end_segment, lengths_writer

    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    writer = lengths_writer(ix, lock=False)
    add_entry(writer, {"id": "one", "title": "A title", "body": "Some words about autonomy."})
    pool = weakref.ref(writer.pool)
    segment = end_segment(writer)
    assert "_flush_segment" not in vars(writer)  # the cycle is broken
    assert writer.pool is None and pool() is None  # and the pool is gone, collector or not
    assert segment is not None and segment.doc_count_all() == 1
