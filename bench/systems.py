"""The systems measured, side by side: ours (the production gunicorn), Datasette over SQLite
FTS5, plain Whoosh (bench/whoosh_baseline.py) and tantivy (bench/peers.py, in the peers' venv).

Moving parts: starting each server (harness.Server), a keep-alive `Client`, the request each
system is asked for a query kind (`our_path`, `baseline_path`, `datasette_path`) and what its
answer says (`check_answer`: the matching-row count, facets, snippets)."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness import BIN, HOST, ProductionServer, Server, free_port, log
from measuring import run_measured
from places import BENCH, LOGS, PEERS_PY, PEERS_REQUIREMENTS, PEERS_VENV

STARTUP_SECONDS = 180  # Datasette and our workers open a 100k-entry index before answering
DS_FACETS = [("_facet", "author"), ("_facet", "section")]
DS_FACETS4 = DS_FACETS + [("_facet", "year"), ("_facet_array", "themes")]
CSV_COLS = ["title", "author", "date", "section", "themes", "source"]

Spec = dict[str, Any]  # one query kind of queries.make_queries
PathFn = Callable[[Spec, int], "str | None"]


class Client:
    """One keep-alive connection (http.client reconnects by itself when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=300)
        self.reused = 0
        self.requests = 0

    def get(self, path: str) -> tuple[int, bytes, float]:
        """GET a path; return status, body and seconds (599 and the error if it failed)."""
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


class System:
    """A running server, how it is asked for a query kind, and a client of its own."""

    def __init__(self, name: str, server: Server, path_fn: PathFn) -> None:
        self.name, self.server, self.path_fn = name, server, path_fn
        self.client = Client(server.port)


# -- starting the servers -------------------------------------------------------------------------


def _log(name: str) -> Path:
    LOGS.mkdir(parents=True, exist_ok=True)
    return LOGS / f"server-{name}.log"


def our_server(index: Path, name: str) -> Server:
    """Start ours, the production command with 2 workers, and wait until it answers."""
    return ProductionServer(index, log_file=_log(name)).wait_ready(STARTUP_SECONDS)


def datasette_server(db: Path, name: str) -> Server:
    """Start `datasette serve` over the SQLite database and wait until it answers."""
    port = free_port()
    command = [
        str(PEERS_VENV / "bin" / "datasette"), "serve", str(db), "-h", HOST, "-p", str(port),
        "--setting", "suggest_facets", "off",
        # Datasette's defaults cut a count at 1 s and drop a facet after 200 ms without an
        # error: raise both so it does all the work it is asked (and the counts are real).
        "--setting", "sql_time_limit_ms", "60000",
        "--setting", "facet_time_limit_ms", "60000",
        "--setting", "max_returned_rows", "1000",
    ]  # fmt: skip
    server = Server(command, port, "/perspectives/entries.json?_size=1", log_file=_log(name))
    return server.wait_ready(STARTUP_SECONDS)


def whoosh_server(index: Path, name: str) -> Server:
    """Start plain Whoosh (bench/whoosh_baseline.py) under gunicorn and wait until it answers."""
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "-w",
        "2",
        "-b",
        f"{HOST}:{port}",
        "--chdir",
        str(BENCH),
        "whoosh_baseline:app",
    ]
    env = dict(os.environ, BASELINE_INDEX=str(index))
    server = Server(command, port, "/health", env=env, log_file=_log(name))
    return server.wait_ready(STARTUP_SECONDS)


