"""Where the site shows each thing: the one place that writes the path of an entry's, an
author's, a theme's and a section's page, and reads a handle in a path back.

The web app's pages, API, exports and feeds and the command line's JSON take these paths (the
web app puts its mount point, and for absolute URLs its base URL, before them); its routes
(webapp/views) answer them. The search core never adds URLs to what it answers. Parts are
quoted as Flask's `url_for` quotes them, so both give the same bytes (tests/test_urls.py).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from indexer.slugs import name_slug

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
