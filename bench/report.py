"""The report: each corpus's figures saved as JSON under bench/work/results/, and bench/RESULTS.md
written from all of them (a summary, then per corpus its tables and the issue's targets, the
machine, and how it was measured). Sections this run did not write are kept from before."""

from __future__ import annotations

import json
import math
import re
import statistics

from measuring import Figures, mb, med, ms, ratio
from places import WORK
from queries import SUBJECT
from report_text import EXPLAIN, HEADER
from results_md import RESULTS, get_section, put_section
from tables import peaks, render_corpus

RESULTS_DIR = WORK / "results"


def load_results(name: str) -> Figures:
    """Return the saved figures of a corpus ({} if none)."""
    p = RESULTS_DIR / f"{name}.json"
    return json.loads(p.read_text()) if p.is_file() else {}


def save_results(name: str, data: Figures) -> None:
    """Save the figures of a corpus."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(data, indent=1, default=str))


# -- the targets --------------------------------------------------------------------------


def _mark(ok: bool | None) -> str:
    return "–" if ok is None else ("PASS" if ok else "FAIL")


def _search_targets(seq: Figures, ds: Figures) -> list[str]:
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
    out = [f"| search p95 ≤ 100 ms, every kind, one client | {text} | {_mark(ok)} |"]
    if ds:
        both = [k for k in search_kinds if k in ds and not k.endswith(SUBJECT)]
        slower = [
            k for k in both if k in failing or (ds[k]["p50"] and seq[k]["p50"] >= ds[k]["p50"])
        ]
        out.append(
            f"| p50 lower than Datasette's on every kind | slower (or failing) on {len(slower)} of "
            f"{len(both)}{': ' + ', '.join(slower[:8]) if slower else ''}{'…' if len(slower) > 8 else ''} "
            f"| {_mark(not slower)} |"
        )
    return out


def _index_targets(idx: Figures) -> list[str]:
    f = idx["full"]
    out = [
        f"| full build ≥ 600 entries/s using both cores | {f['entries_per_s']:.0f} entries/s, "
        f"{f['cores_used']:.2f} cores | {_mark(f['entries_per_s'] >= 600 and f['cores_used'] >= 1.5)} |"
    ]
    for key, how in (("edit_one", "whole archive scanned"), ("edit_named", "file named")):
        vis = [e["visible"] for e in idx.get(key, [])]
        if vis:
            ok = statistics.median([v if v is not None else math.inf for v in vis]) <= 1.0
            seen = [v for v in vis if v is not None]
            text = (
                f"median {med(seen):.2f} s, max {max(seen):.2f} s" if seen else "never visible"
            ) + (
                f"; {len(vis) - len(seen)} of {len(vis)} never visible within 30 s"
                if seen and len(seen) < len(vis)
                else ""
            )
            out.append(f"| one edited file searchable within 1 s ({how}) | {text} | {_mark(ok)} |")
    peak, pss = max(f["maxrss_bytes"], f["tree_peak_bytes"]), f.get("tree_pss_bytes")
    out.append(
        f"| full build peak memory ≤ 1.5 GB | {mb(peak)} summed RSS of the process tree"
        f"{f', {mb(pss)} PSS' if pss else ''} | {_mark(peak <= 1.5e9)} |"
    )
    return out


def targets(name: str, d: Figures) -> list[str]:
    """The issue's targets, judged on this corpus's figures."""
    idx, systems = d.get("index"), d.get("search", {}).get("systems", {})
    ours = systems.get("ours", {})
    seq, out = ours.get("sequential", {}), []
    if seq:
        out += _search_targets(seq, systems.get("datasette", {}).get("sequential", {}))
    con = ours.get("concurrent")
    if con:
        out.append(
            f"| 8 clients ≥ 100 req/s, no errors | {con['rps']:.1f} req/s, {con['errors']} errors | "
            f"{_mark(con['rps'] >= 100 and con['errors'] == 0)} |"
        )
    if idx:
        out += _index_targets(idx)
    workers = peaks(ours.get("memory", {}), "worker")
    if workers:
        out.append(
            f"| ≤ 400 MB per web worker | peak {', '.join(mb(w) for w in workers)} (all load, CSV export "
            f"included) | {_mark(max(workers) <= 400e6)} |"
        )
    growth = _growth_targets(name, d)
    if not out:
        return growth
    return [
        "### Targets (issue 4; they are set for 100,000 entries)",
        "",
        "| target | measured | |",
        "|---|---|---|",
        *out,
        "",
        *growth,
    ]


def _entries(name: str) -> int | None:
    """Return a synthetic corpus's size from its name (synth-1000000), else None."""
    m = re.fullmatch(r"synth-(\d+)", name)
    return int(m[1]) if m else None


