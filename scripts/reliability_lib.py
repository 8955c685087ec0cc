"""Shared parts of the fault and load scripts (scripts/*_reindex.py): a corpus, the production
server, HTTP probes that tell whether the index being served is intact, and index checks.

Moving parts:
- `make_corpus` writes a synthetic archive (../shared/bench/make_corpus.py when it is there,
  else a small built-in generator), `run_index` runs the real `perspectives index` command;
- `Server` runs the production command (`gunicorn -w N 'webapp:create_app()'`) on 127.0.0.1;
- `snapshot` asks the server a fixed set of probe queries; two snapshots of an intact index
  give the same totals and the same first ids;
- `Poller` probes the server without pause while a fault is injected, counting failed
  requests (not 200, or a connection error) and answers that differ from the baseline;
- `check_index` opens the current generation directly and checks it against its manifest.

Everything talks to 127.0.0.1 only, and every loop is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SHARED_MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
HOST = "127.0.0.1"

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


def log(message: str) -> None:
    """Print a timestamped line (scripts are run by hand and read as they go)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- corpus and index ---------------------------------------------------------------------------


def make_corpus(out: Path, entries: int, seed: int = 1) -> Path:
    """Write a synthetic archive of `entries` entries under out/archive and return it."""
    archive = out / "archive"
    if archive.is_dir():
        return archive
    if SHARED_MAKE_CORPUS.is_file():
        subprocess.run(
            [sys.executable, str(SHARED_MAKE_CORPUS), str(out), "--entries", str(entries),
             "--seed", str(seed)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        return archive
    return _builtin_corpus(archive, entries, seed)


_WORDS = ["model", "users", "trust", "care", "voice", "archive", "letter", "choice", "research", "data", "survey", "community", "company", "product", "safety", "warmth", "memory", "people", "change", "answer", "question", "policy", "dignity", "autonomy", "deprecation", "transparency", "behaviour", "behavior", "organisation", "organization", "evidence", "story"]
_THEMES = """\
autonomy:
  label: Autonomy
  description: The right of users to choose.
  terms: [autonomy, autonomous, right to choose]
deprecation:
  label: Deprecation
  description: Retiring models that people relied on.
  terms: [deprecation, deprecate, retired]
transparency:
  label: Transparency
  description: Knowing what a product does and why.
  terms: [transparency, transparent]
"""


def _builtin_corpus(archive: Path, entries: int, seed: int) -> Path:
    """Write a plain synthetic archive (used when ../shared/bench/make_corpus.py is absent)."""
    rng = random.Random(seed)
    archive.mkdir(parents=True)
    (archive / "themes.yaml").write_text(_THEMES, encoding="utf-8")
    for i in range(entries):
        section = f"section-{i % 6}"
        (archive / section).mkdir(exist_ok=True)
        words = [rng.choice(_WORDS) for _ in range(rng.randint(40, 160))]
        body = " ".join(words[:20]) + ". The model " + " ".join(words[20:]) + "."
        day = f"{2024 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        text = (
            f'---\ntitle: "Entry {i}: {" ".join(words[:3])}"\nauthor: "@writer{i % 40}"\n'
            f'date: {day}\nsection: "Section {i % 6}: Voices"\nsource: https://example.org/{i}\n'
            f"---\n{body}\n"
        )
        (archive / section / f"entry-{i:05d}.md").write_text(text, encoding="utf-8")
    return archive


@dataclass
class Run:
    """One finished command: exit code, output and wall time."""

    rc: int
    stdout: str
    stderr: str
    seconds: float


def index_command(archive: Path, index: Path, *args: str) -> list[str]:
    """Return the `perspectives index` command line for archive and index."""
    return [str(BIN / "perspectives"), "index", "--archive", str(archive), "--index", str(index),
            *args]  # fmt: skip


def run_index(archive: Path, index: Path, *args: str, timeout: float = 600, **popen: Any) -> Run:
    """Run `perspectives index` to the end and return what it did."""
    started = time.perf_counter()
    done = subprocess.run(
        index_command(archive, index, *args), capture_output=True, text=True, timeout=timeout,
        check=False, **popen,
    )  # fmt: skip
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


def current_generation(index: Path) -> str | None:
    """Return the name CURRENT holds, or None."""
    try:
        return (index / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def generations(index: Path) -> list[str]:
    """Return the generation folders present, sorted."""
    return sorted(p.name for p in index.glob("gen-*"))


def check_index(index: Path) -> dict[str, Any]:
    """Open the current generation and check it against its manifest; return what was found."""
    from whoosh import index as whoosh_index

    from indexer import generations as gens

    current = gens.current_path(index)
    if current is None:
        return {"ok": False, "why": "no current generation"}
    manifest = gens.read_manifest(current)
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


# -- the production server ------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    """The production command, `gunicorn -w N 'webapp:create_app()'`, on 127.0.0.1."""

    def __init__(self, index: Path, workers: int = 2, log_file: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.index = index
        env = dict(os.environ, **(env or {}), PERSPECTIVES_INDEX=str(index))
        command = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"{HOST}:{self.port}",
                   "--timeout", "60", "webapp:create_app()"]  # fmt: skip
        self._log = open(log_file or os.devnull, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def __enter__(self) -> Self:
        self.wait_ready()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until the server answers a search."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if get(self.port, "/api/search?per_page=1", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        """Stop gunicorn (it stops its workers) and wait for it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes, float]:
    """GET a path from 127.0.0.1:port; return status, body and seconds."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, body, time.perf_counter() - started
    finally:
        conn.close()


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
