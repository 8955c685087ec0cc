"""The stages of a run, each returning its figures for one corpus: index (our full builds, then
edits and new files through the running server), search (ours and the peers, interleaved kind
by kind, then concurrent clients) and profile (pyinstrument on our slowest kinds)."""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import threading
import time
from pathlib import Path

from corpora import Corpus, ensure_dump, ensure_index, full_build, parse_summary
from edits import add_files, edit_file, nonce, poll_visible
from harness import REPO, log
from load import Sequential, run_concurrent, warm_up
from measuring import Figures, mb, med, ms, run_measured, tree_memory
from places import BENCH, PEERS_PY, WORK
from queries import make_queries
from systems import (
    Client,
    Spec,
    System,
    baseline_path,
    datasette_path,
    datasette_server,
    ensure_peers_venv,
    our_path,
    our_server,
    peers_cmd,
    whoosh_server,
)

from indexer import generations as gens
from indexer.manifest import read_manifest

# -- index --------------------------------------------------------------------------------------


def stage_index(c: Corpus, cfg: argparse.Namespace) -> Figures:
    """Full builds (the median of a few when cheap), then incremental runs on a scratch copy."""
    small = not c.synthetic or int(c.name.rsplit("-", 1)[1]) <= 20000
    n_full = cfg.build_repeats or (1 if cfg.quick else (3 if small else 1))
    builds = []
    for i in range(n_full):
        log(f"[{c.name}] full build {i + 1}/{n_full}")
        b = full_build(c, c.index, f"{c.name}-full-{i}")
        log(
            f"[{c.name}]   {b['entries']} entries in {b['wall']:.1f} s = {b['entries_per_s']:.0f}/s, "
            f"CPU {b['cores_used']:.2f} cores, index {mb(b['index_bytes'])}, "
            f"peak RSS {mb(b['maxrss_bytes'])} (tree {mb(b['tree_peak_bytes'])})"
        )
        builds.append(b)
    full = {
        k: med([b[k] for b in builds]) for k in builds[0] if isinstance(builds[0][k], (int, float))
    }
    out: Figures = {"full_builds": builds, "full": dict(full, repeats=len(builds))}
    out.update(_incremental(c, cfg))
    return out


def _incremental(c: Corpus, cfg: argparse.Namespace) -> Figures:
    """Edits and new files through the running production server, on a scratch copy."""
    scratch = WORK / "scratch" / c.name
    if scratch.exists():
        shutil.rmtree(scratch)
    log(f"[{c.name}] copying archive and index to {scratch} for the incremental runs")
    shutil.copytree(c.archive, scratch / "archive", symlinks=True)
    shutil.copytree(c.index, scratch / "index", symlinks=True)
    # files that hold exactly one indexed entry (so an edit or a copy of one is one valid entry)
    current = gens.current_path(c.index)
    assert current is not None  # the full builds above made it
    manifest = read_manifest(current)
    files = sorted(
        scratch / "archive" / rel for rel, row in manifest.files.items() if len(row.ids) == 1
    )
    run = _Incremental(c, cfg, scratch, files)
    try:
        return run.measure()
    finally:
        run.client.close()
        run.server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


