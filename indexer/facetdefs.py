"""The facets, each declared once: name, the index column of its values, one or several values
per entry, how a filter value is compared with a value, and where labels come from.

The facet table and counts (facets.py), request parsing (params.py), the indexed document
(documents.py, stored.py) and the web layer iterate over `FACETS`; the date facets (year,
month) come from the `day` column instead. Adding a facet is one `Facet` here and one field of
`SearchRequest` to hold its selections.

An archive's field map may add facets of its own (`field_facet`): each is filtered by the
parameter `facet_<name>`, its selections are held in `SearchRequest.extra`, and an index keeps
the ones it was built with beside it (`save_index_facets`, `index_facets`), so that reading
it needs no field map.

A multi-valued column holds an entry's values joined by `SEP`; a value whose label is not the
value itself (a tag "open source" is the theme `open-source`) carries it after `LABEL_SEP`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any

from indexer.slugs import theme_slug

SEP = "\x1f"  # between the values of a multi-valued column (a name may hold "|" or ",")
LABEL_SEP = "\x1e"  # between a value and its label
FIELD_PARAM = (
    "facet_"  # a field map's facet is filtered by facet_<name>, a built-in one by its name
)
INDEX_FILE = "facets.json"  # beside an index: the facets its field map added


def _lower(value: str) -> str:
    return value.strip().casefold()


def _section_key(value: str) -> str:
    # a filter may give the full heading ("The Evidence: Data-Driven …") for the short name
    return value.split(":")[0].strip().casefold()


def _language_key(value: str) -> str:
    # a filter may name a language by code or name ("ja", "Japanese", "de-AT")
    from indexer.languages import language_code

    return language_code(value) or _lower(value)


@dataclass(frozen=True)
class Facet:
    """One facet: what it is called, where its values are, and how they match a filter."""

    name: str  # the URL parameter, the API's facet key, the CLI option ("author")
    title: str  # how a page names it ("Author")
    request: str  # the SearchRequest field holding its selections ("authors"; "": `extra`)
    stored: str  # the stored field its values come from
    column: str  # the index column the facet table reads
    multi: bool = False  # an entry may have several values
    key: Callable[[str], str] = _lower  # a value matches a filter when their keys are equal
    labels: str = ""  # the stored field of labels, one per value ("" : a value is its label)
    which: str = ""  # the entries a filter keeps, for the CLI's help ("" : "with this <name>")

    @property
    def param(self) -> str:
        """Return the request parameter that filters it ("author", "facet_source")."""
        return self.name if self.request else FIELD_PARAM + self.name

    def values(self, fields: Mapping[str, Any]) -> tuple[str, ...]:
        """Return an entry's values from its stored fields."""
        raw = fields.get(self.stored) or ()
        items = (raw.split(",") if self.multi else [raw]) if isinstance(raw, str) else raw
        return tuple(v for v in items if v)

    def column_text(self, fields: Mapping[str, Any]) -> str:
        """Return what the facet's column holds for an entry with these stored fields."""
        values = self.values(fields)
        if not self.multi:
            return values[0] if values else ""
        labels = tuple(fields.get(self.labels) or ()) if self.labels else ()
        return SEP.join(
            v + LABEL_SEP + label if label and label != v else v
            for v, label in zip_longest(values, labels[: len(values)], fillvalue="")
        )

    def selected(self, wanted: tuple[str, ...]) -> frozenset[str]:
        """Return the keys of a request's selections."""
        return frozenset(k for k in map(self.key, wanted) if k)


FACETS = (
    Facet("theme", "Theme", "themes", stored="themes", column="themes_col", multi=True,
          key=theme_slug, labels="theme_labels"),
    Facet("author", "Author", "authors", stored="authors", column="authors_col", multi=True,
          which="by this author"),
    Facet("section", "Section", "sections", stored="section", column="section",
          key=_section_key, which="of this section"),
    Facet("language", "Language", "languages", stored="language", column="language",
          key=_language_key, which="in this language: a code (ja) or name"),
)  # fmt: skip
BY_NAME = {f.name: f for f in FACETS}
# names a field map's facet cannot take: the built-in ones, the date facets, and "size"
# (facet_size is the parameter of how many values each facet lists)
RESERVED = frozenset({*BY_NAME, "year", "month", "day", "size"})


def facet(name: str) -> Facet:
    """Return the facet of that name."""
    return BY_NAME[name]


def field_facet(name: str, title: str, multi: bool = False) -> Facet:
    """Return a facet a field map adds: its values are stored as a tuple in `facet_<name>`
    and counted from the column `facetcol_<name>`."""
    return Facet(name, title, "", stored=f"facet_{name}", column=f"facetcol_{name}", multi=multi)


def save_index_facets(generation: Path, facets: Sequence[Facet]) -> None:
    """Write the field map's facets beside a new index (none: no file)."""
    extra = [{"name": f.name, "title": f.title, "multi": f.multi} for f in facets if not f.request]
    if extra:
        (generation / INDEX_FILE).write_text(json.dumps(extra), encoding="utf-8")


def index_facets(generation: Path) -> tuple[Facet, ...]:
    """Return the facets of an index: the built-in ones, then those its field map added."""
    try:
        extra = json.loads((generation / INDEX_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return FACETS
    return FACETS + tuple(field_facet(f["name"], f["title"], f["multi"]) for f in extra)


def parse_column(text: str) -> list[tuple[str, str]]:
    """Return the (value, label) items of a multi-valued column ("" label: the value)."""
    out = []
    for item in text.split(SEP):
        value, _, label = item.partition(LABEL_SEP)
        if value:
            out.append((value, label))
    return out
