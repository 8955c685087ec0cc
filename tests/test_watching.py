"""`perspectives index --watch` and `serve --watch`: real processes following a real archive
through the operating system's file events, checked through a real index (and real HTTP)."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from indexer import generations as gens
from indexer.build import BuildReport
from indexer.completions import COMPLETIONS_FILE, Completions
from indexer.library import Library
from indexer.records import Problem
from indexer.results import SearchRequest
from indexer.watching import Batch, SideFiles, batch_of, watch_command

WAIT_S = 30  # the longest any change may take to show (seconds; it takes about one)


def entry(title: str, body: str, entry_id: str = "") -> str:
    ident = f"id: {entry_id}\n" if entry_id else ""
    return (
        f'---\ntitle: "{title}"\nauthor: "@watcher"\ndate: 2026-01-05\n'
        f'section: "Watched"\n{ident}---\n{body}\n'
    )


def found(index_dir: Path, q: str) -> list[str]:
    """Return the ids a fresh reader of the index finds for q."""
    result = Library(index_dir).search(SearchRequest(q=q, per_page=100, subject=False, typos=False))
    return sorted(h.id for h in result.hits)


def until(check, what: str, timeout: float = WAIT_S):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


class Watcher:
    """A `perspectives index --watch` process, its output lines gathered as they come."""

    def __init__(self, archive: Path, index_dir: Path) -> None:
        self.process = subprocess.Popen(
            watch_command(archive, index_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for("Watching")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = WAIT_S) -> str:
        """Return the first line from now on holding text."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                assert self.process.poll() is None, f"the watcher ended: {self.seen}"
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s: {self.seen}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self.reader.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


@pytest.fixture
def watcher(archive_dir: Path, index_dir: Path):  # type: ignore[no-untyped-def]
    w = Watcher(archive_dir, index_dir)
    yield w
    w.stop()


def test_batch_of_names_entry_files_and_asks_for_the_whole_archive_on_settings(tmp_path):
    archive = tmp_path / "archive"
    (archive / "sub").mkdir(parents=True)
    a = str(archive / "sub" / "a.md")
    assert batch_of(archive, [a, str(archive / "b.md")]) == Batch(
        (archive / "b.md", archive / "sub" / "a.md"), whole=False
    )
    # an editor's swap, backup and temporary files, hidden folders, other files: nothing
    for ignored in (
        "sub/.a.md.swp",
        "sub/a.md~",
        ".git/config.md",
        "sub/a.md.tmp",
        "picture.png",
        "sub/.#a.md",
    ):
        assert batch_of(archive, [str(archive / ignored)]) is None, ignored
    assert batch_of(archive, [str(tmp_path / "elsewhere.md")]) is None
    for setting in ("themes.yaml", "fieldmap.yaml", "synonyms.yaml", "site.yaml"):
        assert batch_of(archive, [str(archive / setting)]) == Batch((), whole=True)
    # a folder added, or moved away (gone: known by its name without a suffix)
    assert batch_of(archive, [str(archive / "sub")]) == Batch((), whole=True)
    assert batch_of(archive, [str(archive / "gone-folder"), a]) == Batch(
        (archive / "sub" / "a.md",), whole=True
    )


def test_each_saved_change_is_searchable_and_a_bad_file_never_stops_the_watch(
    archive_dir, index_dir, watcher
):
    new = archive_dir / "the-research" / "okapi.md"
    new.write_text(entry("Okapi herds", "Okapi herds wander the forest.", "okapi-note"))
    watcher.wait_for("1 added")
    assert found(index_dir, "okapi") == ["okapi-note"]

    bad = archive_dir / "the-research" / "broken.md"
    bad.write_text("---\ntitle: [unclosed\n---\nbody\n")
    line = watcher.wait_for("the-research/broken.md:")
    assert "the-research/broken.md:2:" in line and "YAML" in line

    # an atomic save: written to a hidden temporary file, renamed over the entry
    tmp = archive_dir / "the-research" / ".okapi.md.tmp"
    tmp.write_text(entry("Okapi herds", "Quagga herds wander the plain.", "okapi-note"))
    os.replace(tmp, new)
    watcher.wait_for("1 updated")
    assert found(index_dir, "quagga") == ["okapi-note"] and found(index_dir, "okapi") == [
        "okapi-note"
    ]  # the title still says okapi
    assert found(index_dir, "forest") == []

    # renamed into another folder: the same entry, at its new path
    moved = archive_dir / "the-stories" / "okapi-moved.md"
    new.rename(moved)
    watcher.wait_for("updated")
    entry_now = Library(index_dir).entry("okapi-note", related=0)
    assert entry_now is not None and entry_now.path == "the-stories/okapi-moved.md"

    moved.unlink()
    watcher.wait_for("1 removed")
    assert found(index_dir, "quagga") == []
    assert watcher.process.poll() is None  # still watching after all of it


