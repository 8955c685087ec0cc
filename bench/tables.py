"""The tables of one corpus in bench/RESULTS.md: when each stage ran, indexing, incremental
changes, sequential search (ours beside each peer), concurrent clients, the servers' memory,
answers that lacked a facet or a snippet, and the profile of our slowest kinds."""

from __future__ import annotations

import json

from measuring import Figures, mb, med, ms, ratio

SYSTEM_LABEL = {
    "ours": "ours",
    "datasette": "Datasette",
    "whoosh-plain": "plain Whoosh",
    "datasette+4facets": "Datasette, 4 facets",
}


def _visible(runs: list[Figures], key: str) -> list[float]:
    return [e[key] for e in runs if e[key] is not None]


def render_corpus(name: str, d: Figures) -> list[str]:
    """Return the section of one corpus: its runs, then a table per stage measured."""
    L = [f"## {name}", ""]
    for stage in ("index", "search", "profile"):
        if stage in d:
            L.append(_run_line(stage, d[stage].get("_run", {})))
    L.append("")
    idx, srch = d.get("index"), d.get("search", {})
    if idx:
        L += _indexing(idx, srch) + _incremental(idx)
    if srch.get("systems", {}):
        L += (
            _sequential(srch)
            + _concurrent(srch["systems"])
            + _memory(srch["systems"])
            + _checks(srch["systems"])
        )
    if d.get("profile", {}).get("kinds"):
        L += _profile(name, d["profile"])
    return L


def _run_line(stage: str, m: Figures) -> str:
    end, mach = m.get("loadavg_end"), m.get("machine", {})
    return (
        f"- {stage}: {m.get('date', '?')}, `{m.get('command', '?')}`"
        f"{' (quick)' if m.get('quick') else ''}, load average (1/5/15 min) at start "
        f"{' '.join(mach.get('loadavg', []))}"
        f"{', at end ' + ' '.join(f'{x:.2f}' for x in end) if end else ''}, commit "
        f"{mach.get('git', '?')}{' + uncommitted core changes' if mach.get('git_dirty') else ''}"
    )


def _indexing(idx: Figures, srch: Figures) -> list[str]:
    f = idx["full"]
    pss = " ({})".format(mb(f["tree_pss_bytes"])) if f.get("tree_pss_bytes") else ""
    L = [
        "### Indexing",
        "",
        "| | wall | entries/s | CPU (cores used) | index size | peak RSS largest process | peak RSS whole tree (PSS) |",
        "|---|---|---|---|---|---|---|",
        f"| ours, `perspectives index --full` (median of {f['repeats']}) | {f['wall']:.1f} s | "
        f"{f['entries_per_s']:.0f} | {f['cpu']:.1f} s ({f['cores_used']:.2f}) | {mb(f['index_bytes'])} | "
        f"{mb(f['maxrss_bytes'])} | {mb(f['tree_peak_bytes'])}{pss} |",
    ]
    if "sqlite_build" in srch:
        s = srch["sqlite_build"]
        L.append(
            f"| SQLite FTS5 porter (rows + FTS + 4 indexes + VACUUM) | {s['seconds']:.1f} s | "
            f"{s['entries_per_s']:.0f} | {s['cpu']:.1f} s ({s['cpu'] / s['wall']:.2f}) | {mb(s['bytes'])} | "
            f"{mb(s['maxrss_bytes'])} | – |"
        )
    if "tantivy_build" in srch:
        s = srch["tantivy_build"]
        L.append(
            f"| tantivy 0.27 (2 threads) | {s['seconds']:.1f} s | {s['entries_per_s']:.0f} | "
            f"{s['cpu']:.1f} s ({s['cpu'] / s['wall']:.2f}) | {mb(s['bytes'])} | {mb(s['maxrss_bytes'])} | – |"
        )
    if len(idx["full_builds"]) > 1:
        L += [
            "",
            "Each full build: " + ", ".join(f"{b['wall']:.1f} s" for b in idx["full_builds"]) + ".",
        ]
    return L + [""]


def _change_row(label: str, runs: list[Figures], with_max: bool) -> str:
    vis, stab = _visible(runs, "visible"), _visible(runs, "visible_stable")
    first = (
        (f"{med(vis):.2f} s" + (f" (max {max(vis):.2f})" if with_max else "")) if vis else "never"
    )
    return (
        f"| {label} | {med([e['index_cmd'] for e in runs]):.2f} s | {first} | "
        f"{f'{med(stab):.2f} s' if stab else '–'} | {len(runs)} |"
    )


