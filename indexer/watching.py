"""Edits live without a scan: `perspectives index --watch` follows the archive's file events.

The operating system tells which files changed (watchfiles: inotify on Linux, FSEvents on
macOS, polling where neither works); a burst of events is one batch once the archive has been
quiet for QUIET_MS (never waiting more than LONGEST_MS), and a batch is published as one
incremental run that looks at the files it names alone (`build_index(only=...)`), never at the
whole archive. The process keeps its imports and caches between batches, so an edit reaches
the readers of a running server in well under a second.

What grows with the archive rather than with the change, the near-duplicate signatures and the
suggestion lists (seconds at a million entries), is made after the edit is searchable, by a
child process (`SideFiles`, forked: it starts with the parsed manifest): the next batch never
waits for it. One child at a time; the changes committed while it works are taken up by the
next one, and its near-duplicate warnings are reported when it ends. A stop signal waits for
the child and brings the files up to date before the watch ends.

What a batch becomes:
- markdown files, not hidden: named to the run (added, changed, deleted or renamed: an atomic
  save, written to a temporary file and renamed over the entry, arrives as the entry's own
  change; the temporary file, not markdown or hidden, is no archive file);
- the archive's settings (themes.yaml, fieldmap.yaml, synonyms.yaml, site.yaml) or a folder
  added, moved or removed: one run over the whole archive, which notices what they changed;
- anything else (images, an editor's swap and backup files): nothing.

A bad file is reported as `path:line: reason` and the watch goes on; a stop signal (SIGTERM,
SIGINT) lets the batch in hand finish, then the watch ends.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.build import BuildReport, build_index, publish_side_files
from indexer.records import ArchiveError, Problem

SIDE_NICENESS = 10  # the side files' child yields the processors to work an edit waits for
QUIET_MS = 150  # a batch ends when no file event came for this long...
LONGEST_MS = 5_000  # ...or when it has gathered events for this long
PROBE = ".perspectives-watch-probe"  # hidden: no archive file
SETTINGS = frozenset({"themes.yaml", "fieldmap.yaml", "synonyms.yaml", "site.yaml"})


@dataclass(frozen=True)
class Batch:
    """What one batch of file events asks of the index."""

    files: tuple[Path, ...]  # entry files to look at alone
    whole: bool  # a setting or a folder changed: look at the whole archive


def watch_command(archive: Path, index_dir: Path, fieldmap: Path | None = None) -> list[str]:
    """Return the command that runs `perspectives index --watch` in this Python, as `serve
    --watch` starts it beside the server."""
    command = [sys.executable, "-m", "indexer.cli", "index", "--watch"]
    command += ["--archive", str(archive), "--index", str(index_dir)]
    return command + (["--fieldmap", str(fieldmap)] if fieldmap is not None else [])


def batch_of(archive: Path, changed: Iterable[str]) -> Batch | None:
    """Return what the changed paths (absolute, as the events name them) ask for, or None when
    none of them is an archive file or setting."""
    root = os.path.abspath(archive)
    files: set[Path] = set()
    whole = False
    for path in changed:
        rel = os.path.relpath(os.path.abspath(path), root)
        parts = rel.split(os.sep)
        if rel == "." or parts[0] == ".." or any(p.startswith(".") for p in parts):
            continue  # the archive itself, outside it, or hidden (an editor's swap file)
        if rel.endswith(".md"):
            files.add(Path(root, rel))
        elif rel in SETTINGS or (os.path.isdir(path) or "." not in parts[-1]):
            whole = True  # a setting, or a folder added, moved or removed
    if not files and not whole:
        return None
    return Batch(tuple(sorted(files)), whole)


def watch(
    archive: Path,
    index_dir: Path,
    on_report: Callable[[BuildReport], None],
    on_error: Callable[[str], None],
    stop: threading.Event,
    fieldmap: Path | None = None,
    synonyms: Path | None = None,
    ready: Callable[[], None] | None = None,
    on_batch: Callable[[Batch], None] | None = None,
) -> None:
    """Follow the archive until `stop` is set, publishing each batch of changes.

    Starts following the file events, then brings the index up to date with one run over the
    whole archive (changes made while nothing watched; a change made meanwhile comes as an
    event after it), then calls `ready`. Each batch is told to `on_batch` as it starts, and its
    run's report goes to `on_report`; a run that fails (a full disk, an archive folder that
    cannot be read) is told to `on_error`, and the watch goes on with the next batch. When
    `stop` is set, the batches already gathered are published before it returns."""

    side = SideFiles(index_dir, on_report, on_error)

    def publish(batch: Batch | None) -> None:
        if batch is None:
            return
        if on_batch is not None:
            on_batch(batch)
        try:
            report = build_index(
                archive,
                index_dir,
                fieldmap=fieldmap,
                synonyms=synonyms,
                only=None if batch.whole else list(batch.files),
                side_files=batch.whole,
            )
            on_report(report)
            if not batch.whole and (report.added or report.updated or report.removed):
                side.due()
        except OSError as e:  # a full disk, a folder that cannot be written
            on_error(
                f"cannot update the index in {index_dir}: {e.strerror or e}; the index "
                "being served is unchanged, and the next change tries again"
            )
        except (ArchiveError, RuntimeError) as e:
            on_error(f"{e}; the index being served is unchanged")

    events: queue.Queue[set[str] | None] = queue.Queue()
    follower = threading.Thread(target=_follow, args=(archive, stop, events), daemon=True)
    follower.start()
    _until_live(archive, events)
    publish(Batch((), whole=True))
    if ready is not None:
        ready()
    while not stop.is_set():
        side.poll()
        try:
            changed = events.get(timeout=0.25)
        except queue.Empty:
            continue
        if changed is None:  # the events ended (the archive folder went away)
            break
        publish(batch_of(archive, changed))
    follower.join(timeout=5)
    gathered: set[str] = set()
    while not events.empty():
        gathered |= events.get() or set()
    publish(batch_of(archive, gathered))
    side.finish()


class SideFiles:
    """Makes the side files of the index (`publish_side_files`) in a forked child while the
    watch goes on, one child at a time; without fork (Windows), in this process."""

    def __init__(
        self,
        index_dir: Path,
        on_report: Callable[[BuildReport], None],
        on_error: Callable[[str], None],
        make: Callable[[Path], list[Problem]] = publish_side_files,
    ) -> None:
        import multiprocessing

        self.index_dir = index_dir
        self._on_report, self._on_error, self._make = on_report, on_error, make
        self._due = False
        self._child: Any = None
        self._answer: Any = None
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork") if "fork" in methods else None

    def due(self) -> None:
        """Note that the index changed: the side files are made again (now, if no child is
        at work)."""
        self._due = True
        self.poll()

    def poll(self) -> None:
        """Report a child that ended; start one if the files are due and none is at work."""
        if self._child is not None:
            if not self._answer.poll() and self._child.is_alive():
                return
            self._ended()
        if self._due:
            self._due = False
            self._start()

    def finish(self) -> None:
        """Wait for the child at work, then make the files due here and now."""
        if self._child is not None:
            self._answer.poll(None)  # its answer, or the end of the pipe when it died
            self._ended()
        if self._due:
            self._due = False
            self._report(*_side_files(self._make, self.index_dir))

    def _start(self) -> None:
        if self._context is None:
            self._report(*_side_files(self._make, self.index_dir))
            return
        receive, send = self._context.Pipe(duplex=False)
        self._child = self._context.Process(
            target=_child, args=(self._make, self.index_dir, send), name="side files", daemon=True
        )
        self._child.start()
        send.close()
        self._answer = receive

    def _ended(self) -> None:
        """Take the answer of the child (read before it is joined: a long list of warnings
        fills the pipe, and the child waits until it is read)."""
        child, answer = self._child, self._answer
        self._child = self._answer = None
        try:
            warnings, error = answer.recv()
        except (EOFError, OSError):  # it died before answering
            warnings, error = [], None
        finally:
            answer.close()
        child.join()
        if error is None and child.exitcode != 0:
            error = f"its process ended with status {child.exitcode}"
        self._report(warnings, error)

    def _report(self, warnings: list[Problem], error: str | None) -> None:
        if error is not None:
            self._on_error(
                f"near-duplicates and suggestions not brought up to date: {error}; the next "
                "change tries again"
            )
        if warnings:
            self._on_report(BuildReport(warnings=warnings, side=True))


def _side_files(
    make: Callable[[Path], list[Problem]], index_dir: Path
) -> tuple[list[Problem], str | None]:
    """Return the warnings of making the side files, or the error that stopped it."""
    try:
        return make(index_dir), None
    except (OSError, ArchiveError, RuntimeError, ValueError) as e:
        return [], str(e)


def _child(make: Callable[[Path], list[Problem]], index_dir: Path, send: Any) -> None:
    """The forked child: make the side files and send back what came of it."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group: the parent waits
    # below the next batch and the server's reopening of the index, which an edit waits for
    os.nice(SIDE_NICENESS)
    send.send(_side_files(make, index_dir))
    send.close()


