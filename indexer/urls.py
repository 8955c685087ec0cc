"""Where the site shows each thing: the one place that writes the path of an entry's, an
author's, a theme's and a section's page, and reads a handle in a path back.

The web app's pages, API, exports and feeds and the command line's JSON take these paths (the
web app puts its mount point, and for absolute URLs its base URL, before them); its routes
(webapp/views) answer them. The search core never adds URLs to what it answers. Parts are
quoted as Flask's `url_for` quotes them, so both give the same bytes (tests/test_urls.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from indexer.facetdefs import FACETS
from indexer.slugs import name_slug

if TYPE_CHECKING:
    from indexer.results import SearchRequest

PART_SAFE = "!$&'()*+,/:;=@"  # kept as they are in a path's part (werkzeug's converters)
QUERY_SAFE = "!$'()*,/:;?@"  # kept as they are in a query's values (werkzeug's url_for)


def entry_path(entry_id: str, q: str = "") -> str:
    """Return an entry page's path, with the search whose words it marks if any."""
    return _page("entries", entry_id) + ("?" + urlencode({"q": q}, safe=QUERY_SAFE) if q else "")


def author_handle(author: str) -> str:
    """Return the handle of /authors/<handle>: the author without a leading "@"."""
    return author[1:] if author.startswith("@") and len(author) > 1 else author


def author_candidates(handle: str) -> tuple[str, ...]:
    """Return the author values a handle in a path may stand for, most likely first."""
    return (handle,) if handle.startswith("@") else ("@" + handle, handle)


def author_path(author: str) -> str:
    return _page("authors", author_handle(author))


def theme_path(slug: str) -> str:
    return _page("themes", slug)


def section_slug(section: str) -> str:
    """Return the slug of /sections/<slug>: the section's name as a slug."""
    return name_slug(section)


def section_path(section: str) -> str:
    return _page("sections", section_slug(section))


def _page(kind: str, name: str) -> str:
    return f"/{kind}/{quote(name, safe=PART_SAFE)}"


def search_pairs(req: SearchRequest) -> list[tuple[str, str]]:
    """Return the query parameters that ask the web app for this search (defaults left out)."""
    pairs = [("q", req.q)] if req.q else []
    for facet in FACETS:
        pairs += [(facet.name, v) for v in req.selected(facet.name)]
    pairs += [
        (name, bound.text)
        for name, bound in (("from", req.date_from), ("to", req.date_to))
        if bound is not None
    ]
    if req.sort != "relevance":
        pairs.append(("sort", req.sort))
    if req.per_page != 10:
        pairs.append(("per_page", str(req.per_page)))
    pairs += [
        (name, "0") for name, on in (("subject", req.subject), ("typos", req.typos)) if not on
    ]
    for name, values in req.extra:  # a field map's own facets (fieldmap.py), last as on the web
        pairs += [(f"facet_{name}", v) for v in values]
    return pairs


def search_links(req: SearchRequest, pages: int, root: str = "") -> dict[str, str | None]:
    """Return the links of a search answer, as `/api/search` gives them: this page, the next
    and previous ones, the page to read, and the exports (`root`: the base URL, or none)."""
    pairs = search_pairs(req)

    def url(path: str, page: int = 1) -> str:
        query = urlencode(pairs + ([("page", str(page))] if page > 1 else []))
        return root + path + ("?" + query if query else "")

    return {
        "self": url("/api/search", req.page),
        "next": url("/api/search", req.page + 1) if req.page < pages else None,
        "prev": url("/api/search", req.page - 1) if req.page > 1 else None,
        "html": url("/search", req.page),
        "csv": url("/search.csv"),
        "json": url("/search.json"),
        "atom": url("/search.atom"),
    }
