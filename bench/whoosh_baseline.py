"""A plain Whoosh baseline: what using Whoosh "by the book" gives, to compare our search core with.

A bare WSGI app (no Flask, so the framework costs nothing) that, for every request, opens the
current generation of OUR index afresh (index/CURRENT names the folder), parses the query with
Whoosh's MultifieldParser over title and body (AND), filters with Term/NumericRange queries, and
counts four facets with `groupedby` (author, section, themes with allow_overlap, year as a
RangeFacet over day), then highlights 10 hits. No caching of any kind.

    BASELINE_INDEX=bench/work/indexes/synth-10000 gunicorn -w 2 -b 127.0.0.1:PORT \
        'whoosh_baseline:app' --chdir bench

Endpoints: /search?q=&section=&author=&theme=&from=&to=  (JSON {total, results, facets})
           /related/<id>                                 (JSON: 5 more_like hits)
           /export.csv?q=                                (every hit's stored fields as CSV)
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from urllib.parse import parse_qs

from whoosh import index as whoosh_index
from whoosh import qparser, sorting
from whoosh import query as wq

from indexer.markup import plain_text

INDEX_DIR = Path(os.environ.get("BASELINE_INDEX", "index"))


def _open():
    gen = (INDEX_DIR / "CURRENT").read_text(encoding="utf-8").strip()
    return whoosh_index.open_dir(str(INDEX_DIR / gen))


def _day(text: str, end: bool) -> int:
    parts = [int(p) for p in text.split("-")]
    y = parts[0]
    m = parts[1] if len(parts) > 1 else (12 if end else 1)
    d = parts[2] if len(parts) > 2 else (31 if end else 1)
    return y * 10000 + m * 100 + d


def _queries(ix, args):
    schema = ix.schema
    text = args.get("q", [""])[0].strip()
    if text:
        parser = qparser.MultifieldParser(["title", "body"], schema, fieldboosts={"title": 2.0})
        q = parser.parse(text)
    else:
        # every entry: the index also holds a few vocabulary documents, with day 0 and no id
        q = wq.NumericRange("day", 1, None)
    filters = []
    # the author is indexed as author_key (lowercase), its facet column is authors_col
    for name, field in (("section", "section"), ("author", "author_key"), ("theme", "themes")):
        for v in args.get(name, []):
            filters.append(wq.Term(field, v if field == "section" else v.lower()))
    lo, hi = args.get("from", [""])[0], args.get("to", [""])[0]
    if lo or hi:
        filters.append(
            wq.NumericRange("day", _day(lo, False) if lo else None, _day(hi, True) if hi else None)
        )
    return text, q, (wq.And(filters) if filters else None)


def _json(start_response, body, status="200 OK"):
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def search(environ, start_response):
    args = parse_qs(environ.get("QUERY_STRING", ""))
    ix = _open()  # reopened for every request, as the plain way does
    with ix.searcher() as s:
        text, q, filt = _queries(ix, args)
        facets = {
            "author": sorting.FieldFacet("authors_col", maptype=sorting.Count),
            "section": sorting.FieldFacet("section", maptype=sorting.Count),
            "theme": sorting.FieldFacet("themes", allow_overlap=True, maptype=sorting.Count),
            "year": sorting.RangeFacet("day", 19900101, 20400101, 10000, maptype=sorting.Count),
        }
        kwargs = {"sortedby": "day", "reverse": True} if not text else {}
        results = s.search(q, limit=10, filter=filt, groupedby=facets, **kwargs)
        rows = []
        # results[:10]: with groupedby, iterating Results yields every matching document
        for hit in results[:10]:
            rows.append(
                {
                    "id": hit["id"],
                    "title": hit["title"],
                    "snippet": hit.highlights(
                        "body", text=plain_text(hit.get("markdown", "")), top=2
                    )
                    if text
                    else "",
                }
            )
        body = {
            "total": len(results),
            "results": rows,
            "facets": {
                name: sorted(
                    ((str(k), v) for k, v in results.groups(name).items()), key=lambda kv: -kv[1]
                )[:30]
                for name in facets
            },
        }
    return _json(start_response, body)


def related(environ, start_response, entry_id):
    ix = _open()
    with ix.searcher() as s:
        n = s.document_number(id=entry_id)
        if n is None:
            return _json(start_response, {"error": "unknown id"}, "404 Not Found")
        stored = s.stored_fields(n)
        hits = s.more_like(n, "body", text=plain_text(stored.get("markdown", "")), top=5)
        body = {"id": entry_id, "related": [{"id": h["id"], "title": h["title"]} for h in hits]}
    return _json(start_response, body)


def export_csv(environ, start_response):
    args = parse_qs(environ.get("QUERY_STRING", ""))
    ix = _open()
    cols = ("id", "title", "author", "day", "section", "themes", "source")

    def rows():
        with ix.searcher() as s:
            _, q, filt = _queries(ix, args)
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\r\n")
            w.writerow(cols)
            for hit in s.search(q, limit=None, filter=filt):
                w.writerow([hit.get(c, "") for c in cols])
                if buf.tell() > 32768:
                    yield buf.getvalue().encode()
                    buf.seek(0)
                    buf.truncate()
            yield buf.getvalue().encode()

    start_response("200 OK", [("Content-Type", "text/csv")])
    return rows()


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/search":
        return search(environ, start_response)
    if path.startswith("/related/"):
        return related(environ, start_response, path[len("/related/") :])
    if path == "/export.csv":
        return export_csv(environ, start_response)
    if path == "/health":
        return _json(start_response, {"ok": True})
    return _json(start_response, {"error": "not found"}, "404 Not Found")
