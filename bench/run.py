#!/usr/bin/env python3
"""Perspectives benchmark: our indexing and search, side by side with Datasette, plain Whoosh
and tantivy, on the same entries and queries, in one run. Issue 4; results in bench/RESULTS.md.

    .venv/bin/python bench/run.py --quick                      # 10k synthetic + digitalgov, < 10 min
    .venv/bin/python bench/run.py                              # 100k synthetic + digitalgov (30-60 min)
    .venv/bin/python bench/run.py --entries 10000 --corpus synth --only index
    .venv/bin/python bench/run.py --corpus digitalgov --only search,peers

Stages (--only, comma-separated; default all): index (our full and incremental builds),
search (our gunicorn through HTTP), peers (Datasette, plain Whoosh, tantivy), profile
(pyinstrument on our slowest kinds). search and peers in the same run are interleaved query
kind by query kind, so noise on this shared machine hits all systems alike.

Standard library only (it runs in the project's venv, which provides `perspectives` and
gunicorn). The peers live in their own venv, bench/work/peers-venv, which this script creates;
nothing of theirs enters the project's dependencies. Everything it writes goes under
bench/work/ (git-ignored) except bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import atexit
import collections
import csv
import datetime as dt
import http.client
import io
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from results_md import get_section, put_section

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
VENV_BIN = Path(sys.executable).parent
PEERS_VENV = WORK / "peers-venv"
PEERS_PY = PEERS_VENV / "bin" / "python"
PEERS_REQUIREMENTS = BENCH / "requirements-peers.txt"
RESULTS_MD = BENCH / "RESULTS.md"
LOGS = WORK / "logs"

# -- small utilities --------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def shared_dir() -> Path:
    env = os.environ.get("PERSPECTIVES_CORPORA")
    if env:
        return Path(env).resolve().parent if Path(env).name == "corpora" else Path(env).resolve()
    return (REPO / ".." / "shared").resolve()


def corpora_dir() -> Path:
    env = os.environ.get("PERSPECTIVES_CORPORA")
    if env and Path(env).name == "corpora":
        return Path(env).resolve()
    return shared_dir() / "corpora"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float | None:
    """Percentile by the nearest-rank method (no interpolation); None when empty."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100 * len(v) + 0.5)) - 1))
    return v[k]


def med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def ms(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x * 1000:.0f}" if x >= 0.0995 else f"{x * 1000:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:.3f}" if r < 0.1 else f"{r:.2f}" if r < 10 else f"{r:.0f}"


def mb(n_bytes: float | None) -> str:
    return "–" if n_bytes is None else f"{n_bytes / 1e6:.0f} MB"


# -- processes: the tree's memory, servers -----------------------------------------------------------

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = collections.defaultdict(list)
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="utf-8") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        out[ppid].append(int(d))
    return out


def descendants(pid: int) -> list[int]:
    cmap, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        for c in cmap.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="utf-8") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size (shared pages split among their sharers); 0 if unreadable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        return 0
    return 0


