"""Shared parts of the fault and load scripts (scripts/*_reindex.py, soak.py): HTTP probes that
tell whether the index being served is intact, and index checks. The corpus, `perspectives index`
and the production server are in harness.py, which the benchmark uses too.

Moving parts:
- `snapshot` asks the server a fixed set of probe queries; two snapshots of an intact index
  give the same totals and the same first ids;
- `Poller` probes the server without pause while a fault is injected, counting failed
  requests (not 200, or a connection error) and answers that differ from the baseline;
- `check_index` opens the current generation directly and checks it against its manifest;
- `strays` finds (and kills) processes still working on an index after a killed build.

Everything talks to 127.0.0.1 only, and every loop is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from harness import get

# Probe queries: words the generators plant, a phrase, a prefix, filters and sorts.
PROBES = (
    {"q": "autonomy"},
    {"q": "deprecation", "sort": "newest"},
    {"q": "transparency OR dignity"},
    {"q": "organis*"},
    {"q": '"the model"'},
    {"q": "", "sort": "oldest", "per_page": "5"},
    {"q": "behaviour", "theme": "autonomy"},
    {"q": "", "from": "2025", "to": "2025-06"},
)


def generations(index: Path) -> list[str]:
    """Return the generation folders present, sorted."""
    return sorted(p.name for p in index.glob("gen-*"))


def check_index(index: Path) -> dict[str, Any]:
    """Open the current generation and check it against its manifest; return what was found."""
    from whoosh import index as whoosh_index

    from indexer import generations as gens
    from indexer.manifest import read_manifest

    current = gens.current_path(index)
    if current is None:
        return {"ok": False, "why": "no current generation"}
    manifest = read_manifest(current)
    ix = whoosh_index.open_dir(str(current))
    with ix.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields() if "id" in fields]
    expected = sorted(manifest.ids())
    problems = []
    if len(ids) != len(set(ids)):
        problems.append(f"{len(ids) - len(set(ids))} duplicate ids in the index")
    if sorted(set(ids)) != expected:
        problems.append(f"index holds {len(set(ids))} ids, manifest lists {len(expected)}")
    return {"ok": not problems, "why": "; ".join(problems), "entries": len(ids),
            "generation": current.name}  # fmt: skip


def processes_on(index: Path) -> list[int]:
    """Return the pids of `perspectives` processes (and their forks) working on this index."""
    needle, found = str(index).encode(), []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in command:
            found.append(int(entry.name))
    return found


def strays(index: Path, wait: float = 10.0) -> list[int]:
    """Return the pids of processes still working on this index after `wait` seconds (a killed
    build's forked workers must die with it), killing them so they do no harm."""
    deadline = time.monotonic() + wait
    while (found := processes_on(index)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in found:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return found


def probe_path(params: dict[str, str]) -> str:
    """Return the /api/search URL of one probe."""
    return "/api/search?" + urllib.parse.urlencode(params)


def answer(body: bytes) -> tuple[int, tuple[str, ...], bool]:
    """Return what must not change in an intact index: total, first ids, partial."""
    data = json.loads(body)
    return data["total"], tuple(r["id"] for r in data["results"]), bool(data.get("partial"))


def snapshot(port: int) -> dict[str, tuple[int, tuple[str, ...], bool]]:
    """Ask every probe query once; raise if any answer is not 200."""
    out = {}
    for params in PROBES:
        status, body, _ = get(port, probe_path(params))
        if status != 200:
            raise RuntimeError(f"{probe_path(params)} answered {status}: {body[:200]!r}")
        out[probe_path(params)] = answer(body)
    return out


@dataclass
class Poller:
    """Probe the server from a thread until stopped; count failures and changed answers."""

    port: int
    baseline: dict[str, tuple[int, tuple[str, ...], bool]]
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    generations: set[str] = field(default_factory=set)
    max_requests: int = 200_000

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        paths = list(self.baseline) or [probe_path(params) for params in PROBES]
        while not self._stop.is_set() and self.requests < self.max_requests:
            path = paths[self.requests % len(paths)]
            self.requests += 1
            try:
                status, body, _ = get(self.port, path)
            except OSError as error:
                self.failures.append(f"{path}: {error!r}")
                continue
            if status != 200:
                self.failures.append(f"{path}: HTTP {status} {body[:200]!r}")
                continue
            self.generations.add(json.loads(body).get("generation", ""))
            if path in self.baseline and answer(body) != self.baseline[path]:
                self.changed.append(f"{path}: {answer(body)} != {self.baseline[path]}")


def summary_line(name: str, ok: bool, **figures: object) -> str:
    """Return the one line a script ends with: PASS/FAIL and its figures."""
    shown = ", ".join(f"{k}={v}" for k, v in figures.items())
    return f"{name}: {'PASS' if ok else 'FAIL'} ({shown})"


def write_json(path: Path | None, data: dict[str, Any]) -> None:
    """Write the script's figures as JSON if a path was given."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def append_new_words(files: list[Path], count: int, rng: random.Random) -> list[str]:
    """Append a new made-up word to `count` of the files; return the words."""
    words = []
    for path in rng.sample(files, min(len(files), count)):
        word = "zq" + "".join(rng.choice("bcdfghjkmnpqrstvwxz") for _ in range(10))
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\n{word}\n")
        words.append(word)
    return words


def search_total(port: int, word: str) -> int:
    """Return how many entries hold a word (-1 if the server did not answer 200): entries on the
    same subject (subject.py) are not asked for."""
    status, body, _ = get(port, f"/api/search?q={word}&subject=0")
    return json.loads(body)["total"] if status == 200 else -1