def test_a_burst_of_files_is_one_batch(archive_dir, index_dir, watcher):
    folder = archive_dir / "the-stories"
    for i in range(300):  # written aside, then put in place at once (as a checkout or a copy)
        (folder / f".b{i:03}.md.new").write_text(
            entry(f"Burst {i}", f"Marmoset note {i}.", f"b{i}")
        )
    for i in range(300):
        os.replace(folder / f".b{i:03}.md.new", folder / f"b{i:03}.md")
    line = watcher.wait_for("added")
    assert "300 added" in line, watcher.seen
    assert len(found(index_dir, "marmoset")) == 100  # a page of them
    assert Library(index_dir).search(SearchRequest(q="marmoset")).total == 300
    assert sum("added" in s for s in watcher.seen if "indexing" not in s) == 1


def test_a_stop_signal_finishes_the_batch_in_hand(archive_dir, index_dir, watcher):
    folder = archive_dir / "the-research"
    for i in range(200):
        (folder / f".s{i:03}.md.new").write_text(entry(f"Stop {i}", f"Tapir note {i}.", f"s{i}"))
    for i in range(200):
        os.replace(folder / f".s{i:03}.md.new", folder / f"s{i:03}.md")
    watcher.wait_for("indexing 200 changed files")
    assert watcher.stop() == 0
    assert any("200 added" in s for s in watcher.seen), watcher.seen
    assert "Stopped watching" in watcher.seen[-1]
    assert Library(index_dir).search(SearchRequest(q="tapir")).total == 200


def _completes(index_dir: Path, typed: str) -> list[str]:
    return [s.text for s in Library(index_dir).suggest(typed) if s.kind == "word"]


def test_near_copy_warnings_and_suggestions_follow_an_edit(archive_dir, index_dir, watcher):
    """The side files (near-duplicate signatures, suggestion lists) are made after the batch,
    by a child: its warning is reported, and the new word is offered while typing."""
    source = max(archive_dir.rglob("*.md"), key=lambda p: len(p.read_text()))
    body = source.read_text().split("---", 2)[2]
    copy = archive_dir / "the-research" / "echo.md"
    copy.write_text(entry("Echo", body + "\nWombats burrow.\n", "echo-copy"))
    watcher.wait_for("1 added")
    line = watcher.wait_for("nearly the same text as")
    assert line.split("] ", 1)[-1].startswith("the-research/echo.md:")
    assert str(source.relative_to(archive_dir)) in line
    assert until(lambda: "wombats" in _completes(index_dir, "womb"), "wombats is suggested")
    assert watcher.process.poll() is None


def test_a_stop_signal_leaves_the_side_files_of_the_last_change(archive_dir, index_dir, watcher):
    (archive_dir / "the-research" / "zorilla.md").write_text(
        entry("Zorilla", "Zorilla tracks in the sand.", "zorilla")
    )
    watcher.wait_for("1 added")
    assert watcher.stop() == 0
    current = gens.current_path(index_dir)
    assert current is not None
    held = Completions.generation_of(current / COMPLETIONS_FILE)
    assert held == gens.toc_generation(current)
    assert "zorilla" in _completes(index_dir, "zori")


