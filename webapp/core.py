"""Access to the search core from a request: the app's Library and request parsing."""

from __future__ import annotations

from flask import current_app

from indexer.library import Library
from indexer.params import parse_request
from indexer.results import SearchRequest
from webapp.state import SearchState


def library() -> Library:
    """Return the app's Library."""
    return current_app.extensions["perspectives.library"]


def request_for(state: SearchState) -> SearchRequest:
    """Parse a page's state into a SearchRequest (raises BadParameter)."""
    return parse_request(state.get, per_page=setting("PER_PAGE"), facet_size=setting("FACET_SIZE"))


def setting(name: str) -> int:
    return int(current_app.config[name])