def run_measured(cmd: list[str], env: dict | None = None, name: str = "cmd",
                 timeout: float = 7200) -> dict:
    """Run a command; return wall and CPU time, its exit code, output, the peak RSS of the largest
    process of its tree (wait4's ru_maxrss) and the peak of the whole tree's summed RSS (sampled)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    out_path, err_path = LOGS / f"{name}.out", LOGS / f"{name}.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=str(REPO))
        peak_tree, peak_pss = [0], [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                pids = [p.pid] + descendants(p.pid)
                peak_tree[0] = max(peak_tree[0], sum(rss_bytes(x) for x in pids))
                peak_pss[0] = max(peak_pss[0], sum(pss_bytes(x) for x in pids))
                stop.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(p.pid, signal.SIGKILL)
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
        p.returncode = os.waitstatus_to_exitcode(status)
    return {
        "rc": p.returncode, "wall": wall, "cpu": ru.ru_utime + ru.ru_stime,
        "maxrss_bytes": ru.ru_maxrss * 1024, "tree_peak_bytes": peak_tree[0], "tree_pss_bytes": peak_pss[0],
        "stdout": out_path.read_text(errors="replace"), "stderr": err_path.read_text(errors="replace"),
    }


class Server:
    """A server process started in its own session, so that stopping it ends exactly its tree."""

    running: list[Server] = []

    def __init__(self, name: str, cmd: list[str], port: int, health: str,
                 env: dict | None = None, cwd: Path = REPO) -> None:
        self.name, self.cmd, self.port, self.health, self.env, self.cwd = name, cmd, port, health, env, cwd
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> Server:
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = open(LOGS / f"server-{self.name}.log", "w")  # noqa: SIM115 - open while it runs
        self.proc = subprocess.Popen(self.cmd, stdout=self.log, stderr=subprocess.STDOUT, env=self.env,
                                     cwd=str(self.cwd), start_new_session=True)
        Server.running.append(self)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                c.request("GET", self.health)
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return self
                if 400 <= r.status < 500:
                    raise RuntimeError(f"{self.name} answers {r.status} to {self.health}")
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {self.health} within {timeout} s")

    def workers(self) -> list[int]:
        return descendants(self.proc.pid) if self.proc else []

    def memory(self) -> dict:
        """Peak (VmHWM) and current RSS of the master and of each worker, in bytes."""
        if not self.proc:
            return {}
        pids = [self.proc.pid] + self.workers()
        return {str(pid): {"peak": (status_kb(pid, "VmHWM") or 0) * 1024,
                           "rss": (status_kb(pid, "VmRSS") or 0) * 1024,
                           "role": "master" if pid == self.proc.pid else "worker"} for pid in pids}

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        if self in Server.running:
            Server.running.remove(self)


def _stop_all() -> None:
    for s in list(Server.running):
        s.stop()


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))

# -- HTTP client ------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection (http.client reconnects by itself when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        self.reused = 0
        self.requests = 0

    def get(self, path: str) -> tuple[int, bytes, float]:
        for attempt in (0, 1):
            reuse = self.conn.sock is not None
            t0 = time.perf_counter()
            try:
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                body = r.read()
                elapsed = time.perf_counter() - t0
                self.requests += 1
                self.reused += reuse
                if r.will_close:
                    self.conn.close()
                return r.status, body, elapsed
            except (http.client.HTTPException, OSError) as e:
                self.conn.close()
                if attempt or not reuse:  # a stale kept-alive socket gets one retry, nothing else
                    return 599, repr(e).encode(), time.perf_counter() - t0
        return 599, b"", 0.0

    def close(self) -> None:
        self.conn.close()


# -- corpora ------------------------------------------------------------------------------------------


class Corpus:
    def __init__(self, name: str, archive: Path, fieldmap: Path | None, manifest: Path | None,
                 synthetic: bool) -> None:
        self.name, self.archive, self.fieldmap, self.manifest, self.synthetic = (
            name, archive, fieldmap, manifest, synthetic)
        self.index = WORK / "indexes" / name
        self.dump = WORK / "dumps" / f"{name}.jsonl"
        self.queries_path = WORK / "dumps" / f"{name}.queries.json"

    def index_args(self, archive: Path | None = None, index: Path | None = None) -> list[str]:
        args = ["--archive", str(archive or self.archive), "--index", str(index or self.index)]
        if self.fieldmap:
            args += ["--fieldmap", str(self.fieldmap)]
        return args


def make_synthetic(n: int) -> Corpus:
    out = WORK / "corpora" / f"synth-{n}"
    maker = shared_dir() / "bench" / "make_corpus.py"
    if not (out / "manifest.json").is_file():
        log(f"making synthetic corpus of {n} entries in {out}")
        if out.exists():
            shutil.rmtree(out)
        subprocess.run([sys.executable, str(maker), str(out), "--entries", str(n)], check=True)
    return Corpus(f"synth-{n}", out / "archive", None, out / "manifest.json", True)


def make_multilingual(n: int) -> Corpus:
    """Return the multilingual synthetic corpus of n entries (issue 14): 60% the synthetic
    corpus's English entries, the rest Japanese, Chinese, German and French drawn from Debian's
    manpages (bench/multilingual_corpus.py)."""
    english = make_synthetic(n)
    out = WORK / "corpora" / f"multi-{n}"
    if not (out / "archive").is_dir():
        log(f"making multilingual corpus of {n} entries in {out}")
        subprocess.run([sys.executable, str(BENCH / "multilingual_corpus.py"), str(out / "archive"),
                        "--english", str(english.archive), "--entries", str(n)], check=True)
    return Corpus(f"multi-{n}", out / "archive", None, None, True)


def real_corpus(name: str) -> Corpus:
    archive = corpora_dir() / name
    fieldmap = REPO / "fieldmaps" / f"{name}.yaml"
    if not archive.is_dir():
        raise SystemExit(f"no corpus at {archive} (set PERSPECTIVES_CORPORA)")
    return Corpus(name, archive, fieldmap if fieldmap.is_file() else None, None, False)


# -- our CLI ------------------------------------------------------------------------------------------

PERSPECTIVES = VENV_BIN / "perspectives"
_SUMMARY = re.compile(r"(\d+) added, (\d+) updated, (\d+) removed, (\d+) rejected; (\d+) entries")


def parse_summary(text: str) -> dict:
    m = _SUMMARY.search(text)
    if not m:
        return {}
    keys = ("added", "updated", "removed", "rejected", "entries")
    return dict(zip(keys, map(int, m.groups())))


def current_generation(index: Path) -> Path | None:
    try:
        name = (index / "CURRENT").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return index / name if name and (index / name).is_dir() else None


def full_build(c: Corpus, index: Path, name: str) -> dict:
    if index.exists():
        shutil.rmtree(index)
    r = run_measured([str(PERSPECTIVES), "index", "--full", *c.index_args(index=index)], name=name)
    summary = parse_summary(r["stdout"] + r["stderr"])
    gen = current_generation(index)
    if r["rc"] not in (0, 1) or gen is None or not summary:
        raise RuntimeError(f"full build failed (rc {r['rc']}): {r['stderr'][-2000:]}")
    entries = summary["entries"]
    return {
        "wall": r["wall"], "cpu": r["cpu"], "cores_used": r["cpu"] / r["wall"],
        "entries": entries, "rejected": summary["rejected"], "entries_per_s": entries / r["wall"],
        "index_bytes": dir_size(gen), "maxrss_bytes": r["maxrss_bytes"],
        "tree_peak_bytes": r["tree_peak_bytes"], "tree_pss_bytes": r["tree_pss_bytes"], "rc": r["rc"],
    }


def ensure_index(c: Corpus) -> None:
    if current_generation(c.index) is None:
        log(f"[{c.name}] no index yet: building one (not measured)")
        full_build(c, c.index, f"{c.name}-build-unmeasured")


def our_server(index: Path, name: str) -> Server:
    port = free_port()
    env = dict(os.environ, PERSPECTIVES_INDEX=str(index))
    cmd = [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "webapp:create_app()"]
    return Server(name, cmd, port, "/api/search?q=&per_page=1", env=env)


# -- stage: index ---------------------------------------------------------------------------------------

NONCE_LETTERS = "bcdfghjkmnpqrstvwxz"


def nonce() -> str:
    return "zq" + "".join(random.choice(NONCE_LETTERS) for _ in range(10))


def poll_visible(client: Client, word: str, want: int, t0: float, timeout: float = 30,
                 pause: float = 0.01) -> dict:
    """Poll /api/search until `want` hits show; return when it first did and when it had shown on
    6 polls in a row (with 2 workers that is, with high probability, on both)."""
    first = stable = None
    streak = 0
    polls = 0
    # the word alone: entries on the same subject or near spellings would change the total
    path = "/api/search?" + urllib.parse.urlencode({"q": word, "per_page": 1, "subject": 0, "typos": 0})
    failures, error = 0, None
    while time.perf_counter() - t0 < timeout:
        status, body, _ = client.get(path)
        polls += 1
        if status != 200:
            failures += 1
            error = f"HTTP {status}: {body[:200]!r}"
            if failures >= 20:
                break
        ok = status == 200 and json.loads(body).get("total") == want
        now = time.perf_counter() - t0
        if ok:
            if first is None:
                first = now
            streak += 1
            if streak == 1:
                stable_start = now
            if streak >= 6:
                stable = stable_start
                break
        else:
            streak = 0
        time.sleep(pause)
    return {"first": first, "stable": stable, "polls": polls, "errors": failures, "error": error}


def edit_file(path: Path, word: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nEdited for the benchmark: {word}.\n", encoding="utf-8")


def add_files(archive: Path, sources: list[Path], word: str, k0: int) -> list[Path]:
    """Copy existing entries under new names and ids (or slugs), each with `word` in its body."""
    written = []
    for k, src in enumerate(sources):
        # The tag goes first (ids may be cut to a maximum length), after a leading date if any.
        tag = f"bench{k0 + k}{word[-4:]}"
        text = src.read_text(encoding="utf-8")
        head, sep, rest = text.partition("\n---")  # only the frontmatter's id or slug
        head = re.sub(r"^(id|slug): *(.+)$", lambda m, tag=tag: f"{m[1]}: {tag}-{m[2].strip()}", head,
                      count=2, flags=re.M)
        text = head + sep + rest
        m = re.match(r"(\d{4}-\d{2}-\d{2}-)(.*)", src.stem)
        stem = f"{m[1]}{tag}-{m[2]}" if m else f"{tag}-{src.stem}"
        dest = src.with_name(f"{stem}{src.suffix}")
        dest.write_text(text.rstrip("\n") + f"\n\nAdded for the benchmark: {word}.\n", encoding="utf-8")
        written.append(dest)
    return written


def stage_index(c: Corpus, cfg: argparse.Namespace) -> dict:
    out: dict = {}
    small = not c.synthetic or int(c.name.rsplit("-", 1)[1]) <= 20000
    n_full = cfg.build_repeats or (1 if cfg.quick else (3 if small else 1))
    builds = []
    for i in range(n_full):
        log(f"[{c.name}] full build {i + 1}/{n_full}")
        b = full_build(c, c.index, f"{c.name}-full-{i}")
        log(f"[{c.name}]   {b['entries']} entries in {b['wall']:.1f} s = {b['entries_per_s']:.0f}/s, "
            f"CPU {b['cores_used']:.2f} cores, index {mb(b['index_bytes'])}, "
            f"peak RSS {mb(b['maxrss_bytes'])} (tree {mb(b['tree_peak_bytes'])})")
        builds.append(b)
    out["full_builds"] = builds
    out["full"] = {k: med([b[k] for b in builds]) for k in builds[0] if isinstance(builds[0][k], (int, float))}
    out["full"]["repeats"] = len(builds)

    # Incremental, through the running production server, on a scratch copy.
    scratch = WORK / "scratch" / c.name
    if scratch.exists():
        shutil.rmtree(scratch)
    log(f"[{c.name}] copying archive and index to {scratch} for the incremental runs")
    shutil.copytree(c.archive, scratch / "archive", symlinks=True)
    shutil.copytree(c.index, scratch / "index", symlinks=True)
    # files that hold exactly one indexed entry (so an edit or a copy of one is one valid entry)
    from indexer import generations as gens

    manifest = gens.read_manifest(current_generation(c.index))
    files = sorted(scratch / "archive" / rel for rel, info in manifest.files.items()
                   if len(info.get("ids", [])) == 1)
    rng = random.Random(7)
    srv = our_server(scratch / "index", f"{c.name}-incremental").start()
    client = Client(srv.port)
    incr_args = c.index_args(archive=scratch / "archive", index=scratch / "index")
    try:
        # a warm-up incremental run with nothing to do: what a no-op costs
        noop = run_measured([str(PERSPECTIVES), "index", *incr_args], name=f"{c.name}-noop")
        out["noop_index_seconds"] = noop["wall"]
        n_edits = cfg.edit_repeats or (3 if cfg.quick else 5)
        for key, named in (("edit_one", False), ("edit_named", True)):
            out[key] = _edits(c, cfg, client, rng, files, incr_args, n_edits, named)
        adds = []
        for i in range(cfg.add_repeats or (1 if cfg.quick else 2)):
            word = nonce()
            sources = rng.sample(files, 10)
            t0 = time.perf_counter()
            add_files(scratch / "archive", sources, word, i * 10)
            r, t_index, seen = _index_and_poll([str(PERSPECTIVES), "index", *incr_args],
                                               f"{c.name}-add-{i}", client, word, 10, t0)
            s = parse_summary(r["stdout"] + r["stderr"])
            adds.append({"index_cmd": r["wall"], "visible": seen["first"], "visible_stable": seen["stable"],
                         "poll_errors": seen["errors"], "poll_error": seen["error"],
                         "added": s.get("added"), "rc": r["rc"]})
            log(f"[{c.name}]   add 10: index cmd {r['wall']:.2f} s, visible after {seen['first']} s, summary {s}")
        out["add_ten"] = adds
        out["incremental_worker_memory"] = srv.memory()
    finally:
        client.close()
        srv.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def _index_and_poll(cmd: list[str], name: str, client: Client, word: str, want: int,
                    t0: float) -> tuple[dict, float, dict]:
    """Run `perspectives index` while polling the server, so that "visible" is when the change
    is first searchable (a run goes on after its commit: merging small segments, the
    manifest). Polls every 25 ms, to leave the cores to the run."""
    done: dict = {}

    def run() -> None:
        done["r"] = run_measured(cmd, name=name)
        done["t"] = time.perf_counter() - t0

    thread = threading.Thread(target=run)
    thread.start()
    seen = poll_visible(client, word, want, t0, pause=0.025)
    thread.join()
    return done["r"], done["t"], seen


def _edits(c: Corpus, cfg: Any, client: Client, rng: random.Random, files: list[Path],
           incr_args: list[str], n: int, named: bool) -> list[dict]:
    """Edit a file n times, each time running `perspectives index` (naming the file, when
    named) and polling the server until the new word is found."""
    edits = []
    for i in range(n):
        path = rng.choice(files)
        word = nonce()
        t0 = time.perf_counter()
        edit_file(path, word)
        cmd = [str(PERSPECTIVES), "index", *incr_args, *([str(path)] if named else [])]
        r, t_index, seen = _index_and_poll(cmd, f"{c.name}-edit{'-named' if named else ''}-{i}",
                                           client, word, 1, t0)
        s = parse_summary(r["stdout"] + r["stderr"])
        edits.append({"index_cmd": r["wall"], "visible": seen["first"], "visible_stable": seen["stable"],
                      "poll_errors": seen["errors"], "poll_error": seen["error"],
                      "after_index": (seen["first"] - t_index) if seen["first"] else None,
                      "updated": s.get("updated"), "rc": r["rc"], "maxrss_bytes": r["maxrss_bytes"]})
        log(f"[{c.name}]   edit {i + 1}{' (file named)' if named else ''}: index cmd {r['wall']:.2f} s, "
            f"visible after {seen['first'] if seen['first'] is None else round(seen['first'], 2)} s "
            f"(stable {seen['stable'] if seen['stable'] is None else round(seen['stable'], 2)} s), "
            f"summary {s}")
    return edits


# -- entries for the peers, and the query mix ------------------------------------------------------------

STOP = set(["i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now", "d", "ll", "m", "o", "re", "ve", "y", "also", "would", "could", "one", "may", "must", "might", "shall", "use", "used", "using"])
_TOKEN = re.compile(r"[a-z]+")


def ensure_dump(c: Corpus) -> None:
    gen = current_generation(c.index)
    stamp = c.dump.with_suffix(".gen")
    if c.dump.is_file() and stamp.is_file() and stamp.read_text() == str(gen):
        return
    c.dump.parent.mkdir(parents=True, exist_ok=True)
    log(f"[{c.name}] dumping our index's entries for the peers")
    subprocess.run([sys.executable, str(BENCH / "dump_entries.py"), str(c.index), str(c.dump)],
                   check=True, cwd=str(REPO), stdout=subprocess.DEVNULL)
    stamp.write_text(str(gen))
    if c.queries_path.exists():
        c.queries_path.unlink()


def last_day(y: int, m: int) -> int:
    return ((dt.date(y + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)).day


def make_queries(c: Corpus) -> dict:
    """Pick the query mix from the corpus itself (deterministically), and save it."""
    if c.queries_path.is_file():
        return json.loads(c.queries_path.read_text())
    with open(c.dump, encoding="utf-8") as f:
        n = sum(1 for _ in f)
    step = max(1, n // 4000)
    df: collections.Counter = collections.Counter()
    bigrams: collections.Counter = collections.Counter()
    sets = []
    authors: collections.Counter = collections.Counter()
    sections: collections.Counter = collections.Counter()
    themes: collections.Counter = collections.Counter()
    years: collections.Counter = collections.Counter()
    theme_author: collections.Counter = collections.Counter()
    ids = []
    with open(c.dump, encoding="utf-8") as dump:
        for i, line in enumerate(dump):
            r = json.loads(line)
            ids.append(r["id"])
            authors[r["author"]] += 1
            sections[r["section"]] += 1
            years[r["year"]] += 1
            for t in r["themes"]:
                themes[t] += 1
                theme_author[(t, r["author"])] += 1
            if i % step == 0:
                toks = _TOKEN.findall((r["title"] + " " + r["body"]).lower())
                words = {t for t in toks if len(t) >= 4 and t not in STOP}
                df.update(words)
                sets.append(words)
                bigrams.update({(a, b) for a, b in zip(toks, toks[1:])
                                if len(a) >= 4 and len(b) >= 4 and a not in STOP and b not in STOP and a != b})
    sample = len(sets)
    frac = {w: k / sample for w, k in df.items()}
    common = max((w for w in frac if frac[w] <= 0.95), key=lambda w: frac[w])
    band = sorted((w for w in frac if 0.2 <= frac[w] <= 0.45 and w != common), key=lambda w: -frac[w])
    two = None
    for a_i, a in enumerate(band[:30]):
        for b in band[a_i + 1:30]:
            co = sum(1 for s in sets if a in s and b in s) / sample
            if 0.05 <= co <= 0.2:
                two = (a, b)
                break
        if two:
            break
    if two is None:
        two = (band[0], band[1]) if len(band) > 1 else (common, sorted(frac, key=lambda w: -frac[w])[1])
    phrase_pool = [(bg, k / sample) for bg, k in bigrams.items() if 0.02 <= k / sample <= 0.15]
    phrase = max(phrase_pool, key=lambda x: x[1])[0] if phrase_pool else max(bigrams, key=bigrams.get)
    has_anthro = df.get("anthropomorphism", 0) + df.get("anthropomorphising", 0) > 0 or any(
        w.startswith("anthropomorph") for w in df)
    rare = "dignity" if df.get("dignity") else min(
        (w for w in frac if len(w) >= 6), key=lambda w: abs(frac[w] - 0.005))
    if has_anthro:
        prefix, variant = "anthropomorph*", "anthropomorphising"
    else:
        long_words = sorted((w for w in frac if len(w) >= 11 and 0.01 <= frac[w] <= 0.1),
                            key=lambda w: -frac[w])
        prefix = (long_words[0][:8] + "*") if long_words else common[:5] + "*"
        variant = "organisation"
    words = {"rare": rare, "common": common, "two": " ".join(two), "phrase": '"{}"'.format(" ".join(phrase)),
             "prefix": prefix, "variant": variant, "variant2": "behaviour"}

    top_sections = [s for s, _ in sections.most_common()]
    section = top_sections[1] if len(top_sections) > 1 else top_sections[0]
    year = years.most_common(1)[0][0]
    f_from, f_to = f"{year}-01-01", f"{year}-06-{last_day(year, 6):02d}"
    theme = themes.most_common(1)[0][0] if themes else None
    if theme:
        author = max((a for (t, a) in theme_author if t == theme), key=lambda a: theme_author[(theme, a)])
    else:
        author = authors.most_common(1)[0][0]
    filt_sd = {"section": section, "from": f_from, "to": f_to}
    filt_ta = {"theme": theme, "author": author} if theme else {"author": author}

    specs: dict = {}
    for kind, q in words.items():
        specs[kind] = {"kind": "search", "params": {"q": q}}
        specs[kind + "+sect+date"] = {"kind": "search", "params": {"q": q, **filt_sd}}
        specs[kind + "+theme+author"] = {"kind": "search", "params": {"q": q, **filt_ta}}
    # entries on the same subject (indexer/subject.py) are extra work no peer does: every kind
    # above asks for the words alone (our_path), and these ask for the subject too, ours only
    for k in ("rare+sect+date", "prefix+theme+author", "variant+theme+author"):
        specs[k + SUBJECT] = {"kind": "search", "params": {**specs[k]["params"], "subject": "1"}}
    specs["browse"] = {"kind": "search", "params": {"q": ""}}
    specs["browse+sect+date"] = {"kind": "search", "params": {"q": "", **filt_sd}}
    specs["browse+theme+author"] = {"kind": "search", "params": {"q": "", **filt_ta}}
    specs["related"] = {"kind": "related", "ids": ids[:: max(1, n // 20)][:20]}
    specs["export.csv"] = {"kind": "export", "params": {"q": common}}
    meta = {"entries": n, "sample": sample, "words": words, "df_in_sample": {
        k: round(frac.get(v.strip('"*').split()[0], 0), 3) for k, v in words.items()},
        "filters": {"sect+date": filt_sd, "theme+author": filt_ta}}
    data = {"specs": specs, "meta": meta}
    c.queries_path.write_text(json.dumps(data, indent=1))
    return data


# -- systems: how each one is asked, and what its answer says ------------------------------------------


SUBJECT = " on subject"  # a kind that also asks for entries on the same subject


def our_path(spec: dict, i: int) -> str:
    if spec["kind"] == "related":
        return f"/api/entries/{urllib.parse.quote(spec['ids'][i % len(spec['ids'])])}"
    p = {"subject": "0", **{k: v for k, v in spec["params"].items() if v}}
    if spec["kind"] == "export":
        return "/search.csv?" + urllib.parse.urlencode(p)
    return "/api/search?" + urllib.parse.urlencode({**p, "per_page": 10})


def baseline_path(spec: dict, i: int) -> str | None:
    if spec["kind"] == "related":
        return f"/related/{urllib.parse.quote(spec['ids'][i % len(spec['ids'])])}"
    if "subject" in spec["params"]:
        return None
    p = {k: v for k, v in spec["params"].items() if v}
    if spec["kind"] == "export":
        return "/export.csv?" + urllib.parse.urlencode(p)
    return "/search?" + urllib.parse.urlencode(p)


DS_FACETS = [("_facet", "author"), ("_facet", "section")]
DS_FACETS4 = DS_FACETS + [("_facet", "year"), ("_facet_array", "themes")]
CSV_COLS = ["title", "author", "date", "section", "themes", "source"]


def datasette_args(p: dict) -> list[tuple[str, str]]:
    args: list[tuple[str, str]] = []
    if p.get("q"):
        args += [("_search", p["q"]), ("_searchmode", "raw")]
    if p.get("section"):
        args.append(("section__exact", p["section"]))
    if p.get("author"):
        args.append(("author__exact", p["author"]))
    if p.get("theme"):
        args.append(("themes__arraycontains", p["theme"]))
    if p.get("from"):
        args.append(("date__gte", p["from"]))
    if p.get("to"):
        args.append(("date__lte", p["to"]))
    if not p.get("q"):
        args.append(("_sort_desc", "date"))
    return args


def datasette_path(spec: dict, i: int, four: bool = False) -> str | None:
    if spec["kind"] == "related" or "subject" in spec["params"]:
        return None  # Datasette has nothing like related entries or entries on a subject
    args = datasette_args(spec["params"])
    if spec["kind"] == "export":
        return "/perspectives/entries.csv?" + urllib.parse.urlencode(
            args + [("_stream", "on"), ("_size", "max")] + [("_col", c) for c in CSV_COLS])
    return "/perspectives/entries.json?" + urllib.parse.urlencode(
        args + (DS_FACETS4 if four else DS_FACETS) + [("_size", "10")])


def check_answer(system: str, spec: dict, status: int, body: bytes) -> dict:
    """What an answer holds: the matching-row count, and whether the facets and snippets came."""
    if status != 200:
        return {"ok": False, "error": f"HTTP {status}: {body[:200]!r}"}
    if spec["kind"] == "export":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8", "replace"))))
        return {"ok": True, "total": max(0, len(rows) - 1), "bytes": len(body)}
    data = json.loads(body)
    if spec["kind"] == "related":
        return {"ok": True, "total": len(data.get("related", []))}
    if system == "ours":
        facets = data.get("facets", {})
        snippets = sum(1 for r in data.get("results", []) if "<mark>" in (r.get("snippet") or ""))
        return {"ok": True, "total": data.get("total"), "facets": sorted(facets),
                "snippets": snippets, "rows": len(data.get("results", []))}
    if system.startswith("datasette"):
        fr = data.get("facet_results", {})
        if isinstance(fr, dict) and "results" in fr and isinstance(fr["results"], dict):
            fr = fr["results"]  # newer shape
        timed_out = data.get("facets_timed_out") or []
        return {"ok": True, "total": data.get("filtered_table_rows_count"), "facets": sorted(fr),
                "facets_timed_out": timed_out, "rows": len(data.get("rows", []))}
    facets = data.get("facets", {})
    snippets = sum(1 for r in data.get("results", []) if "<b" in (r.get("snippet") or ""))
    return {"ok": True, "total": data.get("total"), "facets": sorted(k for k, v in facets.items() if v),
            "snippets": snippets, "rows": len(data.get("results", []))}


class System:
    def __init__(self, name: str, server: Server, path_fn) -> None:
        self.name, self.server, self.path_fn = name, server, path_fn
        self.client = Client(server.port)


def run_cell(system: System, spec: dict, n_max: int, t_max: float, n_min: int) -> dict | None:
    if system.path_fn(spec, 0) is None:
        return None
    times, totals, errors, info = [], [], [], {}
    t_start = time.perf_counter()
    i = 0
    # up to n_max requests or t_max seconds, at least n_min, but never past 3 * t_max once 2 are done
    while i < n_max and (i < n_min or time.perf_counter() - t_start < t_max) and not (
            i >= 2 and time.perf_counter() - t_start > 3 * t_max):
        path = system.path_fn(spec, i)
        status, body, elapsed = system.client.get(path)
        a = check_answer(system.name, spec, status, body)
        if a["ok"]:
            times.append(elapsed)
            totals.append(a.get("total"))
            info = a
        else:
            errors.append(a["error"])
        i += 1
    return {"times": times, "totals": sorted(set(map(str, totals))), "errors": errors[:3],
            "n_errors": len(errors), "info": {k: v for k, v in info.items() if k not in ("ok",)}}


def run_concurrent(system: System, specs: dict, clients: int, per_client: int, deadline_s: float) -> dict:
    mix = [s for s in specs.values() if s["kind"] == "search"]
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(k: int) -> None:
        cl = Client(system.server.port)
        local, errs = [], []
        barrier.wait()
        for i in range(per_client):
            if time.perf_counter() > stop_at[0]:
                break
            spec = mix[(k * 3 + i) % len(mix)]
            status, body, elapsed = cl.get(system.path_fn(spec, i))
            if status == 200:
                local.append(elapsed)
            else:
                errs.append(f"HTTP {status}: {body[:120]!r}")
        cl.close()
        with lock:
            lat.extend(local)
            errors.extend(errs)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + deadline_s
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    done = len(lat) + len(errors)
    return {"clients": clients, "requests": done, "ok": len(lat), "errors": len(errors),
            "error_samples": errors[:3], "wall": wall, "rps": len(lat) / wall if wall else None,
            "p50": med(lat), "p95": pct(lat, 95), "p99": pct(lat, 99),
            "cut_by_deadline": done < clients * per_client}


# -- peers: setup --------------------------------------------------------------------------------------


def ensure_peers_venv() -> None:
    if PEERS_PY.is_file() and (PEERS_VENV / ".installed").is_file() and \
            (PEERS_VENV / ".installed").read_text() == PEERS_REQUIREMENTS.read_text():
        return
    log("creating the peers' venv (Datasette, sqlite-utils, tantivy, pyinstrument)")
    py = shutil.which("python3.11") or shutil.which("python3") or sys.executable
    base = getattr(sys, "_base_executable", py)
    subprocess.run([base, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(PEERS_VENV / "bin" / "pip"), "install", "--quiet", "-r", str(PEERS_REQUIREMENTS)],
                   check=True)
    (PEERS_VENV / ".installed").write_text(PEERS_REQUIREMENTS.read_text())


def peers_cmd(*args: str, name: str) -> dict:
    r = run_measured([str(PEERS_PY), str(BENCH / "peers.py"), *args], name=name)
    if r["rc"] != 0:
        raise RuntimeError(f"peers.py {args[0]} failed: {r['stderr'][-2000:]}")
    data = json.loads(r["stdout"].strip().splitlines()[-1])
    data["maxrss_bytes"] = r["maxrss_bytes"]
    data["wall"] = r["wall"]
    data["cpu"] = r["cpu"]
    return data


# -- stage: search (+ peers) ------------------------------------------------------------------------------


def stage_search(c: Corpus, cfg: argparse.Namespace, ours: bool, peers: bool) -> dict:
    ensure_index(c)
    ensure_dump(c)
    q = make_queries(c)
    specs = q["specs"]
    log(f"[{c.name}] query words: {q['meta']['words']}; filters: {q['meta']['filters']}")
    out: dict = {"queries": q["meta"], "systems": {}}
    systems: list[System] = []
    servers: list[Server] = []
    try:
        if ours:
            srv = our_server(c.index, f"{c.name}-ours").start()
            servers.append(srv)
            systems.append(System("ours", srv, our_path))
        if peers:
            ensure_peers_venv()
            db = WORK / "peers" / c.name / "perspectives.db"
            db.parent.mkdir(parents=True, exist_ok=True)
            log(f"[{c.name}] building SQLite FTS5 (porter) for Datasette")
            out["sqlite_build"] = peers_cmd("sqlite", str(c.dump), str(db), name=f"{c.name}-sqlite")
            fts = peers_cmd("check-fts", str(db), name=f"{c.name}-checkfts")
            out["datasette_fts_detected"] = fts["detected"]
            if fts["detected"] != "entries_fts":
                raise RuntimeError(f"Datasette does not detect the FTS table: {fts}")
            log(f"[{c.name}]   {out['sqlite_build']['seconds']:.1f} s, Datasette detects {fts['detected']}")
            log(f"[{c.name}] building tantivy (2 threads)")
            out["tantivy_build"] = peers_cmd("tantivy-build", str(c.dump), str(WORK / "peers" / c.name / "tantivy"),
                                             name=f"{c.name}-tantivy-build")
            log(f"[{c.name}]   {out['tantivy_build']['seconds']:.1f} s")
            port = free_port()
            ds = Server(f"{c.name}-datasette", [
                str(PEERS_VENV / "bin" / "datasette"), "serve", str(db), "-h", "127.0.0.1", "-p", str(port),
                "--setting", "suggest_facets", "off",
                # Datasette's defaults cut a count at 1 s and drop a facet after 200 ms without an
                # error: raise both so it does all the work it is asked (and the counts are real).
                "--setting", "sql_time_limit_ms", "60000",
                "--setting", "facet_time_limit_ms", "60000",
                "--setting", "max_returned_rows", "1000"], port, "/perspectives/entries.json?_size=1").start()
            servers.append(ds)
            systems.append(System("datasette", ds, datasette_path))
            port = free_port()
            env = dict(os.environ, BASELINE_INDEX=str(c.index))
            wb = Server(f"{c.name}-whoosh", [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                                              "--chdir", str(BENCH), "whoosh_baseline:app"],
                        port, "/health", env=env).start()
            servers.append(wb)
            systems.append(System("whoosh-plain", wb, baseline_path))

        # Warm-up: every kind once on every system (opens indexes, fills OS caches), not timed.
        log(f"[{c.name}] warming up {', '.join(s.name for s in systems)}")
        for s in systems:
            for spec in specs.values():
                if spec["kind"] != "export" and s.path_fn(spec, 0) is not None:
                    s.client.get(s.path_fn(spec, 0))

        n_max, t_max, n_min = cfg.requests, cfg.cell_seconds, cfg.min_requests
        cells: dict = {s.name: {} for s in systems}
        for rnd in range(cfg.rounds):
            log(f"[{c.name}] sequential round {rnd + 1}/{cfg.rounds}: {len(specs)} kinds x {len(systems)} systems")
            for name, spec in specs.items():
                line = []
                if spec["kind"] == "export" and rnd == cfg.rounds - 1:
                    # the peak of the search work alone, before an export reads every hit
                    for s in systems:
                        out["systems"].setdefault(s.name, {})["memory_before_export"] = s.server.memory()
                for s in systems:
                    if spec["kind"] == "export":
                        r = run_cell(s, spec, cfg.export_requests, 0, cfg.export_requests)
                    else:
                        r = run_cell(s, spec, n_max, t_max, n_min)
                    if r is None:
                        continue
                    cell = cells[s.name].setdefault(name, {"times": [], "round_p50": [], "totals": set(),
                                                           "n_errors": 0, "errors": []})
                    cell["times"] += r["times"]
                    if r["times"]:
                        cell["round_p50"].append(med(r["times"]))
                    cell["totals"].update(r["totals"])
                    cell["n_errors"] += r["n_errors"]
                    cell["errors"] += r["errors"]
                    cell["info"] = r["info"]
                    line.append(f"{s.name} {ms(med(r['times']))} ms ({','.join(r['totals'])})")
                log(f"[{c.name}]   {name:28s} " + " | ".join(line))
                if peers and name in ("rare", "common", "two", "browse"):
                    ds4 = next((s for s in systems if s.name == "datasette"), None)
                    if ds4:
                        s4 = System("datasette+4facets", ds4.server, lambda sp, i: datasette_path(sp, i, four=True))
                        r = run_cell(s4, spec, cfg.ds4_requests, t_max, min(n_min, cfg.ds4_requests))
                        s4.client.close()
                        cell = cells.setdefault("datasette+4facets", {}).setdefault(
                            name, {"times": [], "round_p50": [], "totals": set(), "n_errors": 0, "errors": []})
                        cell["times"] += r["times"]
                        cell["round_p50"].append(med(r["times"]))
                        cell["totals"].update(r["totals"])
                        cell["n_errors"] += r["n_errors"]
                        cell["errors"] += r["errors"]
                        cell["info"] = r["info"]
        for sname, kinds in cells.items():
            res = out["systems"].setdefault(sname, {})
            res.setdefault("sequential", {})
            for name, cell in kinds.items():
                t = cell["times"]
                res["sequential"][name] = {
                    "n": len(t), "p50": med(t), "p95": pct(t, 95), "p99": pct(t, 99),
                    "round_p50": cell["round_p50"], "rps": (len(t) / sum(t)) if t else None,
                    "totals": sorted(cell["totals"]), "n_errors": cell["n_errors"], "errors": cell["errors"][:3],
                    "info": cell.get("info", {}),
                }
        for s in systems:
            out["systems"][s.name]["keepalive_reuse"] = (s.client.reused / s.client.requests
                                                         if s.client.requests else None)
            s.client.close()

        for s in systems:
            log(f"[{c.name}] {cfg.clients} concurrent clients against {s.name}")
            r = run_concurrent(s, specs, cfg.clients, cfg.per_client, cfg.concurrent_seconds)
            out["systems"][s.name]["concurrent"] = r
            log(f"[{c.name}]   {r['ok']} ok, {r['errors']} errors in {r['wall']:.1f} s = {r['rps']:.1f} req/s, "
                f"p50 {ms(r['p50'])} ms, p95 {ms(r['p95'])} ms")
        for s in systems:
            out["systems"][s.name]["memory"] = s.server.memory()
    finally:
        for s in servers:
            s.stop()

    if peers:
        log(f"[{c.name}] tantivy in-process queries")
        out["tantivy"] = peers_cmd("tantivy-query", str(WORK / "peers" / c.name / "tantivy"),
                                   str(_write_specs(c, specs)), str(cfg.tantivy_repeats),
                                   name=f"{c.name}-tantivy-query")
    return out


def _write_specs(c: Corpus, specs: dict) -> Path:
    p = c.queries_path.with_name(c.name + ".specs.json")
    p.write_text(json.dumps(specs))
    return p


# -- stage: profile -------------------------------------------------------------------------------------


def stage_profile(c: Corpus, cfg: argparse.Namespace, previous: dict) -> dict:
    """pyinstrument on our slowest query kinds, in-process through Flask's test client."""
    ensure_peers_venv()
    ensure_index(c)
    ensure_dump(c)
    specs = make_queries(c)["specs"]
    seq = previous.get("search", {}).get("systems", {}).get("ours", {}).get("sequential", {})
    ranked = sorted((k for k in seq if seq[k].get("p50") and specs.get(k, {}).get("kind") == "search"),
                    key=lambda k: -seq[k]["p50"])
    kinds = ranked[:3] or ["common+sect+date", "common", "browse"]
    urls = {k: our_path(specs[k], 0) for k in kinds if k in specs}
    site = next((REPO / ".venv" / "lib").glob("python3*/site-packages"))
    env = dict(os.environ, PYTHONPATH=f"{REPO}:{site}")
    outdir = WORK / "profiles"
    outdir.mkdir(parents=True, exist_ok=True)
    r = run_measured([str(PEERS_PY), str(BENCH / "profile_search.py"), str(c.index), json.dumps(urls),
                      str(outdir / c.name), str(cfg.profile_requests)], env=env, name=f"{c.name}-profile")
    if r["rc"] != 0:
        return {"error": r["stderr"][-1500:]}
    result = json.loads(r["stdout"].strip().splitlines()[-1])
    # and a no-op incremental `perspectives index`: the floor under "an edit is searchable in 1 s"
    r = run_measured([str(PEERS_PY), str(BENCH / "profile_index.py"), str(outdir / f"{c.name}-index-noop.txt"),
                      "--", "index", *c.index_args()], env=env, name=f"{c.name}-profile-index")
    if r["rc"] == 0:
        result["index_noop"] = json.loads(r["stdout"].strip().splitlines()[-1])
    return result


