"""The search core: one object that the CLI and the web app ask everything of.

Moving parts: `_View` (one open generation: Whoosh searcher, facet table, taxonomy), kept per
thread and replaced when the index changes, so no state outlives a generation; `search`
(parse -> match -> filter and count facets -> rank or sort one page -> snippets -> did-you-mean);
`iter_hits` for exports; `entry` with related entries.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
from whoosh.searching import Searcher

from indexer import generations as gens
from indexer.analysis import stems
from indexer.documents import day_text
from indexer.facets import Counts, FacetTable, FilterSet, count, facets
from indexer.highlight import snippet
from indexer.query import ParsedQuery, expand_wildcards, parse_text
from indexer.related import related_entries
from indexer.results import Entry, Hit, SearchRequest, SearchResult
from indexer.suggest import suggestion
from indexer.themes import Theme, load_taxonomy

SEARCH_SECONDS = 2.0  # past this, a costly query answers with what it has, marked partial


class IndexMissing(Exception):
    """There is no index yet; `perspectives index` builds one."""


@dataclass
class _View:
    """One generation of the index as one thread reads it."""

    name: str
    searcher: Searcher
    table: FacetTable
    taxonomy: dict[str, Theme]
    built: str

    def close(self) -> None:
        self.searcher.close()


class Library:
    """Search, browse and read the entries of one index folder."""

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        self._local = threading.local()

    # -- the open generation -------------------------------------------------------------

    def _view(self) -> _View:
        """Return this thread's view of the current generation, reopening it if it changed."""
        name = gens.current_name(self.index_dir)
        if name is None:
            raise IndexMissing(f"no index in {self.index_dir}: run 'perspectives index' first")
        view: _View | None = getattr(self._local, "view", None)
        if view is not None and view.name == name and view.searcher.up_to_date():
            return view
        if view is not None:
            # open afresh: Searcher.refresh() reuses segment readers and misses new deletions
            view.close()
        view = self._open(name)
        self._local.view = view
        return view

    def _open(self, name: str) -> _View:
        path = self.index_dir / name
        searcher = whoosh_index.open_dir(str(path)).searcher()
        taxonomy, _ = load_taxonomy(path / "themes.yaml")
        built = gens.read_manifest(path).built
        return _View(name, searcher, FacetTable.from_reader(searcher.reader()), taxonomy, built)

    def info(self) -> dict[str, Any]:
        """Return the generation, entry count and build time of the index being read."""
        view = self._view()
        return {"generation": view.name, "entries": len(view.table.live), "built": view.built}

    def taxonomy(self) -> dict[str, Theme]:
        """Return the theme taxonomy the index was built with."""
        return self._view().taxonomy

    # -- searching -----------------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        """Return one page of results with disjunctive facet counts, snippets and did-you-mean."""
        view = self._view()
        parsed, counts, partial = self._match(view, req)
        want = req.page * req.per_page
        order = self._order(view, req, parsed, counts.docs, want)
        page = order[(req.page - 1) * req.per_page : want]
        terms = self._highlight_terms(parsed)
        hits = tuple(self._hit(view, n, score, terms) for n, score in page)
        labels = {slug: t.label for slug, t in view.taxonomy.items()}
        return SearchResult(
            request=req,
            total=len(counts.docs),
            hits=hits,
            facets=facets(counts, req, labels),
            suggestion=suggestion(view.searcher, req.q) if req.q.strip() else None,
            partial=partial,
            generation=view.name,
        )

    def iter_hits(self, req: SearchRequest, snippets: bool = True) -> Iterator[Hit]:
        """Yield every result of the request (all pages) in its sort order."""
        view = self._view()
        parsed, counts, _ = self._match(view, req)
        terms = self._highlight_terms(parsed) if snippets else None
        for n, score in self._order(view, req, parsed, counts.docs, len(counts.docs)):
            yield self._hit(view, n, score, terms)

    def _match(self, view: _View, req: SearchRequest) -> tuple[ParsedQuery, Counts, bool]:
        """Find the documents matching the query text, then filter and count them."""
        q = parse_text(req.q, view.searcher.schema)
        parsed = expand_wildcards(q, view.searcher.reader()) if q is not None else ParsedQuery(None)
        if parsed.query is None:
            matches: Any = view.table.live
            partial = False
        else:
            matches, partial = self._docs(view, parsed.query)
        counts = count(view.table, matches, FilterSet.from_request(req))
        return parsed, counts, partial or parsed.partial

    def _docs(self, view: _View, q: wq.Query) -> tuple[list[int], bool]:
        """Return the document numbers matching q, stopping at the time limit."""
        deadline = time.perf_counter() + SEARCH_SECONDS
        out: list[int] = []
        for i, n in enumerate(view.searcher.docs_for_query(q)):
            out.append(n)
            if i % 4096 == 4095 and time.perf_counter() > deadline:
                return out, True
        return out, False

    def _order(self, view: _View, req: SearchRequest, parsed: ParsedQuery, docs: list[int],
               want: int) -> list[tuple[int, float]]:
        """Return the first `want` documents in the request's order, with scores."""
        days = view.table.days
        if req.sort == "oldest":
            return [(n, 0.0) for n in heapq.nsmallest(want, docs, key=lambda n: (days[n], n))]
        if req.sort == "newest" or parsed.query is None:
            return [(n, 0.0) for n in heapq.nlargest(want, docs, key=lambda n: (days[n], -n))]
        if not docs:
            return []
        # the filter goes outside the time limit, which would bypass it; no SIGALRM off the main thread
        limited = TimeLimitCollector(view.searcher.collector(limit=want), SEARCH_SECONDS,
                                     use_alarm=False)
        collector = FilterCollector(limited, allow=set(docs))
        try:
            view.searcher.search_with_collector(parsed.query, collector)
        except TimeLimit:
            pass
        return [(hit.docnum, hit.score or 0.0) for hit in collector.results()]

    def _highlight_terms(self, parsed: ParsedQuery) -> frozenset[str]:
        """Return the analyzed body terms the query matches, for snippets."""
        if parsed.query is None:
            return frozenset()
        terms = {t.decode() if isinstance(t, bytes) else t
                 for f, t in parsed.query.iter_all_terms() if f in ("title", "body")}
        for word in parsed.expanded:
            terms.update(stems(word))
        return frozenset(terms)

    def _hit(self, view: _View, n: int, score: float, terms: frozenset[str] | None) -> Hit:
        f = view.searcher.stored_fields(n)
        return Hit(
            id=f["id"], title=f["title"], author=f["author"], date=day_text(f["day"]),
            section=f.get("section", ""), section_heading=f.get("section_heading", ""),
            themes=tuple(t for t in f.get("themes", "").split(",") if t),
            source=f.get("source", ""), note=f.get("note", ""),
            snippet=snippet(f.get("body", ""), terms) if terms is not None else "",
            score=round(float(score), 4),
        )

    # -- entries -------------------------------------------------------------------------

    def entry(self, entry_id: str, related: int = 5) -> Entry | None:
        """Return the entry with that id and its related entries, or None."""
        view = self._view()
        n = view.searcher.document_number(id=entry_id)
        if n is None:
            return None
        f = view.searcher.stored_fields(n)
        return Entry(
            id=f["id"], title=f["title"], author=f["author"], date=day_text(f["day"]),
            section=f.get("section", ""), section_heading=f.get("section_heading", ""),
            themes=tuple(t for t in f.get("themes", "").split(",") if t),
            source=f.get("source", ""), note=f.get("note", ""), body=f.get("markdown", ""),
            path=f.get("path", ""),
            related=related_entries(view.searcher, n, related) if related else (),
        )

