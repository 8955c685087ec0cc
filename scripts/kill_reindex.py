#!/usr/bin/env python3
"""Kill -9 `perspectives index --full` at random moments while the production server serves.

    .venv/bin/python scripts/kill_reindex.py [--entries 2000] [--kills 20] [--incremental-kills 5]
                                             [--seed 1] [--json OUT.json] [--work DIR]

Builds a synthetic archive and its index, starts `gunicorn -w 2 'webapp:create_app()'` on
127.0.0.1, takes a baseline of probe answers, then, while a thread probes the server without
pause, runs a full reindex and sends it SIGKILL at a moment drawn uniformly over the time an
uninterrupted full reindex takes (so some kills land before the switch and some after).
After every kill: the current generation is whole (its ids match its manifest), the server
answers every probe as in the baseline, and the next `perspectives index` completes.
With --incremental-kills N it also kills N incremental runs (after editing files) and checks
that the next run indexes every edit. Exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ProductionServer, index_command, log, make_corpus, run_index
from reliability_lib import (
    Poller,
    append_new_words,
    check_index,
    generations,
    search_total,
    snapshot,
    strays,
    summary_line,
    write_json,
)

from indexer.generations import current_name


def timed_full(archive: Path, index: Path) -> float:
    """Return the wall time of one uninterrupted full reindex, start-up included."""
    run = run_index(archive, index, "--full")
    if run.rc != 0:
        raise SystemExit(f"full reindex failed: {run.stderr}")
    return run.seconds


def kill_at(command: list[str], delay: float) -> tuple[bool, float]:
    """Start command, SIGKILL it after delay seconds; return whether it was still running."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
        return False, time.perf_counter() - started
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True, time.perf_counter() - started


def kill_on_switch(command: list[str], index: Path, timeout: float) -> tuple[bool, float]:
    """Start command, SIGKILL it the moment CURRENT changes (while old generations are removed)."""
    before = current_name(index)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and time.perf_counter() - started < timeout:
        if current_name(index) != before:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True, time.perf_counter() - started
        time.sleep(0.0005)
    process.wait()
    return False, time.perf_counter() - started


def full_kills(
    args: argparse.Namespace, archive: Path, index: Path, port: int, rng: random.Random
) -> dict:
    """Kill full reindexes until args.kills of them died mid-run; check after each."""
    span = timed_full(archive, index)
    baseline = snapshot(port)
    kills, errors, phases, leftovers, attempts = [], [], {"before": 0, "after": 0}, 0, 0
    orphans_alive = 0
    with Poller(port, baseline) as poller:
        while len(kills) < args.kills and attempts < args.kills * 4:
            attempts += 1
            before = current_name(index)
            command = index_command(archive, index, "--full")
            if len(kills) % 5 == 4:  # every fifth: right after the switch, as old ones are removed
                killed, at = kill_on_switch(command, index, span * 3)
            else:  # anywhere in the run, now and then near its end
                delay = (
                    rng.uniform(0, span) if rng.random() < 0.75 else rng.uniform(0.8, 1.05) * span
                )
                killed, at = kill_at(command, delay)
            if not killed:
                continue
            alive = strays(index)  # its forked workers must not outlive it
            if alive:
                orphans_alive += len(alive)
                errors.append(f"kill {len(kills) + 1}: {len(alive)} indexing processes outlived it")
            after = current_name(index)
            phase = "before" if after == before else "after"
            phases[phase] += 1
            orphans = [
                g
                for g in generations(index)  # a killed build's folder has no manifest
                if g != after and not (index / g / "manifest.json").exists()
            ]
            leftovers += len(orphans)
            errors += _check_after(archive, index, port, baseline, f"kill {len(kills) + 1}")
            kills.append({"at": round(at, 3), "switched": phase == "after",
                          "orphans": len(orphans)})  # fmt: skip
            log(
                f"kill {len(kills)}/{args.kills} at {at:.2f} s of ~{span:.2f} s "
                f"({phase} the switch, {len(orphans)} unfinished generation(s) left, "
                f"removed by the next run)"
            )
    final = run_index(archive, index, "--full")
    if final.rc != 0:
        errors.append(f"final full reindex failed: {final.stderr[-500:]}")
    left = generations(index)
    if len(left) > 2:
        errors.append(f"after a completed reindex {len(left)} generations remain: {left}")
    errors += [f"probe failed: {f}" for f in poller.failures[:20]]
    errors += [f"answer changed: {c}" for c in poller.changed[:20]]
    return {
        "kills": len(kills), "attempts": attempts, "full_reindex_seconds": round(span, 2),
        "killed_before_switch": phases["before"], "killed_after_switch": phases["after"],
        "unfinished_generations_seen": leftovers, "generations_after_final": len(left),
        "processes_outliving_a_kill": orphans_alive,
        "probe_requests": poller.requests, "probe_failures": len(poller.failures),
        "answers_changed": len(poller.changed), "generations_served": len(poller.generations),
        "errors": errors, "detail": kills,
    }  # fmt: skip


