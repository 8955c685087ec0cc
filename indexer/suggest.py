"""Did-you-mean: the query with its unknown or rare words corrected from the archive's own words.

Moving parts:
- `Vocabulary`: the folded whole words of one state of the index (the `words` field), by
  length, made once and shared by the threads; `Vocabularies` keeps those of the two newest
  states read (a generation being prepared makes its own before readers meet it) and forgets
  older ones, so nothing outlives a generation for long.
- `Vocabulary.candidates`: the known words within an optimal-string-alignment distance of a
  typed word (Damerau-Levenshtein with adjacent transpositions: desing -> design is 1 edit),
  each scored by how many entries hold it and how far it is (`_score`).
- `suggestion`: the words the archive has in no entry or in a few (`FEW`) are corrected; the
  best combinations of candidates are counted against the index (all words in one entry),
  and the best-scored one is offered only when it finds more entries than the query as typed
  (`MORE_TIMES` as many when the typed one found a few).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from indexer.analysis import fold_prefix, query_stems, stems
from indexer.postings import Postings, doc_frequency, evaluate
from indexer.query import plain_words

# Bounds: a query of hundreds of made-up words must not hold a worker. At 60,000 words
# (100,000 entries) a word's candidates cost ~10 ms; counting a combination of several words
# reads a new word's postings once (up to ~100 ms, then cached with the generation).
MAX_CORRECTED = 8  # words corrected in one query
SUGGEST_SECONDS = 0.3
MAX_OPTIONS = 3  # candidates kept per word
MAX_COMBINATIONS = 24  # corrected queries counted
MAX_WORD = 30  # longer vocabulary words (URLs run together, hashes) are never offered
# A word in this many entries or fewer may be a typo of a frequent word (1 hit vs 200): it is
# corrected when it is long enough, one edit from a word in MORE_TIMES as many entries, and the
# corrected query finds MORE_TIMES as many as well. Looser, real words are taken for typos: of
# 1,500 words drawn from the 18F blog's vocabulary, 32 get a suggestion (posible, accesible,
# but also drone -> done); at 10 times, two edits and 3 letters, 301 did (lisp -> list,
# insecure -> secure).
FEW = 3
MORE_TIMES = 50
KNOWN_MIN_LENGTH = 5
# One more edit must be paid for by a word this many times more frequent.
EDIT_COST = math.log(100)
_NOT_A_WORD = re.compile(r"\d")


@dataclass(frozen=True)
class Candidate:
    """A known word offered for a typed one: its edit distance and entry count."""

    word: str
    distance: int
    entries: int

    @property
    def score(self) -> float:
        return _score(self.entries, self.distance)


def _score(entries: int, distance: int) -> float:
    """Score a word by how often the archive has it, less a cost per edit."""
    return math.log(max(entries, 1)) - EDIT_COST * distance


def max_distance(word: str) -> int:
    """Return how many edits a word of this length may be from its correction."""
    return 1 if len(word) <= 4 else 2


class Vocabulary:
    """The archive's folded whole words by length, for looking up close spellings."""

    def __init__(self, words: Iterable[str]) -> None:
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in words:
            if 1 < len(word) <= MAX_WORD and not _NOT_A_WORD.search(word):
                by_length[len(word)].append(word)
        self.by_length = dict(by_length)
        self._held: set[str] | None = None

    @classmethod
    def from_reader(cls, reader: IndexReader) -> Vocabulary:
        """Read the words of the index's vocabulary documents."""
        return cls(_words_of(reader))

    def with_words(self, words: Iterable[str]) -> Vocabulary:
        """Return a vocabulary of these words and this one's (which stays as it is)."""
        if self._held is None:
            self._held = {w for held in self.by_length.values() for w in held}
        new = {w for w in words if w not in self._held}
        made = Vocabulary(new)
        for length, held in self.by_length.items():
            made.by_length[length] = held + made.by_length.get(length, [])
        return made

    def __len__(self) -> int:
        return sum(len(words) for words in self.by_length.values())

    def close_words(self, folded: str, limit: int | None = None) -> list[tuple[str, int]]:
        """Return the words within `limit` edits (max_distance by default) of a folded word,
        with their distance."""
        limit = max_distance(folded) if limit is None else limit
        found: list[tuple[str, int]] = []
        for length in range(len(folded) - limit, len(folded) + limit + 1):
            words = self.by_length.get(length)
            if words:
                hits = process.extract(
                    folded,
                    words,
                    scorer=OSA.distance,
                    processor=None,
                    score_cutoff=limit,
                    limit=None,
                )
                found.extend((word, int(distance)) for word, distance, _ in hits if distance)
        return found

    def candidates(self, searcher: Searcher, folded: str) -> list[Candidate]:
        """Return the best-scored known words for a folded word, other than its own stems."""
        own = query_stems(folded)
        out = []
        for word, distance in self.close_words(folded):
            terms = stems(word)
            if terms and terms != own:
                out.append(Candidate(word, distance, entries_at_most(searcher, terms)))
        out = [c for c in out if c.entries]
        out.sort(key=lambda c: (-c.score, c.distance, c.word))
        return out[:MAX_OPTIONS]