# -- machine and reporting ---------------------------------------------------------------------------------


def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            with open(path, encoding="utf-8") as lines:
                for line in lines:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    def version(pkg: str) -> str:
        try:
            from importlib.metadata import version as v
            return v(pkg)
        except Exception:  # noqa: BLE001
            return "?"

    return {"cpu": first("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
            "memory": first("/proc/meminfo", "MemTotal"), "kernel": platform.release(),
            "python": platform.python_version(), "loadavg": open("/proc/loadavg").read().split()[:3],
            "whoosh": version("whoosh-reloaded"), "gunicorn": version("gunicorn"), "flask": version("flask"),
            "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                  text=True).stdout.strip(),
            "git_dirty": bool(subprocess.run(["git", "status", "--porcelain", "indexer", "webapp"], cwd=REPO,
                                             capture_output=True, text=True).stdout.strip())}


def results_path(name: str) -> Path:
    return WORK / "results" / f"{name}.json"


def load_results(name: str) -> dict:
    p = results_path(name)
    return json.loads(p.read_text()) if p.is_file() else {}


def save_results(name: str, data: dict) -> None:
    p = results_path(name)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(data, indent=1, default=str))


SYSTEM_LABEL = {"ours": "ours", "datasette": "Datasette", "whoosh-plain": "plain Whoosh",
                "datasette+4facets": "Datasette, 4 facets"}