def _growth_targets(name: str, d: Figures) -> list[str]:
    """Issue 13's targets: at 1,000,000 entries (this 2-core machine) and at 100,000."""
    n = _entries(name)
    if n not in (100_000, 1_000_000):
        return []
    idx, systems = d.get("index"), d.get("search", {}).get("systems", {})
    ours = systems.get("ours", {})
    seq, ds = ours.get("sequential", {}), systems.get("datasette", {}).get("sequential", {})
    out = []
    kinds = [k for k in seq if k not in ("related", "export.csv")]
    if seq and n == 1_000_000:
        out += _search_targets(seq, {})
    if seq and ds:
        both = [k for k in kinds if ds.get(k, {}).get("p50") and not k.endswith(SUBJECT)]
        over = sorted(
            (k for k in both if seq[k]["n_errors"] or seq[k]["p50"] > ds[k]["p50"] / 2),
            key=lambda k: -seq[k]["p50"] / ds[k]["p50"],
        )
        worst = ", ".join(f"{k} {seq[k]['p50'] / ds[k]['p50']:.2f}" for k in over[:6])
        out.append(
            f"| p50 at most half of Datasette's, every kind it answers | over half on "
            f"{len(over)} of {len(both)}{': ' + worst if over else ''}"
            f"{'…' if len(over) > 6 else ''} | {_mark(bool(both) and not over)} |"
        )
    if idx:
        f = idx["full"]
        pss = f.get("tree_pss_bytes")
        fast = f["entries_per_s"] >= 1000
        if n == 1_000_000:
            small = pss is not None and pss <= 4e9
            out.append(
                f"| full build ≥ 1,000 entries/s, peak ≤ 4 GB for the process tree | "
                f"{f['entries_per_s']:.0f} entries/s, {f['cores_used']:.2f} cores; peak "
                f"{mb(f['tree_peak_bytes'])} summed RSS, {mb(pss) if pss else '–'} PSS | "
                f"{_mark(fast and small)} |"
            )
        else:
            out.append(
                f"| full build ≥ 1,000 entries/s | {f['entries_per_s']:.0f} entries/s, "
                f"{f['cores_used']:.2f} cores | {_mark(fast)} |"
            )
    workers = peaks(ours.get("memory", {}), "worker")
    if workers and n == 1_000_000:
        out.append(
            f"| each web worker ≤ 400 MB after the whole load, export included | peak "
            f"{', '.join(mb(w) for w in workers)} | {_mark(max(workers) <= 400e6)} |"
        )
    con = ours.get("concurrent")
    if con and n == 1_000_000:
        out.append(
            f"| 8 clients ≥ 150 req/s, no errors | {con['rps']:.1f} req/s, {con['errors']} "
            f"errors | {_mark(con['rps'] >= 150 and con['errors'] == 0)} |"
        )
    if not out:
        return []
    where = "1,000,000 entries, this 2-core machine" if n == 1_000_000 else "100,000 entries"
    return [
        f"### Targets of issue 13 ({where})",
        "",
        "| target | measured | |",
        "|---|---|---|",
        *out,
        "",
    ]


# -- the whole file -------------------------------------------------------------------------------


def _ratios(seq: Figures, other: Figures, kinds: list[str]) -> str:
    r = sorted(seq[k]["p50"] / other[k]["p50"] for k in kinds if other.get(k, {}).get("p50"))
    return " · ".join(ratio(x, 1.0) for x in (r[0], statistics.median(r), r[-1])) if r else "–"