def _check_after(archive: Path, index: Path, port: int, baseline: dict, what: str) -> list[str]:
    """Check the index and the server after a kill, then that the next index run completes."""
    errors = []
    state = check_index(index)
    if not state["ok"]:
        errors.append(f"{what}: current generation damaged: {state['why']}")
    if snapshot(port) != baseline:
        errors.append(f"{what}: the server's answers changed after the kill")
    nxt = run_index(archive, index)
    if nxt.rc != 0:
        errors.append(f"{what}: the next 'perspectives index' failed: {nxt.stderr[-500:]}")
    if not check_index(index)["ok"] or snapshot(port) != baseline:
        errors.append(f"{what}: index or answers wrong after the next run")
    return errors


def incremental_kills(
    args: argparse.Namespace, archive: Path, index: Path, port: int, rng: random.Random
) -> dict:
    """Edit files, kill the incremental run, and check the next run takes every edit."""
    files = sorted(archive.rglob("*.md"))
    errors, done, requests, failures = [], 0, 0, 0
    _edit(files, rng)
    span = run_index(archive, index).seconds  # how long an uninterrupted run of this size takes
    for round_ in range(args.incremental_kills):
        words = _edit(files, rng)
        with Poller(port, {}) as poller:  # answers may change here: only failures count
            killed, at = kill_at(index_command(archive, index), rng.uniform(0, span))
            alive = strays(index)
            nxt = run_index(archive, index)
        requests, failures = requests + poller.requests, failures + len(poller.failures)
        done += killed
        missing = [w for w in words if search_total(port, w) != 1]
        if alive:
            errors.append(f"incremental round {round_ + 1}: {len(alive)} processes outlived it")
        if nxt.rc != 0 or missing or not check_index(index)["ok"]:
            errors.append(
                f"incremental round {round_ + 1}: rc={nxt.rc}, "
                f"{len(missing)} edits missing, {check_index(index)['why']}"
            )
        log(
            f"incremental round {round_ + 1}: {len(words)} files edited, "
            f"{'killed' if killed else 'finished'} at {at:.2f} s; next run took every edit: "
            f"{not missing}"
        )
    return {"rounds": args.incremental_kills, "killed": done, "probe_requests": requests,
            "probe_failures": failures, "errors": errors}  # fmt: skip


def _edit(files: list[Path], rng: random.Random) -> list[str]:
    """Append a new word to one file in twenty; return the words."""
    return append_new_words(files, max(2, len(files) // 20), rng)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--incremental-kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="folder for corpus and index (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kill-reindex-") as tmp:
        work = args.work or Path(tmp)
        archive = make_corpus(work / "corpus", args.entries)
        index = work / "index"
        log(f"indexing {args.entries} entries into {index}")
        if run_index(archive, index, "--full").rc != 0:
            raise SystemExit("the first full reindex failed")
        with ProductionServer(index, log_file=work / "gunicorn.log") as server:
            full = full_kills(args, archive, index, server.port, rng)
            inc = incremental_kills(args, archive, index, server.port, rng)
    errors = full["errors"] + inc["errors"]
    ok = not errors and full["kills"] >= args.kills
    result = {"script": "kill_reindex", "ok": ok, "entries": args.entries, "full": full,
              "incremental": inc}  # fmt: skip
    write_json(args.json, result)
    for error in errors:
        log(f"ERROR {error}")
    print(summary_line("kill_reindex", ok, kills=full["kills"],
                       before_switch=full["killed_before_switch"],
                       after_switch=full["killed_after_switch"],
                       probe_requests=full["probe_requests"] + inc["probe_requests"],
                       probe_failures=full["probe_failures"] + inc["probe_failures"],
                       incremental_killed=inc["killed"]))  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
