"""Measuring: percentiles and the units figures are shown in, a command's wall and CPU time and
its process tree's peak memory (RSS and PSS), a server's memory, and the machine it all ran on."""

from __future__ import annotations

import collections
import os
import platform
import signal
import statistics
import subprocess
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from harness import REPO
from places import LOGS

Figures = dict[str, Any]  # what a stage measured, as saved under bench/work/results/
PAGE = os.sysconf("SC_PAGE_SIZE")

# -- figures -----------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float | None:
    """Percentile by the nearest-rank method (no interpolation); None when empty."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100 * len(v) + 0.5)) - 1))
    return v[k]


def med(values: list[float]) -> float | None:
    """Return the median, or None when empty."""
    return statistics.median(values) if values else None


def ms(x: float | None) -> str:
    """Show seconds as milliseconds: whole ones from 0.1 s, tenths below."""
    if x is None:
        return "–"
    return f"{x * 1000:.0f}" if x >= 0.0995 else f"{x * 1000:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    """Show a / b with the digits that matter."""
    if not a or not b:
        return "–"
    r = a / b
    return f"{r:.3f}" if r < 0.1 else f"{r:.2f}" if r < 10 else f"{r:.0f}"


def mb(n_bytes: float | None) -> str:
    """Show bytes as megabytes."""
    return "–" if n_bytes is None else f"{n_bytes / 1e6:.0f} MB"


def dir_size(path: Path) -> int:
    """Return the bytes of the files under path."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- memory of a process tree --------------------------------------------------------------------


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
    """Return the pids of every process below pid."""
    cmap, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        for c in cmap.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def status_kb(pid: int, key: str) -> int | None:
    """Return a kB figure of /proc/PID/status (VmHWM, VmRSS), or None."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes(pid: int) -> int:
    """Resident set size; 0 if unreadable."""
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


def tree_memory(pid: int) -> dict[str, dict[str, Any]]:
    """Peak (VmHWM) and current RSS of a server's master and of each worker, in bytes."""
    return {
        str(p): {
            "peak": (status_kb(p, "VmHWM") or 0) * 1024,
            "rss": (status_kb(p, "VmRSS") or 0) * 1024,
            "role": "master" if p == pid else "worker",
        }
        for p in [pid, *descendants(pid)]
    }


class _PeakSampler:
    """Sample the summed RSS of a process tree every 0.1 s and its PSS far less often, keeping
    the peaks. Reading a process's PSS walks its page tables (smaps_rollup) in the kernel, which
    holds the process's memory map lock meanwhile: sampled every 0.1 s beside a build of
    1,000,000 entries (processes of 1.5 GB), it took 40% of a core and slowed the build it
    measured. So PSS is sampled at most once a second and at most 2% of the time."""

    RSS_EVERY = 0.1
    PSS_SHARE = 0.02

    def __init__(self, pid: int) -> None:
        self.pid, self.rss, self.pss = pid, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        next_pss = 0.0
        while not self._stop.is_set():
            pids = [self.pid, *descendants(self.pid)]
            self.rss = max(self.rss, sum(rss_bytes(x) for x in pids))
            now = time.monotonic()
            if now >= next_pss:
                self.pss = max(self.pss, sum(pss_bytes(x) for x in pids))
                took = time.monotonic() - now
                next_pss = now + max(1.0, took / self.PSS_SHARE)
            self._stop.wait(self.RSS_EVERY)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(
    cmd: list[str], env: dict[str, str] | None = None, name: str = "cmd", timeout: float = 7200
) -> dict[str, Any]:
    """Run a command; return wall and CPU time, its exit code, output, the peak RSS of the largest
    process of its tree (wait4's ru_maxrss) and the peak of the whole tree's summed RSS (sampled)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    out_path, err_path = LOGS / f"{name}.out", LOGS / f"{name}.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=str(REPO))
        sampler = _PeakSampler(p.pid)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(p.pid, signal.SIGKILL)
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        sampler.stop()
        p.returncode = os.waitstatus_to_exitcode(status)
    return {
        "rc": p.returncode,
        "wall": wall,
        "cpu": ru.ru_utime + ru.ru_stime,
        "maxrss_bytes": ru.ru_maxrss * 1024,
        "tree_peak_bytes": sampler.rss,
        "tree_pss_bytes": sampler.pss,
        "stdout": out_path.read_text(errors="replace"),
        "stderr": err_path.read_text(errors="replace"),
    }


# -- the machine ----------------------------------------------------------------------------------


def _first(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()


def machine() -> dict[str, Any]:
    """Describe the machine, its load, the versions that matter and the commit measured."""
    return {
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory": _first("/proc/meminfo", "MemTotal"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "whoosh": _version("whoosh-reloaded"),
        "gunicorn": _version("gunicorn"),
        "flask": _version("flask"),
        "git": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "indexer", "webapp")),
    }
