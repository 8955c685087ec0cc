"""The search page (/ and /search), which every browsing page is too, with one filter set."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, render_template, request

from indexer import pages
from indexer.pages import Searched
from webapp import present
from webapp.core import library, request_for, setting
from webapp.state import Scope, SearchState

bp = Blueprint("search", __name__)


def search_page(
    scope: Scope | None = None,
    path: str = "/search",
    home: bool = False,
    extra: Mapping[str, object] | None = None,
    found: Searched | None = None,
) -> str:
    """Render the search page for this request's parameters, within a scope if given (`found`:
    what the core answered a browsing page; `extra` goes to the template: an author page's
    related authors and themes over time)."""
    state = SearchState.from_args(request.args, path, scope)
    if found is None:
        found = pages.searched(library(), request_for(state))
    page = present.search_page(found.result, state, found.taxonomy, setting("FACET_SHOWN"))
    return render_template(
        "search.html",
        page=page,
        scope=scope,
        home=home and not state.pairs,
        export_limit=setting("EXPORT_LIMIT"),
        feed_size=setting("FEED_SIZE"),
        **(extra or {}),
    )


@bp.get("/")
def home() -> str:
    return search_page(home=True)


@bp.get("/search")
def search() -> str:
    return search_page()