def render_corpus(name: str, d: dict) -> list[str]:
    L: list[str] = []
    L.append(f"## {name}")
    L.append("")
    for stage in ("index", "search", "profile"):
        if stage in d:
            m = d[stage].get("_run", {})
            end = m.get("loadavg_end")
            L.append(f"- {stage}: {m.get('date', '?')}, `{m.get('command', '?')}`"
                     f"{' (quick)' if m.get('quick') else ''}, load average (1/5/15 min) at start "
                     f"{' '.join(m.get('machine', {}).get('loadavg', []))}"
                     f"{', at end ' + ' '.join(f'{x:.2f}' for x in end) if end else ''}, commit "
                     f"{m.get('machine', {}).get('git', '?')}{' + uncommitted core changes' if m.get('machine', {}).get('git_dirty') else ''}")
    L.append("")
    idx = d.get("index")
    srch = d.get("search", {})
    if idx:
        f = idx["full"]
        L += ["### Indexing", "",
              "| | wall | entries/s | CPU (cores used) | index size | peak RSS largest process | peak RSS whole tree (PSS) |",
              "|---|---|---|---|---|---|---|",
              f"| ours, `perspectives index --full` (median of {f['repeats']}) | {f['wall']:.1f} s | "
              f"{f['entries_per_s']:.0f} | {f['cpu']:.1f} s ({f['cores_used']:.2f}) | {mb(f['index_bytes'])} | "
              f"{mb(f['maxrss_bytes'])} | {mb(f['tree_peak_bytes'])}"
              f"{' ({})'.format(mb(f['tree_pss_bytes'])) if f.get('tree_pss_bytes') else ''} |"]
        if "sqlite_build" in srch:
            s = srch["sqlite_build"]
            L.append(f"| SQLite FTS5 porter (rows + FTS + 4 indexes + VACUUM) | {s['seconds']:.1f} s | "
                     f"{s['entries_per_s']:.0f} | {s['cpu']:.1f} s ({s['cpu'] / s['wall']:.2f}) | {mb(s['bytes'])} | "
                     f"{mb(s['maxrss_bytes'])} | – |")
        if "tantivy_build" in srch:
            s = srch["tantivy_build"]
            L.append(f"| tantivy 0.27 (2 threads) | {s['seconds']:.1f} s | {s['entries_per_s']:.0f} | "
                     f"{s['cpu']:.1f} s ({s['cpu'] / s['wall']:.2f}) | {mb(s['bytes'])} | {mb(s['maxrss_bytes'])} | – |")
        if len(idx["full_builds"]) > 1:
            L.append("")
            L.append("Each full build: " + ", ".join(f"{b['wall']:.1f} s" for b in idx["full_builds"]) + ".")
        L.append("")
        ed = idx.get("edit_one", [])
        ad = idx.get("add_ten", [])
        if ed:
            vis = [e["visible"] for e in ed if e["visible"] is not None]
            stab = [e["visible_stable"] for e in ed if e["visible_stable"] is not None]
            L += ["Incremental, through the running server (gunicorn, 2 workers), from the moment the file is "
                  "written until `/api/search` finds the new word (first answer; then on 6 polls in a row):", "",
                  "| change | `perspectives index` wall | visible (first) | visible (6 in a row) | runs |",
                  "|---|---|---|---|---|",
                  f"| nothing changed (no-op run) | {idx.get('noop_index_seconds', 0):.2f} s | – | – | 1 |",
                  f"| edit one file | {med([e['index_cmd'] for e in ed]):.2f} s | "
                  f"{f'{med(vis):.2f} s (max {max(vis):.2f})' if vis else 'never'} | "
                  f"{f'{med(stab):.2f} s' if stab else '–'} | {len(ed)} |"]
            en = idx.get("edit_named", [])
            if en:
                vis = [e["visible"] for e in en if e["visible"] is not None]
                stab = [e["visible_stable"] for e in en if e["visible_stable"] is not None]
                L.append(f"| edit one file, named (`perspectives index FILE`) | "
                         f"{med([e['index_cmd'] for e in en]):.2f} s | "
                         f"{f'{med(vis):.2f} s (max {max(vis):.2f})' if vis else 'never'} | "
                         f"{f'{med(stab):.2f} s' if stab else '–'} | {len(en)} |")
            if ad:
                vis = [e["visible"] for e in ad if e["visible"] is not None]
                stab = [e["visible_stable"] for e in ad if e["visible_stable"] is not None]
                L.append(f"| add 10 files | {med([e['index_cmd'] for e in ad]):.2f} s | "
                         f"{f'{med(vis):.2f} s' if vis else 'never'} | {f'{med(stab):.2f} s' if stab else '–'} | {len(ad)} |")
            errs = [e["poll_error"] for e in ed + ad if e.get("poll_error")]
            if errs:
                L += ["", f"The server answered errors while polling: {errs[0]}"]
            L.append("")
    systems = srch.get("systems", {})
    if systems:
        qm = srch.get("queries", {})
        L += ["### Searching, one client, sequential", "",
              f"Query words picked from the corpus: {', '.join(f'{k} `{v}`' for k, v in qm.get('words', {}).items())}; "
              f"filters {json.dumps(qm.get('filters', {}), ensure_ascii=False)}.", "",
              "p50 / p95 / p99 in ms (n requests), and `total`, the matching-row count each system answered. "
              "Ratios are ours over theirs, p50 (below 1: we are faster).", ""]
        ours = systems.get("ours", {}).get("sequential", {})
        ds = systems.get("datasette", {}).get("sequential", {})
        wb = systems.get("whoosh-plain", {}).get("sequential", {})
        tv = srch.get("tantivy", {}).get("queries", {})
        kinds = list(ours or ds or wb)
        head = "| kind | ours p50/p95/p99 (n) | ours total |"
        sep = "|---|---|---|"
        if ds:
            head += " Datasette p50/p95 | DS total | ours/DS |"
            sep += "---|---|---|"
        if wb:
            head += " plain Whoosh p50/p95 | WB total | ours/WB |"
            sep += "---|---|---|"
        if tv:
            head += " tantivy p50 | tantivy total |"
            sep += "---|---|"
        L += [head, sep]
        for k in kinds:
            o = ours.get(k, {})
            row = f"| {k} | {ms(o.get('p50'))} / {ms(o.get('p95'))} / {ms(o.get('p99'))} ({o.get('n', 0)})" \
                  f"{' ERR ' + str(o.get('n_errors')) if o.get('n_errors') else ''} | {'/'.join(o.get('totals', [])) or '–'} |"
            if ds:
                x = ds.get(k, {})
                row += f" {ms(x.get('p50'))} / {ms(x.get('p95'))} | {'/'.join(x.get('totals', [])) or '–'} | " \
                       f"{ratio(o.get('p50'), x.get('p50'))} |"
            if wb:
                x = wb.get(k, {})
                row += f" {ms(x.get('p50'))} / {ms(x.get('p95'))} | {'/'.join(x.get('totals', [])) or '–'} | " \
                       f"{ratio(o.get('p50'), x.get('p50'))} |"
            if tv:
                x = tv.get(k, {})
                row += f" {'{:.1f}'.format(x['p50_ms']) if x else '–'} | {x.get('total', '–') if x else '–'} |"
            L.append(row)
        ds4 = systems.get("datasette+4facets", {}).get("sequential", {})
        if ds4:
            L += ["", "Datasette asked for all four facets (author, section, year, and themes with `_facet_array`): " +
                  "; ".join(f"{k} p50 {ms(v.get('p50'))} ms (n {v.get('n')}, total {'/'.join(v.get('totals', []))})"
                            for k, v in ds4.items()) + "."]
        L.append("")
        L += ["### 8 concurrent clients (threads, each its own connection, over the search mix)", "",
              "| system | requests ok | errors | req/s | p50 | p95 | p99 |", "|---|---|---|---|---|---|---|"]
        for sname, s in systems.items():
            r = s.get("concurrent")
            if r:
                L.append(f"| {SYSTEM_LABEL.get(sname, sname)} | {r['ok']} | {r['errors']} | {r['rps']:.1f} | "
                         f"{ms(r['p50'])} | {ms(r['p95'])} | {ms(r['p99'])} |")
        o = systems.get("ours", {}).get("concurrent")
        for peer in ("datasette", "whoosh-plain"):
            p = systems.get(peer, {}).get("concurrent")
            if o and p and p.get("rps"):
                L.append(f"\nThroughput ours / {SYSTEM_LABEL[peer]}: {o['rps'] / p['rps']:.2f}.")
        L += ["", "### Memory of the servers (peak RSS of each process, VmHWM)", ""]
        for sname, s in systems.items():
            mem = s.get("memory", {})
            if mem:
                workers = [v["peak"] for v in mem.values() if v["role"] == "worker"]
                master = [v["peak"] for v in mem.values() if v["role"] == "master"]
                before = s.get("memory_before_export", {})
                bw = [v["peak"] for v in before.values() if v["role"] == "worker"]
                bm = [v["peak"] for v in before.values() if v["role"] == "master"]
                text = (f"- {SYSTEM_LABEL.get(sname, sname)}: after all the load, master "
                        f"{mb(master[0] if master else None)}"
                        + (f", workers {', '.join(mb(w) for w in workers)}" if workers else ""))
                if before:
                    text += ("; before the CSV export (searching only): "
                             + (f"workers {', '.join(mb(w) for w in bw)}" if bw else f"{mb(bm[0] if bm else None)}"))
                L.append(text)
        reuse = {k: v.get("keepalive_reuse") for k, v in systems.items() if v.get("keepalive_reuse") is not None}
        if reuse:
            L.append("")
            L.append("Share of sequential requests that reused a kept-alive connection: " +
                     ", ".join(f"{SYSTEM_LABEL.get(k, k)} {v:.0%}" for k, v in reuse.items()) +
                     " (gunicorn's default sync worker closes every connection, so our requests and the plain "
                     "Whoosh ones each include a TCP connect on 127.0.0.1, about 0.1 ms).")
        L.append("")
        oi = systems.get("ours", {}).get("sequential", {})
        checks = {k: v.get("info", {}) for k, v in oi.items()}
        four = {"theme", "author", "section", "year"}
        incomplete = [k for k, v in checks.items() if "facets" in v and v.get("total") and (
                      not four <= set(v["facets"]) or
                      (v.get("rows") and v.get("snippets", 0) < v["rows"] and not k.startswith("browse")))]
        if incomplete:
            L.append("Answers of ours with fewer than four facets, or with snippets lacking a `<mark>` "
                     "(a hit may match in its title only): " +
                     ", ".join(f"{k} (facets {checks[k].get('facets')}, snippets {checks[k].get('snippets')}/"
                               f"{checks[k].get('rows')})" for k in incomplete) + ".")
            L.append("")
        dsi = systems.get("datasette", {}).get("sequential", {})
        to = [k for k, v in dsi.items() if v.get("info", {}).get("facets_timed_out")]
        if to:
            L.append(f"Datasette facets timed out on: {', '.join(to)}.")
            L.append("")
    prof = d.get("profile")
    if prof and prof.get("kinds"):
        L += ["### Profile of our slowest kinds (pyinstrument, in-process through Flask's test client)", ""]
        for k, p in prof["kinds"].items():
            L.append(f"- `{k}` ({p['url']}): {p['ms_per_request']:.0f} ms per request in-process.")
            L.append("  Our functions, inclusive time: " + "; ".join(
                f"`{f['function']}` ({f['where']}) {f['share']:.0%}" for f in p.get("ours", [])[:8]) + ".")
            L.append("  Most self time: " + "; ".join(
                f"`{f['function']}` ({f['where']}) {f['share']:.0%}" for f in p["top"][:6]) + ".")
        noop = prof.get("index_noop")
        if noop:
            L.append(f"- a no-op incremental `perspectives index` (nothing changed; imports included): "
                     f"{noop['seconds']:.2f} s in-process. Our functions, inclusive time: " + "; ".join(
                         f"`{f['function']}` ({f['where']}) {f['share']:.0%}" for f in noop["ours"][:8]) + ".")
        L.append("")
        L.append(f"Full text profiles: bench/work/profiles/{name}-*.txt")
        L.append("")
    return L