class _Incremental:
    """`perspectives index` runs on a scratch copy while its server is polled for the change."""

    def __init__(
        self, c: Corpus, cfg: argparse.Namespace, scratch: Path, files: list[Path]
    ) -> None:
        self.c, self.cfg, self.scratch, self.files = c, cfg, scratch, files
        self.rng = random.Random(7)
        self.server = our_server(scratch / "index", f"{c.name}-incremental")
        self.client = Client(self.server.port)

    def command(self, *args: str) -> list[str]:
        return self.c.index_command(
            *args, archive=self.scratch / "archive", index=self.scratch / "index"
        )

    def measure(self) -> Figures:
        # a warm-up incremental run with nothing to do: what a no-op costs
        noop = run_measured(self.command(), name=f"{self.c.name}-noop")
        n_edits = self.cfg.edit_repeats or (3 if self.cfg.quick else 5)
        return {
            "noop_index_seconds": noop["wall"],
            "edit_one": self.edits(n_edits, False),
            "edit_named": self.edits(n_edits, True),
            "add_ten": self.adds(),
            "incremental_worker_memory": tree_memory(self.server.process.pid),
        }

    def index_and_poll(
        self, cmd: list[str], name: str, word: str, want: int, t0: float
    ) -> tuple[Figures, float, Figures]:
        """Run `perspectives index` while polling the server, so that "visible" is when the
        change is first searchable (a run goes on after its commit: merging small segments, the
        manifest). Polls every 25 ms, to leave the cores to the run."""
        done: Figures = {}

        def run() -> None:
            done["r"] = run_measured(cmd, name=name)
            done["t"] = time.perf_counter() - t0

        thread = threading.Thread(target=run)
        thread.start()
        seen = poll_visible(self.client, word, want, t0, pause=0.025)
        thread.join()
        return done["r"], done["t"], seen

    def edits(self, n: int, named: bool) -> list[Figures]:
        """Edit a file n times, each time running `perspectives index` (naming the file, when
        named) and polling the server until the new word is found."""
        edits = []
        for i in range(n):
            path = self.rng.choice(self.files)
            word = nonce()
            t0 = time.perf_counter()
            edit_file(path, word)
            cmd = self.command(*([str(path)] if named else []))
            name = f"{self.c.name}-edit{'-named' if named else ''}-{i}"
            r, t_index, seen = self.index_and_poll(cmd, name, word, 1, t0)
            s = parse_summary(r["stdout"] + r["stderr"])
            edits.append(
                {
                    **_seen(r, seen),
                    "after_index": (seen["first"] - t_index) if seen["first"] else None,
                    "updated": s.get("updated"),
                    "rc": r["rc"],
                    "maxrss_bytes": r["maxrss_bytes"],
                }
            )
            first, stable = (
                None if x is None else round(x, 2) for x in (seen["first"], seen["stable"])
            )
            log(
                f"[{self.c.name}]   edit {i + 1}{' (file named)' if named else ''}: index cmd "
                f"{r['wall']:.2f} s, visible after {first} s (stable {stable} s), summary {s}"
            )
        return edits

    def adds(self) -> list[Figures]:
        """Add 10 files at a time, each time running `perspectives index` and polling."""
        adds = []
        for i in range(self.cfg.add_repeats or (1 if self.cfg.quick else 2)):
            word = nonce()
            sources = self.rng.sample(self.files, 10)
            t0 = time.perf_counter()
            add_files(self.scratch / "archive", sources, word, i * 10)
            r, _, seen = self.index_and_poll(self.command(), f"{self.c.name}-add-{i}", word, 10, t0)
            s = parse_summary(r["stdout"] + r["stderr"])
            adds.append({**_seen(r, seen), "added": s.get("added"), "rc": r["rc"]})
            log(
                f"[{self.c.name}]   add 10: index cmd {r['wall']:.2f} s, visible after {seen['first']} s, "
                f"summary {s}"
            )
        return adds


def _seen(r: Figures, seen: Figures) -> Figures:
    return {
        "index_cmd": r["wall"],
        "visible": seen["first"],
        "visible_stable": seen["stable"],
        "poll_errors": seen["errors"],
        "poll_error": seen["error"],
    }


# -- search (and the peers) -----------------------------------------------------------------------


