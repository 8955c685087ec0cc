"""Load: one query kind asked of one system on one connection until a count or a time budget is
spent (a cell); every kind in turn, the systems interleaved kind by kind (`Sequential`); and
concurrent clients, each on its own connection, cycling through the mix."""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

from harness import log
from measuring import Figures, med, ms, pct, tree_memory
from systems import Client, Spec, System, check_answer, datasette_path


def run_cell(
    system: System, spec: Spec, n_max: int, t_max: float, n_min: int
) -> dict[str, Any] | None:
    """Ask one kind up to n_max times or t_max seconds, at least n_min times, but never past
    3 * t_max once 2 are done; None if the system has no such request."""
    if system.path_fn(spec, 0) is None:
        return None
    times, totals, errors, info = [], [], [], {}
    t_start = time.perf_counter()
    i = 0
    while (
        i < n_max
        and (i < n_min or time.perf_counter() - t_start < t_max)
        and not (i >= 2 and time.perf_counter() - t_start > 3 * t_max)
    ):
        status, body, elapsed = system.client.get(system.path_fn(spec, i) or "/")
        a = check_answer(system.name, spec, status, body)
        if a["ok"]:
            times.append(elapsed)
            totals.append(a.get("total"))
            info = a
        else:
            errors.append(a["error"])
        i += 1
    return {
        "times": times,
        "totals": sorted(set(map(str, totals))),
        "errors": errors[:3],
        "n_errors": len(errors),
        "info": {k: v for k, v in info.items() if k != "ok"},
    }


class _Clients:
    """Concurrent clients started together behind a barrier, stopped by a deadline."""

    def __init__(self, system: System, mix: list[Spec], per_client: int) -> None:
        self.system, self.mix, self.per_client = system, mix, per_client
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.stop_at = 0.0
        self._lock = threading.Lock()

    def client(self, k: int, barrier: threading.Barrier) -> None:
        cl = Client(self.system.server.port)
        local, errs = [], []
        barrier.wait()
        for i in range(self.per_client):
            if time.perf_counter() > self.stop_at:
                break
            spec = self.mix[(k * 3 + i) % len(self.mix)]
            # a kind this system cannot ask (a peer, on subject) asks "/", http.client's default
            status, body, elapsed = cl.get(self.system.path_fn(spec, i) or "/")
            if status == 200:
                local.append(elapsed)
            else:
                errs.append(f"HTTP {status}: {body[:120]!r}")
        cl.close()
        with self._lock:
            self.latencies.extend(local)
            self.errors.extend(errs)


def run_concurrent(
    system: System, specs: dict[str, Spec], clients: int, per_client: int, deadline_s: float
) -> dict[str, Any]:
    """Send the search mix from `clients` threads, `per_client` requests each or until the
    deadline; return requests/s, latency percentiles and errors."""
    run = _Clients(system, [s for s in specs.values() if s["kind"] == "search"], per_client)
    barrier = threading.Barrier(clients + 1)
    threads = [threading.Thread(target=run.client, args=(k, barrier)) for k in range(clients)]
    for t in threads:
        t.start()
    run.stop_at = time.perf_counter() + deadline_s
    t0 = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat, done = run.latencies, len(run.latencies) + len(run.errors)
    return {
        "clients": clients,
        "requests": done,
        "ok": len(lat),
        "errors": len(run.errors),
        "error_samples": run.errors[:3],
        "wall": wall,
        "rps": len(lat) / wall if wall else None,
        "p50": med(lat),
        "p95": pct(lat, 95),
        "p99": pct(lat, 99),
        "cut_by_deadline": done < clients * per_client,
    }


def warm_up(corpus: str, systems: list[System], specs: dict[str, Spec]) -> None:
    """Every kind once on every system (opens indexes, fills OS caches), not timed."""
    log(f"[{corpus}] warming up {', '.join(s.name for s in systems)}")
    for s in systems:
        for spec in specs.values():
            path = s.path_fn(spec, 0)
            if spec["kind"] != "export" and path is not None:
                s.client.get(path)


