#!/usr/bin/env python3
"""Load the production server for 60 s while a full reindex runs and switches: zero failures.

    .venv/bin/python scripts/load_during_reindex.py [--entries 3000] [--duration 60]
        [--clients 8] [--reindex-at 10] [--json OUT.json] [--work DIR]

Writes a synthetic archive (`../shared/bench/make_corpus.py OUT --entries N`, or a built-in
generator when shared/ is absent), indexes it, and starts the production command
`gunicorn -w 2 -b 127.0.0.1:PORT 'webapp:create_app()'` with PERSPECTIVES_INDEX set. Then
`--clients` threads send requests without pause (searches with filters, sorts and pages,
search pages, entry pages and JSON, a few exports) for `--duration` seconds, each request
with a 30 s timeout, all to 127.0.0.1. At `--reindex-at` seconds `perspectives index --full`
starts; its switch is seen in CURRENT. Every request is timed and put in a phase by when it
started: before the reindex, during it (until the switch), after it. A failed request is any
answer other than 200 or a connection error or timeout; there must be none.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from harness import ProductionServer, get, index_command, log, make_corpus, run_index
from reliability_lib import summary_line, write_json

from indexer.generations import current_name

WORDS = ["autonomy", "deprecation", "transparency", "behaviour", "organisation", "dignity",
         "model", "users", "trust", "care", "data", "community", "safety", "voice"]  # fmt: skip
MAX_REQUESTS = 500_000


@dataclass
class Sample:
    started: float  # seconds since the load began
    seconds: float
    status: int  # 0: connection error or timeout
    kind: str
    generation: str = ""


def request_mix(port: int, rng: random.Random) -> list[tuple[str, str]]:
    """Return (kind, path) requests over the archive: ids, authors and themes from the server."""
    _, body, _ = get(port, "/api/search?per_page=100&sort=newest")
    data = json.loads(body)
    ids = [r["id"] for r in data["results"]]
    authors = [v["value"] for v in data["facets"]["author"][:20]]
    themes = [v["value"] for v in data["facets"]["theme"]]
    mix: list[tuple[str, str]] = []
    for _ in range(400):
        q = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2, 3])))
        params = {"q": rng.choice([q, q, f'"{q}"', q.split()[0][:4] + "*", ""])}
        if rng.random() < 0.3 and themes:
            params["theme"] = rng.choice(themes)
        if rng.random() < 0.2 and authors:
            params["author"] = rng.choice(authors)
        if rng.random() < 0.3:
            params["sort"] = rng.choice(["newest", "oldest"])
        if rng.random() < 0.2:
            params["page"] = str(rng.randint(2, 4))
        if rng.random() < 0.15:
            params["from"] = rng.choice(["2024", "2025-03", "2025"])
        query = urllib.parse.urlencode(params)
        mix.append(("api_search", f"/api/search?{query}"))
        if rng.random() < 0.25:
            mix.append(("search_page", f"/search?{query}"))
        if rng.random() < 0.15:
            entry = rng.choice(ids)
            mix.append(rng.choice([("entry_page", f"/entries/{entry}"),
                                   ("entry_json", f"/api/entries/{entry}")]))  # fmt: skip
        if rng.random() < 0.02:
            mix.append(("export", f"/search.csv?{query}"))
    return mix


class Load:
    """Client threads that send the mix until the deadline, recording every request."""

    def __init__(self, port: int, mix: list[tuple[str, str]], clients: int, seed: int) -> None:
        self.port, self.mix, self.clients, self.seed = port, mix, clients, seed
        self.samples: list[Sample] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self.t0 = 0.0
        self.deadline = 0.0

    def run(self, duration: float) -> None:
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + duration
        threads = [threading.Thread(target=self._client, args=(k,)) for k in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _client(self, k: int) -> None:
        rng = random.Random(self.seed * 100 + k)
        while time.perf_counter() < self.deadline and len(self.samples) < MAX_REQUESTS:
            kind, path = rng.choice(self.mix)
            started = time.perf_counter() - self.t0
            try:
                status, body, seconds = get(self.port, path, timeout=30)
            except OSError as error:
                status, body, seconds = (
                    0,
                    repr(error).encode(),
                    time.perf_counter() - self.t0 - started,
                )
            generation = ""
            if status == 200 and kind == "api_search":
                generation = json.loads(body).get("generation", "")
            with self._lock:
                self.samples.append(Sample(started, seconds, status, kind, generation))
                if status != 200 and len(self.errors) < 50:
                    self.errors.append(f"{path}: {status} {body[:200]!r}")


def watch_switch(
    index: Path, old: str, t0_ref: list[float], out: dict, stop: threading.Event
) -> None:
    """Record when CURRENT first names a generation other than old."""
    while not stop.is_set():
        if current_name(index) != old:
            out["switch"] = time.perf_counter() - t0_ref[0]
            out["generation"] = current_name(index)
            return
        time.sleep(0.01)


def phase_stats(samples: list[Sample], start: float, end: float) -> dict:
    chosen = [s for s in samples if start <= s.started < end]
    lat = sorted(s.seconds * 1000 for s in chosen)
    span = max(end - start, 1e-9)

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else 0.0

    return {
        "from_s": round(start, 2), "to_s": round(end, 2), "requests": len(chosen),
        "failed": sum(s.status != 200 for s in chosen), "rps": round(len(chosen) / span, 1),
        "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
        "max_ms": round(lat[-1], 1) if lat else 0.0,
        "mean_ms": round(statistics.fmean(lat), 1) if lat else 0.0,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reindex-at", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, help="folder for corpus and index (default: a temp dir)"
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-reindex-") as tmp:
        work = args.work or Path(tmp)
        archive = make_corpus(work / "corpus", args.entries, args.seed)
        index = work / "index"
        log(f"indexing {args.entries} entries")
        first = run_index(archive, index, "--full")
        if first.rc != 0:
            raise SystemExit(f"first index failed: {first.stderr}")
        old = current_name(index) or ""
        with ProductionServer(
            index, workers=args.workers, log_file=work / "gunicorn.log"
        ) as server:
            mix = request_mix(server.port, random.Random(args.seed))
            Load(server.port, mix, args.clients, args.seed + 1).run(3)  # warm both workers up
            load = Load(server.port, mix, args.clients, args.seed)
            result = run_with_reindex(args, load, archive, index, old)
    failures = sum(s.status != 200 for s in load.samples)
    ok = failures == 0 and result["reindex_rc"] == 0 and result["switch_s"] is not None
    ok = ok and result["after_old_generation"] == 0
    result.update(ok=ok, failed_requests=failures, errors=load.errors[:20], entries=args.entries,
                  full_index_seconds=round(first.seconds, 2))  # fmt: skip
    write_json(args.json, result)
    print_table(result)
    print(
        summary_line(
            "load_during_reindex",
            ok,
            requests=len(load.samples),
            failed=failures,
            reindex_s=result["reindex_s"],
            switch_at_s=result["switch_s"],
        )
    )
    return 0 if ok else 1


def run_with_reindex(
    args: argparse.Namespace, load: Load, archive: Path, index: Path, old: str
) -> dict:
    """Run the load; start the full reindex at --reindex-at; return per-phase figures."""
    switch: dict = {}
    t0_ref = [0.0]
    stop = threading.Event()
    reindex: dict = {}

    def reindexer() -> None:
        time.sleep(args.reindex_at)
        t0_ref[0] = load.t0
        watcher = threading.Thread(target=watch_switch, args=(index, old, t0_ref, switch, stop))
        watcher.start()
        reindex["start"] = time.perf_counter() - load.t0
        done = subprocess.run(index_command(archive, index, "--full"), capture_output=True,
                              text=True, timeout=600, check=False)  # fmt: skip
        reindex["end"] = time.perf_counter() - load.t0
        reindex["rc"], reindex["stderr"] = done.returncode, done.stderr[-500:]
        watcher.join(timeout=5)

    thread = threading.Thread(target=reindexer)
    thread.start()
    log(
        f"load: {args.clients} clients for {args.duration:.0f} s; full reindex at "
        f"{args.reindex_at:.0f} s"
    )
    load.run(args.duration)
    thread.join()
    stop.set()
    start, end = reindex["start"], reindex["end"]
    at = switch.get("switch")
    cut = at if at is not None else end
    after = [s for s in load.samples if s.started >= cut + 0.05 and s.generation]
    return {
        "duration_s": args.duration, "clients": args.clients, "workers": args.workers,
        "requests": len(load.samples), "reindex_start_s": round(start, 2),
        "reindex_end_s": round(end, 2), "reindex_s": round(end - start, 2),
        "switch_s": round(at, 2) if at is not None else None, "reindex_rc": reindex["rc"],
        "reindex_stderr": reindex["stderr"],
        "phases": {
            "before": phase_stats(load.samples, 0, start),
            "during": phase_stats(load.samples, start, cut),
            "after": phase_stats(load.samples, cut, args.duration + 1),
        },
        "by_kind": {k: phase_stats([s for s in load.samples if s.kind == k], 0, args.duration + 1)
                    for k in sorted({s.kind for s in load.samples})},
        "after_old_generation": sum(s.generation == old for s in after),
        "after_new_generation": sum(s.generation == switch.get("generation") for s in after),
    }  # fmt: skip


def print_table(r: dict) -> None:
    print(
        "\n| phase | from–to (s) | requests | failed | req/s | p50 ms | p90 ms | p99 ms | max ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, p in r["phases"].items():
        print(
            f"| {name} | {p['from_s']}–{p['to_s']} | {p['requests']} | {p['failed']} | "
            f"{p['rps']} | {p['p50_ms']} | {p['p90_ms']} | {p['p99_ms']} | {p['max_ms']} |"
        )
    print(
        f"\nfull reindex: {r['reindex_s']} s (exit {r['reindex_rc']}), switch at "
        f"{r['switch_s']} s; after the switch {r['after_new_generation']} searches answered "
        f"from the new generation, {r['after_old_generation']} from the old one\n"
    )


if __name__ == "__main__":
    sys.exit(main())
