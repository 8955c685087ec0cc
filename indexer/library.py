"""The search core: one object that the CLI and the web app ask everything of.

Moving parts: `View` (one open generation: Whoosh searcher, facet table, taxonomy), kept per
thread and replaced when the index changes, so no state outlives a generation; `search`
(parse -> match -> filter and count facets -> rank or sort one page -> snippets -> did-you-mean);
`iter_hits` for exports; `entry` with related entries.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index
from whoosh.searching import Searcher

from indexer import completions as compl
from indexer import duplicates as dup
from indexer import generations as gens
from indexer import near_copies, people, theme_drafts, trends
from indexer.completion_parts import BodyStems
from indexer.documents import day_text, summary
from indexer.facetdefs import Facet, index_facets
from indexer.facets import Column, FacetTable, facets
from indexer.facetsearch import Folded, ValuePage, match_values
from indexer.found import Found, highlight, match_parsed, match_plain, ordered
from indexer.highlight import Group, snippet
from indexer.manifest import read_manifest
from indexer.matching import (
    is_plain,
    plain_clauses,
    single_words,
)
from indexer.postings import (
    Postings,
    evaluate,
    know_body_frequencies,
    warm_positions,
    warm_terms,
)
from indexer.preparing import STEMS_SHARE, WARM_SECONDS, Preparer, warm_with
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
    ThemeTrends,
)
from indexer.site import SITE_FILE, Site, common_words, load_site
from indexer.suggest import Vocabularies, Vocabulary, VocabularyOf, suggestion
from indexer.synonyms import SYNONYMS_FILE, Expansion, Synonyms, group_rules, load_synonyms
from indexer.themes import Theme, load_taxonomy
from indexer.typos import near_spellings
from indexer.view import View, bound_mapped, labels_of, languages_of, themes_of

SEARCH_SECONDS = 2.0  # past this, a costly query answers with what it has, marked partial


class IndexMissing(Exception):
    """There is no index yet; `perspectives index` builds one."""


class HitStream(Iterator[Hit]):
    """Every result of a request, matched already: how many (`total`), then each as it is read."""

    def __init__(self, total: int, hits: Iterator[Hit]) -> None:
        self.total = total
        self._hits = hits

    def __next__(self) -> Hit:
        return next(self._hits)


class Library:
    """Search, browse and read the entries of one index folder."""

    def __init__(self, index_dir: Path | str, prepare: bool = False) -> None:
        """With `prepare`, a new generation is opened and warmed in the background while
        requests are still answered from the one they were reading (preparing.py): a server's
        choice. The generation current when the Library is made is prepared at once, in the
        same way, and a request that comes first opens its own view meanwhile. Without it, the
        next request opens the new generation itself."""
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
        # by facet: its values and labels, folded for matching typed names (kept while they
        # stay the same: most incremental runs add no author or theme)
        self._named: dict[str, tuple[list[str], dict[str, str], compl.Named]] = {}
        self._columns: dict[str, Column] = {}  # by facet: the last view's, to lend lookups
        self._stems = BodyStems()  # the body stems' entry counts, grown from view to view
        self._preparer = Preparer(self._open, self._warm) if prepare else None
        if self._preparer is not None:  # a worker just started: warm what it will read first
            name = gens.current_name(self.index_dir)
            if name is not None:
                self._preparer.ready(name)

    # -- the open generation -------------------------------------------------------------

    def _view(self) -> View:
        """Return this thread's view of the current generation, reopening it if it changed."""
        name = gens.current_name(self.index_dir)
        if name is None:
            raise IndexMissing(f"no index in {self.index_dir}: run 'perspectives index' first")
        view: View | None = getattr(self._local, "view", None)
        if view is not None and view.name == name and view.searcher.up_to_date():
            return view
        if view is not None and view.name != name and self._preparer is not None:
            ready, prepared = self._preparer.ready(name)
            if not ready:
                return view  # the generation it was reading, until the new one is warm
            if prepared is not None:
                self._switch(view)
                self._local.view = prepared
                return prepared
        if view is None and self._preparer is not None:  # this thread's first view
            prepared = self._preparer.take(name)
            if prepared is not None:
                self._local.view = prepared
                return prepared
        if view is not None:
            self._switch(view)
        view = self._open(name)
        self._local.view = view
        return view

    def _switch(self, view: View) -> None:
        """Retire this thread's view. It is opened afresh (Searcher.refresh() reuses segment
        readers and misses new deletions), and closed one switch later, not now: a request (or
        an export still streaming) may hold it while a reindex switches generations under it."""
        retired: View | None = getattr(self._local, "retired", None)
        if retired is not None:
            retired.close()
        self._local.retired = view
        self._local.view = None  # opening may fail (a half-synced generation): retry next time

    def _warm(self, view: View) -> None:
        """Read the archive's most held stems' postings and search its most held words in a
        view no request reads yet (preparing.py), and make its vocabulary for spelling, its
        near-copy bands and its facets' orders of values by name (the first unknown word, entry
        page, and facet cut among many tied values would wait for them). Its body stems'
        counts, which the stems are read by, came with it (`_open`)."""
        self._vocabulary_of(view)()
        self._signatures(view).bands()  # an entry's near copies are looked up by band
        for column in view.table.columns.values():
            column.display_rank()
            column.matching(frozenset())  # its lookup of values by key (a facet selected)
        deadline = time.monotonic() + WARM_SECONDS
        ctx = self._postings(view)
        warm_terms(ctx, ("body", "title"), deadline, STEMS_SHARE)
        warm_with(view, lambda word: self._answer(view, SearchRequest(q=word)), deadline)
        deadline = time.monotonic() + WARM_SECONDS
        for fieldname in ("body", "title"):
            warm_positions(ctx, fieldname, deadline)

    def _open(self, name: str) -> View:
        path = self.index_dir / name
        searcher = whoosh_index.open_dir(str(path)).searcher()
        taxonomy, _ = load_taxonomy(path / "themes.yaml")
        with self._lock:
            if name not in self._built:  # the manifest is large; its build time stays
                self._built = {name: read_manifest(path).built}
            built = self._built[name]
            table = FacetTable.from_reader(
                searcher.reader(), self._tables, index_facets(path), self._columns
            )
            # forget what was kept of segments the index no longer has
            segments = {leaf.segment().segment_id() for leaf, _ in searcher.reader().leaf_readers()}
            for gone in set(self._tables) - segments:
                del self._tables[gone]
            for key in [k for k in self._lengths if k[0] not in segments]:
                del self._lengths[key]
            completions = self._opened_completions(name, path, searcher)
            for facet, column in table.columns.items():
                kept = self._columns.get(facet)
                if kept is not None:
                    column.lend_lookups(kept)
                self._columns[facet] = column
        view = View(name, searcher, table, taxonomy, built, completions=completions)
        labels = labels_of(view)
        for facet in ("author", "theme"):
            column = table.columns[facet]
            values, named = column.coded.values, {**column.labels, **labels.get(facet, {})}
            with self._lock:
                held = self._named.get(facet)
            if held is not None and held[0] == values and held[1] == named:
                view.named[facet] = held[2]
                continue
            view.named[facet] = compl.Named.of(values, named)
            with self._lock:
                self._named[facet] = (values, named, view.named[facet])
        self._body_frequencies(view)  # a subject's words are counted from them
        return view

    def _vocabulary_of(self, view: View) -> VocabularyOf:
        """Return what makes (once) the spelling vocabulary of the state a view reads: from its
        suggestion lists when they are of that state, else from the index. The lists hold the
        index's words less the joined forms of hyphenated words ("bytecompiled": 63 of 59,917
        words at 100,000 entries), which a reader does not type."""

        def made() -> Vocabulary:
            held = self._current_completions(view)
            fresh = held is not None and held.generation == view.searcher.reader().generation()
            return self._vocabularies.get(view.searcher, held.words if fresh and held else None)

        return made

    def _opened_completions(self, name: str, path: Path, searcher: Searcher) -> compl.Completions:
        """Return the suggestion lists of this state of the index, shared by the threads (read
        from the file `perspectives index` wrote; called under the lock)."""
        key = (name, searcher.reader().generation())
        if self._completions is None or self._completions[0][0] != name:
            self._completions = (key, compl.opened(searcher.reader(), path))
        elif self._completions[0] != key:
            self._completions = (
                key,
                compl.refreshed(self._completions[1], searcher.reader(), path),
            )
        return self._completions[1]

    def _current_completions(self, view: View) -> compl.Completions | None:
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
        first, last = (
            (day_text(int(d)) for d in (days.min(), days.max())) if len(days) else ("", "")
        )
        return {
            "generation": view.name,
            "entries": len(days),
            "built": view.built,
            "first": first,
            "last": last,
        }

    def version(self) -> str:
        """Return what changes whenever the answers may: the generation and, since incremental
        runs add segments to it, the generation of its Whoosh index (an HTTP validator)."""
        view = self._view()
        return f"{view.name}.{view.searcher.reader().generation()}"

    def facets(self) -> tuple[Facet, ...]:
        """Return the facets of the index being read: the built-in ones, then those its
        archive's field map added."""
        return self._view().table.facets

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
        return self._synonyms_of(self._view())

    def _synonyms_of(self, view: View) -> Synonyms:
        """Return the synonyms of the view a request reads (asking for the current view again
        mid-request would close this one if a reindex just switched generations)."""
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
            names = self._labels_of(view, "theme")
            top = [int(i) for i in np.argsort(-counts, kind="stable")[:2] if counts[i] > 0]
            themes = [names.get(column.coded.values[i], column.coded.values[i]) for i in top]
            reader = view.searcher.reader()
            terms = (
                (t[1:], reader.doc_frequency("title", t))
                for t in reader.field_terms("title")
                if t.startswith("=")
            )
            words = common_words(terms, themes, n - len(themes))
            view.examples = tuple(themes + words)
        return view.examples[:n]

    def labels(self, facet: str) -> dict[str, str]:
        """Return the labels of a facet's values that differ from them (a theme's: the
        taxonomy's over the entries' own tags)."""
        return self._labels_of(self._view(), facet)

    @staticmethod
    def _labels_of(view: View, facet: str) -> dict[str, str]:
        out = dict(view.table.columns[facet].labels)
        if facet == "theme":
            out.update({slug: t.label for slug, t in view.taxonomy.items()})
        out.update(labels_of(view).get(facet, {}) if facet == "language" else {})
        return out

    # -- searching -----------------------------------------------------------------------

    def search(self, req: SearchRequest) -> SearchResult:
        """Return one page of results with disjunctive facet counts, snippets and did-you-mean."""
        return self._answer(self._view(), req)

    def _answer(self, view: View, req: SearchRequest) -> SearchResult:
        found = self._match(view, req)
        want = req.page * req.per_page
        page = ordered(view, req, found, want)[(req.page - 1) * req.per_page :]
        groups = highlight(found)
        hits = tuple(self._hit(view, n, score, groups, found) for n, score in page)
        labels = labels_of(view)
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
        bound_mapped(view)
        return result

    def facet_values(
        self,
        req: SearchRequest,
        name: str,
        match: str = "",
        sort: str = "count",
        offset: int = 0,
        limit: int = 100,
    ) -> ValuePage:
        """Return the values of one facet whose name or label holds the words of `match`,
        counted under the request's query and other filters (facetsearch.py)."""
        view = self._view()
        if name not in view.table.columns:
            known = ", ".join(view.table.columns)
            raise BadParameter("facet", f"no facet {name!r}; the facets are {known}")
        found = self._match(view, req)
        all_labels = labels_of(view)
        labels = {**view.table.columns[name].labels, **all_labels.get(name, {})}
        if name not in view.folded:
            view.folded[name] = Folded.of(view.table.columns[name], labels)
        page = match_values(
            found.counts,
            req,
            name,
            labels,
            match,
            sort,
            offset,
            limit,
            all_labels,
            view.folded[name],
        )
        bound_mapped(view)
        return page

    def suggest(self, q: str, limit: int = 8) -> tuple[compl.Suggestion, ...]:
        """Return suggestions for text being typed: completions of its last word (most held
        first), then the themes, authors and titles that match it, at most `limit` in all."""
        if len(q) > compl.MAX_SUGGEST_CHARS:
            raise BadParameter("q", f"at most {compl.MAX_SUGGEST_CHARS} characters, got {len(q)}")
        view = self._view()
        labels = {
            "theme": self._labels_of(view, "theme"),
            "author": view.table.columns["author"].labels,
        }
        sources = compl.Sources(
            self._current_completions(view),
            view.named,
            view.table,
            labels,
            view.searcher,
            self._postings(view),
        )
        return compl.suggest(q, limit, sources)

    def _suggestion(self, view: View, q: str) -> str | None:
        """Return the query corrected from the archive's vocabulary, when that finds more."""
        if not q.strip():
            return None
        return suggestion(q, view.searcher, self._postings(view), self._vocabulary_of(view))

    def iter_hits(self, req: SearchRequest, snippets: bool = True) -> HitStream:
        """Match now (a failure raises here, before an export sends a byte), then yield every
        result (all pages) in its sort order."""
        view = self._view()
        found = self._match(view, req)
        groups = highlight(found) if snippets else None
        order = ordered(view, req, found, len(found.counts.docs))
        return HitStream(len(order), self._read_hits(view, order, groups, found))

    def _read_hits(
        self,
        view: View,
        order: list[tuple[int, float]],
        groups: tuple[Group, ...] | None,
        found: Found,
    ) -> Iterator[Hit]:
        for i, (n, score) in enumerate(order):
            if i % 1000 == 999:
                bound_mapped(view)
            yield self._hit(view, n, score, groups, found)
        bound_mapped(view)

    def _match(self, view: View, req: SearchRequest) -> Found:
        """Find and score the documents matching the query text, then filter and count them."""
        if is_plain(req.q):
            languages = languages_of(view, req)
            clauses = plain_clauses(req.q, languages=languages)
            near: dict[str, Near] = {}
            if clauses and req.typos:
                near = near_spellings(
                    single_words(req.q),
                    view.searcher,
                    self._postings(view),
                    self._vocabulary_of(view),
                    languages,
                )
                if near:
                    clauses = plain_clauses(req.q, {k: n.words for k, n in near.items()}, languages)
            clauses, expansions = self._synonyms_of(view).expand(clauses)
            if clauses:
                found = match_plain(view, req, clauses, self._postings(view))
                found.near = tuple(near.values())
                found.synonyms = tuple(e.use for e in expansions)
                found.only_synonyms = self._only_synonyms(view, expansions)
                return found
        return match_parsed(view, req, self._postings(view))

    def _only_synonyms(
        self, view: View, expansions: tuple[Expansion, ...]
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

    def _postings(self, view: View) -> Postings:
        """Return a query evaluator over this view, with its caches and a fresh time limit."""
        return Postings(
            view.searcher,
            view.table.live,
            time.perf_counter() + SEARCH_SECONDS,
            _lengths=view.lengths,
            _terms=view.postings,
            _segments=self._lengths,
        )

    def _hit(
        self, view: View, n: int, score: float, groups: tuple[Group, ...] | None, found: Found
    ) -> Hit:
        f = view.searcher.stored_fields(n)
        subject = found.is_subject(n)
        if subject and groups is not None and found.subject is not None:
            groups = found.subject.groups  # the key words it shares with the best matches
        return Hit(
            **summary(f),
            snippet=snippet(f.get("body", ""), groups) if groups is not None else "",
            score=round(float(score), 4),
            partial=found.is_partial(n) and not subject,
            subject=subject,
            synonyms=found.synonyms_of(n),
        )

    # -- entries -------------------------------------------------------------------------

    def related_authors(self, name: str, limit: int = 5) -> tuple[RelatedAuthor, ...]:
        """Return the authors closest to an author's themes and key phrases (people.py)."""
        view = self._view()
        return people.near_author(
            view.searcher, view.table, self._postings(view), name, labels_of(view)["theme"], limit
        )

    def author_timeline(self, name: str) -> tuple[tuple[str, ...], tuple[ThemeTimeline, ...]]:
        """Return an author's months and their themes' entries per month (people.py)."""
        view = self._view()
        return people.timeline(view.table, name, labels_of(view)["theme"])

    def theme_trends(
        self, slugs: tuple[str, ...] | list[str], most: int = trends.MAX_THEMES
    ) -> ThemeTrends:
        """Return the themes' entries and shares of all entries per month (trends.py)."""
        view = self._view()
        return trends.trends(view.table, slugs, self._labels_of(view, "theme"), most)

    def theme_draft(self, limit: int = 20) -> list[theme_drafts.Candidate]:
        """Return candidate themes the archive's taxonomy lacks (theme_drafts.py)."""
        view = self._view()
        return theme_drafts.draft(
            view.searcher, self._postings(view), view.taxonomy, themes_of(view), limit
        )

    def theme_suggestions(self, entry_id: str) -> list[theme_drafts.Suggestion] | None:
        """Return the themes an entry lacks that its closest entries have, or None."""
        view = self._view()
        n = view.searcher.document_number(id=entry_id)
        if n is None:
            return None
        column = view.table.columns["theme"]
        labels = {**column.labels, **labels_of(view)["theme"]}
        return theme_drafts.for_entry(
            view.searcher, self._postings(view), n, labels, themes_of(view)
        )

    def duplicates(self, threshold: float = dup.THRESHOLD) -> list[DuplicatePair]:
        """Return every pair of entries whose text is nearly the same (near_copies.py)."""
        view = self._view()
        return near_copies.every_pair(view.searcher, self._signatures(view), threshold)

    def _signatures(self, view: View) -> dup.Signatures:
        """Return the view's generation's signatures, read again when the file changes."""
        path = self.index_dir / view.name / dup.FILE
        try:
            st = path.stat()
            key = (str(path), st.st_mtime_ns, st.st_size)
        except OSError:
            return dup.Signatures.empty()
        with self._lock:
            if self._dups is None or self._dups[0] != key:
                self._dups = (key, dup.Signatures.load(path.parent))
            return self._dups[1]

    def _body_frequencies(self, view: View) -> None:
        """Hand the search core the body stems' entry counts the index run kept, or grown from
        the last view's, once per view (a related list asks for every word of its entry: 32
        lookups each at 100,000 entries otherwise, and a subject's words as many)."""
        if not view.stems_read:
            view.stems_read = True
            reader = view.searcher.reader()
            counts = self._stems.of(reader, self.index_dir / view.name)
            if counts is not None:
                know_body_frequencies(reader, counts)

    def entry(self, entry_id: str, related: int = 5, authors: int = 0) -> Entry | None:
        """Return the entry with that id, its related entries and authors, or None."""
        view = self._view()
        n = view.searcher.document_number(id=entry_id)
        if n is None:
            return None
        f = view.searcher.stored_fields(n)
        ctx, labels = self._postings(view), labels_of(view)["theme"]
        known = profile(view.searcher, n, ctx, labels) if related or authors else None
        own = tuple(f.get("authors", ())) or (f["author"],)
        entry = Entry(
            **summary(f),
            body=f.get("markdown", ""),
            path=f.get("path", ""),
            related=related_entries(view.searcher, n, related, ctx, labels, known)
            if related
            else (),
            duplicates=near_copies.of_entry(view.searcher, self._signatures(view), f["id"]),
            related_authors=people.near_entry(view.table, known, own, authors)
            if known and authors
            else (),
        )
        bound_mapped(view)
        return entry
