"""Drive the real service from a script: the benchmark (bench/) and the fault and load scripts
(scripts/) share these parts.

Moving parts:
- `shared_dir` finds ../shared (the corpora and make_corpus.py); `make_corpus` writes a
  synthetic archive with its make_corpus.py, else with a small built-in generator;
- `index_command` and `run_index` run the real `perspectives index` command;
- `Server` runs a server command in its own session and waits until it answers;
  `ProductionServer` is ours, `gunicorn -w N 'webapp:create_app()'`, on 127.0.0.1;
- `get` asks 127.0.0.1 one GET; `log` prints a timestamped line.

Everything talks to 127.0.0.1 only. A script importing this module stops, when it exits, every
server it started (and `exit_on_sigterm` makes SIGTERM such an exit).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NoReturn, Self

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PERSPECTIVES = BIN / "perspectives"
HOST = "127.0.0.1"


def log(message: str) -> None:
    """Print a timestamped line (scripts are run by hand and read as they go)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- corpus and index ---------------------------------------------------------------------------


def shared_dir() -> Path:
    """Return the shared folder: the parent of $PERSPECTIVES_CORPORA (or the folder it names),
    else ../shared beside the repository, or beside the folder of a worktree."""
    env = os.environ.get("PERSPECTIVES_CORPORA")
    if env:
        path = Path(env).resolve()
        return path.parent if path.name == "corpora" else path
    places = [REPO.parent / "shared", REPO.parent.parent / "shared"]
    return next((place for place in places if place.is_dir()), places[0])


def corpora_dir() -> Path:
    """Return the folder of the shared real corpora."""
    return shared_dir() / "corpora"


def make_corpus(out: Path, entries: int, seed: int = 1, builtin: bool = True) -> Path:
    """Write a synthetic archive of `entries` entries under out/archive (once) and return it:
    with the shared make_corpus.py, else (when `builtin`) with a plain built-in generator."""
    archive = out / "archive"
    if archive.is_dir():
        return archive
    maker = shared_dir() / "bench" / "make_corpus.py"
    if maker.is_file():
        subprocess.run(
            [sys.executable, str(maker), str(out), "--entries", str(entries), "--seed", str(seed)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        return archive
    if not builtin:
        raise SystemExit(f"{maker} is missing: set PERSPECTIVES_CORPORA to <shared>/corpora")
    return _builtin_corpus(archive, entries, seed)


_WORDS = ["model", "users", "trust", "care", "voice", "archive", "letter", "choice", "research", "data", "survey", "community", "company", "product", "safety", "warmth", "memory", "people", "change", "answer", "question", "policy", "dignity", "autonomy", "deprecation", "transparency", "behaviour", "behavior", "organisation", "organization", "evidence", "story"]  # fmt: skip
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
    """Write a plain synthetic archive (used when the shared make_corpus.py is absent)."""
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
    return [str(PERSPECTIVES), "index", "--archive", str(archive), "--index", str(index), *args]


def run_index(archive: Path, index: Path, *args: str, timeout: float = 600, **popen: Any) -> Run:
    """Run `perspectives index` to the end and return what it did."""
    started = time.perf_counter()
    done = subprocess.run(
        index_command(archive, index, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **popen,
    )
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


# -- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


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


class Server:
    """A server command started in its own session, so that stopping it ends exactly its tree;
    use it as a context manager, or call `wait_ready` and `stop`."""

    running: ClassVar[list[Server]] = []

    def __init__(
        self,
        command: list[str],
        port: int,
        health: str,
        env: dict[str, str] | None = None,
        log_file: Path | None = None,
    ) -> None:
        self.name, self.port, self.health, self.log_file = command[0], port, health, log_file
        with open(log_file or os.devnull, "wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        Server.running.append(self)

    def __enter__(self) -> Self:
        return self.wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_ready(self, timeout: float = 60) -> Self:
        """Wait until the health path answers 200; stop the server and raise if it does not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._fail(f"exited with {self.process.returncode}")
            with contextlib.suppress(OSError):
                status = get(self.port, self.health)[0]
                if status == 200:
                    return self
                if 400 <= status < 500:
                    self._fail(f"answers {status} to {self.health}")
            time.sleep(0.1)
        self._fail(f"did not answer {self.health} within {timeout} s")

    def _fail(self, why: str) -> NoReturn:
        self.stop()
        raise RuntimeError(f"{self.name} {why}; see {self.log_file or 'no log'}")

    def stop(self) -> None:
        """Stop the server's whole process group (SIGTERM, then SIGKILL) and wait for it."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
        if self in Server.running:
            Server.running.remove(self)


class ProductionServer(Server):
    """Ours, the production command `gunicorn -w N 'webapp:create_app()'`, over an index."""

    def __init__(
        self,
        index: Path,
        workers: int = 2,
        log_file: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.index = index
        port = free_port()
        command = [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"{HOST}:{port}",
                   "--timeout", "60", "webapp:create_app()"]  # fmt: skip
        env = dict(os.environ, **(env or {}), PERSPECTIVES_INDEX=str(index))
        super().__init__(command, port, "/api/search?q=&per_page=1", env=env, log_file=log_file)


def _stop_all() -> None:
    for server in list(Server.running):
        server.stop()


def exit_on_sigterm() -> None:
    """Make SIGTERM an ordinary exit, so that the servers this process started are stopped."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


atexit.register(_stop_all)
