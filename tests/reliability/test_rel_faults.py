"""Faults while indexing: kill -9 at random moments, two reindexes at once, a full disk.

The scripts under scripts/ run each fault against the production server on a synthetic
corpus (see docs/reliability.md for the full runs); here each runs small, and the failure
paths they rely on are pinned in-process.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_archive import write_archive

from indexer import fullbuild
from indexer import generations as gens
from indexer.build import build_index
from indexer.cli import main
from indexer.library import Library
from indexer.params import parse_request

REPO = Path(__file__).resolve().parents[2]


def _script(name: str, tmp_path: Path, *args: str) -> dict:
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / name), *args, "--json", str(out)],
        capture_output=True, text=True, timeout=600, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_kill_9_during_reindexes_loses_nothing(tmp_path):
    r = _script("kill_reindex.py", tmp_path, "--entries", "150", "--kills", "3",
                "--incremental-kills", "1")  # fmt: skip
    assert r["ok"] and r["full"]["kills"] == 3 and r["full"]["errors"] == []
    assert r["full"]["probe_requests"] > 0 and r["full"]["probe_failures"] == 0
    assert r["full"]["answers_changed"] == 0 and r["incremental"]["errors"] == []


def test_two_reindexes_at_once_wait_or_refuse(tmp_path):
    r = _script("concurrent_reindex.py", tmp_path, "--entries", "100", "--rounds", "4")
    assert r["ok"] and r["errors"] == [] and r["outcomes"]["failed"] == 0
    assert r["outcomes"]["waited"] >= 1 and r["probe_failures"] == 0


def test_a_full_disk_fails_cleanly_and_recovers(tmp_path):
    r = _script("disk_full_reindex.py", tmp_path, "--entries", "150", "--fractions", "0.3")
    assert r["ok"] and r["failed_cleanly"] >= 1 and len(r["rounds"]) == 2
    assert all(not round_["errors"] for round_ in r["rounds"])


# -- the failure paths, in-process --------------------------------------------------------------


@pytest.fixture
def indexed(tmp_path):
    archive = write_archive(tmp_path / "archive")
    build_index(archive, tmp_path / "index", full=True)
    return archive, tmp_path / "index"


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_full_build_leaves_the_index_and_removes_its_generation(indexed, monkeypatch):
    archive, index = indexed
    before, folders = gens.current_name(index), sorted(p.name for p in index.glob("gen-*"))
    total = Library(index).search(parse_request({})).total
    monkeypatch.setattr(fullbuild, "write_manifest", _full_disk)
    with pytest.raises(OSError):
        build_index(archive, index, full=True)
    assert gens.current_name(index) == before
    assert sorted(p.name for p in index.glob("gen-*")) == folders
    assert Library(index).search(parse_request({})).total == total


def test_the_cli_says_plainly_that_the_disk_is_full(indexed, monkeypatch):
    archive, index = indexed
    monkeypatch.setattr(fullbuild, "write_manifest", _full_disk)
    result = CliRunner().invoke(main, ["index", "--full", "--archive", str(archive),
                                       "--index", str(index)])  # fmt: skip
    assert result.exit_code == 1
    assert "cannot write the index" in result.output and "No space left on device" in result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )


def test_a_killed_builds_folder_is_removed_by_the_next_run(indexed):
    archive, index = indexed
    current = gens.current_name(index)
    killed = gens.new_generation(index)  # as a kill -9 leaves it: files, no manifest
    (killed / "_MAIN_1.toc").write_bytes(b"partial")
    build_index(archive, index)  # an incremental run: no switch, yet the leftover goes
    assert not killed.exists() and gens.current_name(index) == current


def test_a_torn_write_leaves_neither_half_a_file_nor_the_temporary(tmp_path, monkeypatch):
    target = tmp_path / "CURRENT"
    target.write_text("gen-old\n", encoding="utf-8")

    def fail_fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.fsync", fail_fsync)
    with pytest.raises(OSError):
        gens.write_atomic(target, "gen-new\n")
    assert target.read_text(encoding="utf-8") == "gen-old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["CURRENT"]


# Whoosh leaves the torn TOC file open when it fails to read it
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_reader_recovers_after_a_generation_fails_to_open(indexed):
    _, index = indexed
    lib = Library(index)
    total = lib.search(parse_request({})).total
    current = (index / "CURRENT").read_text(encoding="utf-8")
    broken = index / "gen-20000101-000000-broken"
    broken.mkdir()
    (broken / "_MAIN_1.toc").write_bytes(b"\x00garbage")
    (index / "CURRENT").write_text(broken.name + "\n", encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - whatever Whoosh raises on a torn generation
        lib.search(parse_request({}))
    (index / "CURRENT").write_text(current, encoding="utf-8")
    assert lib.search(parse_request({})).total == total  # not stuck on the closed searcher


def test_a_parallel_rebuild_numbers_documents_in_path_order(tmp_path, monkeypatch):
    # ties rank by document number: were segments committed in the order their processes
    # finished, a rebuild of the same archive (as after a kill at the switch) could reorder pages
    import time as _time

    from indexer import parallel
    from indexer.archive import read_archive

    archive = write_archive(tmp_path / "archive")
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    monkeypatch.setenv("PERSPECTIVES_BUILD_PROCS", "2")
    write_chunk = parallel._write_chunk
    first = min(p.path for p in read_archive(archive).entries)

    def first_chunk_last(ix, entries, *args, **kwargs):  # the first process finishes last
        entries = list(entries)  # a writer is handed its entries one by one, as read
        if entries and entries[0].path == first:
            _time.sleep(0.5)
        return write_chunk(ix, entries, *args, **kwargs)

    monkeypatch.setattr(parallel, "_write_chunk", first_chunk_last)
    build_index(archive, tmp_path / "index", full=True)
    searcher = Library(tmp_path / "index")._view().searcher
    paths = [f["path"] for f in searcher.all_stored_fields() if "id" in f]
    assert paths == sorted(paths)


SLOW_PARALLEL_BUILD = r"""
import sys, time
from pathlib import Path
sys.path.insert(0, "tests")
from fixture_archive import write_archive
from indexer import parallel
from indexer.build import build_index
root = Path(sys.argv[1])
archive = write_archive(root / "archive")
parallel.PARALLEL_MIN = 2
write_chunk = parallel._write_chunk
def slow(*args, **kwargs):
    time.sleep(60)
    return write_chunk(*args, **kwargs)
parallel._write_chunk = slow
build_index(archive, root / "index", full=True)
"""


def test_a_killed_parallel_build_leaves_no_process_behind(tmp_path):
    import os
    import signal
    import time

    sys.path.insert(0, str(REPO / "scripts"))
    from reliability_lib import processes_on, strays

    env = dict(os.environ, PERSPECTIVES_BUILD_PROCS="2")
    build = subprocess.Popen([sys.executable, "-c", SLOW_PARALLEL_BUILD, str(tmp_path)],
                             cwd=REPO, env=env)  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while len(processes_on(tmp_path)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)  # the build and its two writers
        assert len(processes_on(tmp_path)) == 3
    finally:
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
    assert strays(tmp_path, wait=5) == []  # the writers died with the build
