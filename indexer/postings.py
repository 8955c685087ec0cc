"""Evaluate a parsed query over whole posting lists at once: matching documents and BM25 scores.

Whoosh matchers walk postings one document at a time in Python, which costs ~1 µs a posting:
too slow for a common word over 100,000 entries, whose every match the facet counts need.
Here a term's posting list is read block by block into NumPy arrays, and Term, Or, And,
AndNot, AndMaybe and Not combine as array operations; any other query (phrases, ranges) is
matched by Whoosh itself and scored by its terms. Scores are Whoosh's BM25F (B=0.75, K1=1.2)
summed over the query's terms, with each term's boost (title x2).
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from indexer import whoosh_internals

B, K1 = 0.75, 1.2
_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
Docs = tuple[np.ndarray, np.ndarray]  # sorted unique docnums (int64), their scores (float64)


class TooSlow(Exception):
    """A fallback match ran past its time limit."""


CACHE_POSTINGS = 4_000_000  # about 64 MB of cached posting arrays per searcher
# Each entry also costs its key and arrays (~300 bytes): counted as this many postings, so that
# many small lists cannot grow the cache past its bound either.
ENTRY_COST = 32
MAX_ABSENT = 100_000  # terms known to be absent, kept apart (~10 MB at most)
# a new generation reads the lists of the stems held this often (a shorter list is read cold in
# a few ms; and a small archive's preparation must not read every word it has)
WARM_TERM_ENTRIES = 2_000
# positions of the most held words read into memory when a generation is warmed (8 bytes each:
# about 32 MB), so that the first phrase of common words reads no posting block of theirs
WARM_POSITIONS = 4_000_000


class PostingCache(dict):
    """Posting arrays by (field, term) or query, within a bound: past it, the lists used least
    recently are forgotten first (a query's own lists, just used, stay).

    A term no entry holds is kept apart, in a set of its own bound (MAX_ABSENT): the words
    readers mistype are endless, but a word a query asks for again, absent from the titles
    say, would cost a dictionary lookup per segment each time (32 at 100,000 entries)."""

    held = 0

    def __init__(self) -> None:
        super().__init__()
        self.absent: set[tuple[str, str]] = set()
        # (field, term) -> every live position: documents and positions (int32), one row per
        # position; filled once, when the generation is warmed (`warm_positions`)
        self.positions: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def get(self, key: tuple[str, str], default: Docs | None = None) -> Docs | None:  # type: ignore[override]
        """Return the docs kept under key (none for a term known to be absent), else default;
        what is found becomes the most recently used."""
        if key in self.absent:
            return EMPTY
        found = self.pop(key, None)
        if found is None:
            return default
        self[key] = found  # to the end of the order: the least recently used come first
        return found

    def put(self, key: tuple[str, str], docs: Docs) -> None:
        """Keep docs under key, first forgetting the least recently used lists as long as the
        bound would be passed (a list larger than the bound is not kept)."""
        if not len(docs[0]):
            if len(self.absent) >= MAX_ABSENT:
                self.absent.clear()
            self.absent.add(key)
            return
        cost = len(docs[0]) + ENTRY_COST
        if cost > CACHE_POSTINGS:
            return
        old = self.pop(key, None)
        if old is not None:
            self.held -= len(old[0]) + ENTRY_COST
        while self and self.held + cost > CACHE_POSTINGS:
            oldest = next(iter(self))
            self.held -= len(super().pop(oldest)[0]) + ENTRY_COST
        self[key] = docs
        self.held += cost


@dataclass
class Postings:
    """A searcher's segments, field lengths and a deadline, for evaluating queries."""

    searcher: Searcher
    live: np.ndarray  # bool per docnum
    deadline: float = math.inf
    partial: bool = False
    _lengths: dict[str, np.ndarray] = field(default_factory=dict)
    # (field, term) -> its documents and unboosted scores; kept with the searcher's generation
    _terms: PostingCache = field(default_factory=PostingCache)
    # (segment id, field) -> that segment's lengths; kept by the library across generations
    _segments: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def segments(self) -> list[tuple[Searcher, int]]:
        """Return each leaf searcher with its docnum offset."""
        return self.searcher.leaf_searchers()

    def lengths(self, fieldname: str) -> np.ndarray:
        """Return every document's length in a field (as Whoosh stores it, one byte each)."""
        if fieldname not in self._lengths:
            parts = []
            for searcher, _ in self.segments():
                key = (searcher.reader().segment().segment_id(), fieldname)
                if key not in self._segments:
                    self._segments[key] = _segment_lengths(searcher, fieldname)
                parts.append(self._segments[key])
            self._lengths[fieldname] = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return self._lengths[fieldname]


def _segment_lengths(searcher: Searcher, fieldname: str) -> np.ndarray:
    codes = np.frombuffer(
        whoosh_internals.segment_lengths(searcher.reader(), fieldname), dtype=np.uint8
    )
    return _LENGTHS[codes]


EMPTY: Docs = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def evaluate(q: wq.Query, ctx: Postings) -> Docs:
    """Return the documents matching q (live ones only) with their scores."""
    if isinstance(q, wq.Term):
        return _term(q, ctx)
    if isinstance(q, wq.Or):
        return _union(_within_time(q.subqueries, ctx), len(ctx.live))
    if isinstance(q, wq.And):
        return _intersect([evaluate(s, ctx) for s in q.subqueries], len(ctx.live))
    if isinstance(q, wq.AndNot):
        ids, scores = evaluate(q.a, ctx)
        keep = ~np.isin(ids, evaluate(q.b, ctx)[0])
        return ids[keep], scores[keep]
    if isinstance(q, wq.AndMaybe):
        return _maybe(evaluate(q.a, ctx), evaluate(q.b, ctx))
    if isinstance(q, wq.Not):
        everything = np.flatnonzero(ctx.live)
        ids = everything[~np.isin(everything, evaluate(q.query, ctx)[0])]
        return ids, np.zeros(len(ids))
    if isinstance(q, wq.Every):
        ids = np.flatnonzero(ctx.live)
        return ids, np.zeros(len(ids))
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return EMPTY
    if isinstance(q, wq.Phrase) and len(q.words) > 1:
        return _cached(("\0phrase", repr(q)), lambda: _phrase(q, ctx), ctx)
    if isinstance(q, wq.TermRange) and q.fieldname in ("title", "body"):
        return _cached(("\0range", repr(q)), lambda: _range(q, ctx), ctx)
    return _cached(("\0query", repr(q)), lambda: _match_with_whoosh(q, ctx), ctx)


def _within_time(queries: list[wq.Query], ctx: Postings) -> list[Docs]:
    """Evaluate the parts of an Or (thousands, after wildcards) until the deadline: then stop,
    and the answer says it is partial."""
    parts = []
    for i, sub in enumerate(queries):
        if i % 32 == 31 and time.perf_counter() > ctx.deadline:
            ctx.partial = True
            break
        parts.append(evaluate(sub, ctx))
    return parts


def _term(q: wq.Term, ctx: Postings) -> Docs:
    key = (q.fieldname, q.text)
    found = ctx._terms.get(key)
    if found is None:
        found = _read_term(q.fieldname, q.text, ctx)
        ctx._terms.put(key, found)
    return found[0], found[1] * q.boost


def _read_term(
    fieldname: str,
    text: str,
    ctx: Postings,
    raw: list[tuple[int, list[whoosh_internals.RawBlock]]] | None = None,
) -> Docs:
    """Read a term's postings in every segment, with BM25 scores, live documents only; with
    `raw`, each segment's offset and raw blocks are appended to it (for positions)."""
    if not _holds(ctx.searcher.schema, fieldname, text):
        return EMPTY
    chunks, weights, held = [], [], 0
    for searcher, offset in ctx.segments():
        if raw is None:
            found = whoosh_internals.segment_postings(searcher.reader(), fieldname, text)
        else:
            blocks = whoosh_internals.segment_blocks(searcher.reader(), fieldname, text)
            found = blocks[:3] if blocks is not None else None
            if blocks is not None:
                raw.append((offset, blocks[3]))
        if found is None:
            continue
        chunks.append(found[0] + offset)
        weights.append(found[1])
        held += found[2]  # Whoosh's doc_frequency: deleted entries included
    if not chunks:
        return EMPTY
    ids, tf = np.concatenate(chunks), np.concatenate(weights)
    alive = ctx.live[ids]
    ids, tf = ids[alive], tf[alive]
    return ids, _bm25(ctx, fieldname, held, ids, tf)


def _holds(schema: Any, fieldname: str, text: str) -> bool:
    """Tell whether a field can hold the text: `day:"next week"` is no number, and no error."""
    if fieldname not in schema.names():
        return False
    try:
        schema[fieldname].to_bytes(text)
    except (ValueError, TypeError, OverflowError):
        return False
    return True


# entries per term, per open reader: a term's count is looked up in every segment (32 after a
# parallel build of 100,000 entries: about a millisecond), and typo tolerance, did-you-mean and
# related entries ask it of every word
_ENTRIES: weakref.WeakKeyDictionary[IndexReader, dict[tuple[str, str], int]] = (
    weakref.WeakKeyDictionary()
)
_ENTRIES_PER_READER = 65_536


# the body stems' entry counts of a whole generation, where its index run kept them
# (completion_parts.py): related entries ask for every word of an entry
_BODY: weakref.WeakKeyDictionary[IndexReader, dict[str, int]] = weakref.WeakKeyDictionary()


def know_body_frequencies(reader: IndexReader, counts: dict[str, int]) -> None:
    """Give the entry counts of every body stem of an open reader (a stem absent: none)."""
    _BODY[reader] = counts


def doc_frequency(searcher: Searcher, fieldname: str, term: str) -> int:
    """Return how many entries hold the term in the field (deleted ones included)."""
    reader = searcher.reader()
    if fieldname == "body" and reader in _BODY and not term.startswith("="):
        return _BODY[reader].get(term, 0)
    known = _ENTRIES.setdefault(reader, {})
    key = (fieldname, term)
    if key not in known:
        if len(known) >= _ENTRIES_PER_READER:
            known.clear()
        known[key] = searcher.doc_frequency(fieldname, term)
    return known[key]


def _bm25(ctx: Postings, fieldname: str, held: int, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
    """Return BM25 scores of a term's live documents (`held`: documents holding it, deleted
    ones included, as Whoosh's doc_frequency counts them)."""
    searcher = ctx.searcher
    n = searcher.doc_count_all()
    idf = math.log(n / (held + 1)) + 1
    avg = (searcher.field_length(fieldname) / n) if n else 1.0
    length = ctx.lengths(fieldname)[ids]
    return idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * length / (avg or 1.0)))