def _incremental(idx: Figures) -> list[str]:
    ed, en, ad = idx.get("edit_one", []), idx.get("edit_named", []), idx.get("add_ten", [])
    if not ed:
        return []
    L = [
        "Incremental, through the running server (gunicorn, 2 workers), from the moment the file is "
        "written until `/api/search` finds the new word (first answer; then on 6 polls in a row):",
        "",
        "| change | `perspectives index` wall | visible (first) | visible (6 in a row) | runs |",
        "|---|---|---|---|---|",
        f"| nothing changed (no-op run) | {idx.get('noop_index_seconds', 0):.2f} s | – | – | 1 |",
        _change_row("edit one file", ed, True),
    ]
    if en:
        L.append(_change_row("edit one file, named (`perspectives index FILE`)", en, True))
    if ad:
        L.append(_change_row("add 10 files", ad, False))
    errs = [e["poll_error"] for e in ed + ad if e.get("poll_error")]
    if errs:
        L += ["", f"The server answered errors while polling: {errs[0]}"]
    return L + [""]


def _peer_cells(x: Figures, o: Figures) -> str:
    return (
        f" {ms(x.get('p50'))} / {ms(x.get('p95'))} | {'/'.join(x.get('totals', [])) or '–'} | "
        f"{ratio(o.get('p50'), x.get('p50'))} |"
    )


def _sequential(srch: Figures) -> list[str]:
    systems, qm = srch["systems"], srch.get("queries", {})
    L = [
        "### Searching, one client, sequential",
        "",
        f"Query words picked from the corpus: {', '.join(f'{k} `{v}`' for k, v in qm.get('words', {}).items())}; "
        f"filters {json.dumps(qm.get('filters', {}), ensure_ascii=False)}.",
        "",
        "p50 / p95 / p99 in ms (n requests), and `total`, the matching-row count each system answered. "
        "Ratios are ours over theirs, p50 (below 1: we are faster).",
        "",
    ]
    ours = systems.get("ours", {}).get("sequential", {})
    ds = systems.get("datasette", {}).get("sequential", {})
    wb = systems.get("whoosh-plain", {}).get("sequential", {})
    tv = srch.get("tantivy", {}).get("queries", {})
    head, sep = "| kind | ours p50/p95/p99 (n) | ours total |", "|---|---|---|"
    for present, h, s in (
        (ds, " Datasette p50/p95 | DS total | ours/DS |", "---|---|---|"),
        (wb, " plain Whoosh p50/p95 | WB total | ours/WB |", "---|---|---|"),
        (tv, " tantivy p50 | tantivy total |", "---|---|"),
    ):
        if present:
            head, sep = head + h, sep + s
    L += [head, sep]
    for k in list(ours or ds or wb):
        o = ours.get(k, {})
        row = (
            f"| {k} | {ms(o.get('p50'))} / {ms(o.get('p95'))} / {ms(o.get('p99'))} ({o.get('n', 0)})"
            f"{' ERR ' + str(o.get('n_errors')) if o.get('n_errors') else ''} | {'/'.join(o.get('totals', [])) or '–'} |"
        )
        row += "".join(_peer_cells(peer.get(k, {}), o) for peer in (ds, wb) if peer)
        if tv:
            x = tv.get(k, {})
            row += f" {'{:.1f}'.format(x['p50_ms']) if x else '–'} | {x.get('total', '–') if x else '–'} |"
        L.append(row)
    ds4 = systems.get("datasette+4facets", {}).get("sequential", {})
    if ds4:
        L += [
            "",
            "Datasette asked for all four facets (author, section, year, and themes with `_facet_array`): "
            + "; ".join(
                f"{k} p50 {ms(v.get('p50'))} ms (n {v.get('n')}, total {'/'.join(v.get('totals', []))})"
                for k, v in ds4.items()
            )
            + ".",
        ]
    return L + [""]


def _concurrent(systems: Figures) -> list[str]:
    L = [
        "### 8 concurrent clients (threads, each its own connection, over the search mix)",
        "",
        "| system | requests ok | errors | req/s | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|---|",
    ]
    for sname, s in systems.items():
        r = s.get("concurrent")
        if r:
            L.append(
                f"| {SYSTEM_LABEL.get(sname, sname)} | {r['ok']} | {r['errors']} | {r['rps']:.1f} | "
                f"{ms(r['p50'])} | {ms(r['p95'])} | {ms(r['p99'])} |"
            )
    o = systems.get("ours", {}).get("concurrent")
    for peer in ("datasette", "whoosh-plain"):
        p = systems.get(peer, {}).get("concurrent")
        if o and p and p.get("rps"):
            L.append(f"\nThroughput ours / {SYSTEM_LABEL[peer]}: {o['rps'] / p['rps']:.2f}.")
    return L


