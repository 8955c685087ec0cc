"""The JSON API: /api/search, /api/suggest, /api/facets/<name>, /api/entries/<id>, /api/trends,
and the OpenAPI document that describes them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from indexer.params import parse_int
from indexer.results import SearchResult
from webapp import caching, citation, hosts, render
from webapp.core import library, request_for, setting
from webapp.links import author_url, entry_url, suggestion_url
from webapp.openapi import document
from webapp.state import SearchState
from webapp.views.entries import find
from webapp.views.facets import PER_PAGE, value_query, values

bp = Blueprint("api", __name__, url_prefix="/api")


def _links(result: SearchResult, state: SearchState) -> dict[str, str | None]:
    root = hosts.root()
    page = result.request.page
    return {
        "self": root + state.page_url(page),
        "next": root + state.page_url(page + 1) if page < result.pages else None,
        "prev": root + state.page_url(page - 1) if page > 1 else None,
        "html": root
        + state.url(
            state.pairs + ((("page", str(page)),) if page > 1 else ()), path="/search"
        ),  # this page of results, to read
        "csv": root + state.export_url("/search.csv"),
        "json": root + state.export_url("/search.json"),
        "atom": root + state.export_url("/search.atom"),
    }


@bp.get("/search")
@caching.validated
def search() -> Response:
    state = SearchState.from_args(request.args, path="/api/search")
    result = library().search(request_for(state))
    body: dict[str, Any] = result.to_dict()
    for record, hit in zip(body["results"], result.hits):
        record["url"] = entry_url(hit.id, q=result.request.q, external=True)
    body["pages"] = result.pages
    body["generation"] = result.generation
    body["links"] = _links(result, state)
    return jsonify(body)


@bp.get("/facets/<name>")
def facet_values(name: str) -> Response:
    vq = value_query(name, PER_PAGE)
    body = values(vq).to_dict()
    body["per_page"] = vq.per_page
    body["links"] = {"html": hosts.root() + vq.url(url_for("facets.facet_page", name=name))}
    return jsonify(body)


@bp.get("/suggest")
@caching.validated
def suggest() -> Response:
    q = request.args.get("q", "")
    limit = parse_int("limit", request.args["limit"], 1, 20) if request.args.get("limit") else 8
    found = library().suggest(q, limit)
    root = hosts.root()
    return jsonify(
        {"q": q, "suggestions": [{**s.to_dict(), "url": root + suggestion_url(s)} for s in found]}
    )


@bp.get("/entries/<entry_id>")
@caching.validated
def entry(entry_id: str) -> Response:
    found = find(entry_id, related=setting("RELATED"), authors=setting("RELATED_AUTHORS"))
    url = entry_url(found.id, external=True)
    body = found.to_dict()
    body["url"] = url
    body["body_html"] = str(render.body_html(found.body))
    for record in body["related"] + body["duplicates"]:
        record["url"] = entry_url(record["id"], external=True)
    for person in body["related_authors"]:
        person["url"] = hosts.root() + author_url(person["name"])
    body["citation"] = {
        "text": citation.text(found, current_app.config["SITE_NAME"], url),
        "csl_json": hosts.external_url("entries.entry_csl", entry_id=found.id),
        "bibtex": hosts.external_url("entries.entry_bibtex", entry_id=found.id),
    }
    return jsonify(body)


@bp.get("/trends")
@caching.validated
def trends() -> Response:
    slugs = request.args.getlist("theme")
    body: dict[str, Any] = library().theme_trends(slugs).to_dict()
    body["links"] = {
        "html": hosts.external_url("trends.compare", theme=slugs),
        "csv": hosts.external_url("trends.compare_csv", theme=slugs),
    }
    return jsonify(body)


@bp.get("/openapi.json")
@caching.validated
def openapi() -> Response:
    return jsonify(document(hosts.root(), current_app.config["SITE_NAME"], library().facets()))
