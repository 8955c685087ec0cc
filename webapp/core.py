"""Access to the search core from a request: the app's Library and request parsing."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from indexer.library import Library
from indexer.params import parse_request
from indexer.results import SearchRequest
from webapp.state import Scope, SearchState


def library() -> Library:
    """Return the app's Library."""
    return current_app.extensions["perspectives.library"]


def request_for(state: SearchState) -> SearchRequest:
    """Parse a page's state into a SearchRequest (raises BadParameter)."""
    return parse_request(
        state.get,
        per_page=setting("PER_PAGE"),
        facet_size=setting("FACET_SIZE"),
        extra=state.field_facets(),
    )


def setting(name: str) -> int:
    return int(current_app.config[name])


def scoped_request(facet: str) -> Callable[[str], SearchRequest]:
    """Return how a browsing page asks for its search once the core knows the value of `facet`
    that its path names (a theme's slug, a section's name, an author as the archive spells it)."""

    def scoped(value: str) -> SearchRequest:
        return request_for(SearchState.from_args(request.args, scope=Scope(facet, value, "")))

    return scoped
