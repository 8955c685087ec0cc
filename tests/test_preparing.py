"""A new generation is opened and warmed in the background: requests go on being answered from
the generation they were reading until it is ready (Library(prepare=True), preparing.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fixture_archive import entry_text

from indexer import generations as gens
from indexer import postings, preparing
from indexer.build import build_index
from indexer.completions import Completions
from indexer.library import Library
from indexer.results import SearchRequest

WORDS = (
    "kanban boards for agile teams",
    "agile retrospectives and kanban",
    "design systems for agile teams",
    "kanban metrics",
)


def _archive(root: Path, extra: str = "") -> Path:
    archive = root / "archive"
    archive.mkdir(exist_ok=True)
    for n, body in enumerate(WORDS):
        (archive / f"e{n}.md").write_text(
            entry_text(f"e{n}", "@ann", f"2026-01-0{n + 1}", "", body + extra), encoding="utf-8"
        )
    return archive


def _settled(lib: Library, q: str, want: str, seconds: float = 30.0) -> str:
    """Search until the answer comes from generation `want`; return the generation seen."""
    end = time.monotonic() + seconds
    seen = ""
    while time.monotonic() < end:
        seen = lib.search(SearchRequest(q=q)).generation
        if seen == want:
            break
        time.sleep(0.02)
    return seen


def _rebuilt(lib: Library, archive: Path, index: Path, body: str) -> str:
    """Add an entry, rebuild the index fully, and wait until lib answers from the new
    generation; return its name."""
    (archive / "e9.md").write_text(
        entry_text("e9", "@bo", "2026-02-01", "", body), encoding="utf-8"
    )
    assert build_index(archive, index, full=True).problems == []
    second = gens.current_name(index)
    assert second is not None and _settled(lib, "", second) == second
    return second


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, str]:
    archive = _archive(tmp_path)
    index = tmp_path / "index"
    assert build_index(archive, index, full=True).problems == []
    first = gens.current_name(index)
    assert first is not None
    return archive, index, first


def test_requests_keep_the_old_generation_until_the_new_one_is_warm(built):
    archive, index, first = built
    lib = Library(index, prepare=True)
    assert lib.search(SearchRequest(q="kanban")).total == 3
    (archive / "e9.md").write_text(
        entry_text("e9", "@bo", "2026-02-01", "", "zeppelin kanban"), encoding="utf-8"
    )
    assert build_index(archive, index, full=True).problems == []
    second = gens.current_name(index)
    assert second != first
    # the request that notices the new generation is answered from the one it was reading
    old = lib.search(SearchRequest(q="zeppelin"))
    assert (old.generation, old.total) == (first, 0)
    assert _settled(lib, "kanban", second) == second
    view = lib._local.view
    assert view.name == second
    # the view taken was warmed with the archive's most held words before any request read it
    warmed = {text for (_, text) in view.postings if isinstance(text, str)}
    assert {"kanban", "agil"} <= warmed
    assert lib.search(SearchRequest(q="zeppelin")).total == 1


def test_a_new_generation_has_its_spelling_vocabulary_before_readers_meet_it(built, monkeypatch):
    archive, index, first = built
    # without warming searches (here every word is rare, and searching one asks for spellings)
    monkeypatch.setattr("indexer.library.warm_with", lambda view, search, deadline=None: 0)
    lib = Library(index, prepare=True)
    assert lib.search(SearchRequest(q="")).generation == first  # browsing: no spelling asked
    _rebuilt(lib, archive, index, "zeppelin kanban")
    # made while preparing (no request of it asked for a spelling): the first unknown word
    # does not wait for it
    view = lib._local.view
    segments = tuple(
        sorted(leaf.segment().segment_id() for leaf, _ in view.searcher.reader().leaf_readers())
    )
    assert segments in lib._vocabularies._held
    assert "zeppelin" in lib._vocabularies._held[segments].by_length[len("zeppelin")]
    # ... and each facet's order of values by name (ties at a facet's cut)
    assert all(column._rank is not None for column in view.table.columns.values())


def test_a_warmed_generation_holds_its_most_held_words_positions(built, monkeypatch):
    """The first phrase of common words in a new generation reads no posting block of a word
    whose positions were read while it was prepared, and finds what a cold reader finds."""
    archive, index, first = built
    lib = Library(index, prepare=True)
    lib.search(SearchRequest(q="kanban"))
    (archive / "e9.md").write_text(
        entry_text("e9", "@bo", "2026-02-01", "", "agile kanban boards, kanban agile"),
        encoding="utf-8",
    )
    assert build_index(archive, index, full=True).problems == []
    second = gens.current_name(index)
    assert _settled(lib, "", second) == second
    positions = lib._local.view.postings.positions
    assert {("body", "kanban"), ("body", "agil")} <= set(positions)
    assert not any(text.startswith("=") for _, text in positions)  # exact forms: no phrase
    docs, where = positions[("body", "kanban")]
    assert len(docs) == len(where) == 5 and docs.dtype == np.int32
    read: list[str] = []
    monkeypatch.setattr(
        "indexer.whoosh_internals.segment_positions",
        lambda reader, field, text, wanted, offset: read.append(text),
    )
    phrases = ('"kanban boards"', '"agile kanban"', '"kanban agile"', '"agile teams"')
    warm = [lib.search(SearchRequest(q=q)) for q in phrases]
    assert [r.generation for r in warm] == [second] * 4
    assert read == []  # every word's positions were in memory
    monkeypatch.undo()
    cold = Library(index)
    for q, found in zip(phrases, warm, strict=True):
        expected = cold.search(SearchRequest(q=q))
        assert [h.id for h in found.hits] == [h.id for h in expected.hits], q
        assert found.total == expected.total > 0, q
    assert lib.search(SearchRequest(q='"kanban agile"')).total == 1


def test_a_warmed_generation_holds_its_most_held_stems_postings_without_a_search(
    built, monkeypatch
):
    """A stem spans many words ("defin": define, defined, definition): the most held stems'
    postings are read while a generation is prepared, searched for or not, and so are its
    near-copy bands (an entry page looks its near copies up by them)."""
    archive, index, first = built
    monkeypatch.setattr("indexer.library.warm_with", lambda view, search, deadline=None: 0)
    lib = Library(index, prepare=True)
    lib.search(SearchRequest(q=""))
    view = lib._local.view
    # a small archive's stems are all read cold in a few ms: none is read ahead
    assert postings.warm_terms(lib._postings(view), ("body",), time.monotonic() + 5, 1) == 0
    monkeypatch.setattr(postings, "WARM_TERM_ENTRIES", 2)
    _rebuilt(lib, archive, index, "agile kanban boards")
    view = lib._local.view
    assert {("body", "kanban"), ("body", "agil")} <= set(view.postings)
    assert {("title", "kanban"), ("title", "agil")} <= view.postings.absent  # in no title
    assert ("body", "kanban") in view.postings.positions
    assert lib._dups is not None and lib._dups[1]._bands is not None
    read: list[str] = []
    real = postings._read_term
    monkeypatch.setattr(
        postings, "_read_term", lambda f, t, ctx, raw=None: read.append(t) or real(f, t, ctx, raw)
    )
    assert lib.search(SearchRequest(q="agile")).total == 4
    assert "agil" not in read


def test_without_prepare_the_next_request_opens_the_new_generation(built):
    archive, index, first = built
    lib = Library(index)
    assert lib.search(SearchRequest(q="kanban")).generation == first
    (archive / "e9.md").write_text(
        entry_text("e9", "@bo", "2026-02-01", "", "zeppelin"), encoding="utf-8"
    )
    assert build_index(archive, index, full=True).problems == []
    found = lib.search(SearchRequest(q="zeppelin"))
    assert (found.generation, found.total) == (gens.current_name(index), 1)


def test_a_generation_that_cannot_be_opened_leaves_the_old_one_serving(built, monkeypatch):
    _, index, first = built
    lib = Library(index, prepare=True)
    assert lib.search(SearchRequest(q="kanban")).total == 3
    monkeypatch.setattr(preparing, "RETRY_SECONDS", 0.0)
    broken = index / "gen-broken"
    broken.mkdir()  # a generation half copied by a sync: no segments yet
    (index / gens.CURRENT).write_text("gen-broken", encoding="utf-8")
    assert lib.search(SearchRequest(q="kanban")).generation == first
    end = time.monotonic() + 30
    while lib._preparer.failures == 0 and time.monotonic() < end:
        time.sleep(0.02)
    assert lib._preparer.failures >= 1
    found = lib.search(SearchRequest(q="kanban"))
    assert (found.generation, found.total) == (first, 3)
    (index / gens.CURRENT).write_text(first, encoding="utf-8")  # the sync is undone
    assert lib.search(SearchRequest(q="kanban")).generation == first


def test_an_incremental_run_is_seen_at_once(built):
    archive, index, first = built
    lib = Library(index, prepare=True)
    assert lib.search(SearchRequest(q="zeppelin")).total == 0
    (archive / "e9.md").write_text(
        entry_text("e9", "@bo", "2026-02-01", "", "zeppelin"), encoding="utf-8"
    )
    assert build_index(archive, index).problems == []
    found = lib.search(SearchRequest(q="zeppelin"))
    assert (found.generation, found.total) == (first, 1)


def test_warming_words_are_the_most_held_one_per_family():
    words = ["agile", "agiles", "design", "kanban", "zeppelin"]
    counts = np.array([7, 7, 3, 9, 1], dtype=np.int32)
    shown = np.array([0, 0, 2, 3, 4], dtype=np.int32)  # "agiles" is shown as "agile"
    assert preparing.warming_words(Completions(words, counts, shown), 3) == [
        "kanban",
        "agile",
        "design",
    ]
    assert preparing.warming_words(None) == []


def _prepared(lib: Library, name: str, seconds: float = 30.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if name in lib._preparer._ready:  # (asking `ready` would take the warmed view)
            return True
        time.sleep(0.02)
    return False


def test_a_server_library_prepares_the_generation_it_starts_with(built):
    """A worker just started warms the current generation at once, as it would a new one: its
    first request is answered from the warmed view, and the near-copy signatures are loaded
    before any entry's related list asks for them."""
    _, index, first = built
    lib = Library(index, prepare=True)
    assert _prepared(lib, first)
    assert lib._dups is not None  # the signatures, loaded while preparing
    found = lib.search(SearchRequest(q="kanban"))
    assert (found.generation, found.total) == (first, 3)
    view = lib._local.view
    warmed = {text for (_, text) in view.postings if isinstance(text, str)}
    assert {"kanban", "agil"} <= warmed  # searched while preparing, not by this request
    # a second thread opens its own view: the warmed one went to the first
    other: list = []
    thread = threading.Thread(target=lambda: other.append(lib._view()))
    thread.start()
    thread.join()
    assert other[0] is not view and other[0].name == first


