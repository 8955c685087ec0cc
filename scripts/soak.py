#!/usr/bin/env python3
"""Long load without growth: many mixed requests against the production server, worker memory
sampled as it goes, the latency tail and the slowest query shapes reported.

    .venv/bin/python scripts/soak.py [--requests 100000] [--workers 4] [--clients 4]
        [--archive ../shared/corpora/18f-blog] [--fieldmap fieldmaps/18f-blog.yaml]
        [--sample-every 5000] [--json OUT.json] [--work DIR]

Indexes the archive with its field map (`perspectives index --full`), starts the production
command (`gunicorn -w N 'webapp:create_app()'`, see harness.ProductionServer) and sends
`--requests` requests from `--clients` threads, each drawn from a seeded mix of searches of
every query shape (words, phrases, prefixes, wildcards, operators, fields, ranges, malformed
text) with filters, sorts and pages, search pages, entry pages and JSON, citations, CSV and
JSON exports and Atom feeds. Every `--sample-every` requests the resident memory (VmRSS) of
each worker is read from /proc. PASS: no answer 5xx or cut off, and no worker grew by more
than 10% from the sample at 10,000 requests to the last one.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from harness import REPO, ProductionServer, Server, corpora_dir, get, log, run_index
from reliability_lib import summary_line, write_json

WORDS = ["agile", "accessibility", "design", "government", "data", "open", "source", "team",
         "content", "user", "research", "security", "cloud", "procurement", "api", "digital"]  # fmt: skip
# query shape -> how to make one from two words, and what bounds its cost
SHAPES: dict[str, tuple[str, str]] = {
    "word": ("{a}", "one posting list"),
    "words": ("{a} {b}", "two posting lists, intersected"),
    "phrase": ('"{a} {b}"', "positions read only for documents holding both words"),
    "or": ("{a} OR {b}", "two posting lists, united"),
    "not": ("{a} -{b}", "two posting lists"),
    "prefix": ("{a2}*", "MAX_EXPANSION 400 words, EXPANSION_SECONDS 0.25 s"),
    "short-prefix": ("{a1}*", "MAX_EXPANSION 400 words, EXPANSION_SECONDS 0.25 s"),
    "infix": ("*{a2}*", "MAX_EXPANSION 400 words, EXPANSION_SECONDS 0.25 s, SEARCH_SECONDS 2 s"),
    "fuzzy": ("{a}~2", "did-you-mean over the vocabulary"),
    "field": ("title:{a}", "one posting list"),
    "range": ("[{a1} TO {b1}]", "MAX_RANGE_TERMS 400 words, SEARCH_SECONDS 2 s"),
    "malformed": ("NOT NOT {a} AND (", "plain words: as 'word'"),
    "junk": ("' OR 1=1 -- NOT OR {a2}*", "plain words: as 'word'"),
    "empty": ("", "browse: facet counts over every entry"),
}
EXPORTS = {"csv": "/search.csv", "json": "/search.json", "atom": "/search.atom"}


@dataclass
class Sample:
    kind: str
    shape: str
    seconds: float
    status: int  # 0: connection error or timeout
    complete: bool = True


@dataclass
class Soak:
    """Client threads that send the mix until `total` requests, sampling worker memory."""

    server: Server
    mix: list[tuple[str, str, str]]  # kind, shape, path
    total: int
    every: int
    samples: list[Sample] = field(default_factory=list)
    memory: list[dict[str, object]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, clients: int, seed: int) -> None:
        self._sample_memory(0)
        threads = [
            threading.Thread(target=self._client, args=(seed * 100 + k,)) for k in range(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _client(self, seed: int) -> None:
        rng = random.Random(seed)
        while True:
            kind, shape, path = rng.choice(self.mix)
            sample = self._send(kind, shape, path)
            with self._lock:
                if len(self.samples) >= self.total:
                    return
                self.samples.append(sample)
                done = len(self.samples)
                if not sample.complete and len(self.errors) < 50:
                    self.errors.append(f"{path}: {sample.status}")
            if done % self.every == 0:
                self._sample_memory(done)

    def _send(self, kind: str, shape: str, path: str) -> Sample:
        try:
            status, body, seconds = get(self.server.port, path, timeout=60)
        except OSError:
            return Sample(kind, shape, 60.0, 0, complete=False)
        return Sample(kind, shape, seconds, status, status < 500 and whole(kind, body))

    def _sample_memory(self, done: int) -> None:
        rss = worker_rss(self.server.process.pid)
        with self._lock:
            self.memory.append({"requests": done, "rss_mb": rss})
        log(f"{done} requests: worker RSS {sorted(rss.values())} MB")


def whole(kind: str, body: bytes) -> bool:
    """Tell whether an answer is whole: JSON parses and says complete, a CSV has no marker."""
    if kind == "json":
        try:
            return json.loads(body).get("complete", True) is not False
        except ValueError:
            return False
    if kind == "csv":
        return b"\r\n# incomplete" not in body
    if kind == "atom":
        return body.rstrip().endswith(b"</feed>") or body.lstrip().startswith(b"{")
    return True


def worker_rss(master: int) -> dict[int, float]:
    """Return each gunicorn worker's resident memory in MB, by pid."""
    out = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master):
            out[int(status.parent.name)] = round(int(fields["VmRSS"].split()[0]) / 1024, 1)
    return out


