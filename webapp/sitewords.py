"""The archive's own words on every page: the home page's introduction, the example searches, the
search box's placeholder and the footer, from the editors' site.yaml (indexer/site.py) where
they wrote them and from the archive itself where they did not.

Nothing here may break a page: without an index, or with a site.yaml that cannot be read, the
pages show neutral words about the archive.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from indexer.library import IndexMissing, Library

EXAMPLES = 4
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteWords:
    """What the pages say about the archive."""

    name: str  # SITE_NAME: the brand, page titles, feeds, citations
    title: str  # the home page's heading
    description: str  # the home page's introduction and the pages' meta description
    about: str  # the footer
    examples: tuple[str, ...]
    placeholder: str
    entries: int = 0
    first_year: str = ""
    last_year: str = ""
    from_editors: bool = False  # the examples are the editors' (else drawn from the archive)


def site_words(library: Library, name: str) -> SiteWords:
    """Return the archive's words: the editors' where given, else drawn from the index."""
    try:
        site = library.site()
        info = library.info()
        examples = site.examples or library.examples(EXAMPLES)
    except IndexMissing:
        return _neutral(name)
    except (OSError, ValueError) as error:  # a half-synced generation, say: never a broken page
        _LOG.warning("the archive's words could not be read: %s", error)
        return _neutral(name)
    entries = int(info.get("entries", 0))
    first, last = str(info.get("first", ""))[:4], str(info.get("last", ""))[:4]
    noun = "entry" if entries == 1 else "entries"
    span = (
        f" from {first} to {last}"
        if first and last and first != last
        else (f", all from {first}" if first else "")
    )
    description = site.description or (
        f"{entries:,} {noun}{span}. Search them in any spelling, narrow them by date and by what "
        "they are filed under, and cite or export what you find."
    )
    about = site.about or (
        f"{name} keeps {entries:,} {noun}: searchable, citable, exportable. "
        "Each entry links to where it was first published."
    )
    return SiteWords(
        name=name,
        title=site.title or f"Search {name}",
        description=description,
        about=about,
        examples=examples,
        placeholder=site.placeholder or _placeholder(examples),
        entries=entries,
        first_year=first,
        last_year=last,
        from_editors=bool(site.examples),
    )


def _placeholder(examples: tuple[str, ...]) -> str:
    shown = [f'"{e}"' if " " in e else e for e in examples[:3]]
    return ", ".join(shown) if shown else 'Words, "a phrase", or the start of a word*'


def _neutral(name: str) -> SiteWords:
    return SiteWords(
        name,
        f"Search {name}",
        "An archive to search, browse, cite and export.",
        f"{name}: searchable, citable, exportable.",
        (),
        "",
    )