def _new_cell() -> Figures:
    return {"times": [], "round_p50": [], "totals": set(), "n_errors": 0, "errors": []}


class Sequential:
    """One client per system, kind after kind, the systems interleaved within each kind."""

    def __init__(
        self,
        corpus: str,
        cfg: argparse.Namespace,
        systems: list[System],
        specs: dict[str, Spec],
        out: Figures,
    ) -> None:
        self.corpus, self.cfg, self.systems, self.specs, self.out = corpus, cfg, systems, specs, out
        self.cells: dict[str, dict[str, Figures]] = {s.name: {} for s in systems}

    def measure(self, with_ds4: bool) -> None:
        cfg = self.cfg
        for rnd in range(cfg.rounds):
            log(
                f"[{self.corpus}] sequential round {rnd + 1}/{cfg.rounds}: {len(self.specs)} kinds x "
                f"{len(self.systems)} systems"
            )
            for name, spec in self.specs.items():
                self.one_kind(name, spec, last_round=rnd == cfg.rounds - 1)
                if with_ds4 and name in ("rare", "common", "two", "browse"):
                    self.four_facets(name, spec)
        self.summarize()

    def one_kind(self, name: str, spec: Spec, last_round: bool) -> None:
        cfg, line = self.cfg, []
        if spec["kind"] == "export" and last_round:
            # the peak of the search work alone, before an export reads every hit
            for s in self.systems:
                memory = tree_memory(s.server.process.pid)
                self.out["systems"].setdefault(s.name, {})["memory_before_export"] = memory
        for s in self.systems:
            if spec["kind"] == "export":
                r = run_cell(s, spec, cfg.export_requests, 0, cfg.export_requests)
            else:
                r = run_cell(s, spec, cfg.requests, cfg.cell_seconds, cfg.min_requests)
            if r is None:
                continue
            self.add(s.name, name, r)
            line.append(f"{s.name} {ms(med(r['times']))} ms ({','.join(r['totals'])})")
        log(f"[{self.corpus}]   {name:28s} " + " | ".join(line))

    def four_facets(self, name: str, spec: Spec) -> None:
        """Datasette asked for all four facets, on a few kinds."""
        ds = next((s for s in self.systems if s.name == "datasette"), None)
        if ds:
            s4 = System(
                "datasette+4facets", ds.server, lambda sp, i: datasette_path(sp, i, four=True)
            )
            n = self.cfg.ds4_requests
            r = run_cell(s4, spec, n, self.cfg.cell_seconds, min(self.cfg.min_requests, n))
            s4.client.close()
            if r is not None:
                self.add(s4.name, name, r)

    def add(self, system: str, kind: str, r: Figures) -> None:
        cell = self.cells.setdefault(system, {}).setdefault(kind, _new_cell())
        cell["times"] += r["times"]
        if r["times"]:
            cell["round_p50"].append(med(r["times"]))
        cell["totals"].update(r["totals"])
        cell["n_errors"] += r["n_errors"]
        cell["errors"] += r["errors"]
        cell["info"] = r["info"]

    def summarize(self) -> None:
        systems = self.out["systems"]
        for sname, kinds in self.cells.items():
            seq = systems.setdefault(sname, {}).setdefault("sequential", {})
            for name, cell in kinds.items():
                t = cell["times"]
                seq[name] = {
                    "n": len(t),
                    "p50": med(t),
                    "p95": pct(t, 95),
                    "p99": pct(t, 99),
                    "round_p50": cell["round_p50"],
                    "rps": (len(t) / sum(t)) if t else None,
                    "totals": sorted(cell["totals"]),
                    "n_errors": cell["n_errors"],
                    "errors": cell["errors"][:3],
                    "info": cell.get("info", {}),
                }
        for s in self.systems:
            reuse = s.client.reused / s.client.requests if s.client.requests else None
            systems[s.name]["keepalive_reuse"] = reuse
            s.client.close()
