"""The search core: one object that the CLI and the web app ask everything of.

Moving parts: `_View` (one open generation: Whoosh searcher, facet table, taxonomy), kept per
thread and replaced when the index changes, so no state outlives a generation; `search`
(parse -> match -> filter and count facets -> rank or sort one page -> snippets -> did-you-mean);
`iter_hits` for exports; `entry` with related entries.
"""

from __future__ import annotations

import contextlib
import mmap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer import completions as compl
from indexer import duplicates as dup
from indexer import generations as gens
from indexer import near_copies, people, theme_drafts, whoosh_internals
from indexer import subject as subjects
from indexer.documents import day_text, summary
from indexer.facetdefs import BY_NAME
from indexer.facets import Counts, FacetTable, FilterSet, count, facets
from indexer.facetsearch import Folded, ValuePage, match_values
from indexer.highlight import Group, groups_for, snippet
from indexer.languages import ENGLISH, LANGUAGES
from indexer.matching import (
    TIER,
    Clause,
    exact_tiers,
    is_plain,
    match_clauses,
    plain_clauses,
    single_words,
    with_exact,
    with_languages,
)
from indexer.postings import PostingCache, Postings, evaluate
from indexer.query import ParsedQuery, expand_wildcards, parse_text, resolve_themes
from indexer.related import profile, related_entries
from indexer.results import (
    BadParameter,
    DuplicatePair,
    Entry,
    Hit,
    Near,
    RelatedAuthor,
    SearchRequest,
    SearchResult,
    SynonymUse,
    ThemeTimeline,
)
from indexer.site import SITE_FILE, Site, common_words, load_site
from indexer.subject import Subject
from indexer.suggest import Vocabularies, suggestion
from indexer.synonyms import SYNONYMS_FILE, Expansion, Synonyms, group_rules, load_synonyms
from indexer.themes import Theme, load_taxonomy
from indexer.typos import near_spellings

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
    examples: tuple[str, ...] | None = None  # searches drawn from the archive, once asked
    folded: dict[str, Folded] = field(default_factory=dict)  # per facet, for facet search
    postings: PostingCache = field(default_factory=PostingCache)  # see postings.Postings
    remembered: subjects.Remembered = field(default_factory=subjects.Remembered)  # subject.py
    completions: compl.Completions | None = None  # the vocabulary for suggestions (completions.py)
    named: dict[str, compl.Named] = field(default_factory=dict)  # author, theme: folded names
    looked: float = 0.0  # when a newer completions file was last looked for

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
            with contextlib.suppress(OSError, ValueError):  # closed meanwhile, or unsupported
                source.madvise(mmap.MADV_DONTNEED)

    def maps(self) -> list[mmap.mmap]:
        """Return the memory maps of this view's compound segments."""
        return whoosh_internals.segment_maps(self.searcher.reader())


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
        self._vocabularies = Vocabularies()  # for did-you-mean, of the segments being read
        self._site: tuple[tuple[str, int, int], Site] | None = None  # by (path, mtime, size)
        self._dups: tuple[tuple[str, int, int], dup.Signatures] | None = None  # the same
        self._synonyms: tuple[tuple[str, int, int], Synonyms] | None = None  # the same
        self._completions: tuple[tuple[str, int], compl.Completions] | None = None  # by state

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
            completions = self._opened_completions(name, path, searcher)
        view = _View(name, searcher, table, taxonomy, built, completions=completions)
        labels = _labels(view)
        for facet in ("author", "theme"):
            column = table.columns[facet]
            view.named[facet] = compl.Named.of(column.coded.values,
                                               {**column.labels, **labels.get(facet, {})})
        return view

    def _opened_completions(self, name: str, path: Path, searcher: Searcher) -> compl.Completions:
        """Return the suggestion lists of this state of the index, shared by the threads (read
        from the file `perspectives index` wrote; called under the lock)."""
        key = (name, searcher.reader().generation())
        if self._completions is None or self._completions[0][0] != name:
            self._completions = (key, compl.opened(searcher.reader(), path))
        elif self._completions[0] != key:
            self._completions = (key, compl.refreshed(self._completions[1], searcher.reader(), path))
        return self._completions[1]

    def _current_completions(self, view: _View) -> compl.Completions | None:
        """Return the view's suggestion lists, taking the newer file once an incremental run
        has written it (looked for at most once a second)."""
        held = view.completions
        reader = view.searcher.reader()
        if held is None or held.generation == reader.generation():
            return held
        now = time.monotonic()
        if now - view.looked < 1.0:
            return held
        view.looked = now
        with self._lock:
            view.completions = compl.refreshed(held, reader, self.index_dir / view.name)
        return view.completions

    def info(self) -> dict[str, Any]:
        """Return the generation, entry count, build time, and first and last dates (YYYY-MM-DD,
        "" when empty) of the index being read."""
        view = self._view()
        days = view.table.days[view.table.live]
        first, last = (day_text(int(d)) for d in (days.min(), days.max())) if len(days) else ("", "")
        return {"generation": view.name, "entries": len(days), "built": view.built,
                "first": first, "last": last}

    def version(self) -> str:
        """Return what changes whenever the answers may: the generation and, since incremental
        runs add segments to it, the generation of its Whoosh index (an HTTP validator)."""
        view = self._view()
        return f"{view.name}.{view.searcher.reader().generation()}"

    def taxonomy(self) -> dict[str, Theme]:
        """Return the theme taxonomy the index was built with."""
        return self._view().taxonomy

    def site(self) -> Site:
        """Return what is valid of the editors' site.yaml, as the last index run copied it
        (read again whenever the copy changes; an empty Site if there is none)."""
        name = gens.current_name(self.index_dir)
        path = self.index_dir / name / SITE_FILE if name else None
        try:
            stat = path.stat() if path else None
        except OSError:
            stat = None
        if path is None or stat is None:
            return Site()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        cached = self._site
        if cached is None or cached[0] != key:
            cached = (key, load_site(path)[0])
            self._site = cached
        return cached[1]

    def synonyms(self) -> Synonyms:
        """Return the editors' synonyms as the last index run copied them (read again whenever
        the copy changes), with the themes' own synonyms; none when the file is broken."""
        view = self._view()
        path = self.index_dir / view.name / SYNONYMS_FILE
        try:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
        except OSError:
            key = (view.name, 0, 0)
        cached = self._synonyms
        if cached is None or cached[0] != key:
            found = load_synonyms(path)[0]
            for theme in view.taxonomy.values():
                if theme.synonyms:
                    found = found.merged(Synonyms(group_rules([theme.label, *theme.synonyms])))
            cached = (key, found)
            self._synonyms = cached
        return cached[1]

    def examples(self, n: int = 4) -> tuple[str, ...]:
        """Return searches drawn from the archive itself: its two most used themes, then the
        words most of its titles hold."""
        view = self._view()
        if view.examples is None or len(view.examples) < n:
            column = view.table.columns["theme"]
            counts = column.tally(view.table.live)
            names = self.labels("theme")
            top = [int(i) for i in np.argsort(-counts, kind="stable")[:2] if counts[i] > 0]
            themes = [names.get(column.coded.values[i], column.coded.values[i]) for i in top]
            reader = view.searcher.reader()
            terms = ((t[1:], reader.doc_frequency("title", t))
                     for t in reader.field_terms("title") if t.startswith("="))
            words = common_words(terms, themes, n - len(themes))
            view.examples = tuple(themes + words)
        return view.examples[:n]

    def labels(self, facet: str) -> dict[str, str]:
        """Return the labels of a facet's values that differ from them (a theme's: the
        taxonomy's over the entries' own tags)."""
        view = self._view()
        out = dict(view.table.columns[facet].labels)
        if facet == "theme":
            out.update({slug: t.label for slug, t in view.taxonomy.items()})
        out.update(_labels(view).get(facet, {}) if facet == "language" else {})
        return out

    # -- searching -----------------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        """Return one page of results with disjunctive facet counts, snippets and did-you-mean."""
        view = self._view()
        found = self._match(view, req)
        want = req.page * req.per_page
        page = self._order(view, req, found, want)[(req.page - 1) * req.per_page :]
        groups = self._highlight(found)
        hits = tuple(self._hit(view, n, score, groups, found) for n, score in page)
        labels = _labels(view)
        result = SearchResult(
            request=req,
            total=len(found.counts.docs),
            hits=hits,
            facets=facets(found.counts, req, labels, req.facet_size),
            suggestion=None if found.near else self._suggestion(view, req.q),
            partial=found.partial,
            generation=view.name,
            all_words=found.all_words,
            on_subject=found.on_subject(),
            subject_words=found.subject_words(),
            near=found.near,
            synonyms=found.synonyms,
        )
        _bound_mapped(view)
        return result

    def facet_values(self, req: SearchRequest, name: str, match: str = "", sort: str = "count",
                     offset: int = 0, limit: int = 100) -> ValuePage:
        """Return the values of one facet whose name or label holds the words of `match`,
        counted under the request's query and other filters (facetsearch.py)."""
        if name not in BY_NAME:
            raise BadParameter("facet", f"expected one of {', '.join(BY_NAME)}, got {name!r}")
        view = self._view()
        found = self._match(view, req)
        all_labels = _labels(view)
        labels = {**view.table.columns[name].labels, **all_labels.get(name, {})}
        if name not in view.folded:
            view.folded[name] = Folded.of(view.table.columns[name], labels)
        page = match_values(found.counts, req, name, labels, match, sort, offset, limit,
                            all_labels, view.folded[name])
        _bound_mapped(view)
        return page

    def suggest(self, q: str, limit: int = 8) -> tuple[compl.Suggestion, ...]:
        """Return suggestions for text being typed: completions of its last word (most held
        first), then the themes, authors and titles that match it, at most `limit` in all."""
        if len(q) > compl.MAX_SUGGEST_CHARS:
            raise BadParameter("q", f"at most {compl.MAX_SUGGEST_CHARS} characters, got {len(q)}")
        view = self._view()
        labels = {"theme": self.labels("theme"), "author": view.table.columns["author"].labels}
        sources = compl.Sources(self._current_completions(view), view.named, view.table, labels,
                                view.searcher, self._postings(view))
        return compl.suggest(q, limit, sources)

    def _suggestion(self, view: _View, q: str) -> str | None:
        """Return the query corrected from the archive's vocabulary, when that finds more."""
        if not q.strip():
            return None
        return suggestion(q, view.searcher, self._postings(view), self._vocabularies)

    def iter_hits(self, req: SearchRequest, snippets: bool = True) -> HitStream:
        """Match now (a failure raises here, before an export sends a byte), then yield every
        result (all pages) in its sort order."""
        view = self._view()
        found = self._match(view, req)
        groups = self._highlight(found) if snippets else None
        order = self._order(view, req, found, len(found.counts.docs))
        return HitStream(len(order), self._read_hits(view, order, groups, found))

    def _read_hits(self, view: _View, order: list[tuple[int, float]],
                   groups: tuple[Group, ...] | None, found: _Found) -> Iterator[Hit]:
        for i, (n, score) in enumerate(order):
            if i % 1000 == 999:
                _bound_mapped(view)
            yield self._hit(view, n, score, groups, found)
        _bound_mapped(view)

    def _match(self, view: _View, req: SearchRequest) -> _Found:
        """Find and score the documents matching the query text, then filter and count them."""
        if is_plain(req.q):
            languages = _languages(view, req)
            clauses = plain_clauses(req.q, languages=languages)
            near: dict[str, Near] = {}
            if clauses and req.typos:
                near = near_spellings(single_words(req.q), view.searcher, self._postings(view),
                                      self._vocabularies, languages)
                if near:
                    clauses = plain_clauses(req.q, {k: n.words for k, n in near.items()}, languages)
            clauses, expansions = self.synonyms().expand(clauses)
            if clauses:
                found = self._match_plain(view, req, clauses)
                found.near = tuple(near.values())
                found.synonyms = tuple(e.use for e in expansions)
                found.only_synonyms = self._only_synonyms(view, expansions)
                return found
        return self._match_parsed(view, req)

    def _only_synonyms(self, view: _View, expansions: tuple[Expansion, ...]
                       ) -> list[tuple[SynonymUse, np.ndarray]]:
        """Return, for each use of the synonyms, which entries only the synonyms found."""
        out = []
        ctx = self._postings(view)
        for e in expansions:
            added = np.zeros(len(view.table.live), dtype=bool)
            added[evaluate(e.added, ctx)[0]] = True
            added[evaluate(e.typed, ctx)[0]] = False
            out.append((e.use, added))
        return out

    def _match_plain(self, view: _View, req: SearchRequest, clauses: list[Clause]) -> _Found:
        """Match plain words: every word first, then most of them (matching.py)."""
        ctx = self._postings(view)
        found = match_clauses(clauses, ctx, view.searcher.reader())
        n = len(view.table.live)
        matched = np.zeros(n, dtype=bool)
        matched[found.ids] = True
        scores, rank = np.zeros(n), np.zeros(n)
        scores[found.ids] = found.scores
        rank[found.ids] = found.rank
        filters = FilterSet.from_request(req, _labels(view))
        counts = count(view.table, matched, filters)
        all_words = int(np.count_nonzero(found.held[counts.docs] == found.clauses))
        subject = None
        entries = int(np.count_nonzero(view.table.live))
        if req.subject and 0 < len(counts.docs) < subjects.BELOW and entries >= subjects.ARCHIVE:
            best = counts.docs[np.lexsort((counts.docs, -rank[counts.docs]))]
            asked = frozenset(t for c in clauses for seq in c.group.stem for t in seq)
            subject = subjects.on_subject(best, ctx, view.searcher, view.remembered, asked)
        if subject is not None:
            # after every entry holding a word: the best of those sharing the best ones' key
            # words (the filters apply to them too), by how much they share
            others = np.zeros(n, dtype=bool)
            others[subject.ids[~matched[subject.ids]]] = True
            pool = count(view.table, others, filters).docs
            shared = np.zeros(n)
            shared[subject.ids] = subject.scores
            added = pool[np.lexsort((pool, -shared[pool]))][: subjects.MOST]
            matched[added] = True
            scores[added] = shared[added]
            rank[added] = shared[added] - TIER
            counts = count(view.table, matched, filters)
        parsed = ParsedQuery(wq.Or([c.stem for c in clauses]), found.expanded, found.partial)
        tiers = found.held if found.clauses > 1 or subject is not None else None
        return _Found(parsed, counts, scores, rank, ctx.partial or found.partial,
                      all_words if found.clauses > 1 else None, tiers, found.clauses,
                      tuple(c.group for c in clauses), subject)

    def _match_parsed(self, view: _View, req: SearchRequest) -> _Found:
        """Match query text with operators through the query parser: strict, as typed; the
        entries holding more of the words as typed rank first."""
        q = parse_text(req.q, view.searcher.schema)
        if q is not None:
            q = with_exact(resolve_themes(q, _labels(view)["theme"]), req.q)
            q = with_languages(q, req.q, _languages(view, req))
        parsed = expand_wildcards(q, view.searcher.reader()) if q is not None else ParsedQuery(None)
        live = view.table.live
        if parsed.query is None:
            counts = count(view.table, live, FilterSet.from_request(req, _labels(view)))
            return _Found(parsed, counts, None, None, False)
        ctx = self._postings(view)
        ids, found = evaluate(parsed.query, ctx)
        matched = np.zeros(len(live), dtype=bool)
        matched[ids] = True
        scores = np.zeros(len(live))
        scores[ids] = found
        rank = scores + exact_tiers(parsed.query, ctx) * TIER
        counts = count(view.table, matched, FilterSet.from_request(req, _labels(view)))
        return _Found(parsed, counts, scores, rank, ctx.partial or parsed.partial)

    def _postings(self, view: _View) -> Postings:
        """Return a query evaluator over this view, with its caches and a fresh time limit."""
        return Postings(view.searcher, view.table.live, time.perf_counter() + SEARCH_SECONDS,
                        _lengths=view.lengths, _terms=view.postings, _segments=self._lengths)

    def _order(self, view: _View, req: SearchRequest, found: _Found, want: int
               ) -> list[tuple[int, float]]:
        """Return the first `want` documents in the request's order, with scores."""
        docs, scores, ranked_all = found.counts.docs, found.scores, found.rank
        days = view.table.days[docs].astype(np.int64)
        if found.tiers is not None and req.sort in ("oldest", "newest"):
            # every word first, then most of them, each part by date
            day_key = days if req.sort == "oldest" else -days
            order = np.lexsort((docs, day_key, -found.tiers[docs]))[:want]
        elif req.sort == "oldest" or req.sort == "newest" or scores is None or ranked_all is None:
            # one key per document: the day, then the docnum, so the order is total
            day_key = days if req.sort == "oldest" else -days
            key = (day_key << 32) + docs
            top = np.argpartition(key, want - 1)[:want] if 0 < want < len(docs) else np.arange(len(docs))
            order = top[np.argsort(key[top])]
        else:
            ranked = ranked_all[docs]
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

    def _highlight(self, found: _Found) -> tuple[Group, ...]:
        """Return what the snippets mark: each plain clause, or the parsed query's parts."""
        if found.groups is not None:
            extra = groups_for(None, found.parsed.expanded)
            return found.groups + extra
        return groups_for(found.parsed.query, found.parsed.expanded)

    def _hit(self, view: _View, n: int, score: float, groups: tuple[Group, ...] | None,
             found: _Found) -> Hit:
        f = view.searcher.stored_fields(n)
        subject = found.is_subject(n)
        if subject and groups is not None and found.subject is not None:
            groups = found.subject.groups  # the key words it shares with the best matches
        return Hit(
            **summary(f),
            snippet=snippet(f.get("body", ""), groups) if groups is not None else "",
            score=round(float(score), 4), partial=found.is_partial(n) and not subject, subject=subject,
            synonyms=found.synonyms_of(n),
        )

    # -- entries -------------------------------------------------------------------------

    def related_authors(self, name: str, limit: int = 5) -> tuple[RelatedAuthor, ...]:
        """Return the authors closest to an author's themes and key phrases (people.py)."""
        view = self._view()
        return people.near_author(view.searcher, view.table, self._postings(view), name,
                                  _labels(view)["theme"], limit)

    def author_timeline(self, name: str) -> tuple[tuple[str, ...], tuple[ThemeTimeline, ...]]:
        """Return an author's months and their themes' entries per month (people.py)."""
        view = self._view()
        return people.timeline(view.table, name, _labels(view)["theme"])

    def theme_draft(self, limit: int = 20) -> list[theme_drafts.Candidate]:
        """Return candidate themes the archive's taxonomy lacks (theme_drafts.py)."""
        view = self._view()
        return theme_drafts.draft(view.searcher, self._postings(view), view.taxonomy,
                                  _themes_of(view), limit)

    def theme_suggestions(self, entry_id: str) -> list[theme_drafts.Suggestion] | None:
        """Return the themes an entry lacks that its closest entries have, or None."""
        view = self._view()
        n = view.searcher.document_number(id=entry_id)
        if n is None:
            return None
        column = view.table.columns["theme"]
        labels = {**column.labels, **_labels(view)["theme"]}
        return theme_drafts.for_entry(view.searcher, self._postings(view), n, labels,
                                      _themes_of(view))

    def duplicates(self, threshold: float = dup.THRESHOLD) -> list[DuplicatePair]:
        """Return every pair of entries whose text is nearly the same (near_copies.py)."""
        view = self._view()
        return near_copies.every_pair(view.searcher, self._signatures(), threshold)

    def _signatures(self) -> dup.Signatures:
        """Return the current generation's signatures, read again when the file changes."""
        path = self.index_dir / self._view().name / dup.FILE
        try:
            st = path.stat()
            key = (str(path), st.st_mtime_ns, st.st_size)
        except OSError:
            return dup.Signatures.empty()
        with self._lock:
            if self._dups is None or self._dups[0] != key:
                self._dups = (key, dup.Signatures.load(path.parent))
            return self._dups[1]

    def entry(self, entry_id: str, related: int = 5, authors: int = 0) -> Entry | None:
        """Return the entry with that id, its related entries and authors, or None."""
        view = self._view()
        n = view.searcher.document_number(id=entry_id)
        if n is None:
            return None
        f = view.searcher.stored_fields(n)
        ctx, labels = self._postings(view), _labels(view)["theme"]
        known = profile(view.searcher, n, ctx, labels) if related or authors else None
        own = tuple(f.get("authors", ())) or (f["author"],)
        entry = Entry(
            **summary(f), body=f.get("markdown", ""), path=f.get("path", ""),
            related=related_entries(view.searcher, n, related, ctx, labels, known)
            if related else (),
            duplicates=near_copies.of_entry(view.searcher, self._signatures(), f["id"]),
            related_authors=people.near_entry(view.table, known, own, authors)
            if known and authors else (),
        )
        _bound_mapped(view)
        return entry