def _follow(archive: Path, stop: threading.Event, events: queue.Queue[set[str] | None]) -> None:
    """Put each batch of the archive's file events (the paths changed) on the queue until
    `stop` is set, then None."""
    import watchfiles

    try:
        for changes in watchfiles.watch(
            archive,
            debounce=LONGEST_MS,
            step=QUIET_MS,
            stop_event=stop,
            raise_interrupt=False,
            watch_filter=None,
            rust_timeout=1_000,
            yield_on_timeout=False,
        ):
            events.put({path for _, path in changes})
    finally:
        events.put(None)


def _until_live(archive: Path, events: queue.Queue[set[str] | None], timeout: float = 10.0) -> None:
    """Wait until the file events flow: write and remove a hidden probe file in the archive
    until its event arrives (the other events gathered meanwhile are the whole run's to see)."""
    probe = archive / PROBE
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError:  # a read-only archive: nothing to probe with
            time.sleep(0.5)
            return
        try:
            changed = events.get(timeout=0.25)
        except queue.Empty:
            continue
        if changed is None or any(os.path.basename(p) == PROBE for p in changed):
            if changed is None:
                events.put(None)
            return


@contextmanager
def stopped_by_signals() -> Iterator[threading.Event]:
    """Return an event set by SIGTERM or SIGINT (instead of ending the process at once), so the
    batch in hand is finished; the signals' own handlers come back after."""
    stop = threading.Event()
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

    def handler(signum: int, frame: object) -> None:
        stop.set()

    for s in before:
        signal.signal(s, handler)
    try:
        yield stop
    finally:
        for s, h in before.items():
            signal.signal(s, h)
