"""Use every core for a full build: each process reads its share of the files and indexes it.

Moving parts: `read_and_write` (one forked process per core reads its contiguous share of the
files, hands the parent what settling duplicate ids needs, then indexes the entries it is told
to keep into new segments: Whoosh `SegmentWriter`s without the index lock, as Whoosh's own
`MpWriter(multisegment=True)` makes them, but no entry is ever pickled between processes and
no process holds them all), `Writer` (a new segment whenever a posting pool would spill),
`read_files` (a fork pool, for incremental runs that read many files) and `commit_segments`
(one TOC naming them all). Small jobs run in-process: forking costs more than it saves, and
tests stay single-process.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.index import Index

from indexer.analysis import add_entry, recording_vocabulary
from indexer.archive import read_file
from indexer.documents import vocabulary_document
from indexer.fieldmap import FieldMap
from indexer.records import FileRead, Perspective
from indexer.whoosh_internals import commit_segments as commit_toc
from indexer.whoosh_internals import end_segment, lengths_writer, pool_bytes

PARALLEL_MIN = 2000  # fewer entries than this are built in one process
LIMIT_MB = 192  # Whoosh's posting pool size per writer
# A writer whose pool passes its limit sorts it into a run on disk and merges the runs at the
# end, one posting at a time in Python (a third of a 100k build); a build instead ends the
# segment when the pool is this full and starts another, so no pool ever spills.
SEGMENT_FULL = 0.85
Progress = Callable[[int, int], None]

# Set before forking; the children inherit them without pickling.
_JOB: dict[str, Any] = {}


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


@dataclass(frozen=True)
class EntryRef:
    """What settling ids needs of an entry read in another process: its id, line and file."""

    id: str
    line: int
    path: str


Settle = Callable[[list[FileRead]], dict[str, set[str]]]


def read_and_write(
    ix: Index,
    paths: Sequence[Path],
    root: Path,
    fieldmap: FieldMap,
    settle: Settle,
    document: Callable[[Perspective], dict[str, Any]],
    progress: Progress | None = None,
) -> tuple[list[FileRead], list[Any], set[str]]:
    """Read the files and index their entries into new segments of ix (not yet committed).

    `settle` gets every file's read (entries as `EntryRef`s when read in another process) and
    returns, per path, the ids to index. Each process reads and indexes its own share of the
    files, so no process holds every entry, and entries are never pickled between processes.
    Returns the reads given to settle, the segments (in path order) and the vocabulary.
    """
    procs = processes() if len(paths) >= PARALLEL_MIN else 1
    if procs == 1:
        reads = [read_file(p, root, fieldmap) for p in paths]
        keep = settle(reads)
        entries = [p for read in reads for p in read.entries if p.id in keep.get(read.path, ())]
        with recording_vocabulary() as words:
            written = _write_chunk(ix, entries, len(entries), document, progress, None)
        return reads, written, words
    ctx = _context()
    done = ctx.Value("i", 0)
    size = -(-len(paths) // procs)
    shares = [list(paths[k * size : (k + 1) * size]) for k in range(procs)]
    _JOB.update(
        ix=ix, root=root, fieldmap=fieldmap, document=document, done=done, parent=os.getpid()
    )
    pipes = [ctx.Pipe() for _ in shares]
    children = [
        ctx.Process(target=_reader_writer, args=(share, theirs))
        for share, (_, theirs) in zip(shares, pipes)
    ]
    try:
        for child in children:
            child.start()
        ours = [mine for mine, _ in pipes]
        parts = [_receive(conn, children, done, len(paths), None) for conn in ours]
        reads = [read for part in parts for read in part]
        keep = settle(reads)
        for conn, part in zip(ours, parts):
            conn.send({read.path: keep.get(read.path, set()) for read in part})
        total = sum(len(ids) for ids in keep.values())
        with done.get_lock():
            done.value = 0
        results = [_receive(conn, children, done, total, progress) for conn in ours]
        for child in children:
            child.join()
        if progress:
            progress(total, total)
        segments = [s for written, _ in results for s in written]
        return reads, segments, set().union(*(words for _, words in results))
    finally:
        _JOB.clear()
        for child in children:
            if child.is_alive():
                child.kill()


def _receive(
    conn: Any, children: list[Any], done: Any, total: int, progress: Progress | None
) -> Any:
    """Wait for a child's next message, reporting progress; fail if a child fails or dies."""
    while not conn.poll(0.5):
        if any(c.exitcode not in (None, 0) for c in children):
            raise RuntimeError("an indexing process died; nothing was switched")
        if progress:
            progress(done.value, total)
    status, value = conn.recv()
    if status == "error":
        if isinstance(value, OSError):  # a full disk: the caller says so plainly
            raise value
        raise RuntimeError(f"an indexing process failed: {value}")
    return value


