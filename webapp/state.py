"""A search page's state as a URL, and the URLs of every change a reader can make to it.

A state is the query string of /search (minus the page) plus an optional `Scope`: the filter a
browsing page such as /themes/autonomy fixes in its path. Removing the scope leads to /search
with the rest of the state, so every browsing page is the search with one filter set. The
filters of facets an archive's field map adds (`facet_<name>`) are kept as they come; the core
says which the index has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.facetdefs import BY_NAME, FACETS, FIELD_PARAM
from indexer.params import field_facet_names

FILTERS = tuple(f.name for f in FACETS)
PARAMS = ("q", *FILTERS, "from", "to", "sort", "per_page", "facet_size", "subject", "typos")
Pairs = tuple[tuple[str, str], ...]


def same(facet: str, a: str, b: str) -> bool:
    """Tell whether two values of a facet select the same thing, as the core compares them
    (a theme's slug and its words, an author in any case)."""
    known = BY_NAME.get(facet)
    return known.key(a) == known.key(b) if known else a.lower() == b.lower()


@dataclass(frozen=True)
class Scope:
    """The filter a browsing page fixes: facet, value, the page's path and how to name it."""

    facet: str
    value: str
    path: str
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class SearchState:
    """The parameters of one search page, as (name, value) pairs in URL order."""

    pairs: Pairs
    path: str = "/search"
    scope: Scope | None = None
    page: tuple[str, ...] = field(default=())  # as given, parsed (and checked) by the core

    @classmethod
    def from_args(
        cls, args: MultiDict, path: str = "/search", scope: Scope | None = None
    ) -> SearchState:
        names = (*PARAMS, *(FIELD_PARAM + name for name in field_facet_names(args)))
        pairs = tuple((k, v) for k in names for v in args.getlist(k) if v.strip())
        if scope:
            pairs = tuple(p for p in pairs if not (p[0] == scope.facet and same(*p, scope.value)))
        return cls(pairs, path, scope, tuple(args.getlist("page")))

    def get(self, name: str) -> list[str]:
        """Return a parameter's values, the scope's value included (for parse_request)."""
        if name == "page":
            return list(self.page)
        values = [v for k, v in self.pairs if k == name]
        if self.scope and self.scope.facet == name:
            values.insert(0, self.scope.value)
        return values

    def field_facets(self) -> list[str]:
        """Return the names of the field map's facets it filters by (facet_<name>)."""
        return list(dict.fromkeys(field_facet_names(k for k, _ in self.pairs)))

    def all_pairs(self) -> Pairs:
        """Return the pairs with the scope as an ordinary filter (for /search, exports, feeds)."""
        if not self.scope:
            return self.pairs
        return ((self.scope.facet, self.scope.value),) + self.pairs

    def url(self, pairs: Iterable[tuple[str, str]] | None = None, path: str | None = None) -> str:
        query = urlencode(list(self.pairs if pairs is None else pairs))
        return (path or self.path) + ("?" + query if query else "")

    def replaced(self, name: str, values: Sequence[str]) -> Pairs:
        kept = tuple(p for p in self.pairs if p[0] != name)
        return kept + tuple((name, v) for v in values if v)

    def page_url(self, page: int) -> str:
        return self.url(self.pairs + ((("page", str(page)),) if page > 1 else ()))

    def _has(self, facet: str, value: str) -> bool:
        # The core matches filter values without regard to case; so do the links.
        return any(k == facet and same(facet, v, value) for k, v in self.pairs)

    def toggle_url(self, facet: str, value: str) -> str:
        """Return the URL with a facet value added, or removed if it is selected."""
        if self._has(facet, value) or self.is_scope(facet, value):
            return self.remove_url(facet, value)
        return self.url(self.pairs + ((facet, value),))

    def remove_url(self, facet: str, value: str) -> str:
        if self.is_scope(facet, value):
            return self.url(self.pairs, path="/search")
        return self.url(p for p in self.pairs if not (p[0] == facet and same(facet, p[1], value)))

    def is_scope(self, facet: str, value: str) -> bool:
        return bool(
            self.scope and self.scope.facet == facet and same(facet, self.scope.value, value)
        )

    def range_url(self, start: str | None, end: str | None) -> str:
        pairs = self.replaced("from", [start or ""])
        return self.url(tuple(p for p in pairs if p[0] != "to") + ((("to", end),) if end else ()))

    def query_url(self, q: str) -> str:
        return self.url(self.replaced("q", [q]))

    def clear_url(self) -> str:
        """Return the URL of the same query with no filters and no dates."""
        return self.url(
            p for p in self.pairs if p[0] in ("q", "sort", "per_page", "subject", "typos")
        )

    def export_url(self, path: str) -> str:
        return self.url(self.all_pairs(), path=path)

    def hidden(self) -> Pairs:
        """Return the pairs a search form must carry that it has no visible field for."""
        return tuple(p for p in self.pairs if p[0] in ("per_page", "subject", "typos"))