# Past this share of the documents, lists combine over arrays indexed by docnum (linear)
# rather than by sorting them (n log n): a common word matches most of the archive.
DENSE_SHARE = 8


def _union(parts: list[Docs], n: int) -> Docs:
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p[0] for p in parts])
    scores = np.concatenate([p[1] for p in parts])
    if len(ids) * DENSE_SHARE > n:
        present = np.zeros(n, dtype=bool)
        present[ids] = True
        hits = np.flatnonzero(present)
        return hits, np.bincount(ids, weights=scores, minlength=n)[hits]
    unique, where = np.unique(ids, return_inverse=True)
    return unique, np.bincount(where, weights=scores, minlength=len(unique))


def _intersect(parts: list[Docs], n: int) -> Docs:
    if not parts:
        return EMPTY
    ids, scores = parts[0]
    for other_ids, other_scores in parts[1:]:
        if (len(ids) + len(other_ids)) * DENSE_SHARE > n:
            theirs = np.full(n, np.nan)
            theirs[other_ids] = other_scores
            found = theirs[ids]
            keep = ~np.isnan(found)
            ids, scores = ids[keep], scores[keep] + found[keep]
        else:
            ids, mine, at = np.intersect1d(ids, other_ids, assume_unique=True, return_indices=True)
            scores = scores[mine] + other_scores[at]
    return ids, scores