@dataclass
class _Found:
    """What the query text matched after filters: counts, display scores, the rank key, and for
    plain multi-word queries how many clauses each entry holds and how many hold all."""

    parsed: ParsedQuery
    counts: Counts
    scores: np.ndarray | None
    rank: np.ndarray | None
    partial: bool
    all_words: int | None = None
    tiers: np.ndarray | None = None
    clauses: int = 0
    groups: tuple[Group, ...] | None = None  # plain queries: each clause's highlight
    subject: Subject | None = None  # plain queries that found few: entries on their subject
    near: tuple[Near, ...] = ()  # plain words matched with their near spellings too (typos.py)
    synonyms: tuple[SynonymUse, ...] = ()  # plain words matched with the editors' synonyms
    # per use of the synonyms, the entries they alone found (hits say so)
    only_synonyms: list[tuple[SynonymUse, np.ndarray]] = field(default_factory=list)

    def synonyms_of(self, n: int) -> tuple[SynonymUse, ...]:
        """Return the synonyms that alone brought entry n (for the words they stand for)."""
        return tuple(use for use, only in self.only_synonyms if only[n])

    def is_partial(self, n: int) -> bool:
        """Tell whether entry n holds only some of the query's words."""
        return self.tiers is not None and int(self.tiers[n]) < self.clauses

    def is_subject(self, n: int) -> bool:
        """Tell whether entry n holds none of the words: it shares the best matches' subject."""
        return self.subject is not None and self.tiers is not None and int(self.tiers[n]) == 0

    def subject_words(self) -> tuple[str, ...]:
        """Return the key words a page names for the entries on the subject, if any are shown."""
        if self.subject is None or not self.on_subject():
            return ()
        return self.subject.words[: subjects.SHOWN]

    def on_subject(self) -> int:
        """Return how many of the results are there for their subject alone."""
        if self.subject is None or self.tiers is None:
            return 0
        return int(np.count_nonzero(self.tiers[self.counts.docs] == 0))


