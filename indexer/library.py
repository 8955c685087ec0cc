"""The search core: one object that the CLI and the web app ask everything of.

Moving parts: `_View` (one open generation: Whoosh searcher, facet table, taxonomy), kept per
thread and replaced when the index changes, so no state outlives a generation; `search`
(parse -> match -> filter and count facets -> rank or sort one page -> snippets -> did-you-mean);
`iter_hits` for exports; `entry` with related entries.
"""

from __future__ import annotations

import mmap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from indexer import generations as gens
from indexer.analysis import stems
from indexer.documents import day_text, plain_text
from indexer.facets import Counts, FacetTable, FilterSet, count, facets
from indexer.highlight import snippet
from indexer.postings import PostingCache, Postings, evaluate
from indexer.query import ParsedQuery, expand_wildcards, parse_text
from indexer.related import related_entries
from indexer.results import Entry, Hit, SearchRequest, SearchResult
from indexer.suggest import suggestion
from indexer.themes import Theme, load_taxonomy

SEARCH_SECONDS = 2.0  # past this, a costly query answers with what it has, marked partial
# Past this much of the process's memory in mapped file pages (the index's, and the libraries'
# code), the pages of the index read so far are handed back (_View.release).
MAPPED_MB = 96
_PAGE = mmap.PAGESIZE


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
    lengths: dict[str, np.ndarray] = field(default_factory=dict)  # per field, for BM25
    postings: PostingCache = field(default_factory=PostingCache)  # see postings.Postings

    def close(self) -> None:
        self.searcher.close()

    def release(self) -> None:
        """Hand back the pages of the index this view has read: Whoosh maps each segment
        into memory, and a page read once counts in the process's resident memory for as long
        as the segment is open (an export reads all of them). The pages stay in the operating
        system's file cache, so reading them again costs a minor fault, not a disk read."""
        if not hasattr(mmap, "MADV_DONTNEED"):
            return
        for source in self.maps():
            try:
                source.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # closed meanwhile, or not supported here
                pass

    def maps(self) -> list[mmap.mmap]:
        """Return the memory maps of this view's compound segments."""
        out = []
        for leaf, _ in self.searcher.reader().leaf_readers():
            storage = getattr(leaf, "_storage", None)
            storage = getattr(storage, "a", storage)  # a compound segment over its folder
            source = getattr(storage, "_source", None)
            if isinstance(source, mmap.mmap):
                out.append(source)
        return out


class HitStream(Iterator[Hit]):
    """Every result of a request, matched already: how many (`total`), then each as it is read."""

    def __init__(self, total: int, hits: Iterator[Hit]) -> None:
        self.total = total
        self._hits = hits

    def __next__(self) -> Hit:
        return next(self._hits)