def _maybe(required: Docs, optional: Docs) -> Docs:
    ids, scores = required
    _, mine, theirs = np.intersect1d(ids, optional[0], assume_unique=True, return_indices=True)
    scores = scores.copy()
    scores[mine] += optional[1][theirs]
    return ids, scores


def _cached(key: tuple[str, str], match: Callable[[], Docs], ctx: Postings) -> Docs:
    """Return a phrase's or another query's documents, matched once per generation."""
    cached = ctx._terms.get(key)
    if cached is not None:
        return cached
    partial = ctx.partial
    ctx.partial = False
    result = match()
    if not ctx.partial:  # a result cut short by the time limit is not kept
        ctx._terms.put(key, result)
    ctx.partial = ctx.partial or partial
    return result


def _phrase(q: wq.Phrase, ctx: Postings) -> Docs:
    """Match a phrase as Whoosh's Phrase does (each word 1 to `slop` positions after the one
    before), reading positions only of the documents that hold every word. A word whose
    postings are not cached yet is read once for both: its list (then cached) and the raw
    blocks its positions come from."""
    schema = ctx.searcher.schema
    field = schema[q.fieldname] if q.fieldname in schema.names() else None
    if field is None or not field.format or not field.format.supports("positions"):
        return EMPTY
    words = [w.decode() if isinstance(w, bytes) else w for w in q.words]
    distinct = list(dict.fromkeys(words))
    raw: dict[str, list[tuple[int, list[whoosh_internals.RawBlock]]]] = {}
    lists = []
    for w in distinct:
        found = ctx._terms.get((q.fieldname, w))
        if found is None:
            raw[w] = []
            found = _read_term(q.fieldname, w, ctx, raw[w])
            ctx._terms.put((q.fieldname, w), found)
        lists.append(found)
    candidates = _intersect(lists, len(ctx.live))[0]
    if not len(candidates):
        return EMPTY
    wanted = np.zeros(len(ctx.live), dtype=bool)
    wanted[candidates] = True
    where = {w: _positions(q.fieldname, w, wanted, ctx, raw.get(w)) for w in distinct}
    found_ids = _in_order([where[w] for w in words], q.slop)
    if time.perf_counter() > ctx.deadline:
        ctx.partial = True
    return _score_by_terms(q, found_ids, ctx)