def _summary_row(name: str, d: Figures) -> str:
    idx, systems = d.get("index"), d.get("search", {}).get("systems", {})
    seq = systems.get("ours", {}).get("sequential", {})
    kinds = [k for k in seq if k not in ("related", "export.csv") and seq[k].get("p50")]
    build = (
        f"{idx['full']['entries_per_s']:.0f} entries/s, {idx['full']['cores_used']:.2f} cores"
        if idx
        else "–"
    )
    vis = [e["visible"] for e in (idx or {}).get("edit_one", []) if e.get("visible") is not None]
    p50s = sorted(seq[k]["p50"] for k in kinds)
    rps = " · ".join(
        "{:.0f}".format(systems[x]["concurrent"]["rps"])
        if systems.get(x, {}).get("concurrent")
        else "–"
        for x in ("ours", "datasette", "whoosh-plain")
    )
    mem = peaks(systems.get("ours", {}).get("memory", {}), "worker")
    peer = {
        p: _ratios(seq, systems.get(p, {}).get("sequential", {}), kinds)
        for p in ("datasette", "whoosh-plain")
    }
    return (
        f"| {name} | {build} | {f'{med(vis):.2f} s' if vis else '–'} | "
        f"{ms(p50s[0]) + '–' + ms(p50s[-1]) + ' ms' if p50s else '–'} | {peer['datasette']} | "
        f"{peer['whoosh-plain']} | {rps} | {mb(max(mem)) if mem else '–'} |"
    )


def summary_lines(names: list[str]) -> list[str]:
    """One line per corpus: the headline figures, our p50 over the peers' as ranges."""
    L = [
        "## Summary",
        "",
        "| corpus | full build | edit visible | ours p50 (search kinds) | ours/Datasette p50 "
        "(min · median · max) | ours/plain Whoosh p50 | 8 clients req/s ours · Datasette · plain Whoosh | "
        "web worker peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    return L + [_summary_row(name, load_results(name)) for name in names] + [""]


def _order(name: str) -> tuple[int, int]:
    m = re.match(r"synth-(\d+)", name)
    return (0, -int(m.group(1))) if m else (1, 0)


def _machine_lines(names: list[str]) -> list[str]:
    mach = None
    for name in names:
        for st in ("search", "index"):
            mach = mach or load_results(name).get(st, {}).get("_run", {}).get("machine")
    if not mach:
        return []
    return [
        "## Machine",
        "",
        f"{mach['cpu']}, {mach['cores']} cores, {mach['memory']} RAM, Linux {mach['kernel']}, "
        f"Python {mach['python']}, whoosh-reloaded {mach['whoosh']}, gunicorn {mach['gunicorn']}, "
        f"Flask {mach['flask']}; shared with other work (load average at each start is above).",
        "",
    ]


def write_results_md() -> None:
    """Write bench/RESULTS.md from every saved result."""
    names = sorted(p.stem for p in RESULTS_DIR.glob("*.json")) if RESULTS_DIR.is_dir() else []
    L = [HEADER]
    if names:
        L += summary_lines(sorted(names, key=_order))
    for name in sorted(names, key=_order):
        d = load_results(name)
        L += render_corpus(name, d) + targets(name, d)
    L += _machine_lines(names) + [EXPLAIN]
    text = "\n".join(L)
    # relevance.py writes its own section, and a corpus not run this time keeps its figures
    # from before: every old section this run did not write is kept, in its old order
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    written = set(re.findall(r"^## (.+?)[ \t]*$", text, flags=re.MULTILINE))
    for heading in re.findall(r"^## (.+?)[ \t]*$", old, flags=re.MULTILINE):
        kept = get_section(old, heading)
        if heading not in written and kept:
            text = put_section(text, heading, kept, before="Machine")
    RESULTS.write_text(text, encoding="utf-8")


def print_summary(name: str, d: Figures) -> None:
    """Print a corpus's tables and targets."""
    print()
    print("\n".join(render_corpus(name, d) + targets(name, d)))
