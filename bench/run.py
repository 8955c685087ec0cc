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

It runs in the project's venv (which provides `perspectives` and gunicorn). The peers live in
their own venv, bench/work/peers-venv, which this script creates; nothing of theirs enters the
project's dependencies. Everything it writes goes under bench/work/ (git-ignored) except
bench/RESULTS.md.

Parts: corpora.py and queries.py (what is measured), systems.py (ours and the peers, how each
is asked), load.py and edits.py (requests, changes), measuring.py (times, memory), stages.py,
report.py and tables.py (RESULTS.md); servers, corpora and `perspectives index` come from
scripts/harness.py, shared with the fault and load scripts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))  # harness.py

from corpora import Corpus, make_multilingual, make_synthetic, real_corpus  # noqa: E402
from harness import PERSPECTIVES, exit_on_sigterm, log  # noqa: E402
from measuring import machine  # noqa: E402
from report import load_results, print_summary, save_results, write_results_md  # noqa: E402
from results_md import RESULTS  # noqa: E402
from stages import stage_index, stage_profile, stage_search  # noqa: E402

STAGES = ("index", "search", "peers", "profile")


def parse_args() -> argparse.Namespace:
    """Read the options; fill the knobs left out with their quick or full defaults."""
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    ap.add_argument(
        "--corpus",
        default="all",
        choices=["synth", "digitalgov", "multilingual", "all"],
        help="multilingual: the synthetic sizes, 40%% of them Japanese, Chinese, German "
        "and French (not part of all)",
    )
    ap.add_argument(
        "--entries",
        default=None,
        help="synthetic sizes, comma-separated (default 100000; 10000 with --quick)",
    )
    ap.add_argument("--quick", action="store_true", help="10k entries, fewer repeats (< 10 min)")
    ap.add_argument(
        "--only", default="index,search,peers,profile", help="stages: index,search,peers,profile"
    )
    ap.add_argument(
        "--rounds", type=int, default=None, help="sequential rounds (default 1 quick, 2 full)"
    )
    ap.add_argument(
        "--requests",
        type=int,
        default=None,
        help="max requests per kind per round (15 quick, 40 full)",
    )
    ap.add_argument("--min-requests", type=int, default=5)
    ap.add_argument(
        "--cell-seconds", type=float, default=None, help="time budget per kind per system per round"
    )
    ap.add_argument("--export-requests", type=int, default=None)
    ap.add_argument("--ds4-requests", type=int, default=None)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-client", type=int, default=None, help="requests per concurrent client")
    ap.add_argument(
        "--concurrent-seconds", type=float, default=None, help="deadline of the concurrent run"
    )
    ap.add_argument("--build-repeats", type=int, default=0)
    ap.add_argument("--edit-repeats", type=int, default=0)
    ap.add_argument("--add-repeats", type=int, default=0)
    ap.add_argument("--tantivy-repeats", type=int, default=None)
    ap.add_argument("--profile-requests", type=int, default=20)
    ap.add_argument(
        "--render",
        action="store_true",
        help="only rewrite bench/RESULTS.md from the saved results in bench/work/results/",
    )
    cfg = ap.parse_args()
    q = cfg.quick
    for knob, quick, full in (
        ("rounds", 1, 2),
        ("requests", 15, 40),
        ("cell_seconds", 2.5, 8.0),
        ("export_requests", 2, 3),
        ("ds4_requests", 3, 5),
        ("per_client", 12, 30),
        ("concurrent_seconds", 25, 60),
        ("tantivy_repeats", 20, 50),
    ):
        setattr(cfg, knob, getattr(cfg, knob) or (quick if q else full))
    cfg.stages = {s.strip() for s in cfg.only.split(",") if s.strip()}
    bad = cfg.stages - set(STAGES)
    if bad:
        ap.error(f"unknown stage(s): {', '.join(bad)}")
    return cfg


def corpora(cfg: argparse.Namespace) -> list[Corpus]:
    """Return the corpora asked for, writing the synthetic ones that are not there yet."""
    sizes = [int(x) for x in (cfg.entries or ("10000" if cfg.quick else "100000")).split(",")]
    out: list[Corpus] = []
    if cfg.corpus in ("synth", "all"):
        out += [make_synthetic(n) for n in sizes]
    if cfg.corpus in ("digitalgov", "all"):
        out.append(real_corpus("digitalgov-news"))
    if cfg.corpus == "multilingual":
        out += [make_multilingual(n) for n in sizes]
    return out


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def run_search(
    c: Corpus, cfg: argparse.Namespace, data: dict[str, Any], run_meta: dict[str, Any]
) -> None:
    """Run the search stage (ours, the peers or both) and keep the other side's old figures."""
    stages = cfg.stages
    search_meta = dict(run_meta, date=_now(), machine=machine())
    fresh = stage_search(c, cfg, ours="search" in stages, peers="peers" in stages)
    old = data.get("search", {})
    if not ({"search", "peers"} <= stages) and old:
        # one side only: keep the other side's figures from before, marked as such
        for k, v in old.get("systems", {}).items():
            fresh["systems"].setdefault(k, v)
        for k in ("sqlite_build", "tantivy_build", "tantivy"):
            if k in old and k not in fresh:
                fresh[k] = old[k]
    data["search"] = dict(fresh, _run=dict(search_meta, loadavg_end=os.getloadavg()))


def run_corpus(c: Corpus, cfg: argparse.Namespace, command: str) -> None:
    """Run the stages asked for on one corpus, saving its figures after each."""
    data = load_results(c.name)
    run_meta = {"date": _now(), "command": command, "quick": cfg.quick, "machine": machine()}
    if "index" in cfg.stages:
        data["index"] = dict(stage_index(c, cfg), _run=dict(run_meta, loadavg_end=os.getloadavg()))
        save_results(c.name, data)
    if cfg.stages & {"search", "peers"}:
        run_search(c, cfg, data, run_meta)
        save_results(c.name, data)
    if "profile" in cfg.stages:
        try:
            data["profile"] = dict(stage_profile(c, cfg, data), _run=run_meta)
        except Exception as e:  # noqa: BLE001 - the profile is a bonus, never a failure
            data["profile"] = {"error": repr(e), "_run": run_meta}
        save_results(c.name, data)
    print_summary(c.name, data)
    write_results_md()


def main() -> None:
    cfg = parse_args()
    if cfg.render:
        write_results_md()
    else:
        exit_on_sigterm()
        if not PERSPECTIVES.is_file():
            raise SystemExit(f"{PERSPECTIVES} is missing: run `make install` first")
        command = "bench/run.py " + " ".join(sys.argv[1:])
        for c in corpora(cfg):
            run_corpus(c, cfg, command)
    log(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
