"""The indexed document, defined here once: a Perspective becomes the Whoosh document that stores
and indexes it (`make_document`); the indexed fields derived from the stored ones
(`derived_fields`: query keys and facet columns) are computed here for a new document and for
one rebuilt from an older generation (stored.py); what every result shape shows of an entry
comes from its stored fields through `summary` (results.Hit, results.Entry), whose first part,
`brief`, is all that a list of other entries shows of each (results.Related, results.Duplicate).
The fields themselves are declared in schema.py, the facets in facetdefs.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from indexer.facetdefs import FACETS, Facet
from indexer.languages import ENGLISH, detect
from indexer.markup import plain_text
from indexer.records import Perspective
from indexer.slugs import theme_slug as slugify


def day_number(p: Perspective) -> int:
    """Return the entry's date as YYYYMMDD."""
    return p.date.year * 10000 + p.date.month * 100 + p.date.day


def make_document(
    p: Perspective,
    themes: tuple[str, ...],
    body: str | None = None,
    facets: Sequence[Facet] = FACETS,
) -> dict[str, Any]:
    """Return the fields to add to the index for one entry with its themes and plain body
    (and the values of the `facets` a field map adds)."""
    body = plain_text(p.body) if body is None else body
    doc = {
        "language": p.language or detect(p.title, body),
        "id": p.id,
        "path": p.path,
        "title": p.title,
        "body": body,
        "markdown": p.body,
        "author": p.author,
        "authors": p.authors,
        "section": p.section,
        "section_heading": p.section_heading,
        "themes": ",".join(themes),
        "theme_labels": theme_labels(p, themes),
        "day": day_number(p),
        "source": p.source,
        "note": p.note,
        "line": p.line,
    }
    own = dict(p.facets)
    doc.update({f.stored: own[f.name] for f in facets if not f.request and f.name in own})
    return doc | derived_fields(doc, facets)


def derived_fields(fields: Mapping[str, Any], facets: Sequence[Facet] = FACETS) -> dict[str, Any]:
    """Return the indexed-only fields of an entry with these stored fields: the keys that
    `author:` and `section:` search, and the columns of these facets."""
    return {
        "author_key": ",".join(a.replace(",", " ") for a in fields.get("authors", ())),
        "section_key": fields.get("section", ""),
        **facet_columns(fields, facets),
    }


def brief(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return what every result shape shows of an entry, even in a list of others (its id,
    title, author line and date), from its stored fields."""
    return {
        "id": fields["id"],
        "title": fields["title"],
        "author": fields["author"],
        "date": day_text(fields["day"]),
    }


def summary(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a hit or an entry shows of it (its brief and more), from its stored fields."""
    return {
        **brief(fields),
        "section": fields.get("section", ""),
        "section_heading": fields.get("section_heading", ""),
        "themes": tuple(t for t in fields.get("themes", "").split(",") if t),
        "source": fields.get("source", ""),
        "note": fields.get("note", ""),
        "authors": tuple(fields.get("authors", ())),
        "language": fields.get("language") or ENGLISH,
    }


def facet_columns(fields: Mapping[str, Any], facets: Sequence[Facet] = FACETS) -> dict[str, str]:
    """Return the facet columns of an entry with these stored fields."""
    return {f.column: f.column_text(fields) for f in facets}


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
