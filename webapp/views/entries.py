"""An entry's page, and its citation as CSL-JSON and BibTeX downloads."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request

from indexer import pages
from indexer.params import parse_request
from indexer.results import Entry
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
    found = pages.entry_page(
        library(),
        entry_id,
        related=setting("RELATED"),
        authors=setting("RELATED_AUTHORS"),
        by_author=setting("BY_AUTHOR"),
        suggest_themes=bool(setting("SUGGEST_THEMES")),
    )
    if found is None:
        raise NotFound(f"no entry {entry_id!r} in the archive")
    shown = found.entry
    site, url = current_app.config["SITE_NAME"], entry_url(shown.id, external=True)
    return render_template(
        "entry.html",
        entry=shown,
        q=q,
        body=render.body_html(shown.body, q),
        others=found.others,
        others_total=found.others_total,
        names=found.theme_labels,
        cite_text=citation.text(shown, site, url),
        cite_bibtex=citation.bibtex(shown, site, url),
        meta=citation.meta_tags(shown, site, url),
        lacking=found.lacking,
    )


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