def test_a_request_before_the_preparation_ends_opens_its_own_view(built, monkeypatch):
    _, index, first = built
    release = threading.Event()
    monkeypatch.setattr(Library, "_warm", lambda self, view: release.wait(30))
    lib = Library(index, prepare=True)
    try:
        found = lib.search(SearchRequest(q="kanban"))  # not kept waiting for the warming
        assert (found.generation, found.total) == (first, 3)
        assert first not in lib._preparer._ready
    finally:
        release.set()
    assert _prepared(lib, first)


def test_a_preparation_begun_before_a_fork_is_begun_again_in_the_child(built, monkeypatch):
    """A server that makes the app before forking its workers: the preparing thread stays in
    the parent, so a worker that finds the preparation marked begun starts its own."""
    _, index, first = built
    release = threading.Event()
    monkeypatch.setattr(Library, "_warm", lambda self, view: release.wait(30))
    lib = Library(index, prepare=True)
    try:
        assert lib._preparer._preparing == first
        monkeypatch.setattr(preparing.os, "getpid", lambda: -1)  # now "in the child"
        started = []
        monkeypatch.setattr(
            preparing.threading, "Thread", lambda **kw: started.append(kw) or _NoThread()
        )
        assert lib._preparer.ready(first) == (False, None)
        assert [kw["args"] for kw in started] == [(first,)]  # begun again here
    finally:
        release.set()


class _NoThread:
    def start(self) -> None:
        pass