def _labels(view: _View) -> dict[str, dict[str, str]]:
    """Return the labels the taxonomy gives, per facet: a filter may name a theme by them."""
    return {"theme": {slug: t.label for slug, t in view.taxonomy.items()},
            "language": {code: lang.name for code, lang in LANGUAGES.items()}}


def _languages(view: _View, req: SearchRequest) -> tuple[str, ...]:
    """Return the languages a query is analysed for besides English: those chosen in the
    language facet, else those the archive holds (languages.py)."""
    column = view.table.columns["language"]
    if req.languages:
        return tuple(sorted(column.facet.selected(req.languages) - {ENGLISH}))
    held = column.tally(view.table.live)
    return tuple(sorted({column.coded.values[i] for i in np.flatnonzero(held)} - {"", ENGLISH}))


def _themes_of(view: _View) -> dict[int, tuple[str, ...]]:
    """Return each live entry's themes by document number."""
    column = view.table.columns["theme"]
    out: dict[int, tuple[str, ...]] = {int(n): () for n in np.flatnonzero(view.table.live)}
    assert column.docs is not None
    for d, code in zip(column.docs.tolist(), column.coded.codes.tolist()):
        if d in out:
            out[d] = (*out[d], column.coded.values[code])
    return out


def _bound_mapped(view: _View) -> None:
    """Release the view's read index pages when mapped file pages pass MAPPED_MB."""
    try:
        with open("/proc/self/statm", "rb") as f:  # Linux: pages resident and file-backed
            mapped = int(f.read().split()[2]) * _PAGE
    except (OSError, ValueError, IndexError):
        return
    if mapped > MAPPED_MB * 1024 * 1024:
        view.release()

