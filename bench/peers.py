"""The peers' side of the benchmark; runs in bench/work/peers-venv (never the project's venv).

    peers.py sqlite ENTRIES.jsonl DB          build SQLite + FTS5 (porter) for Datasette
    peers.py tantivy-build ENTRIES.jsonl DIR  build a tantivy index (2 threads)
    peers.py tantivy-query DIR QUERIES.json N run each query N times in-process
    peers.py check-fts DB                     ask Datasette itself whether it sees the FTS table
    peers.py rank ENTRIES.jsonl DIR QUERIES.json K   each peer's first K ids per query (relevance.py)

Each prints one JSON object on its last line of stdout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def read_jsonl(path: Path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


# -- SQLite / Datasette ---------------------------------------------------------------------------


def build_sqlite(src: Path, db_path: Path) -> dict:
    import sqlite_utils

    for p in (
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ):
        if p.exists():
            p.unlink()
    t0 = time.perf_counter()
    db = sqlite_utils.Database(str(db_path))
    rows = (
        {
            "id": r["id"],
            "title": r["title"],
            "author": r["author"],
            "date": r["date"],
            "year": r["year"],
            "section": r["section"],
            "themes": json.dumps(r["themes"]),
            "source": r["source"],
            "body": r["body"],
        }
        for r in read_jsonl(src)
    )
    db["entries"].insert_all(rows, pk="id", batch_size=2000)
    t_rows = time.perf_counter() - t0
    # The FTS table as sqlite-utils' enable-fts writes it: content="entries" in double quotes is
    # what Datasette's detect_fts looks for; without it `_search` is silently ignored.
    db.executescript(
        "CREATE VIRTUAL TABLE \"entries_fts\" USING FTS5 (title, body, tokenize='porter', "
        'content="entries");'
        'INSERT INTO "entries_fts" (rowid, title, body) SELECT rowid, title, body FROM entries;'
    )
    t_fts = time.perf_counter() - t0 - t_rows
    # Indexes a user would add for the facets and filters Datasette is asked for.
    for col in ("author", "section", "date", "year"):
        db["entries"].create_index([col])
    db.execute("ANALYZE")
    db.conn.commit()
    db.conn.execute("VACUUM")
    total = time.perf_counter() - t0
    n = db.execute("select count(*) from entries").fetchone()[0]
    db.conn.close()
    return {
        "entries": n,
        "seconds": total,
        "rows_seconds": t_rows,
        "fts_seconds": t_fts,
        "bytes": dir_size(db_path),
        "entries_per_s": n / total,
    }


def check_fts(db_path: Path) -> dict:
    from datasette.utils import detect_fts

    conn = sqlite3.connect(str(db_path))
    fts = detect_fts(conn, "entries")
    sql = conn.execute("select sql from sqlite_master where name='entries_fts'").fetchone()
    return {"detected": fts, "sql": sql[0] if sql else None}


# -- tantivy --------------------------------------------------------------------------------------


def tantivy_schema():
    import tantivy

    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_text_field("title", stored=True, tokenizer_name="en_stem")
    b.add_text_field("body", stored=True, tokenizer_name="en_stem")
    b.add_text_field("author", stored=True, fast=True, tokenizer_name="raw")
    b.add_text_field("section", stored=True, fast=True, tokenizer_name="raw")
    b.add_text_field("themes", stored=True, fast=True, tokenizer_name="raw")
    b.add_integer_field("day", stored=True, indexed=True, fast=True)
    b.add_integer_field("year", stored=True, indexed=True, fast=True)
    return b.build()


def build_tantivy(src: Path, out: Path) -> dict:
    import tantivy

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    schema = tantivy_schema()
    index = tantivy.Index(schema, path=str(out))
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    n = 0
    for r in read_jsonl(src):
        day = int(r["date"].replace("-", ""))
        doc = tantivy.Document(
            id=r["id"],
            title=r["title"],
            body=r["body"],
            author=r["author"],
            section=r["section"],
            day=day,
            year=r["year"],
        )
        for t in r["themes"]:
            doc.add_text("themes", t)
        writer.add_document(doc)
        n += 1
    writer.commit()
    writer.wait_merging_threads()
    secs = time.perf_counter() - t0
    return {"entries": n, "seconds": secs, "entries_per_s": n / secs, "bytes": dir_size(out)}


_PREFIX = re.compile(r"^(\w+)\*$")


def tantivy_query(index, schema, q: dict):
    """Build the tantivy query for one of the benchmark's query specs."""
    import tantivy
    from tantivy import Occur, Query

    text = q.get("q", "")
    parts = []
    if text:
        m = _PREFIX.match(text)
        if m:  # the query language has no bare prefix*: a regex over the stemmed terms instead
            stem = m.group(1).lower()
            parts.append(
                Query.boolean_query(
                    [
                        (Occur.Should, Query.regex_query(schema, "title", stem + ".*")),
                        (Occur.Should, Query.regex_query(schema, "body", stem + ".*")),
                    ]
                )
            )
        else:
            parts.append(index.parse_query(text, ["title", "body"], conjunction_by_default=True))
    if q.get("section"):
        parts.append(Query.term_query(schema, "section", q["section"]))
    if q.get("author"):
        parts.append(Query.term_query(schema, "author", q["author"]))
    if q.get("theme"):
        parts.append(Query.term_query(schema, "themes", q["theme"]))
    if q.get("from") or q.get("to"):
        lo = int(q["from"].replace("-", "")) if q.get("from") else None
        hi = int(q["to"].replace("-", "")) if q.get("to") else None
        parts.append(Query.range_query(schema, "day", tantivy.FieldType.Integer, lo, hi))
    if not parts:
        return Query.all_query()
    if len(parts) == 1:
        return parts[0]
    return Query.boolean_query([(Occur.Must, p) for p in parts])