def targets(name: str, d: dict) -> list[str]:
    """The issue's targets, judged on this corpus's figures."""
    out = []
    idx, srch = d.get("index"), d.get("search", {})
    systems = srch.get("systems", {})
    ours = systems.get("ours", {})
    seq = ours.get("sequential", {})
    ds = systems.get("datasette", {}).get("sequential", {})

    def mark(ok: bool | None) -> str:
        return "–" if ok is None else ("PASS" if ok else "FAIL")

    if seq:
        search_kinds = [k for k in seq if k not in ("related", "export.csv")]
        failing = [k for k in search_kinds if seq[k]["n_errors"] or not seq[k]["p95"]]
        timed = [k for k in search_kinds if k not in failing]
        text = ""
        if timed:
            worst = max(timed, key=lambda k: seq[k]["p95"])
            over = [k for k in timed if seq[k]["p95"] > 0.1]
            text = f"worst {worst}: {ms(seq[worst]['p95'])} ms; over 100 ms on {len(over)} of {len(search_kinds)}"
        if failing:
            text += f"{'; ' if text else ''}errors on {len(failing)} kinds ({', '.join(failing[:4])}{'…' if len(failing) > 4 else ''})"
        ok = not failing and all(seq[k]["p95"] <= 0.1 for k in timed)
        out.append(f"| search p95 ≤ 100 ms, every kind, one client | {text} | {mark(ok)} |")
        if ds:
            both = [k for k in search_kinds if k in ds and not k.endswith(SUBJECT)]
            slower = [k for k in both if k in failing or (ds[k]["p50"] and seq[k]["p50"] >= ds[k]["p50"])]
            out.append(f"| p50 lower than Datasette's on every kind | slower (or failing) on {len(slower)} of "
                       f"{len(both)}{': ' + ', '.join(slower[:8]) if slower else ''}{'…' if len(slower) > 8 else ''} "
                       f"| {mark(not slower)} |")
    con = ours.get("concurrent")
    if con:
        out.append(f"| 8 clients ≥ 100 req/s, no errors | {con['rps']:.1f} req/s, {con['errors']} errors | "
                   f"{mark(con['rps'] >= 100 and con['errors'] == 0)} |")
    if idx:
        f = idx["full"]
        out.append(f"| full build ≥ 600 entries/s using both cores | {f['entries_per_s']:.0f} entries/s, "
                   f"{f['cores_used']:.2f} cores | {mark(f['entries_per_s'] >= 600 and f['cores_used'] >= 1.5)} |")
        for key, how in (("edit_one", "whole archive scanned"), ("edit_named", "file named")):
            vis = [e["visible"] for e in idx.get(key, [])]
            if vis:
                ok = med([v if v is not None else math.inf for v in vis]) <= 1.0
                seen = [v for v in vis if v is not None]
                text = (f"median {med(seen):.2f} s, max {max(seen):.2f} s" if seen else "never visible") + \
                    (f"; {len(vis) - len(seen)} of {len(vis)} never visible within 30 s" if seen and len(seen) < len(vis) else "")
                out.append(f"| one edited file searchable within 1 s ({how}) | {text} | {mark(ok)} |")
        peak = max(f["maxrss_bytes"], f["tree_peak_bytes"])
        pss = f.get("tree_pss_bytes")
        out.append(f"| full build peak memory ≤ 1.5 GB | {mb(peak)} summed RSS of the process tree"
                   f"{f', {mb(pss)} PSS' if pss else ''} | {mark(peak <= 1.5e9)} |")
    mem = ours.get("memory", {})
    workers = [v["peak"] for v in mem.values() if v["role"] == "worker"]
    if workers:
        out.append(f"| ≤ 400 MB per web worker | peak {', '.join(mb(w) for w in workers)} (all load, CSV export "
                   f"included) | {mark(max(workers) <= 400e6)} |")
    if not out:
        return []
    return ["### Targets (issue 4; they are set for 100,000 entries)", "", "| target | measured | |", "|---|---|---|",
            *out, ""]