def ensure_peers_venv() -> None:
    """Create the peers' venv from bench/requirements-peers.txt, unless it is up to date."""
    stamp = PEERS_VENV / ".installed"
    if (
        PEERS_PY.is_file()
        and stamp.is_file()
        and stamp.read_text() == PEERS_REQUIREMENTS.read_text()
    ):
        return
    log("creating the peers' venv (Datasette, sqlite-utils, tantivy, pyinstrument)")
    py = shutil.which("python3.11") or shutil.which("python3") or sys.executable
    base = getattr(sys, "_base_executable", py)
    subprocess.run([base, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run(
        [str(PEERS_VENV / "bin" / "pip"), "install", "--quiet", "-r", str(PEERS_REQUIREMENTS)],
        check=True,
    )
    stamp.write_text(PEERS_REQUIREMENTS.read_text())


def peers_cmd(*args: str, name: str) -> dict[str, Any]:
    """Run a command of bench/peers.py in the peers' venv; return its JSON and what it took."""
    r = run_measured([str(PEERS_PY), str(BENCH / "peers.py"), *args], name=name)
    if r["rc"] != 0:
        raise RuntimeError(f"peers.py {args[0]} failed: {r['stderr'][-2000:]}")
    data: dict[str, Any] = json.loads(r["stdout"].strip().splitlines()[-1])
    data.update(maxrss_bytes=r["maxrss_bytes"], wall=r["wall"], cpu=r["cpu"])
    return data


# -- how each one is asked ------------------------------------------------------------------------


def _related_id(spec: Spec, i: int) -> str:
    return urllib.parse.quote(spec["ids"][i % len(spec["ids"])])


def our_path(spec: Spec, i: int) -> str:
    """Ours: /api/search (10 per page), /api/entries/<id>, /search.csv; the words alone unless
    the kind asks for entries on the same subject."""
    if spec["kind"] == "related":
        return f"/api/entries/{_related_id(spec, i)}"
    p = {"subject": "0", **{k: v for k, v in spec["params"].items() if v}}
    if spec["kind"] == "export":
        return "/search.csv?" + urllib.parse.urlencode(p)
    return "/api/search?" + urllib.parse.urlencode({**p, "per_page": 10})


def baseline_path(spec: Spec, i: int) -> str | None:
    """Plain Whoosh: /search, /related/<id>, /export.csv (nothing on a subject)."""
    if spec["kind"] == "related":
        return f"/related/{_related_id(spec, i)}"
    if "subject" in spec["params"]:
        return None
    p = {k: v for k, v in spec["params"].items() if v}
    if spec["kind"] == "export":
        return "/export.csv?" + urllib.parse.urlencode(p)
    return "/search?" + urllib.parse.urlencode(p)


_DS_FILTERS = (
    ("section", "section__exact"),
    ("author", "author__exact"),
    ("theme", "themes__arraycontains"),
    ("from", "date__gte"),
    ("to", "date__lte"),
)


def datasette_args(p: dict[str, str]) -> list[tuple[str, str]]:
    """Datasette's query string for our parameters: raw FTS5 search, exact filters."""
    args: list[tuple[str, str]] = []
    if p.get("q"):
        args += [("_search", p["q"]), ("_searchmode", "raw")]
    args += [(arg, p[ours]) for ours, arg in _DS_FILTERS if p.get(ours)]
    if not p.get("q"):
        args.append(("_sort_desc", "date"))
    return args


def datasette_path(spec: Spec, i: int, four: bool = False) -> str | None:
    """Datasette: the table's JSON with two facets (four if asked), or its streamed CSV."""
    if spec["kind"] == "related" or "subject" in spec["params"]:
        return None  # Datasette has nothing like related entries or entries on a subject
    args = datasette_args(spec["params"])
    if spec["kind"] == "export":
        return "/perspectives/entries.csv?" + urllib.parse.urlencode(
            args + [("_stream", "on"), ("_size", "max")] + [("_col", c) for c in CSV_COLS]
        )
    return "/perspectives/entries.json?" + urllib.parse.urlencode(
        args + (DS_FACETS4 if four else DS_FACETS) + [("_size", "10")]
    )


# -- what the answer says -------------------------------------------------------------------------


def check_answer(system: str, spec: Spec, status: int, body: bytes) -> dict[str, Any]:
    """What an answer holds: the matching-row count, and whether the facets and snippets came."""
    if status != 200:
        return {"ok": False, "error": f"HTTP {status}: {body[:200]!r}"}
    if spec["kind"] == "export":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8", "replace"))))
        return {"ok": True, "total": max(0, len(rows) - 1), "bytes": len(body)}
    data = json.loads(body)
    if spec["kind"] == "related":
        return {"ok": True, "total": len(data.get("related", []))}
    if system.startswith("datasette"):
        return _datasette_answer(data)
    ours = system == "ours"
    facets = data.get("facets", {})
    mark = "<mark>" if ours else "<b"
    snippets = sum(1 for r in data.get("results", []) if mark in (r.get("snippet") or ""))
    return {
        "ok": True,
        "total": data.get("total"),
        "facets": sorted(facets) if ours else sorted(k for k, v in facets.items() if v),
        "snippets": snippets,
        "rows": len(data.get("results", [])),
    }


def _datasette_answer(data: dict[str, Any]) -> dict[str, Any]:
    fr = data.get("facet_results", {})
    if isinstance(fr, dict) and "results" in fr and isinstance(fr["results"], dict):
        fr = fr["results"]  # newer shape
    return {
        "ok": True,
        "total": data.get("filtered_table_rows_count"),
        "facets": sorted(fr),
        "facets_timed_out": data.get("facets_timed_out") or [],
        "rows": len(data.get("rows", [])),
    }