def entries_at_most(searcher: Searcher, terms: list[str]) -> int:
    """Return an upper bound of the entries holding every term (deleted ones included)."""
    return min(
        max(doc_frequency(searcher, "body", t), doc_frequency(searcher, "title", t)) for t in terms
    )


GROW_SHARE = 0.5  # a kept vocabulary is grown when the segments it lacks hold less than this


class Vocabularies:
    """The vocabularies of the newest states of the index read (KEEP of them: a generation
    being prepared and the one still answering meanwhile), each made once for every thread."""

    KEEP = 2

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[tuple[str, ...], Vocabulary] = {}

    def get(self, searcher: Searcher, words: Sequence[str] | None = None) -> Vocabulary:
        """Return the vocabulary of the searcher's segments, made once: from `words` when the
        caller has them (the suggestion lists of the same state, already in memory: 0.02 s at
        100,000 entries); else, after an incremental run, a kept vocabulary of most of the
        same segments with the words of the segments it lacks; else read from the index's
        `words` terms (0.2-0.6 s there, seconds at a million entries).

        A vocabulary made from a kept one may still hold words only deleted entries had:
        `candidates` offers no word that no entry holds."""
        leaves = {leaf.segment().segment_id(): leaf for leaf, _ in searcher.reader().leaf_readers()}
        key = tuple(sorted(leaves))
        with self._lock:
            found = self._held.get(key)
            if found is None:
                if words is not None:
                    found = Vocabulary(words)
                else:
                    found = self._grown(leaves) or Vocabulary.from_reader(searcher.reader())
                kept = list(self._held.items())[-(self.KEEP - 1) :] if self.KEEP > 1 else []
                self._held = {**dict(kept), key: found}
            return found

    def _grown(self, leaves: dict[str, IndexReader]) -> Vocabulary | None:
        """Return a kept vocabulary grown by the words of the segments it was not made from,
        when those hold fewer than GROW_SHARE of the documents (else None: read it whole)."""
        best: tuple[int, tuple[str, ...]] | None = None
        for held_key in self._held:
            shared = len(leaves.keys() & set(held_key))
            if shared and (best is None or shared > best[0]):
                best = (shared, held_key)
        if best is None:
            return None
        lacking = [leaves[s] for s in leaves.keys() - set(best[1])]
        total = sum(leaf.doc_count_all() for leaf in leaves.values())
        if sum(leaf.doc_count_all() for leaf in lacking) > GROW_SHARE * total:
            return None
        return self._held[best[1]].with_words(w for leaf in lacking for w in _words_of(leaf))


def _words_of(reader: IndexReader) -> Iterator[str]:
    """Yield the words of a reader's vocabulary documents (the `words` field)."""
    for w in reader.lexicon("words"):
        yield w.decode("utf-8") if isinstance(w, bytes) else w


VocabularyOf = Callable[[], Vocabulary]  # the vocabulary of the state being read, made when asked


# -- the whole query -------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word of the query: where it is, its folded form and terms, how many entries have it."""

    start: int
    text: str
    folded: str
    terms: tuple[str, ...]
    entries: int


def _all_words(terms: list[tuple[str, ...]]) -> wq.Query:
    """Return the query for entries holding every term, in title or body."""
    return wq.And([wq.Or([wq.Term("title", t), wq.Term("body", t)]) for ts in terms for t in ts])


def _count(ctx: Postings, terms: list[tuple[str, ...]]) -> int:
    """Return how many live entries hold every term."""
    return len(evaluate(_all_words(terms), ctx)[0]) if terms else 0


def _at_least(searcher: Searcher, terms: list[tuple[str, ...]]) -> int:
    """Return a count of the entries holding every term that reads no postings: exact enough
    for one term in an index without deletions, else 0. (Reading a frequent word's postings
    costs ~50 ms at 100,000 entries; most corrections are of one word.)"""
    flat = [t for ts in terms for t in ts]
    if len(flat) != 1 or searcher.reader().has_deletions():
        return 0
    return max(searcher.doc_frequency("body", flat[0]), searcher.doc_frequency("title", flat[0]))