HEADER = """# Benchmark results

Written by `bench/run.py` (issue 4). How to run it, what it measures and what it does not are at the
end of this file. Figures come from one shared, noisy 2-core machine: compare numbers of one run
side by side (the systems were measured interleaved, kind by kind), not across runs.
"""

EXPLAIN = """## How to run

    make install                                  # the project's venv, with `perspectives` and gunicorn
    .venv/bin/python bench/run.py --quick         # 10k synthetic + digitalgov-news, < 10 min
    .venv/bin/python bench/run.py                 # 100k synthetic + digitalgov-news (30-60 min)
    .venv/bin/python bench/run.py --corpus synth --entries 100000 --only index
    .venv/bin/python bench/run.py --corpus digitalgov --only search,peers,profile

Options: `--corpus synth|digitalgov|all`, `--entries N[,N]` (synthetic sizes), `--only
index,search,peers,profile`, `--quick`, and knobs for request counts (`--help`). The peers are
installed into their own venv, `bench/work/peers-venv` (pinned in `bench/requirements-peers.txt`);
corpora, indexes, logs and raw JSON results go to `bench/work/` (git-ignored). Shared corpora are
found at `../shared` beside the repository, or `$PERSPECTIVES_CORPORA`.

## What it measures

- **Corpora**: `make_corpus.py` at the chosen sizes (cached under `bench/work/corpora/synth-N`), and
  the real `digitalgov-news` with `fieldmaps/digitalgov-news.yaml`.
- **Full build** of ours: `perspectives index --full`, wall time, entries/s, CPU seconds (CPU/wall =
  cores used), size of the index generation on disk, peak RSS of the largest process (wait4's
  `ru_maxrss`) and of the whole process tree summed (sampled every 0.1 s; the sum counts pages that
  forked workers share once per process, so the tree's PSS, which splits them, is shown beside it
  when measured). The target is judged on the summed RSS, the stricter. Repeated (median) when cheap.
- **Incremental**: on a scratch copy of archive and index, our production server (`gunicorn -w 2
  'webapp:create_app()'`, `PERSPECTIVES_INDEX` set) runs; the harness appends a made-up word to one
  file, runs `perspectives index` (scanning the archive, then again naming the file), and polls
  `/api/search?q=<word>` every 25 ms from the write on, while the run goes on, until it is found:
  the time from the write until the first answer that finds it (and until 6 answers in a row do,
  so both workers see it). A run goes on after its commit (merging small segments, writing its
  manifest): the `perspectives index` wall column is the whole run. The same for 10 new files.
- **Search** through real HTTP, one client on a keep-alive connection, sequential: for each query
  kind (rare word, common word, two words, a phrase, a prefix, two spelling variants; each alone,
  with section + date range and with theme + author; browsing with no query, alone and with both
  filters; related entries `/api/entries/<id>`; the CSV export of the common word; and, ours only,
  three kinds that find fewer than 50 entries asked with `subject=1`, marked "on subject": every
  other kind asks ours for the words alone, `subject=0`, the same work as the peers) up to `--requests`
  requests or `--cell-seconds`, at least `--min-requests` (but a cell stops at 3 x `--cell-seconds`
  once 2 requests are done, so a slow peer cannot stall the run), in `--rounds` rounds (kinds and
  systems interleaved; percentiles pool the rounds). Ours is asked
  `/api/search?q=…&per_page=10` (four facet counts and 10 snippets are its defaults); the harness
  checks each answer carries four facets and `<mark>`ed snippets, and records every `total`.
- **8 concurrent clients**: threads in the harness, each with its own connection, cycling through
  the search mix, a bounded number of requests each (and a deadline): requests/s, latency, errors.
- **Peers**, same entries (dumped from our index: the same ids, titles, plain-text bodies, authors,
  sections, themes and dates) and same queries:
  - Datasette 0.65.5 over SQLite with an FTS5 table (porter), created with `content="entries"` so
    Datasette detects it (the run checks with Datasette's own `detect_fts` and stops if not), with
    indexes on author, section, date, year; `datasette serve` with `suggest_facets off`; asked
    `/perspectives/entries.json?_search=…&_searchmode=raw&_facet=author&_facet=section&_size=10` plus
    `section__exact`, `date__gte`/`date__lte`, `author__exact`, `themes__arraycontains`. Its
    `sql_time_limit_ms` and `facet_time_limit_ms` are raised to 60 s: with the defaults Datasette
    silently drops a facet after 200 ms and a count after 1 s, and would look faster by doing less.
    Its `filtered_table_rows_count` is printed as its total. On a few kinds it is also asked for all
    four facets (adding `_facet=year&_facet_array=themes`). CSV: `.csv?_stream=on` of the same rows.
  - Plain Whoosh (`bench/whoosh_baseline.py`): a bare WSGI app under gunicorn (2 workers) that opens
    our index's current generation afresh for every request, parses with `MultifieldParser`, filters
    with `Term`/`NumericRange`, counts author, section, themes (`allow_overlap`) and year (a
    `RangeFacet` over `day`) with `groupedby`, highlights 10 hits, `more_like` for related entries,
    and streams every hit for CSV.
  - tantivy 0.27 in-process (no HTTP): build time (2 threads), and each search kind with the count,
    four facet counts by its aggregations (terms on author, section, themes, year) and 10 snippets.
- **Memory of the servers**: VmHWM (peak RSS) of each gunicorn worker (and Datasette) just before
  the last CSV export (searching only) and after all the load.
- **Profile**: pyinstrument (in the peers' venv, with the project's packages on `PYTHONPATH`) on our
  three slowest kinds, in-process through Flask's test client, and on a no-op incremental
  `perspectives index` (the floor under "an edit is searchable within 1 s").

## What it does not measure, and caveats

- The load generator runs on the same 2 cores as the servers; its own CPU use is in every figure.
- Datasette does not rank (`_search` is a `WHERE rowid IN (…)` in table order), makes no snippets,
  counts two facets unless asked for four, and its porter stemmer does not fold British and American
  spellings: compare its `total` with ours before comparing speed. Datasette is one process
  (asyncio, 3 SQL threads); ours and plain Whoosh run 2 gunicorn workers.
- Plain Whoosh uses our index and so our analyzer (spelling folding, Snowball): it shows the cost
  of using Whoosh plainly, not of a different analysis.
- tantivy runs in-process with no HTTP and no JSON, as a floor for a compiled engine; its prefix
  query is a regex over the stemmed terms of title and body.
- Datasette has nothing like related entries; tantivy is asked neither for related entries nor
  for a CSV export.
- gunicorn's default sync worker closes every connection, so each request to ours and to plain
  Whoosh includes a TCP connect on 127.0.0.1 (about 0.1 ms); Datasette keeps connections alive.
- p99 over fewer than 100 requests is close to the maximum; `n` is shown.
- Incremental times include starting `perspectives index` (Python, imports) and the server
  noticing the new generation on its next request.
- Each corpus section says when, with which command and on which commit each stage ran: sections
  (and stages) from different runs are not side by side, and the core changed between them.
- The machine is shared: the load average at each stage's start and end is recorded, and a build's
  "cores used" below 2 often means other work had the CPU, not that the build is serial.
"""


