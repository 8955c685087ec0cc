"""Names in URLs: author handles, section slugs, theme slugs, and the URLs of entries and pages."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from flask import current_app, url_for

from indexer.completions import Suggestion
from webapp.hosts import absolute

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug ("The Evidence" -> "the-evidence")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub("-", folded.lower()).strip("-") or "-"


def author_handle(author: str) -> str:
    """Return the handle used in /authors/<handle>: the author without a leading "@"."""
    return author[1:] if author.startswith("@") and len(author) > 1 else author


def author_candidates(handle: str) -> tuple[str, ...]:
    """Return the author values a handle in a URL may stand for, most likely first."""
    return (handle,) if handle.startswith("@") else ("@" + handle, handle)


def author_url(author: str, **args: Any) -> str:
    return url_for("browse.author", handle=author_handle(author), **args)


def language_url(language: str, **args: Any) -> str:
    """Return the search filtered to one language."""
    return url_for("search.search", language=language, **args)


def section_url(section: str, **args: Any) -> str:
    return url_for("browse.section", slug=slugify(section), **args)


def theme_url(theme: str, **args: Any) -> str:
    return url_for("browse.theme", slug=theme, **args)


def entry_url(entry_id: str, q: str = "", external: bool = False) -> str:
    args: dict[str, Any] = {"q": q} if q else {}
    url = url_for("entries.entry", entry_id=entry_id, **args)
    return absolute(url) if external else url


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
    authority = slugify(current_app.config["SITE_NAME"])
    return f"tag:{authority},{date or FEED_SINCE}:{quote(specific, safe='/?=&%')}"


def is_web_url(url: str) -> bool:
    """Tell whether a URL may become a link: http or https only (never javascript: and friends)."""
    return bool(re.match(r"^https?://[^\s/?#]+", url.strip(), re.IGNORECASE)) and not any(
        ch in url for ch in "\x00\r\n\t<>\"'` "
    )
