"""The fix to Whoosh's compound-segment reading: same bytes, no private copy of the index."""

import io
import os

import pytest

from indexer.library import Library
from indexer.params import parse_request
from indexer.whoosh_fixes import _View

DATA = b"line one\nline two\n" + bytes(range(256)) * 40 + b"\nend"


@pytest.mark.parametrize("ops", [
    [("read", 3), ("readline",), ("tell",), ("seek", 5), ("read", 100), ("readline",)],
    [("readline",), ("readline",), ("readline", 10), ("seek", -2, 2), ("read", -1), ("read", 5)],
    [("seek", 4, 1), ("seek", 3, 1), ("tell",), ("read",), ("tell",), ("seek", 0), ("readline", 4)],
])
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
    from indexer import library as library_module

    before = library.search(parse_request({"q": ["autonomy"]}))
    view = library._view()
    segments = view.searcher.reader().leaf_readers()
    assert len(view.maps()) == len(segments) >= 1  # what release() hands back

    released = []
    monkeypatch.setattr(library_module, "MAPPED_MB", 0)  # release after every request
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