def summary_lines(names: list[str]) -> list[str]:
    """One line per corpus: the headline figures, our p50 over the peers' as ranges."""
    L = ["## Summary", "", "| corpus | full build | edit visible | ours p50 (search kinds) | ours/Datasette p50 "
         "(min · median · max) | ours/plain Whoosh p50 | 8 clients req/s ours · Datasette · plain Whoosh | "
         "web worker peak |", "|---|---|---|---|---|---|---|---|"]
    for name in names:
        d = load_results(name)
        idx, systems = d.get("index"), d.get("search", {}).get("systems", {})
        seq = systems.get("ours", {}).get("sequential", {})
        kinds = [k for k in seq if k not in ("related", "export.csv") and seq[k].get("p50")]

        def ratios(peer: str, systems: dict = systems, seq: dict = seq, kinds: list = kinds) -> str:
            other = systems.get(peer, {}).get("sequential", {})
            r = sorted(seq[k]["p50"] / other[k]["p50"] for k in kinds if other.get(k, {}).get("p50"))
            return " · ".join(ratio(x, 1.0) for x in (r[0], statistics.median(r), r[-1])) if r else "–"

        build = (f"{idx['full']['entries_per_s']:.0f} entries/s, {idx['full']['cores_used']:.2f} cores"
                 if idx else "–")
        vis = [e["visible"] for e in (idx or {}).get("edit_one", []) if e.get("visible") is not None]
        p50s = sorted(seq[k]["p50"] for k in kinds)
        rps = " · ".join("{:.0f}".format(systems[x]["concurrent"]["rps"]) if systems.get(x, {}).get("concurrent") else "–"
                         for x in ("ours", "datasette", "whoosh-plain"))
        mem = [v["peak"] for v in systems.get("ours", {}).get("memory", {}).values() if v["role"] == "worker"]
        L.append(f"| {name} | {build} | {f'{med(vis):.2f} s' if vis else '–'} | "
                 f"{ms(p50s[0]) + '–' + ms(p50s[-1]) + ' ms' if p50s else '–'} | {ratios('datasette')} | "
                 f"{ratios('whoosh-plain')} | {rps} | {mb(max(mem)) if mem else '–'} |")
    return L + [""]


