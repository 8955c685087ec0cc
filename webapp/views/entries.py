"""An entry's page, and its citation as CSL-JSON and BibTeX downloads."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request

from indexer.params import parse_request
from indexer.results import Entry, SearchRequest
from webapp import caching, citation, render
from webapp.core import library, setting
from webapp.errors import NotFound
from webapp.links import entry_url

bp = Blueprint("entries", __name__)


def find(entry_id: str, related: int = 0, authors: int = 0) -> Entry:
    """Return the entry or raise NotFound."""
    entry = library().entry(entry_id, related=related, authors=authors)
    if entry is None:
        raise NotFound(f"no entry {entry_id!r} in the archive")
    return entry


def _attachment(body: str, mimetype: str, filename: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@bp.get("/entries/<entry_id>")
def entry(entry_id: str) -> str:
    q = parse_request(lambda name: request.args.getlist(name) if name == "q" else []).q
    found = find(entry_id, related=setting("RELATED"), authors=setting("RELATED_AUTHORS"))
    by_author = library().search(
        # by any of its authors: each is a person of the author facet
        SearchRequest(authors=found.authors or (found.author,), sort="newest",
                      per_page=setting("BY_AUTHOR") + 1)
    )
    others = [h for h in by_author.hits if h.id != found.id][: setting("BY_AUTHOR")]
    site, url = current_app.config["SITE_NAME"], entry_url(found.id, external=True)
    return render_template(
        "entry.html",
        entry=found,
        q=q,
        body=render.body_html(found.body, q),
        others=others,
        others_total=max(by_author.total - 1, 0),
        names=_theme_names(),
        cite_text=citation.text(found, site, url),
        cite_bibtex=citation.bibtex(found, site, url),
        meta=citation.meta_tags(found, site, url),
        lacking=library().theme_suggestions(found.id) if setting("SUGGEST_THEMES") else None,
    )


def _theme_names() -> dict[str, str]:
    return library().labels("theme")


@bp.get("/entries/<entry_id>.csl.json")
@caching.validated
def entry_csl(entry_id: str) -> Response:
    found = find(entry_id)
    item = citation.csl(found, current_app.config["SITE_NAME"], entry_url(found.id, external=True))
    body = json.dumps([item], ensure_ascii=False, indent=2)
    return _attachment(body, "application/vnd.citationstyles.csl+json", f"{found.id}.csl.json")


@bp.get("/entries/<entry_id>.bib")
@caching.validated
def entry_bibtex(entry_id: str) -> Response:
    found = find(entry_id)
    body = citation.bibtex(
        found, current_app.config["SITE_NAME"], entry_url(found.id, external=True)
    )
    return _attachment(body, "application/x-bibtex", f"{found.id}.bib")
