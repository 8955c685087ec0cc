"""Use every core for a full build: read files in a pool, then write one segment per process.

Moving parts: `read_files` (a fork pool over chunks of paths, results in path order),
`write_segments` (forked writers, each a Whoosh `SegmentWriter` without the index lock, as
Whoosh's own `MpWriter(multisegment=True)` makes them, but analyzing in the child rather than
pickling every document through a queue) and `commit_segments` (one TOC naming them all).
Small jobs run in-process: forking costs more than it saves, and tests stay single-process.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.index import Index
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from indexer.analysis import take_vocabulary
from indexer.archive import read_file
from indexer.documents import vocabulary_document
from indexer.fieldmap import FieldMap
from indexer.postings import length_bytes
from indexer.records import FileRead, Perspective

PARALLEL_MIN = 2000  # fewer entries than this are built in one process
LIMIT_MB = 256  # Whoosh's posting pool size per writer
# A writer whose pool passes its limit sorts it into a run on disk and merges the runs at the
# end, one posting at a time in Python (a third of a 100k build); a build instead ends the
# segment when the pool is this full and starts another, so no pool ever spills.
SEGMENT_FULL = 0.85
Progress = Callable[[int, int], None]

# Set before forking; the children inherit them without pickling.
_JOB: dict[str, Any] = {}


class Writer(SegmentWriter):
    """Whoosh's SegmentWriter, looking up field lengths in memory while it writes postings.

    Whoosh reads the new segment's length column from disk once per posting (a seek and a
    read each: ~15% of a build); here each field's column is read once.
    """

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(reader) if reader is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader is not None:
            reader.close()


class _Lengths:
    """A new segment's field lengths, as `doc_field_length` answers them, read once per field."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._n = reader.doc_count_all()
        self._fields: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        if fieldname not in self._fields:
            column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            self._fields[fieldname] = None if column is None else [
                byte_to_length(b) if b else None for b in length_bytes(column, self._n)]
        table = self._fields[fieldname]
        return default if table is None else table[docnum]


def processes() -> int:
    """Return how many processes a build uses (PERSPECTIVES_BUILD_PROCS, else the cores)."""
    wanted = os.environ.get("PERSPECTIVES_BUILD_PROCS", "")
    return max(1, int(wanted)) if wanted.isdigit() else max(1, min(os.cpu_count() or 1, 8))


def _context() -> Any:  # the fork context (typeshed's BaseContext lacks Process)
    return mp.get_context("fork")