def write_results_md() -> None:
    names = sorted(p.stem for p in (WORK / "results").glob("*.json")) if (WORK / "results").is_dir() else []

    def order(n: str) -> tuple:
        m = re.match(r"synth-(\d+)", n)
        return (0, -int(m.group(1))) if m else (1, 0)

    L = [HEADER]
    if names:
        L += summary_lines(sorted(names, key=order))
    for name in sorted(names, key=order):
        d = load_results(name)
        L += render_corpus(name, d)
        L += targets(name, d)
    mach = None
    for name in names:
        for st in ("search", "index"):
            mach = mach or load_results(name).get(st, {}).get("_run", {}).get("machine")
    if mach:
        L += ["## Machine", "",
              f"{mach['cpu']}, {mach['cores']} cores, {mach['memory']} RAM, Linux {mach['kernel']}, "
              f"Python {mach['python']}, whoosh-reloaded {mach['whoosh']}, gunicorn {mach['gunicorn']}, "
              f"Flask {mach['flask']}; shared with other work (load average at each start is above).", ""]
    L.append(EXPLAIN)
    text = "\n".join(L)
    # relevance.py writes its own section, and a corpus not run this time keeps its figures
    # from before: every old section this run did not write is kept, in its old order
    old = RESULTS_MD.read_text(encoding="utf-8") if RESULTS_MD.exists() else ""
    written = set(re.findall(r"^## (.+?)[ \t]*$", text, flags=re.MULTILINE))
    for heading in re.findall(r"^## (.+?)[ \t]*$", old, flags=re.MULTILINE):
        kept = get_section(old, heading)
        if heading not in written and kept:
            text = put_section(text, heading, kept, before="Machine")
    RESULTS_MD.write_text(text, encoding="utf-8")


def print_summary(name: str, d: dict) -> None:
    print()
    print("\n".join(render_corpus(name, d) + targets(name, d)))


# -- main ----------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--corpus", default="all", choices=["synth", "digitalgov", "multilingual", "all"],
                    help="multilingual: the synthetic sizes, 40%% of them Japanese, Chinese, German "
                    "and French (not part of all)")
    ap.add_argument("--entries", default=None, help="synthetic sizes, comma-separated (default 100000; 10000 with --quick)")
    ap.add_argument("--quick", action="store_true", help="10k entries, fewer repeats (< 10 min)")
    ap.add_argument("--only", default="index,search,peers,profile", help="stages: index,search,peers,profile")
    ap.add_argument("--rounds", type=int, default=None, help="sequential rounds (default 1 quick, 2 full)")
    ap.add_argument("--requests", type=int, default=None, help="max requests per kind per round (15 quick, 40 full)")
    ap.add_argument("--min-requests", type=int, default=5)
    ap.add_argument("--cell-seconds", type=float, default=None, help="time budget per kind per system per round")
    ap.add_argument("--export-requests", type=int, default=None)
    ap.add_argument("--ds4-requests", type=int, default=None)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-client", type=int, default=None, help="requests per concurrent client")
    ap.add_argument("--concurrent-seconds", type=float, default=None, help="deadline of the concurrent run")
    ap.add_argument("--build-repeats", type=int, default=0)
    ap.add_argument("--edit-repeats", type=int, default=0)
    ap.add_argument("--add-repeats", type=int, default=0)
    ap.add_argument("--tantivy-repeats", type=int, default=None)
    ap.add_argument("--profile-requests", type=int, default=20)
    ap.add_argument("--render", action="store_true",
                    help="only rewrite bench/RESULTS.md from the saved results in bench/work/results/")
    cfg = ap.parse_args()
    if cfg.render:
        write_results_md()
        log(f"wrote {RESULTS_MD}")
        return
    q = cfg.quick
    cfg.rounds = cfg.rounds or (1 if q else 2)
    cfg.requests = cfg.requests or (15 if q else 40)
    cfg.cell_seconds = cfg.cell_seconds or (2.5 if q else 8.0)
    cfg.export_requests = cfg.export_requests or (2 if q else 3)
    cfg.ds4_requests = cfg.ds4_requests or (3 if q else 5)
    cfg.per_client = cfg.per_client or (12 if q else 30)
    cfg.concurrent_seconds = cfg.concurrent_seconds or (25 if q else 60)
    cfg.tantivy_repeats = cfg.tantivy_repeats or (20 if q else 50)
    stages = {s.strip() for s in cfg.only.split(",") if s.strip()}
    bad = stages - {"index", "search", "peers", "profile"}
    if bad:
        ap.error(f"unknown stage(s): {', '.join(bad)}")
    sizes = [int(x) for x in (cfg.entries or ("10000" if q else "100000")).split(",")]
    command = "bench/run.py " + " ".join(sys.argv[1:])
    if not PERSPECTIVES.is_file():
        raise SystemExit(f"{PERSPECTIVES} is missing: run `make install` first")

    corpora: list[Corpus] = []
    if cfg.corpus in ("synth", "all"):
        corpora += [make_synthetic(n) for n in sizes]
    if cfg.corpus in ("digitalgov", "all"):
        corpora.append(real_corpus("digitalgov-news"))
    if cfg.corpus == "multilingual":
        corpora += [make_multilingual(n) for n in sizes]

    for c in corpora:
        data = load_results(c.name)
        run_meta = {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),  # per stage below
                    "command": command, "quick": q, "machine": machine()}
        if "index" in stages:
            data["index"] = stage_index(c, cfg)
            data["index"]["_run"] = dict(run_meta, loadavg_end=os.getloadavg())
            save_results(c.name, data)
        if stages & {"search", "peers"}:
            search_meta = dict(run_meta, date=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                               machine=machine())
            fresh = stage_search(c, cfg, ours="search" in stages, peers="peers" in stages)
            old = data.get("search", {})
            if not ({"search", "peers"} <= stages) and old:
                # one side only: keep the other side's figures from before, marked as such
                for k, v in old.get("systems", {}).items():
                    fresh["systems"].setdefault(k, v)
                for k in ("sqlite_build", "tantivy_build", "tantivy"):
                    if k in old and k not in fresh:
                        fresh[k] = old[k]
            data["search"] = fresh
            data["search"]["_run"] = dict(search_meta, loadavg_end=os.getloadavg())
            save_results(c.name, data)
        if "profile" in stages:
            try:
                data["profile"] = stage_profile(c, cfg, data)
                data["profile"]["_run"] = run_meta
            except Exception as e:  # noqa: BLE001 - the profile is a bonus, never a failure
                data["profile"] = {"error": repr(e), "_run": run_meta}
            save_results(c.name, data)
        print_summary(c.name, data)
        write_results_md()
    log(f"wrote {RESULTS_MD}")


if __name__ == "__main__":
    main()
