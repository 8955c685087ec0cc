"""Turn a Perspective into the Whoosh document that stores and indexes it."""

from __future__ import annotations

import re
from typing import Any

from indexer.facetdefs import FACETS
from indexer.records import Perspective
from indexer.slugs import theme_slug as slugify

_RULES = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: keep the alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links: keep the text
    (re.compile(r"<[A-Za-z/!][^<>]{0,4000}>"), " "),  # raw HTML tags, attributes and all
    (re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+", re.MULTILINE), ""),  # block markers
    (re.compile(r"(\*\*|__|\*|`+|~~)"), ""),  # emphasis and code markers
    (re.compile(r"^\s*([-*_]\s*){3,}$", re.MULTILINE), ""),  # rules
]


def plain_text(markdown: str) -> str:
    """Return the readable text of a markdown body, for indexing and snippets."""
    text = markdown
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def day_number(p: Perspective) -> int:
    """Return the entry's date as YYYYMMDD."""
    return p.date.year * 10000 + p.date.month * 100 + p.date.day


def make_document(p: Perspective, themes: tuple[str, ...], body: str | None = None
                  ) -> dict[str, Any]:
    """Return the fields to add to the index for one entry with its themes and plain body."""
    body = plain_text(p.body) if body is None else body
    doc = {
        "id": p.id,
        "path": p.path,
        "title": p.title,
        "body": body,
        "markdown": p.body,
        "author": p.author,
        "authors": p.authors,
        "author_key": ",".join(a.replace(",", " ") for a in p.authors),
        "section": p.section,
        "section_key": p.section,
        "section_heading": p.section_heading,
        "themes": ",".join(themes),
        "theme_labels": theme_labels(p, themes),
        "day": day_number(p),
        "source": p.source,
        "note": p.note,
        "line": p.line,
    }
    return doc | facet_columns(doc)


def facet_columns(fields: dict[str, Any]) -> dict[str, str]:
    """Return the facet columns of an entry with these stored fields."""
    return {f.column: f.column_text(fields) for f in FACETS}


def theme_labels(p: Perspective, themes: tuple[str, ...]) -> tuple[str, ...]:
    """Return a label per theme: the words of the entry's own tag ("open source" for
    `open-source`), "" for a theme only the taxonomy gives (it keeps its themes.yaml label)."""
    own: dict[str, str] = {}
    for tag in p.themes:
        own.setdefault(slugify(tag), " ".join(tag.split()))
    return tuple(own.get(t, "") for t in themes)


def vocabulary_document(words: set[str]) -> dict[str, Any]:
    """Return the document that holds vocabulary words (day 0 marks it: it is no entry)."""
    return {"words": " ".join(sorted(w for w in words if " " not in w)), "day": 0}


def day_text(day: int) -> str:
    """Return a YYYYMMDD number as YYYY-MM-DD."""
    return f"{day // 10000:04d}-{day // 100 % 100:02d}-{day % 100:02d}"