def _reader_writer(paths: list[Path], conn: Any) -> None:
    _die_with_parent()
    try:
        root, fieldmap = _JOB["root"], _JOB["fieldmap"]
        # settling needs ids, lines and paths only: each file's entries are dropped once read
        # and read again when indexed, so no process holds its whole share of the archive
        # (at 1,000,000 entries that was 2.6 GB a process before the first was indexed)
        refs = []
        for path in paths:
            read = read_file(path, root, fieldmap)
            refs.append(FileRead(read.path, read.digest, [], read.problems))
            refs[-1].entries = [EntryRef(p.id, p.line, p.path) for p in read.entries]  # type: ignore[misc]
        conn.send(("ok", refs))
        keep = conn.recv()
        total = sum(len(keep.get(ref.path, ())) for ref in refs)
        with recording_vocabulary() as words:
            written = _write_chunk(
                _JOB["ix"],
                _kept(paths, refs, keep, root, fieldmap),
                total,
                _JOB["document"],
                None,
                _JOB["done"],
            )
        conn.send(("ok", (written, words)))
    except BaseException as e:  # noqa: BLE001 - report any failure to the parent, then exit
        conn.send(("error", e if isinstance(e, OSError) else f"{type(e).__name__}: {e}"))


def _kept(
    paths: list[Path], refs: list[FileRead], keep: dict[str, set[str]], root: Path, fieldmap: Any
) -> Iterator[Perspective]:
    """Yield the entries settling kept, in path order, each file read again. A file an editor
    saved in between is indexed as it now is (the kept ids of it): its digest differs from the
    one the manifest records, so the next index run reads it once more."""
    for path, ref in zip(paths, refs):
        ids = keep.get(ref.path)
        if ids:
            yield from (p for p in read_file(path, root, fieldmap).entries if p.id in ids)


def _write_chunk(
    ix: Index,
    entries: Iterable[Perspective],
    total: int,
    document: Callable[[Perspective], dict[str, Any]],
    progress: Progress | None,
    done: Any,
) -> list[Any]:
    """Write the `total` entries, in order, into new segments (one, unless a pool fills);
    return them. Each entry is taken from the iterable as it is written, so its text is freed
    while the posting pool grows."""
    full = SEGMENT_FULL * LIMIT_MB * 1024 * 1024
    written = []
    writer = lengths_writer(ix, lock=False, limitmb=LIMIT_MB)
    last = time.monotonic()
    for i, p in enumerate(entries, 1):
        add_entry(writer, document(p))
        del p
        if pool_bytes(writer) > full and i < total:
            written.append(end_segment(writer))
            writer = lengths_writer(ix, lock=False, limitmb=LIMIT_MB)
        if i % 100 == 0:
            if done is not None:
                with done.get_lock():
                    done.value += 100
            if progress and time.monotonic() - last > 0.2:
                progress(i, total)
                last = time.monotonic()
    # the writer's temporary folder is shared with the other writers: the committing writer
    # removes it
    last_segment = end_segment(writer)
    return written if last_segment is None else [*written, last_segment]


def commit_segments(
    ix: Index,
    segments: list[Any],
    extra: Sequence[dict[str, Any]] = (),
    words: set[str] | None = None,
) -> None:
    """Commit the new segments, extra documents and the vocabulary as the index's only contents."""
    writer = lengths_writer(ix, limitmb=LIMIT_MB)
    with recording_vocabulary() as extra_words:  # the last good versions of broken entries
        for doc in extra:
            add_entry(writer, doc)
    vocabulary = (words or set()) | extra_words
    if vocabulary:
        writer.add_document(**vocabulary_document(vocabulary))
    commit_toc(writer, segments)
