#!/usr/bin/env python3
"""Fill the disk during a reindex: a clear error, the old index intact and served, then recovery.

    .venv/bin/python scripts/disk_full_reindex.py [--entries 600] [--fs auto|tmpfs|loop|rlimit]
                                                  [--json OUT.json] [--work DIR]

The index lives on a small file system of its own: a tmpfs (`mount -t tmpfs -o size=…`, needs
root), else an ext4 image on a loop device (root too), else no mount at all but a file size
limit (RLIMIT_FSIZE) on the indexing process, which makes its writes fail the same way. The
script builds an index there, starts `gunicorn -w 2 'webapp:create_app()'` on 127.0.0.1, then,
for several fill levels (the free space left is a fraction of what a new generation needs),
fills the file system and runs `perspectives index --full`, and an incremental run after
edits. Each must fail with a plain message (no traceback), leave CURRENT and the served
answers as they were, leave no half-written generation behind, and succeed once space is freed.
Exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import ProductionServer, log, make_corpus, run_index
from reliability_lib import (
    Poller,
    append_new_words,
    check_index,
    generations,
    search_total,
    snapshot,
    summary_line,
    write_json,
)

from indexer.generations import current_name

FRACTIONS = (0.02, 0.15, 0.35, 0.6, 0.85)
FS_BYTES = 64 * 1024 * 1024


@contextmanager
def small_fs(kind: str, where: Path) -> Iterator[tuple[str, Path]]:
    """Yield (kind, mount point) of a small file system, trying tmpfs, then a loop device."""
    where.mkdir(parents=True, exist_ok=True)
    kinds = ["tmpfs", "loop", "rlimit"] if kind == "auto" else [kind]
    for k in kinds:
        if k == "rlimit":
            yield "rlimit", where
            return
        mounted = _mount(k, where)
        if mounted:
            try:
                yield k, where
            finally:
                _unmount(where)
                if k == "loop":
                    subprocess.run(["losetup", "-d", mounted], check=False)
            return
    raise SystemExit(f"cannot make a {kind} file system here")


def _unmount(where: Path) -> None:
    """Unmount where, waiting a moment for exiting processes, lazily as a last resort."""
    for _ in range(50):
        if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode == 0:
            return
        time.sleep(0.1)
    subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _mount(kind: str, where: Path) -> str:
    """Mount a small file system on where; return its device ('' if this kind cannot be had)."""
    if os.geteuid() != 0:
        return ""
    if kind == "tmpfs":
        mount = ["mount", "-t", "tmpfs", "-o", f"size={FS_BYTES}", "tmpfs", str(where)]
        ok = subprocess.run(mount, capture_output=True, check=False).returncode == 0
        return "tmpfs" if ok else ""
    image = where.parent / "disk.img"
    with image.open("wb") as f:
        f.truncate(FS_BYTES)
    steps = [
        ["mkfs.ext4", "-q", "-F", "-m", "0", str(image)],
        ["losetup", "-f", "--show", str(image)],
    ]
    if subprocess.run(steps[0], capture_output=True, check=False).returncode != 0:
        return ""
    loop = subprocess.run(steps[1], capture_output=True, text=True, check=False)
    if loop.returncode != 0:
        return ""
    device = loop.stdout.strip()
    if subprocess.run(["mount", device, str(where)], capture_output=True, check=False).returncode:
        subprocess.run(["losetup", "-d", device], check=False)
        return ""
    return device


def tree_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fill(mount: Path, leave: int) -> Path:
    """Write a filler file so that about `leave` bytes stay free on mount."""
    filler = mount / "filler"
    filler.unlink(missing_ok=True)
    free = shutil.disk_usage(mount).free
    size = max(0, free - leave)
    with filler.open("wb") as f:  # real blocks (tmpfs and ext4 both count them)
        chunk = b"\0" * (1 << 20)
        while size > 0:
            try:
                f.write(chunk[: min(size, len(chunk))])
            except OSError:
                break
            size -= len(chunk)
    return filler


def limiter(limit: int | None) -> Callable[[], None] | None:
    """Return a pre-exec hook capping the size of any file the child writes."""
    if limit is None:
        return None
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def one_round(
    kind: str,
    mount: Path,
    archive: Path,
    index: Path,
    port: int,
    baseline: dict,
    fraction: float,
    incremental: bool,
    rng: random.Random,
) -> dict:
    """Fill, reindex, check the failure is clean, free the space, reindex again."""
    need = tree_bytes(index / current_name(index))
    largest = max(p.stat().st_size for p in (index / current_name(index)).rglob("*"))
    before_gen, before_gens = current_name(index), generations(index)
    words = _edit(archive, rng) if incremental else []
    filler = None if kind == "rlimit" else fill(mount, int(need * fraction))
    hook = limiter(max(1, int(largest * fraction))) if kind == "rlimit" else None
    args = () if incremental else ("--full",)
    with Poller(port, {} if incremental else baseline) as poller:
        run = run_index(archive, index, *args, preexec_fn=hook)
    errors = []
    text = run.stderr + run.stdout
    if run.rc == 0:
        if not incremental:
            errors.append("a full reindex on a full disk reported success")
    else:
        if "Traceback" in text or "cannot write the index" not in text:
            errors.append(f"unclear error: {text[-600:]!r}")
        if current_name(index) != before_gen:
            errors.append("CURRENT changed after a failed reindex")
        left = sorted(set(generations(index)) - set(before_gens))
        if left:
            errors.append(f"half-written generation(s) left behind: {left}")
    state = check_index(index)
    if not state["ok"]:
        errors.append(f"index damaged: {state['why']}")
    if not incremental and snapshot(port) != baseline:
        errors.append("the served answers changed")
    errors += [f"probe failed: {f}" for f in poller.failures[:10]]
    errors += [f"answer changed: {c}" for c in poller.changed[:10]]
    if filler is not None:
        filler.unlink()
    again = run_index(archive, index, *args)
    missing = [w for w in words if search_total(port, w) != 1]
    if again.rc != 0 or missing or not check_index(index)["ok"]:
        errors.append(f"no recovery once space was freed: rc={again.rc}, {len(missing)} edits "
                      f"missing: {again.stderr[-300:]!r}")  # fmt: skip
    message = next((line for line in text.splitlines() if "cannot write" in line), "")
    log(
        f"{'incremental' if incremental else 'full'} with {fraction:.0%} of the space needed: "
        f"rc={run.rc} {message[:110]!r}; recovered: {again.rc == 0 and not missing}"
    )
    return {"fraction": fraction, "incremental": incremental, "rc": run.rc,
            "message": message, "probe_requests": poller.requests,
            "probe_failures": len(poller.failures), "errors": errors}  # fmt: skip


def _edit(archive: Path, rng: random.Random) -> list[str]:
    return append_new_words(sorted(archive.rglob("*.md")), 20, rng)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=600)
    parser.add_argument("--fs", choices=["auto", "tmpfs", "loop", "rlimit"], default="auto")
    parser.add_argument("--fractions", type=float, nargs="+", default=list(FRACTIONS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="folder for corpus and index (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="disk-full-") as tmp:
        work = args.work or Path(tmp)
        archive = make_corpus(work / "corpus", args.entries)
        with small_fs(args.fs, work / "mnt") as (kind, mount):
            log(
                f"file system: {kind} ({FS_BYTES // 2**20} MB)"
                if kind != "rlimit"
                else "file system: none mounted; RLIMIT_FSIZE on the indexing process"
            )
            index = mount / "index"
            if run_index(archive, index, "--full").rc != 0:
                raise SystemExit("the first full reindex failed")
            rounds = []
            with ProductionServer(index, log_file=work / "gunicorn.log") as server:
                baseline = snapshot(server.port)
                for fraction in args.fractions:
                    for incremental in (False, True):
                        rounds.append(
                            one_round(
                                kind,
                                mount,
                                archive,
                                index,
                                server.port,
                                baseline,
                                fraction,
                                incremental,
                                rng,
                            )
                        )
                        baseline = snapshot(server.port)  # edits legitimately move answers
    errors = [e for r in rounds for e in r["errors"]]
    failed_cleanly = sum(r["rc"] != 0 and not r["errors"] for r in rounds)
    ok = not errors and failed_cleanly >= len(args.fractions)
    result = {"script": "disk_full_reindex", "ok": ok, "fs": kind, "entries": args.entries,
              "rounds": rounds, "failed_cleanly": failed_cleanly}  # fmt: skip
    write_json(args.json, result)
    for error in errors:
        log(f"ERROR {error}")
    print(summary_line("disk_full_reindex", ok, fs=kind, rounds=len(rounds),
                       failed_cleanly=failed_cleanly,
                       probe_requests=sum(r["probe_requests"] for r in rounds),
                       probe_failures=sum(r["probe_failures"] for r in rounds)))  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