class Library:
    """Search, browse and read the entries of one index folder."""

    def __init__(self, index_dir: Path | str) -> None:
        self.index_dir = Path(index_dir)
        self._local = threading.local()
        # Shared by the threads: what each segment holds never changes once written, so a
        # view opened after an incremental run reads only the new segment's columns.
        self._lock = threading.Lock()
        self._tables: dict[str, FacetTable] = {}  # by segment id
        self._lengths: dict[tuple[str, str], np.ndarray] = {}  # by (segment id, field)
        self._built: dict[str, str] = {}  # by generation

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
            self._local.view = None  # opening may fail (a half-synced generation): retry next time
        view = self._open(name)
        self._local.view = view
        return view

    def _open(self, name: str) -> _View:
        path = self.index_dir / name
        searcher = whoosh_index.open_dir(str(path)).searcher()
        taxonomy, _ = load_taxonomy(path / "themes.yaml")
        with self._lock:
            if name not in self._built:  # the manifest is large; its build time stays
                self._built = {name: gens.read_manifest(path).built}
            built = self._built[name]
            table = FacetTable.from_reader(searcher.reader(), self._tables)
            # forget what was kept of segments the index no longer has
            segments = {leaf.segment().segment_id() for leaf, _ in searcher.reader().leaf_readers()}
            for gone in set(self._tables) - segments:
                del self._tables[gone]
            for key in [k for k in self._lengths if k[0] not in segments]:
                del self._lengths[key]
        return _View(name, searcher, table, taxonomy, built)

    def info(self) -> dict[str, Any]:
        """Return the generation, entry count and build time of the index being read."""
        view = self._view()
        return {"generation": view.name, "entries": int(view.table.live.sum()), "built": view.built}

    def taxonomy(self) -> dict[str, Theme]:
        """Return the theme taxonomy the index was built with."""
        return self._view().taxonomy

    # -- searching -----------------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        """Return one page of results with disjunctive facet counts, snippets and did-you-mean."""
        view = self._view()
        parsed, counts, scores, partial = self._match(view, req)
        want = req.page * req.per_page
        page = self._order(view, req, scores, counts.docs, want)[(req.page - 1) * req.per_page :]
        terms = self._highlight_terms(parsed)
        hits = tuple(self._hit(view, n, score, terms) for n, score in page)
        labels = {slug: t.label for slug, t in view.taxonomy.items()}
        result = SearchResult(
            request=req,
            total=len(counts.docs),
            hits=hits,
            facets=facets(counts, req, labels, req.facet_size),
            suggestion=suggestion(view.searcher, req.q) if req.q.strip() else None,
            partial=partial,
            generation=view.name,
        )
        _bound_mapped(view)
        return result

    def iter_hits(self, req: SearchRequest, snippets: bool = True) -> HitStream:
        """Match now (a failure raises here, before an export sends a byte), then yield every
        result (all pages) in its sort order."""
        view = self._view()
        parsed, counts, scores, _ = self._match(view, req)
        terms = self._highlight_terms(parsed) if snippets else None
        order = self._order(view, req, scores, counts.docs, len(counts.docs))
        return HitStream(len(order), self._read_hits(view, order, terms))

    def _read_hits(self, view: _View, order: list[tuple[int, float]],
                   terms: frozenset[str] | None) -> Iterator[Hit]:
        for i, (n, score) in enumerate(order):
            if i % 1000 == 999:
                _bound_mapped(view)
            yield self._hit(view, n, score, terms)
        _bound_mapped(view)

    def _match(self, view: _View, req: SearchRequest
               ) -> tuple[ParsedQuery, Counts, np.ndarray | None, bool]:
        """Find and score the documents matching the query text, then filter and count them."""
        q = parse_text(req.q, view.searcher.schema)
        parsed = expand_wildcards(q, view.searcher.reader()) if q is not None else ParsedQuery(None)
        live = view.table.live
        if parsed.query is None:
            counts = count(view.table, live, FilterSet.from_request(req))
            return parsed, counts, None, False
        ctx = self._postings(view)
        ids, found = evaluate(parsed.query, ctx)
        matched = np.zeros(len(live), dtype=bool)
        matched[ids] = True
        scores = np.zeros(len(live))
        scores[ids] = found
        counts = count(view.table, matched, FilterSet.from_request(req))
        return parsed, counts, scores, ctx.partial or parsed.partial

    def _postings(self, view: _View) -> Postings:
        """Return a query evaluator over this view, with its caches and a fresh time limit."""
        return Postings(view.searcher, view.table.live, time.perf_counter() + SEARCH_SECONDS,
                        _lengths=view.lengths, _terms=view.postings, _segments=self._lengths)

    def _order(self, view: _View, req: SearchRequest, scores: np.ndarray | None,
               docs: np.ndarray, want: int) -> list[tuple[int, float]]:
        """Return the first `want` documents in the request's order, with scores."""
        days = view.table.days[docs].astype(np.int64)
        if req.sort == "oldest" or req.sort == "newest" or scores is None:
            # one key per document: the day, then the docnum, so the order is total
            day_key = days if req.sort == "oldest" else -days
            key = (day_key << 32) + docs
            top = np.argpartition(key, want - 1)[:want] if 0 < want < len(docs) else np.arange(len(docs))
            order = top[np.argsort(key[top])]
        else:
            ranked = scores[docs]
            if want < len(docs):
                # every document tied with the last one taken competes, so pages never overlap
                cut = ranked[np.argpartition(-ranked, want - 1)[:want]].min()
                top = np.flatnonzero(ranked >= cut)
                order = top[np.lexsort((docs[top], -ranked[top]))][:want]
            else:
                order = np.lexsort((docs, -ranked))
        chosen = docs[order]
        points = scores[chosen] if scores is not None else np.zeros(len(chosen))
        return [(int(n), float(p)) for n, p in zip(chosen, points)]

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
            snippet=snippet(plain_text(f.get("markdown", "")), terms) if terms is not None else "",
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
        entry = Entry(
            id=f["id"], title=f["title"], author=f["author"], date=day_text(f["day"]),
            section=f.get("section", ""), section_heading=f.get("section_heading", ""),
            themes=tuple(t for t in f.get("themes", "").split(",") if t),
            source=f.get("source", ""), note=f.get("note", ""), body=f.get("markdown", ""),
            path=f.get("path", ""),
            related=related_entries(view.searcher, n, related, self._postings(view)) if related else (),
        )
        _bound_mapped(view)
        return entry


def _bound_mapped(view: _View) -> None:
    """Release the view's read index pages when mapped file pages pass MAPPED_MB."""
    try:
        with open("/proc/self/statm", "rb") as f:  # Linux: pages resident and file-backed
            mapped = int(f.read().split()[2]) * _PAGE
    except (OSError, ValueError, IndexError):
        return
    if mapped > MAPPED_MB * 1024 * 1024:
        view.release()