def stage_search(c: Corpus, cfg: argparse.Namespace, ours: bool, peers: bool) -> Figures:
    """Ours and the peers on the same query mix, interleaved kind by kind, then concurrent."""
    ensure_index(c)
    ensure_dump(c)
    q = make_queries(c)
    specs = q["specs"]
    log(f"[{c.name}] query words: {q['meta']['words']}; filters: {q['meta']['filters']}")
    out: Figures = {"queries": q["meta"], "systems": {}}
    systems: list[System] = []
    try:
        if ours:
            systems.append(System("ours", our_server(c.index, f"{c.name}-ours"), our_path))
        if peers:
            systems += _start_peers(c, out)
        warm_up(c.name, systems, specs)
        Sequential(c.name, cfg, systems, specs, out).measure(with_ds4=peers)
        for s in systems:
            log(f"[{c.name}] {cfg.clients} concurrent clients against {s.name}")
            r = run_concurrent(s, specs, cfg.clients, cfg.per_client, cfg.concurrent_seconds)
            out["systems"][s.name]["concurrent"] = r
            log(
                f"[{c.name}]   {r['ok']} ok, {r['errors']} errors in {r['wall']:.1f} s = {r['rps']:.1f} req/s, "
                f"p50 {ms(r['p50'])} ms, p95 {ms(r['p95'])} ms"
            )
        for s in systems:
            out["systems"][s.name]["memory"] = tree_memory(s.server.process.pid)
    finally:
        for s in systems:
            s.server.stop()
    if peers:
        log(f"[{c.name}] tantivy in-process queries")
        out["tantivy"] = peers_cmd(
            "tantivy-query",
            str(WORK / "peers" / c.name / "tantivy"),
            str(_write_specs(c, specs)),
            str(cfg.tantivy_repeats),
            name=f"{c.name}-tantivy-query",
        )
    return out


def _start_peers(c: Corpus, out: Figures) -> list[System]:
    """Build SQLite FTS5 and tantivy from the dump; start Datasette and plain Whoosh."""
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
    out["tantivy_build"] = peers_cmd(
        "tantivy-build",
        str(c.dump),
        str(WORK / "peers" / c.name / "tantivy"),
        name=f"{c.name}-tantivy-build",
    )
    log(f"[{c.name}]   {out['tantivy_build']['seconds']:.1f} s")
    systems = [System("datasette", datasette_server(db, f"{c.name}-datasette"), datasette_path)]
    plain = whoosh_server(c.index, f"{c.name}-whoosh")
    return [*systems, System("whoosh-plain", plain, baseline_path)]


def _write_specs(c: Corpus, specs: dict[str, Spec]) -> Path:
    p = c.queries_path.with_name(c.name + ".specs.json")
    p.write_text(json.dumps(specs))
    return p


# -- profile -------------------------------------------------------------------------------------


def stage_profile(c: Corpus, cfg: argparse.Namespace, previous: Figures) -> Figures:
    """pyinstrument on our slowest query kinds, in-process through Flask's test client."""
    ensure_peers_venv()
    ensure_index(c)
    ensure_dump(c)
    specs = make_queries(c)["specs"]
    seq = previous.get("search", {}).get("systems", {}).get("ours", {}).get("sequential", {})
    ranked = sorted(
        (k for k in seq if seq[k].get("p50") and specs.get(k, {}).get("kind") == "search"),
        key=lambda k: -seq[k]["p50"],
    )
    kinds = ranked[:3] or ["common+sect+date", "common", "browse"]
    urls = {k: our_path(specs[k], 0) for k in kinds if k in specs}
    site = next((REPO / ".venv" / "lib").glob("python3*/site-packages"))
    env = dict(os.environ, PYTHONPATH=f"{REPO}:{site}")
    outdir = WORK / "profiles"
    outdir.mkdir(parents=True, exist_ok=True)
    r = run_measured(
        [
            str(PEERS_PY),
            str(BENCH / "profile_search.py"),
            str(c.index),
            json.dumps(urls),
            str(outdir / c.name),
            str(cfg.profile_requests),
        ],
        env=env,
        name=f"{c.name}-profile",
    )
    if r["rc"] != 0:
        return {"error": r["stderr"][-1500:]}
    result: Figures = json.loads(r["stdout"].strip().splitlines()[-1])
    # and a no-op incremental `perspectives index`: the floor under "an edit is searchable in 1 s"
    r = run_measured(
        [
            str(PEERS_PY),
            str(BENCH / "profile_index.py"),
            str(outdir / f"{c.name}-index-noop.txt"),
            "--",
            *c.index_command()[1:],
        ],
        env=env,
        name=f"{c.name}-profile-index",
    )
    if r["rc"] == 0:
        result["index_noop"] = json.loads(r["stdout"].strip().splitlines()[-1])
    return result