FACET_AGG = {
    "author": {"terms": {"field": "author", "size": 30}},
    "section": {"terms": {"field": "section", "size": 30}},
    "theme": {"terms": {"field": "themes", "size": 30}},
    "year": {"terms": {"field": "year", "size": 30}},
}


def run_tantivy(out: Path, queries_path: Path, repeats: int) -> dict:
    import tantivy

    t0 = time.perf_counter()
    index = tantivy.Index.open(str(out))
    index.reload()
    schema = index.schema
    searcher = index.searcher()
    open_s = time.perf_counter() - t0
    specs = json.loads(queries_path.read_text(encoding="utf-8"))
    results = {}
    for name, spec in specs.items():
        if spec.get("kind") != "search":
            continue
        p = spec["params"]
        times, total, facet_ok, snippets = [], None, True, 0
        for i in range(repeats + 1):
            t = time.perf_counter()
            query = tantivy_query(index, schema, p)
            browse = not p.get("q")
            if browse:
                res = searcher.search(query, 10, count=True, order_by_field="day")
            else:
                res = searcher.search(query, 10, count=True)
            try:
                aggs = searcher.aggregate(query, FACET_AGG)
            except Exception as e:  # noqa: BLE001 - note it and go on without facets
                aggs, facet_ok = {"error": str(e)}, False
            docs = [searcher.doc(addr) for _, addr in res.hits]
            if not browse:
                gen = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
                snippets = sum(1 for d in docs if gen.snippet_from_doc(d).to_html())
            elapsed = time.perf_counter() - t
            if i:  # the first run warms caches
                times.append(elapsed)
            total = res.count
        times.sort()
        results[name] = {
            "n": len(times),
            "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[min(len(times) - 1, int(0.95 * len(times)))],
            "total": total,
            "facets": facet_ok,
            "snippets": snippets,
            "facet_sample": {
                k: len(v.get("buckets", [])) for k, v in aggs.items() if isinstance(v, dict)
            },
        }
    return {"open_seconds": open_s, "queries": results, "segments": searcher.num_segments}


# -- relevance: each peer's ranking of the judged queries ---------------------------------------------

_FTS_TOP = (
    "SELECT e.id FROM entries_fts JOIN entries e ON e.rowid = entries_fts.rowid "
    "WHERE entries_fts MATCH ? ORDER BY bm25(entries_fts) LIMIT ?"
)


def fts_top(conn: sqlite3.Connection, text: str, k: int) -> list[str]:
    """FTS5's implicit AND over the text as typed; each token quoted if FTS5 rejects the syntax."""
    try:
        return [r[0] for r in conn.execute(_FTS_TOP, (text, k))]
    except sqlite3.OperationalError:  # login.gov, e-mail, #keep4o: not FTS5 barewords
        quoted = " ".join(
            '"' + t.replace('"', "") + '"' for t in text.split() if t.replace('"', "")
        )
        return [r[0] for r in conn.execute(_FTS_TOP, (quoted, k))]


def tantivy_top(index, searcher, text: str, k: int) -> list[str]:
    """Tantivy's default query parser (OR of the words, BM25) over title and body."""
    try:
        query = index.parse_query(text, ["title", "body"])
    except ValueError:
        query, _errors = index.parse_query_lenient(text, ["title", "body"])
    return [searcher.doc(addr)["id"][0] for _, addr in searcher.search(query, k).hits]


def _stale(built: Path, src: Path) -> bool:
    return not built.exists() or built.stat().st_mtime < src.stat().st_mtime


def rank(src: Path, work: Path, queries_path: Path, k: int) -> dict:
    import tantivy

    work.mkdir(parents=True, exist_ok=True)
    db, tdir = work / "fts5.db", work / "tantivy"
    if _stale(db, src):
        build_sqlite(src, db)
    if _stale(tdir / "meta.json", src):
        build_tantivy(src, tdir)
    queries = json.loads(queries_path.read_text(encoding="utf-8"))
    conn = sqlite3.connect(str(db))
    index = tantivy.Index.open(str(tdir))
    index.reload()
    searcher = index.searcher()
    return {
        "fts5": {q: fts_top(conn, q, k) for q in queries},
        "tantivy": {q: tantivy_top(index, searcher, q, k) for q in queries},
    }


def main() -> None:
    cmd = sys.argv[1]
    if cmd == "sqlite":
        out = build_sqlite(Path(sys.argv[2]), Path(sys.argv[3]))
    elif cmd == "check-fts":
        out = check_fts(Path(sys.argv[2]))
    elif cmd == "tantivy-build":
        out = build_tantivy(Path(sys.argv[2]), Path(sys.argv[3]))
    elif cmd == "rank":
        out = rank(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "tantivy-query":
        out = run_tantivy(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(out))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