def request_mix(port: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Return (kind, shape, path) requests over the archive, ids and facets from the server."""
    data = json.loads(get(port, "/api/search?per_page=100&sort=newest&facet_size=30")[1])
    ids = [r["id"] for r in data["results"]]
    authors = [v["value"] for v in data["facets"]["author"]]
    themes = [v["value"] for v in data["facets"]["theme"]]
    mix: list[tuple[str, str, str]] = []
    for _ in range(2000):
        shape, query = _query(rng, authors, themes)
        mix.append(("api", shape, "/api/search?" + query))
        if rng.random() < 0.3:
            mix.append(("page", shape, "/search?" + query))
        if rng.random() < 0.3:
            entry = urllib.parse.quote(rng.choice(ids), safe="")
            kind, path = rng.choice(
                [
                    ("entry", "/entries/{}"),
                    ("entry", "/api/entries/{}"),
                    ("cite", "/entries/{}.bib"),
                    ("cite", "/entries/{}.csl.json"),
                ]
            )
            mix.append((kind, "-", path.format(entry)))
        if rng.random() < 0.06:
            kind = rng.choice(list(EXPORTS))
            mix.append((kind, shape, EXPORTS[kind] + "?" + query))
    return mix


def _query(rng: random.Random, authors: list[str], themes: list[str]) -> tuple[str, str]:
    shape = rng.choice(list(SHAPES))
    a, b = rng.sample(WORDS, 2)
    params = {"q": SHAPES[shape][0].format(a=a, b=b, a1=a[0], b1=b[0], a2=a[:2])}
    if rng.random() < 0.3 and themes:
        params["theme"] = rng.choice(themes)
    if rng.random() < 0.2 and authors:
        params["author"] = rng.choice(authors)
    if rng.random() < 0.3:
        params["sort"] = rng.choice(["newest", "oldest", "relevance"])
    if rng.random() < 0.2:
        params["page"] = str(rng.randint(2, 5))
    if rng.random() < 0.15:
        params["from"] = rng.choice(["2015", "2017-03", "2019"])
    return shape, urllib.parse.urlencode(params)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def latency(samples: list[Sample]) -> dict[str, float]:
    """Return p50, p99 and max in milliseconds."""
    seconds = [s.seconds for s in samples]
    return {name: round(1000 * v, 1) for name, v in
            (("p50", percentile(seconds, 0.5)), ("p99", percentile(seconds, 0.99)),
             ("max", max(seconds, default=0.0)))}  # fmt: skip


def growth(memory: list[dict[str, object]], after: int = 10_000) -> dict[str, object]:
    """Return each worker's RSS at the first sample past `after` and at the end, and the most
    any grew between them."""
    base = next((m for m in memory if int(m["requests"]) >= after), memory[0])  # type: ignore[call-overload]
    first, last = base["rss_mb"], memory[-1]["rss_mb"]
    assert isinstance(first, dict) and isinstance(last, dict)
    shares = [last[pid] / first[pid] - 1 for pid in first if pid in last]
    return {"from_requests": base["requests"], "first_mb": sorted(first.values()),
            "last_mb": sorted(last.values()), "max_growth": round(max(shares, default=0.0), 4),
            "workers_replaced": sorted(set(first) ^ set(last))}  # fmt: skip


def report(soak: Soak, seconds: float) -> dict[str, object]:
    samples = soak.samples
    by_kind = {
        k: latency([s for s in samples if s.kind == k]) for k in sorted({s.kind for s in samples})
    }
    searches = [s for s in samples if s.kind in ("api", "page")]
    shapes = {k: latency([s for s in searches if s.shape == k]) for k in SHAPES}
    slowest = sorted(shapes, key=lambda k: -shapes[k]["p99"])[:6]
    return {
        "requests": len(samples), "seconds": round(seconds, 1),
        "per_second": round(len(samples) / seconds, 1),
        "server_errors": sum(1 for s in samples if s.status >= 500),
        "failed": sum(1 for s in samples if s.status == 0),
        "incomplete": sum(1 for s in samples if not s.complete),
        "status_400": sum(1 for s in samples if s.status == 400),
        "latency_ms": latency(samples), "by_kind_ms": by_kind,
        "slowest_shapes": [{"shape": k, "example": SHAPES[k][0], **shapes[k],
                            "bounded_by": SHAPES[k][1]} for k in slowest],
        "memory": soak.memory, "growth": growth(soak.memory), "errors": soak.errors,
    }  # fmt: skip


def main() -> int:
    args = parse_args()
    # stopped by a signal, still stop the server (Server.__exit__) and its workers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(args.work or tempfile.mkdtemp(prefix="perspectives-soak-"))
    index = work / "index"
    built = run_index(args.archive, index, "--full", "--fieldmap", str(args.fieldmap), timeout=1800)
    log(f"indexed {args.archive} in {built.seconds:.1f} s (exit {built.rc})")
    with ProductionServer(index, workers=args.workers, log_file=work / "gunicorn.log") as server:
        soak = Soak(server, request_mix(server.port, random.Random(args.seed)), args.requests,
                    args.sample_every)  # fmt: skip
        started = time.perf_counter()
        soak.run(args.clients, args.seed)
        figures = report(soak, time.perf_counter() - started)
    write_json(args.json, figures)
    print(json.dumps({k: v for k, v in figures.items() if k != "memory"}, indent=2))
    grown = figures["growth"]["max_growth"]  # type: ignore[index]
    ok = (
        not (figures["server_errors"] or figures["failed"] or figures["incomplete"])
        and grown < 0.10
    )
    print(
        summary_line(
            "soak",
            ok,
            requests=figures["requests"],
            server_errors=figures["server_errors"],
            incomplete=figures["incomplete"],
            growth=grown,
            **figures["latency_ms"],
        )
    )  # type: ignore[arg-type]
    return 0 if ok else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--sample-every", type=int, default=5000)
    parser.add_argument("--archive", type=Path, default=corpora_dir() / "18f-blog")
    parser.add_argument("--fieldmap", type=Path, default=REPO / "fieldmaps" / "18f-blog.yaml")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--work", type=Path)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