def _slow_side_files(index_dir: Path) -> list[Problem]:
    """A stand-in for publish_side_files that takes a while and leaves a trace of each call."""
    with open(index_dir / "made.log", "a") as f:
        f.write("started\n")
    time.sleep(1.0)
    return [Problem("a.md", 3, "nearly the same text as b.md (91%)")]


def test_side_files_never_hold_up_the_watch_and_coalesce(tmp_path):
    reports: list[BuildReport] = []
    errors: list[str] = []
    side = SideFiles(tmp_path, reports.append, errors.append, make=_slow_side_files)
    t = time.perf_counter()
    side.due()
    side.due()  # a second batch while the child works: taken up by the next child
    side.poll()
    assert time.perf_counter() - t < 0.5  # the watch went on at once
    assert reports == []
    until(lambda: side.poll() or len(reports) == 1, "the first child reports")
    assert reports[0].side and reports[0].warnings[0].path == "a.md"
    side.finish()  # waits for the second child
    assert len(reports) == 2 and errors == []
    assert (tmp_path / "made.log").read_text().split() == ["started", "started"]


def _niceness_side_files(index_dir: Path) -> list[Problem]:
    (index_dir / "nice.txt").write_text(str(os.nice(0)))
    return []


def test_side_files_are_made_below_the_priority_of_the_watch(tmp_path):
    # on two cores the child must not slow the next batch or the server's reopening
    from indexer.watching import SIDE_NICENESS

    side = SideFiles(tmp_path, lambda r: None, lambda e: None, make=_niceness_side_files)
    side.due()
    side.finish()
    expected = min(19, os.nice(0) + SIDE_NICENESS)
    assert int((tmp_path / "nice.txt").read_text()) == expected > os.nice(0)


def _failing_side_files(index_dir: Path) -> list[Problem]:
    raise OSError(28, "No space left on device")


def test_a_side_file_failure_is_reported_and_the_watch_goes_on(tmp_path):
    reports: list[BuildReport] = []
    errors: list[str] = []
    side = SideFiles(tmp_path, reports.append, errors.append, make=_failing_side_files)
    side.due()
    side.finish()
    assert reports == []
    assert len(errors) == 1 and "No space left on device" in errors[0]
    assert "next change tries again" in errors[0]


def test_changes_made_while_nothing_watched_are_caught_up_at_start(archive_dir, index_dir):
    (archive_dir / "the-research" / "early.md").write_text(
        entry("Early", "Pangolin scales.", "early")
    )
    w = Watcher(archive_dir, index_dir)
    try:
        assert found(index_dir, "pangolin") == ["early"]
        assert any("1 added" in s for s in w.seen)
    finally:
        assert w.stop() == 0


def test_watch_refuses_named_files_and_a_missing_archive(tmp_path, archive_dir, index_dir):
    run = [sys.executable, "-m", "indexer.cli", "index", "--watch", "--index", str(index_dir)]
    named = subprocess.run(
        [*run, "--archive", str(archive_dir), str(archive_dir / "x.md")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert named.returncode == 2 and "--watch follows the whole archive" in named.stderr
    missing = subprocess.run(
        [*run, "--archive", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 1 and "nowhere: no archive folder here" in missing.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_watch_publishes_an_edit_to_the_running_server(archive_dir, index_dir):
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "webapp.cli",
            "serve",
            "--watch",
            "--port",
            str(port),
            "--archive",
            str(archive_dir),
            "--index",
            str(index_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(server.stdout or []), daemon=True)
    reader.start()

    def ids(q: str) -> list[str] | None:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/search?q={q}&subject=0&typos=0", timeout=5
            ) as r:
                return [h["id"] for h in json.load(r)["results"]]
        except OSError:
            return None

    try:
        until(lambda: ids("autonomy") is not None, "the server answers")
        until(lambda: any("Watching" in line for line in out), "the watcher is ready")
        (archive_dir / "the-research" / "serval.md").write_text(
            entry("Serval", "Serval sightings rose.", "serval")
        )
        assert until(lambda: ids("serval"), "the edit is searchable") == ["serval"]
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
        reader.join(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    time.sleep(0.2)
    assert code == 0, out
    assert any("Stopped watching" in line for line in out), out  # the watcher ended too
