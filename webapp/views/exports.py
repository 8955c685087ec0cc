"""Exports of a whole filtered result set (CSV, JSON) and its newest entries as an Atom feed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, render_template, request

from indexer.results import BadParameter, Hit, SearchRequest
from webapp import caching, exporting, hosts
from webapp.core import library, request_for, setting
from webapp.links import entry_urls, tag_uri
from webapp.state import SearchState

bp = Blueprint("exports", __name__)


def _request() -> tuple[SearchState, SearchRequest]:
    state = SearchState.from_args(request.args)
    return state, request_for(state)


def _provenance(req: SearchRequest) -> dict[str, str]:
    info = library().info()
    return {
        "query": req.q,
        "filters": exporting.filters_text(req.filters_dict()),
        "sort": req.sort,
        "generation": str(info.get("generation", "")),
        "index_built": str(info.get("built", "")),
        "exported": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


FIRST_HITS = 100  # read before the status is sent: a failure among them is a proper error


def _matched(req: SearchRequest, snippets: bool) -> tuple[int, Iterator[Hit]]:
    """Match and read the first hits now, so what fails there answers an error, not a cut
    file; return how many rows the export will hold and every hit."""
    found = library().iter_hits(req, snippets=snippets)
    first = list(itertools.islice(found, FIRST_HITS))
    return min(found.total, setting("EXPORT_LIMIT")), itertools.chain(first, found)


def _download(
    body: Iterator[str], mimetype: str, provenance: dict[str, str], ext: str, rows: int
) -> Response:
    # The body streams: it must not need the request context, which is gone by then.
    resp = Response(body, mimetype=mimetype)
    stamp = provenance["exported"][:10]
    name = f"perspectives-{stamp}-{provenance['generation'] or 'index'}.{ext}"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["X-Index-Generation"] = provenance["generation"]
    resp.headers["X-Result-Count"] = str(rows)  # a client can check it got them all
    return resp


FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def flag(name: str) -> bool:
    """Read an on/off parameter (1/0, true/false, yes/no; absent: off), or raise BadParameter."""
    given = [v.strip().lower() for v in request.args.getlist(name) if v.strip()]
    if len(given) > 1:
        raise BadParameter(name, f"expected one value, got {len(given)}")
    if given and given[0] not in FLAGS:
        raise BadParameter(name, f"expected 1 or 0 (true or false), got {given[0]!r}")
    return bool(given) and FLAGS[given[0]]


@bp.get("/search.csv")
@caching.validated
def search_csv() -> Response:
    bom, snippets = flag("bom"), flag("snippets")
    _, req = _request()
    provenance = _provenance(req)
    total, hits = _matched(req, snippets=snippets)
    url = entry_urls()
    rows = exporting.csv_rows(
        itertools.islice(hits, total),
        lambda h: url(h.id),
        provenance,
        current_app.logger,
        bom=bom,
        snippets=snippets,
    )
    return _download(rows, "text/csv", provenance, "csv", total)


@bp.get("/search.json")
@caching.validated
def search_json() -> Response:
    _, req = _request()
    provenance = _provenance(req)
    head = {**provenance, "filters": req.filters_dict(), "limit": setting("EXPORT_LIMIT")}
    total, hits = _matched(req, snippets=bool(req.q))
    url = entry_urls()
    records = (exporting.hit_record(h, url(h.id, req.q), bool(req.q)) for h in hits)
    chunks = exporting.json_chunks(head, records, setting("EXPORT_LIMIT"), current_app.logger)
    return _download(chunks, "application/json", provenance, "json", total)


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def feed_title(req: SearchRequest, site: str) -> str:
    """Return a feed's title from what it follows: "Perspectives: autonomy (theme=dignity)"."""
    described = " ".join(
        p for p in (req.q, f"({exporting.filters_text(req.filters_dict())})") if p.strip("()")
    )
    return f"{site}: {described}" if described else f"{site}: new entries"


@bp.get("/search.atom")
@caching.validated
def search_atom() -> Response:
    state, req = _request()
    # a feed follows what holds the words: entries on the subject would come and go with the best matches
    newest = dataclasses.replace(
        req, sort="newest", page=1, per_page=setting("FEED_SIZE"), subject=False
    )
    result = library().search(newest)
    root = hosts.root()
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = render_template(
        "feed.atom.xml",
        result=result,
        title=feed_title(req, current_app.config["SITE_NAME"]),
        feed_id=tag_uri("", state.export_url("/search.atom")),
        self_url=root + state.export_url("/search.atom"),
        html_url=root + state.export_url("/search"),
        updated=f"{result.hits[0].date}T00:00:00Z" if result.hits else now,
        names={slug: t.label for slug, t in library().taxonomy().items()},
    )
    # XML 1.0 forbids most control characters, which an entry could still carry.
    return Response(_XML_ILLEGAL.sub("", xml), mimetype="application/atom+xml")