def _positions(
    fieldname: str,
    word: str,
    wanted: np.ndarray,
    ctx: Postings,
    raw: list[tuple[int, list[whoosh_internals.RawBlock]]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the word's positions in the wanted documents (docnums of the whole index): the
    documents and positions, one row per position, from those read when the generation was
    warmed, else from the raw blocks where they were kept, else from the index."""
    held = ctx._terms.positions.get((fieldname, word))
    if held is not None:
        keep = wanted[held[0]]
        return held[0][keep].astype(np.int64), held[1][keep].astype(np.int64)
    parts = (
        [whoosh_internals.block_positions(blocks, wanted, offset) for offset, blocks in raw]
        if raw is not None
        else [
            whoosh_internals.segment_positions(searcher.reader(), fieldname, word, wanted, offset)
            for searcher, offset in ctx.segments()
        ]
    )
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return EMPTY[0], EMPTY[0]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def warm_terms(ctx: Postings, fieldnames: tuple[str, ...], deadline: float, share: float) -> int:
    """Read the postings of the body's stems held by WARM_TERM_ENTRIES entries or more (where
    their entry counts are known: `know_body_frequencies`) in each of the fields, the most held
    first, until the deadline or until the cache holds `share` of its bound; return how many
    stems. A stem spans many words ("defin": define, defined, definition), so the most held
    words miss some of them."""
    counts = _BODY.get(ctx.searcher.reader())
    held = [stem for stem, n in counts.items() if n >= WARM_TERM_ENTRIES] if counts else []
    done = 0
    for stem in sorted(held, key=counts.__getitem__, reverse=True) if counts else ():
        if time.monotonic() > deadline or ctx._terms.held > share * CACHE_POSTINGS:
            break
        for fieldname in fieldnames:
            _term(wq.Term(fieldname, stem), ctx)
        done += 1
    return done


def warm_positions(ctx: Postings, fieldname: str, deadline: float) -> int:
    """Read into the cache every live position of the field's terms whose postings it holds,
    the most held first, within WARM_POSITIONS and until the deadline; return how many terms."""
    from indexer.analysis import EXACT

    held = sum(len(d) for d, _ in ctx._terms.positions.values())
    terms = sorted(  # a word's exact form (EXACT) ranks, and is in no phrase
        (
            k
            for k in ctx._terms
            if k[0] == fieldname and isinstance(k[1], str) and not k[1].startswith(EXACT)
        ),
        key=lambda k: -len(ctx._terms[k][0]),
    )
    done = 0
    for key in terms:
        if time.monotonic() > deadline:
            break
        if key in ctx._terms.positions:
            continue
        docs, positions = _positions(fieldname, key[1], ctx.live, ctx)
        if held + len(docs) > WARM_POSITIONS:
            continue  # a smaller list may still fit
        ctx._terms.positions[key] = (docs.astype(np.int32), positions.astype(np.int32))
        held += len(docs)
        done += 1
    return done


_STRIDE = 1 << 32  # a document's positions as keys: docnum * _STRIDE + position


def _in_order(where: list[tuple[np.ndarray, np.ndarray]], slop: int) -> np.ndarray:
    """Return the documents (sorted) in which each word has a position 1 to slop after one
    kept from the word before. Next to each other (slop 1), the phrase starts at s in a
    document when word i is at s + i: the keys (document, position - i) all words share."""
    if slop == 1:
        shared: np.ndarray | None = None
        for i, (docs, positions) in enumerate(where):
            keys = _ascending(docs * _STRIDE + (positions - i))
            shared = keys if shared is None else _common(shared, keys)
            if not len(shared):
                return EMPTY[0]
        assert shared is not None
        starts = shared // _STRIDE
        return starts[np.r_[True, starts[1:] != starts[:-1]]]  # ascending: each document once
    held = [_by_document(docs, positions) for docs, positions in where]
    found = [n for n in held[0] if all(n in h for h in held[1:]) and _within(held, n, slop)]
    return np.asarray(sorted(found), dtype=np.int64)


def _ascending(keys: np.ndarray) -> np.ndarray:
    """Return unique keys in ascending order: as they come when read in document order (each
    document's positions ascending), else sorted."""
    if len(keys) < 2 or bool((keys[1:] > keys[:-1]).all()):
        return keys
    return np.unique(keys)


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the keys two ascending arrays of unique keys share (no sort: each key of the
    shorter looked up in the longer)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    at = np.searchsorted(b, a)
    inside = at < len(b)
    hit = np.zeros(len(a), dtype=bool)
    hit[inside] = b[at[inside]] == a[inside]
    return a[hit]


def _by_document(docs: np.ndarray, positions: np.ndarray) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for n, p in zip(docs.tolist(), positions.tolist(), strict=True):
        out.setdefault(n, []).append(p)
    return out


def _within(held: list[dict[int, list[int]]], n: int, slop: int) -> bool:
    """Tell whether, in document n, each word has a position 1 to slop after one kept from the
    word before."""
    ends = set(held[0][n])
    for following in held[1:]:
        ends = {p for p in following[n] if any(1 <= p - e <= slop for e in ends)}
        if not ends:
            return False
    return True


MAX_RANGE_TERMS = 400  # words one range may match, as one wildcard (query.MAX_EXPANSION)


def _range(q: wq.TermRange, ctx: Postings) -> Docs:
    """Match a range of words (`[a TO m]`) by its terms, at most MAX_RANGE_TERMS of them and
    within the time limit (Whoosh would open a matcher for every one before the first match);
    past either bound the answer is partial. Scored as Whoosh would: by the query's own terms."""
    terms: list[wq.Query] = []
    for i, text in enumerate(whoosh_internals.range_texts(q, ctx.searcher.reader())):
        if len(terms) >= MAX_RANGE_TERMS or (i % 256 == 255 and time.perf_counter() > ctx.deadline):
            ctx.partial = True
            break
        terms.append(wq.Term(q.fieldname, text.decode("utf-8")))
    ids = _union(_within_time(terms, ctx), len(ctx.live))[0]
    return _score_by_terms(q, ids, ctx)


def _match_with_whoosh(q: wq.Query, ctx: Postings) -> Docs:
    found: list[int] = []
    for i, n in enumerate(ctx.searcher.docs_for_query(q)):
        found.append(n)
        if i % 2048 == 2047 and time.perf_counter() > ctx.deadline:
            ctx.partial = True
            break
    ids = np.unique(np.asarray(found, dtype=np.int64))
    return _score_by_terms(q, ids[ctx.live[ids]] if len(ids) else ids, ctx)


def _score_by_terms(q: wq.Query, ids: np.ndarray, ctx: Postings) -> Docs:
    """Score matched documents by the query's title and body terms, as a search by them would."""
    scores = np.zeros(len(ids))
    for fieldname, text in set(q.iter_all_terms()):
        if fieldname in ("title", "body"):
            t_ids, t_scores = _term(wq.Term(fieldname, text, boost=q.boost), ctx)
            _, mine, theirs = np.intersect1d(ids, t_ids, assume_unique=True, return_indices=True)
            scores[mine] += t_scores[theirs]
    return ids, scores
