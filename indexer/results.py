"""The shapes the search core answers with: requests, hits, facets, entries.

One result shape for every caller: the CLI prints it, the web app adds URLs and renders it.
`to_dict()` gives the JSON shape of DESIGN.md (without URLs, which the callers add).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from indexer.facetdefs import BY_NAME, FACETS

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100


class BadParameter(ValueError):
    """A request parameter that cannot be used; names the parameter, what was expected and what came."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True)
class DateBound:
    """An inclusive date bound as given (YYYY, YYYY-MM or YYYY-MM-DD) and the day it means."""

    text: str
    day: dt.date


@dataclass(frozen=True)
class SearchRequest:
    """What to search: query text, filters (values of one facet OR-ed, facets AND-ed), sort, page."""

    q: str = ""
    themes: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    # the selections of facets the archive's field map adds: (name, values) per facet
    extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    date_from: DateBound | None = None
    date_to: DateBound | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    facet_size: int = (
        0  # values listed per facet, most frequent first (selected ones always); 0: all
    )
    subject: bool = (
        True  # a plain query that finds few entries is followed by entries on its subject
    )
    typos: bool = True  # a plain word the archive lacks also matches its near spellings (typos.py)

    def selected(self, facet: str) -> tuple[str, ...]:
        """Return the selected values of one facet."""
        if facet in BY_NAME:
            return getattr(self, BY_NAME[facet].request)
        return next((values for name, values in self.extra if name == facet), ())

    def filters_dict(self) -> dict[str, Any]:
        """Return the filters as plain data, for export headers and JSON echoes (a field map's
        facet only when selected)."""
        return {
            **{f.name: list(self.selected(f.name)) for f in FACETS},
            **{name: list(values) for name, values in self.extra},
            "from": self.date_from.text if self.date_from else None,
            "to": self.date_to.text if self.date_to else None,
        }


@dataclass(frozen=True)
class SynonymUse:
    """Words of a query and the editors' synonyms searched with them (synonyms.py)."""

    typed: str
    matched: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"typed": self.typed, "matched": list(self.matched)}


@dataclass(frozen=True)
class Hit:
    """One result: the entry's fields and an HTML snippet in which only <mark> is markup."""

    id: str
    title: str
    author: str
    date: str  # YYYY-MM-DD
    section: str
    section_heading: str
    themes: tuple[str, ...]
    source: str
    note: str
    snippet: str
    score: float = 0.0
    partial: bool = False  # holds only some of a plain query's words
    authors: tuple[str, ...] = ()  # each person; `author` is them as one line to display
    subject: bool = False  # holds none of the words: shares the key words of the best matches
    # the editors' synonyms it was found by, where it holds none of the words they stand for
    synonyms: tuple[SynonymUse, ...] = ()
    language: str = "en"  # the entry's language (languages.LANGUAGES code)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of a result (a shallow copy: `asdict` deep-copies every field,
        a tenth of a small search's time)."""
        d = {name: getattr(self, name) for name in _HIT_FIELDS}
        d["themes"] = list(self.themes)
        d["authors"] = list(self.authors)
        d["synonyms"] = [s.to_dict() for s in self.synonyms]
        return d


_HIT_FIELDS = tuple(f.name for f in fields(Hit))


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool
    label: str = ""  # display label (a theme's label); empty means the value itself


@dataclass(frozen=True)
class Facet:
    name: str
    results: tuple[FacetValue, ...]
    distinct: int = 0  # how many values have a count (the list may hold fewer)
    title: str = ""  # how a page names it ("Author", a field map's label)
    param: str = ""  # the request parameter that filters it ("author", "facet_medium"; dates: "")


@dataclass(frozen=True)
class Near:
    """A typed word and the archive's words searched with it, most held first (typos.py)."""

    typed: str
    words: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"typed": self.typed, "words": list(self.words)}