def _die_with_parent() -> None:
    """Have Linux kill this forked process when the build dies (kill -9 leaves no signal to
    handle): orphaned, it would wait forever on its queue, holding ~100 MB."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: nothing to ask
        return
    if os.getppid() != _JOB.get("parent", os.getppid()):  # it died before we asked
        os._exit(1)


def read_files(paths: Sequence[Path], root: Path, fieldmap: FieldMap) -> list[FileRead]:
    """Read the files, in a pool when there are many, keeping their order."""
    procs = processes()
    if procs == 1 or len(paths) < PARALLEL_MIN:
        return [read_file(p, root, fieldmap) for p in paths]
    _JOB.update(root=root, fieldmap=fieldmap, parent=os.getpid())
    try:
        with _context().Pool(procs, initializer=_die_with_parent) as pool:
            return pool.map(_read_one, paths, chunksize=256)
    finally:
        _JOB.clear()


def _read_one(path: Path) -> FileRead:
    return read_file(path, _JOB["root"], _JOB["fieldmap"])


def write_segments(ix: Index, entries: Sequence[Perspective],
                   document: Callable[[Perspective], dict[str, Any]],
                   progress: Progress | None = None) -> tuple[list[Any], set[str]]:
    """Index the entries into new segments of ix (not yet committed); return them and the
    vocabulary (call `analysis.start_vocabulary()` first)."""
    procs = processes() if len(entries) >= PARALLEL_MIN else 1
    if procs == 1:
        return _write_chunk(ix, entries, document, progress, None), take_vocabulary()
    ctx = _context()
    done = ctx.Value("i", 0)
    size = -(-len(entries) // procs)
    _JOB.update(ix=ix, entries=entries, document=document, done=done, parent=os.getpid())
    results = ctx.Queue()
    children = [ctx.Process(target=_child, args=(k * size, (k + 1) * size, results))
                for k in range(procs)]
    try:
        for child in children:
            child.start()
        return _collect(children, results, done, len(entries), progress)
    finally:
        _JOB.clear()
        for child in children:
            if child.is_alive():
                child.kill()


def _collect(children: list[Any], results: Any, done: Any, total: int,
             progress: Progress | None) -> tuple[list[Any], set[str]]:
    """Wait for every child's segments and words, reporting progress; fail if one dies."""
    segments: list[Any] = []
    while len(segments) < len(children):
        try:
            status, value = results.get(timeout=0.5)
        except Exception:  # noqa: BLE001 - queue.Empty: look at the children, then wait again
            if any(c.exitcode not in (None, 0) for c in children):
                raise RuntimeError("an indexing process died; nothing was switched") from None
            if progress:
                progress(done.value, total)
            continue
        if status == "error":
            if isinstance(value, OSError):  # a full disk: the caller says so plainly
                raise value
            raise RuntimeError(f"an indexing process failed: {value}")
        segments.append(value)
    for child in children:
        child.join()
    if progress:
        progress(total, total)
    segments.sort(key=lambda s: s[2])  # in path order, whichever child ended first, so that
    # documents number (and ties rank) the same in every build of the same archive
    words = set().union(*(w for _, w, _ in segments))
    return [s for written, _, _ in segments for s in written], words


def _child(start: int, end: int, results: Any) -> None:
    _die_with_parent()
    try:
        chunk = _JOB["entries"][start:end]
        written = _write_chunk(_JOB["ix"], chunk, _JOB["document"], None, _JOB["done"])
        results.put(("ok", (written, take_vocabulary(), start)))
    except BaseException as e:  # noqa: BLE001 - report any failure to the parent, then exit
        results.put(("error", e if isinstance(e, OSError) else f"{type(e).__name__}: {e}"))


def _write_chunk(ix: Index, entries: Sequence[Perspective],
                 document: Callable[[Perspective], dict[str, Any]],
                 progress: Progress | None, done: Any) -> list[Any]:
    """Write the entries, in order, into new segments (one, unless a pool fills); return them."""
    full = SEGMENT_FULL * LIMIT_MB * 1024 * 1024
    written = []
    writer = Writer(ix, _lk=False, limitmb=LIMIT_MB)
    last = time.monotonic()
    for i, p in enumerate(entries, 1):
        writer.add_document(**document(p))
        if writer.pool.currentsize > full and i < len(entries):
            written.append(writer._finalize_segment())
            writer = Writer(ix, _lk=False, limitmb=LIMIT_MB)
        if i % 100 == 0:
            if done is not None:
                with done.get_lock():
                    done.value += 100
            if progress and time.monotonic() - last > 0.2:
                progress(i, len(entries))
                last = time.monotonic()
    # no writer._finish(): it would remove the temporary folder the other writers share;
    # the committing writer removes it
    if not writer._added:
        writer._close_segment()
        return written
    return [*written, writer._finalize_segment()]


def commit_segments(ix: Index, segments: list[Any], extra: Sequence[dict[str, Any]] = (),
                    words: set[str] | None = None) -> None:
    """Commit the new segments, extra documents and the vocabulary as the index's only contents."""
    writer = Writer(ix, limitmb=LIMIT_MB)
    for doc in extra:
        writer.add_document(**doc)
    vocabulary = (words or set()) | take_vocabulary()
    if vocabulary:
        writer.add_document(**vocabulary_document(vocabulary))
    if writer._added:
        segments = [*segments, writer._finalize_segment()]
    else:
        writer._close_segment()
    writer._commit_toc([s for s in segments if s is not None])
    writer._finish()