def peaks(mem: Figures, role: str) -> list[int]:
    """Return the peak RSS of the processes of a role (master, worker)."""
    return [v["peak"] for v in mem.values() if v["role"] == role]


def _memory(systems: Figures) -> list[str]:
    L = ["", "### Memory of the servers (peak RSS of each process, VmHWM)", ""]
    for sname, s in systems.items():
        mem = s.get("memory", {})
        if not mem:
            continue
        workers, master = peaks(mem, "worker"), peaks(mem, "master")
        text = (
            f"- {SYSTEM_LABEL.get(sname, sname)}: after all the load, master {mb(master[0] if master else None)}"
            + (f", workers {', '.join(mb(w) for w in workers)}" if workers else "")
        )
        before = s.get("memory_before_export", {})
        if before:
            bw, bm = peaks(before, "worker"), peaks(before, "master")
            text += "; before the CSV export (searching only): " + (
                f"workers {', '.join(mb(w) for w in bw)}" if bw else f"{mb(bm[0] if bm else None)}"
            )
        L.append(text)
    reuse = {
        k: v.get("keepalive_reuse")
        for k, v in systems.items()
        if v.get("keepalive_reuse") is not None
    }
    if reuse:
        L += [
            "",
            "Share of sequential requests that reused a kept-alive connection: "
            + ", ".join(f"{SYSTEM_LABEL.get(k, k)} {v:.0%}" for k, v in reuse.items())
            + " (gunicorn's default sync worker closes every connection, so our requests and the plain "
            "Whoosh ones each include a TCP connect on 127.0.0.1, about 0.1 ms).",
        ]
    return L + [""]


def _checks(systems: Figures) -> list[str]:
    """Answers of ours that lack a facet or a marked snippet; Datasette's facets that timed out."""
    checks = {
        k: v.get("info", {}) for k, v in systems.get("ours", {}).get("sequential", {}).items()
    }
    four = {"theme", "author", "section", "year"}
    incomplete = [
        k
        for k, v in checks.items()
        if "facets" in v
        and v.get("total")
        and (
            not four <= set(v["facets"])
            or (v.get("rows") and v.get("snippets", 0) < v["rows"] and not k.startswith("browse"))
        )
    ]
    L = []
    if incomplete:
        L += [
            "Answers of ours with fewer than four facets, or with snippets lacking a `<mark>` "
            "(a hit may match in its title only): "
            + ", ".join(
                f"{k} (facets {checks[k].get('facets')}, snippets {checks[k].get('snippets')}/"
                f"{checks[k].get('rows')})"
                for k in incomplete
            )
            + ".",
            "",
        ]
    dsi = systems.get("datasette", {}).get("sequential", {})
    timed_out = [k for k, v in dsi.items() if v.get("info", {}).get("facets_timed_out")]
    if timed_out:
        L += [f"Datasette facets timed out on: {', '.join(timed_out)}.", ""]
    return L


def _functions(fs: list[Figures], n: int) -> str:
    return "; ".join(f"`{f['function']}` ({f['where']}) {f['share']:.0%}" for f in fs[:n])


def _profile(name: str, prof: Figures) -> list[str]:
    L = [
        "### Profile of our slowest kinds (pyinstrument, in-process through Flask's test client)",
        "",
    ]
    for k, p in prof["kinds"].items():
        L.append(f"- `{k}` ({p['url']}): {p['ms_per_request']:.0f} ms per request in-process.")
        L.append("  Our functions, inclusive time: " + _functions(p.get("ours", []), 8) + ".")
        L.append("  Most self time: " + _functions(p["top"], 6) + ".")
    noop = prof.get("index_noop")
    if noop:
        L.append(
            f"- a no-op incremental `perspectives index` (nothing changed; imports included): "
            f"{noop['seconds']:.2f} s in-process. Our functions, inclusive time: "
            + _functions(noop["ours"], 8)
            + "."
        )
    return L + ["", f"Full text profiles: bench/work/profiles/{name}-*.txt", ""]
