"""One open generation of the index as one thread reads it, and what every reader of it needs:
the taxonomy's labels, each entry's themes, and a bound on the index pages kept in memory.

Moving parts: `View` (Whoosh searcher, facet table, taxonomy and the caches that live exactly
as long as the generation); `labels_of`; `themes_of`; `bound_mapped` (hands mapped index pages
back past MAPPED_MB).
"""

from __future__ import annotations

import contextlib
import mmap
from dataclasses import dataclass, field

import numpy as np
from whoosh.searching import Searcher

from indexer import completions as compl
from indexer import subject as subjects
from indexer import whoosh_internals
from indexer.facets import FacetTable
from indexer.facetsearch import Folded
from indexer.languages import ENGLISH, LANGUAGES
from indexer.postings import PostingCache
from indexer.results import SearchRequest
from indexer.themes import Theme

# Past this much of the process's memory in mapped file pages (the index's, and the libraries'
# code), the pages of the index read so far are handed back (View.release).
MAPPED_MB = 96
_PAGE = mmap.PAGESIZE


@dataclass
class View:
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
    stems_read: bool = False  # the body stems' entry counts handed to postings.py (if kept)
    held_languages: tuple[str, ...] | None = None  # those the archive holds besides English

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


def labels_of(view: View) -> dict[str, dict[str, str]]:
    """Return the labels the taxonomy gives, per facet: a filter may name a theme by them (and
    a language by its name)."""
    return {
        "theme": {slug: t.label for slug, t in view.taxonomy.items()},
        "language": {code: lang.name for code, lang in LANGUAGES.items()},
    }


def languages_of(view: View, req: SearchRequest) -> tuple[str, ...]:
    """Return the languages a query is analysed for besides English: those chosen in the
    language facet, else those the archive holds (languages.py)."""
    column = view.table.columns["language"]
    if req.languages:
        return tuple(sorted(column.facet.selected(req.languages) - {ENGLISH}))
    if view.held_languages is None:  # a count over every entry: once per view, not per query
        held = column.tally(view.table.live)
        found = {column.coded.values[i] for i in np.flatnonzero(held)} - {"", ENGLISH}
        view.held_languages = tuple(sorted(found))
    return view.held_languages


def themes_of(view: View) -> dict[int, tuple[str, ...]]:
    """Return each live entry's themes by document number."""
    column = view.table.columns["theme"]
    out: dict[int, tuple[str, ...]] = {int(n): () for n in np.flatnonzero(view.table.live)}
    assert column.docs is not None
    for d, code in zip(column.docs.tolist(), column.coded.codes.tolist()):
        if d in out:
            out[d] = (*out[d], column.coded.values[code])
    return out


def bound_mapped(view: View) -> None:
    """Release the view's read index pages when mapped file pages pass MAPPED_MB."""
    try:
        with open("/proc/self/statm", "rb") as f:  # Linux: pages resident and file-backed
            mapped = int(f.read().split()[2]) * _PAGE
    except (OSError, ValueError, IndexError):
        return
    if mapped > MAPPED_MB * 1024 * 1024:
        view.release()
