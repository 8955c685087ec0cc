"""The site's URLs as a request sees them: `indexer.urls`' paths under the app's mount point,
made absolute from the base URL where asked (hosts.py); `tag:` URIs; which URLs may be links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import current_app, request, url_for

from indexer import urls
from indexer.completions import Suggestion
from indexer.slugs import name_slug
from webapp.hosts import absolute


def author_url(author: str) -> str:
    return request.script_root + urls.author_path(author)


def language_url(language: str, **args: Any) -> str:
    """Return the search filtered to one language."""
    return url_for("search.search", language=language, **args)


def section_url(section: str) -> str:
    return request.script_root + urls.section_path(section)


def theme_url(theme: str) -> str:
    return request.script_root + urls.theme_path(theme)


def entry_url(entry_id: str, q: str = "", external: bool = False) -> str:
    url = request.script_root + urls.entry_path(entry_id, q)
    return absolute(url) if external else url


def entry_urls() -> Callable[..., str]:
    """Return a function making entry_url(..., external=True)'s URLs that needs no request
    (an export streams after its request is gone)."""
    root = absolute(request.script_root)

    def url(entry_id: str, q: str = "") -> str:
        return root + urls.entry_path(entry_id, q)

    return url


def suggestion_url(s: Suggestion) -> str:
    """Return where picking a suggestion leads: a search, an entry, an author's or a theme's page."""
    if s.kind == "title":
        return entry_url(s.value)
    if s.kind == "author":
        return author_url(s.value)
    if s.kind == "theme":
        return theme_url(s.value)
    return url_for("search.search", q=s.value)


FEED_SINCE = "2026-12-01"  # the date in the tag: URI of a feed (a feed has no date of its own)


def tag_uri(date: str, specific: str) -> str:
    """Return a `tag:` URI (RFC 4151) for an Atom id: it names the site, not the host that
    served the feed, so `localhost` and `127.0.0.1` give the same ids."""
    authority = name_slug(current_app.config["SITE_NAME"])
    return f"tag:{authority},{date or FEED_SINCE}:{quote(specific, safe='/?=&%')}"


def is_web_url(url: str) -> bool:
    """Tell whether a URL may become a link: http or https only (never javascript: and friends)."""
    return bool(re.match(r"^https?://[^\s/?#]+", url.strip(), re.IGNORECASE)) and not any(
        ch in url for ch in "\x00\r\n\t<>\"'` "
    )
