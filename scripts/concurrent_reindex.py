#!/usr/bin/env python3
"""Run two `perspectives index` at once on one index: one waits or refuses, nothing is corrupted.

    .venv/bin/python scripts/concurrent_reindex.py [--entries 600] [--rounds 10] [--json OUT.json]

Each round starts a reindex, then a second one a moment later (0 to half the first one's
run), cycling through: full + full, full + incremental, incremental + full, and full + full
with --no-wait on the second. With the default --wait both must succeed (the second says it
waits); with --no-wait the second must refuse with a plain message and exit 1 unless the first
had already finished. After every round the current generation matches its manifest, at
most two generations remain, and `gunicorn -w 2 'webapp:create_app()'`, probed all along,
answered every request with the baseline. Exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ProductionServer, index_command, log, make_corpus, run_index
from reliability_lib import Poller, check_index, generations, snapshot, summary_line, write_json

PAIRS = (
    (("--full",), ("--full",)),
    (("--full",), ()),
    ((), ("--full",)),
    (("--full",), ("--full", "--no-wait")),
)


def race(
    archive: Path, index: Path, first: tuple[str, ...], second: tuple[str, ...], delay: float
) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """Start first, then second after delay; return both when done."""
    a = subprocess.Popen(index_command(archive, index, *first), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(delay)
    b = subprocess.Popen(index_command(archive, index, *second), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
    out_a, err_a = a.communicate(timeout=600)
    out_b, err_b = b.communicate(timeout=600)
    return (subprocess.CompletedProcess(a.args, a.returncode, out_a, err_a),
            subprocess.CompletedProcess(b.args, b.returncode, out_b, err_b))  # fmt: skip


def judge(
    a: subprocess.CompletedProcess, b: subprocess.CompletedProcess, no_wait: bool
) -> tuple[str, list[str]]:
    """Return how the second run met the first (waited, refused, alone) and any error."""
    errors = []
    if a.returncode != 0:
        errors.append(f"first run failed: {a.stderr[-300:]!r}")
    for run in (a, b):
        if "Traceback" in run.stderr:
            errors.append(f"traceback: {run.stderr[-300:]!r}")
    if "is running" in b.stderr and b.returncode != 0:
        outcome = "refused"
        if not no_wait:
            errors.append("refused without --no-wait")
        if "Try again" not in b.stderr:
            errors.append(f"refusal does not say what to do: {b.stderr!r}")
    elif b.returncode == 0:
        outcome = "waited" if "waiting" in b.stderr else "alone"
    else:
        outcome = "failed"
        errors.append(f"second run failed: {b.stderr[-300:]!r}")
    return outcome, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="folder for corpus and index (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    outcomes: dict[str, int] = {"waited": 0, "refused": 0, "alone": 0, "failed": 0}
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="concurrent-reindex-") as tmp:
        work = args.work or Path(tmp)
        archive = make_corpus(work / "corpus", args.entries)
        index = work / "index"
        span = run_index(archive, index, "--full").seconds
        with ProductionServer(index, log_file=work / "gunicorn.log") as server:
            baseline = snapshot(server.port)
            with Poller(server.port, baseline) as poller:
                for n in range(args.rounds):
                    first, second = PAIRS[n % len(PAIRS)]
                    delay = rng.uniform(0, span / 2)
                    a, b = race(archive, index, first, second, delay)
                    outcome, errs = judge(a, b, "--no-wait" in second)
                    outcomes[outcome] += 1
                    state = check_index(index)
                    if not state["ok"]:
                        errs.append(f"index damaged: {state['why']}")
                    if len(generations(index)) > 2:
                        errs.append(f"{len(generations(index))} generations left")
                    errors += [f"round {n + 1}: {e}" for e in errs]
                    log(
                        f"round {n + 1}: {' '.join(first) or 'incremental'} + "
                        f"{' '.join(second) or 'incremental'} {delay:.2f} s later: second "
                        f"{outcome}; index whole: {state['ok']}"
                    )
            if snapshot(server.port) != baseline:
                errors.append("the served answers changed")
        errors += [f"probe failed: {f}" for f in poller.failures[:20]]
        errors += [f"answer changed: {c}" for c in poller.changed[:20]]
    ok = not errors
    result = {"script": "concurrent_reindex", "ok": ok, "entries": args.entries,
              "rounds": args.rounds, "outcomes": outcomes, "probe_requests": poller.requests,
              "probe_failures": len(poller.failures), "errors": errors}  # fmt: skip
    write_json(args.json, result)
    for error in errors:
        log(f"ERROR {error}")
    print(
        summary_line(
            "concurrent_reindex",
            ok,
            rounds=args.rounds,
            **outcomes,
            probe_requests=poller.requests,
            probe_failures=len(poller.failures),
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