def _words(q: str, searcher: Searcher, ctx: Postings) -> list[Word]:
    """Return the query's words (not syntax, not stop words), counting the rare ones exactly;
    a hyphenated word gives its parts, as the analyzer splits it (self-drivng: self, drivng)."""
    out, cursor = [], 0
    for text in plain_words(q):
        found = re.compile(rf"(?<![\w'’\-]){re.escape(text)}").search(q, cursor)
        if found is None:
            continue
        cursor = found.end()
        if _left_as_typed(q, found.start(), found.end()):
            continue
        for part in re.finditer(r"[^\-]+", text):
            word = query_word(found.start() + part.start(), part.group(), searcher, ctx)
            if word is not None:
                out.append(word)
    return out


def query_word(start: int, text: str, searcher: Searcher, ctx: Postings) -> Word | None:
    """Return a word of the query with its terms and entries, or None for a stop word."""
    folded = fold_prefix(text.lower())
    terms = tuple(query_stems(folded))
    if not terms:
        return None
    entries = entries_at_most(searcher, list(terms))
    if entries <= FEW:
        entries = _count(ctx, [terms])
    return Word(start, text, folded, terms, entries)


def _left_as_typed(q: str, start: int, end: int) -> bool:
    """Tell whether the word at q[start:end] is excluded (-word), a wildcard's (word*) or
    fuzzy already (word~2)."""
    excluded = q[start - 1 : start] == "-" and q[start - 2 : start - 1] in ("", " ", "(")
    return excluded or q[end : end + 1] in ("*", "?", "~")


def _correctable(word: Word) -> bool:
    """Tell whether a word is rare enough, and word-like enough, to correct."""
    shortest = KNOWN_MIN_LENGTH if word.entries else 3
    return (
        word.entries <= FEW and len(word.folded) >= shortest and not _NOT_A_WORD.search(word.folded)
    )


Option = tuple[str, tuple[str, ...], float]  # word, its terms, score


def _options(word: Word, vocabulary: Vocabulary, searcher: Searcher) -> list[Option]:
    """Return the spellings to try for a word: its candidates, and itself when it is known."""
    found: list[Option] = [
        (c.word, tuple(stems(c.word)), c.score)
        for c in vocabulary.candidates(searcher, word.folded)
        if not word.entries or (c.distance == 1 and c.entries >= MORE_TIMES * word.entries)
    ]
    if word.entries:
        found.append((word.folded, word.terms, _score(word.entries, 0)))
    return found


def _combinations(options: list[list[Option]]) -> list[tuple[Option, ...]]:
    """Return the best-scored choices of one option per word, best first (a bounded beam)."""
    beam: list[tuple[Option, ...]] = [()]
    for choices in options:
        beam = [(*chosen, option) for chosen in beam for option in choices]
        beam.sort(key=lambda chosen: -sum(option[2] for option in chosen))
        beam = beam[:MAX_COMBINATIONS]
    return beam


def _finds_more(corrected: int, typed: int) -> bool:
    """Tell whether a corrected query finds enough more than the typed one to be offered."""
    return corrected > typed and (typed == 0 or corrected >= MORE_TIMES * typed)


def _as_typed(word: str, typed: str) -> str:
    """Return the correction with the typed word's capitals (Desing -> Design)."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    return word.capitalize() if typed[:1].isupper() else word


def suggestion(
    q: str, searcher: Searcher, ctx: Postings, vocabulary_of: VocabularyOf
) -> str | None:
    """Return the query with its rare words corrected when that finds more entries, or None."""
    deadline = time.perf_counter() + SUGGEST_SECONDS
    words = _words(q, searcher, ctx)
    targets = [w for w in words if _correctable(w)][:MAX_CORRECTED]
    if not targets:
        return None
    vocabulary = vocabulary_of()  # made once per state of the index, and only when needed
    options = []
    for word in targets:
        options.append(
            _options(word, vocabulary, searcher) if time.perf_counter() < deadline else []
        )
        if not options[-1]:
            return None  # a word with no better spelling: no correction finds more
    kept = [w.terms for w in words if w not in targets]
    typed = _count(ctx, [w.terms for w in words])
    for chosen in _combinations(options):
        if time.perf_counter() > deadline:
            break
        if all(option[0] == word.folded for option, word in zip(chosen, targets)):
            continue  # nothing changed
        terms = kept + [option[1] for option in chosen]
        if _finds_more(_at_least(searcher, terms), typed) or _finds_more(_count(ctx, terms), typed):
            return _rewrite(q, targets, [option[0] for option in chosen])
    return None


def _rewrite(q: str, targets: list[Word], corrections: list[str]) -> str:
    """Return the query text with each target word replaced by its correction."""
    out, end = [], 0
    for word, correction in zip(targets, corrections):
        out += [
            q[end : word.start],
            _as_typed(correction, word.text) if correction != word.folded else word.text,
        ]
        end = word.start + len(word.text)
    return "".join(out) + q[end:]
