"""Edits live without a scan (issue 13): how soon a saved change is searchable through the
running production server when `perspectives index --watch` follows the archive.

On a scratch copy of a benchmark corpus's archive and index: gunicorn (2 workers) serves the
index, `perspectives index --watch` follows the archive; the harness appends a made-up word to
a random entry and polls `/api/search?q=<word>` every 10 ms from the write on, until it is
found (first time, and 6 polls in a row: both workers), `--edits` times; then writes a burst of
`--burst` new entries at once and waits until all are found, counting the watcher's batches;
then stops the watcher (SIGTERM) and times its exit. Prints a table; `--write` puts it in
bench/RESULTS.md. With `--link` the scratch copy is made of hard links (a million entries'
archive and index are 13 GB to copy) and each edit is saved atomically (a new file renamed over
the old one), so the corpus itself is never changed. Run by hand, never in the tests:

    .venv/bin/python bench/watch_bench.py --entries 100000 --write
    .venv/bin/python bench/watch_bench.py --entries 1000000 --link --write
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))  # harness.py

from corpora import make_synthetic  # noqa: E402
from edits import add_files, edit_file, nonce, poll_visible  # noqa: E402
from harness import exit_on_sigterm, index_command, log  # noqa: E402
from places import WORK  # noqa: E402
from results_md import write_section  # noqa: E402
from systems import Client, our_server  # noqa: E402

from indexer.generations import JOURNAL, current_path  # noqa: E402

HEADING = "Edits live through `index --watch` (issue 13)"
TARGET_S = 1.0


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link a file, but copy the manifest's journal: runs append to it in place."""
    if Path(src).name == JOURNAL:
        shutil.copy2(src, dst)
    else:
        os.link(src, dst)


def lines_of(process: subprocess.Popen) -> queue.Queue[str]:
    """Gather a process's output lines as they come."""
    out: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            out.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return out


def wait_line(lines: queue.Queue[str], text: str, seen: list[str], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return
    raise RuntimeError(f"the watcher never said {text!r}: {seen[-5:]}")


def total(client: Client, word: str) -> int:
    path = "/api/search?" + urllib.parse.urlencode(
        {"q": word, "per_page": 1, "subject": 0, "typos": 0}
    )
    status, body, _ = client.get(path)
    return json.loads(body).get("total", -1) if status == 200 else -1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--burst", type=int, default=1000)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--link", action="store_true", help="hard links, atomic saves (see above)")
    args = ap.parse_args()
    exit_on_sigterm()
    corpus = make_synthetic(args.entries)
    if current_path(corpus.index) is None:
        raise SystemExit(f"no index at {corpus.index}: run bench/run.py --only index first")
    scratch = WORK / "scratch" / f"watch-{corpus.name}"
    shutil.rmtree(scratch, ignore_errors=True)
    log(f"{'linking' if args.link else 'copying'} archive and index to {scratch}")
    copy = _link_or_copy if args.link else shutil.copy2
    shutil.copytree(corpus.archive, scratch / "archive", symlinks=True, copy_function=copy)
    shutil.copytree(corpus.index, scratch / "index", symlinks=True, copy_function=copy)
    files = sorted((scratch / "archive").rglob("*.md"))
    rng = random.Random(13)
    server = our_server(scratch / "index", f"watch-{corpus.name}")
    client = Client(server.port)
    watcher = subprocess.Popen(
        index_command(scratch / "archive", scratch / "index", "--watch"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines, seen = lines_of(watcher), []
    try:
        t0 = time.perf_counter()
        wait_line(lines, "Watching", seen)
        started = time.perf_counter() - t0
        log(f"watching after {started:.1f} s")
        edits = []
        for i in range(args.edits):
            word = nonce()
            t0 = time.perf_counter()
            edit_file(rng.choice(files), word, atomic=args.link)
            edits.append(poll_visible(client, word, 1, t0, pause=0.01))
            log(
                f"edit {i + 1}: visible after {edits[-1]['first']} s (stable {edits[-1]['stable']})"
            )
            time.sleep(0.5)
        word = nonce()
        while not lines.empty():
            seen.append(lines.get())
        before = len(seen)
        t0 = time.perf_counter()
        add_files(scratch / "archive", rng.sample(files, args.burst), word, 0)
        written = time.perf_counter() - t0
        while total(client, word) != args.burst and time.perf_counter() - t0 < 600:
            time.sleep(0.05)
        burst_s = time.perf_counter() - t0
        time.sleep(1)
        while not lines.empty():
            seen.append(lines.get())
        batches = [s for s in seen[before:] if "indexing" in s]
        log(
            f"burst of {args.burst}: all found after {burst_s:.2f} s (written in {written:.2f} s), "
            f"{len(batches)} batch(es): {batches}"
        )
        t0 = time.perf_counter()
        watcher.send_signal(signal.SIGTERM)
        code = watcher.wait(timeout=120)
        stop_s = time.perf_counter() - t0
    finally:
        if watcher.poll() is None:
            os.killpg(watcher.pid, signal.SIGKILL)
        client.close()
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    first = [e["first"] for e in edits if e["first"] is not None]
    stable = [e["stable"] for e in edits if e["stable"] is not None]
    verdict = (
        "PASS" if len(first) == len(edits) and statistics.median(first) <= TARGET_S else "FAIL"
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    heading = HEADING if args.entries == 100_000 else f"{HEADING}, {args.entries:,} entries"
    table = [
        f"## {heading}",
        "",
        f"`bench/watch_bench.py --entries {args.entries} --edits {args.edits} --burst "
        f"{args.burst}{' --link' if args.link else ''}`, "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, load average at "
        f"the end {load}. gunicorn (2 workers) serves a scratch copy"
        f"{' (hard links; each edit saved atomically)' if args.link else ''}; `perspectives index "
        "--watch` follows its archive; from each write, `/api/search` is polled every 10 ms.",
        "",
        "| what | result |",
        "|---|---|",
        f"| watcher ready (imports, catch-up run over the whole archive) | {started:.1f} s |",
        f"| one edit visible, first poll (median / max of {len(edits)}) | "
        f"{statistics.median(first):.2f} s / {max(first):.2f} s |"
        if first
        else "| one edit visible | never |",
        f"| one edit visible on both workers (median / max) | {statistics.median(stable):.2f} s / "
        f"{max(stable):.2f} s |"
        if stable
        else "| one edit visible on both workers | never |",
        f"| burst of {args.burst} new files (written in {written:.2f} s): all searchable | "
        f"{burst_s:.2f} s, {len(batches)} batch(es) |",
        f"| stop (SIGTERM) to exit | {stop_s:.2f} s, exit status {code} |",
        f"| target: an edit visible within {TARGET_S:.0f} s (median) | {verdict} |",
    ]
    print("\n".join(table))
    if args.write:
        write_section(heading, "\n".join(table))


if __name__ == "__main__":
    main()