@dataclass(frozen=True)
class SearchResult:
    """One page of results, the total, disjunctive facet counts and a did-you-mean."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: tuple[Facet, ...]
    suggestion: str | None = None
    partial: bool = False  # a time limit cut the search short
    generation: str = ""
    # plain queries of several words: how many results hold every word (they come first;
    # the rest hold most of them); None for one word or a query with operators
    all_words: int | None = None
    # plain queries whose words found few entries: how many entries follow them for sharing
    # the best matches' subject (subject.py), and the key words that brought them
    on_subject: int = 0
    subject_words: tuple[str, ...] = ()
    # plain words the archive lacks (or holds in a few entries), each with the archive words
    # searched with it (typos.py): "desing" -> ("design",)
    near: tuple[Near, ...] = ()
    # plain words for which the archive's synonyms were searched too: "telework" -> ("remote work",)
    synonyms: tuple[SynonymUse, ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    def facet(self, name: str) -> Facet:
        """Return the facet of that name."""
        return next(f for f in self.facets if f.name == name)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON shape of /api/search (results without URLs)."""
        return {
            "query": self.request.q,
            "filters": self.request.filters_dict(),
            "sort": self.request.sort,
            "total": self.total,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "results": [h.to_dict() for h in self.hits],
            "facets": {
                f.name: [
                    {
                        "value": v.value,
                        "count": v.count,
                        "selected": v.selected,
                        "label": v.label or v.value,
                    }
                    for v in f.results
                ]
                for f in self.facets
            },
            "suggestion": self.suggestion,
            "partial": self.partial,
            "all_words": self.all_words,
            "on_subject": self.on_subject,
            "subject_words": list(self.subject_words),
            "near_spellings": [n.to_dict() for n in self.near],
            "synonyms": [s.to_dict() for s in self.synonyms],
        }


@dataclass(frozen=True)
class Related:
    """An entry related to another, with the words (as a reader writes them) they share."""

    id: str
    title: str
    author: str
    date: str
    shared: tuple[str, ...]
    score: float
    themes: tuple[str, ...] = ()  # the shared themes, as labels
    phrases: tuple[str, ...] = ()  # the shared key phrases, as written

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("shared", "themes", "phrases"):
            d[key] = list(d[key])
        return d


@dataclass(frozen=True)
class RelatedAuthor:
    """An author whose entries are close to an entry's (or an author's) themes and key phrases."""

    name: str
    count: int  # their entries that share a theme or a key phrase
    entries: int  # all their entries
    themes: tuple[str, ...]  # the shared themes, as labels, most shared first
    phrases: tuple[str, ...]  # the shared key phrases, as written
    score: float

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["themes"], d["phrases"] = list(self.themes), list(self.phrases)
        return d


@dataclass(frozen=True)
class ThemeTimeline:
    """One of an author's themes: its entries per month, over the author's months."""

    slug: str
    label: str
    total: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class ThemeSeries:
    """One theme over the archive's months: its entries, and its share of all entries (None
    where a month has no entries)."""

    slug: str
    label: str
    total: int
    counts: tuple[int, ...]
    shares: tuple[float | None, ...]  # a fraction, 0 to 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "label": self.label,
            "total": self.total,
            "counts": list(self.counts),
            "shares": list(self.shares),
        }


@dataclass(frozen=True)
class ThemeTrends:
    """Themes' series over every month (YYYY-MM) from the archive's first entry to its last."""

    months: tuple[str, ...]
    entries: tuple[int, ...]  # all the archive's entries, per month
    themes: tuple[ThemeSeries, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "months": list(self.months),
            "entries": list(self.entries),
            "themes": [t.to_dict() for t in self.themes],
        }


@dataclass(frozen=True)
class Duplicate:
    """An entry whose text is nearly the same as another's, and how much (0 to 1)."""

    id: str
    title: str
    author: str
    date: str
    path: str
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DuplicatePair:
    """Two entries whose text is nearly the same."""

    a: Duplicate
    b: Duplicate
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {"similarity": self.similarity, "a": self.a.to_dict(), "b": self.b.to_dict()}


@dataclass(frozen=True)
class Entry:
    """A whole entry as stored in the index, with its related entries."""

    id: str
    title: str
    author: str
    date: str
    section: str
    section_heading: str
    themes: tuple[str, ...]
    source: str
    note: str
    body: str  # markdown as written
    path: str
    related: tuple[Related, ...] = field(default=())
    authors: tuple[str, ...] = ()  # each person; `author` is them as one line to display
    duplicates: tuple[Duplicate, ...] = ()  # entries whose text is nearly the same
    related_authors: tuple[RelatedAuthor, ...] = ()  # who else writes on this
    language: str = "en"  # the entry's language (languages.LANGUAGES code)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["themes"] = list(self.themes)
        d["authors"] = list(self.authors)
        d["related"] = [r.to_dict() for r in self.related]
        d["duplicates"] = [x.to_dict() for x in self.duplicates]
        d["related_authors"] = [a.to_dict() for a in self.related_authors]
        return d
