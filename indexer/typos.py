"""Typo tolerance: a word of a plain query that the archive does not hold is matched with its
nearest archive words, at once, as Meilisearch does; the reader is told which.

Moving parts:
- `typo_distance`: how many edits a word may be from the words it stands for, by its length
  (none under 5 letters, 1 from 5, 2 from 9: Meilisearch's defaults);
- `near_spellings`: for each plain word the archive holds in no entry, the archive words at
  the smallest distance that has any (at most MAX_NEAR, most held first); and for a word in a
  few entries (suggest.FEW), the words one edit away that many times more entries hold
  (`goverment` in two posts, `government` in 400): both are then searched, and the entries
  holding the word as typed rank first, since only they hold its exact term (matching.py).
Quoted words, operators and fields never reach here: only plain queries are fuzzed. The
vocabulary and the edit distances are those of did-you-mean (suggest.py).
"""

from __future__ import annotations

import re
import time

from whoosh.searching import Searcher

from indexer.analysis import foreign_query_terms, query_stems, stems
from indexer.postings import Postings
from indexer.results import Near
from indexer.suggest import (
    FEW,
    MORE_TIMES,
    Candidate,
    VocabularyOf,
    entries_at_most,
    query_word,
)

MIN_ONE_TYPO = 5  # letters a word needs before one edit is allowed
MIN_TWO_TYPOS = 9  # and two
MAX_NEAR = 3  # archive words searched for one typed word
MAX_FUZZED = 8  # words of one query looked up
TYPO_SECONDS = 0.2
_DIGIT = re.compile(r"\d")


def typo_distance(word: str) -> int:
    """Return how many edits a typed word may be from an archive word it stands for."""
    if len(word) >= MIN_TWO_TYPOS:
        return 2
    return 1 if len(word) >= MIN_ONE_TYPO else 0


def near_spellings(
    words: list[str],
    searcher: Searcher,
    ctx: Postings,
    vocabulary_of: VocabularyOf,
    languages: tuple[str, ...] = (),
) -> dict[str, Near]:
    """Return, by typed word (lowercase), the near spellings of the plain words that the
    archive lacks or holds in a few entries next to a far more frequent neighbour (a word its
    entries in other `languages` hold, as their stem, is no typo: `Datei` is not `date`)."""
    deadline = time.perf_counter() + TYPO_SECONDS
    out: dict[str, Near] = {}
    for text in words[:MAX_FUZZED]:
        if time.perf_counter() > deadline:
            break
        key = text.lower()
        if key in out or _DIGIT.search(text) or not text.isalpha() and "'" not in text:
            continue
        word = query_word(0, text, searcher, ctx)
        if word is None or typo_distance(word.folded) == 0 or word.entries > FEW:
            continue
        if any(
            searcher.doc_frequency(f, t)
            for t in foreign_query_terms(text, languages)
            for f in ("title", "body")
        ):
            continue
        found = _nearest(word.folded, word.entries, searcher, vocabulary_of)
        if found:
            out[key] = Near(text, tuple(c.word for c in found))
    return out


def _nearest(
    folded: str, entries: int, searcher: Searcher, vocabulary_of: VocabularyOf
) -> list[Candidate]:
    """Return the archive words nearest a folded word: those at the smallest distance any
    archive word is at, the most held first; for a word the archive holds, only words one
    edit away in MORE_TIMES as many entries."""
    limit = typo_distance(folded) if entries == 0 else 1
    own = query_stems(folded)
    found: list[Candidate] = []
    for word, distance in vocabulary_of().close_words(folded, limit):
        terms = stems(word)
        if terms and terms != own:
            held = entries_at_most(searcher, terms)
            if held and held >= MORE_TIMES * entries:
                found.append(Candidate(word, distance, held))
    if not found:
        return []
    nearest = min(c.distance for c in found)
    best = sorted((c for c in found if c.distance == nearest), key=lambda c: (-c.entries, c.word))
    # one family once: "design" and "designs" are one word to a reader
    seen: set[tuple[str, ...]] = set()
    out = []
    for c in best:
        key = tuple(stems(c.word))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out[:MAX_NEAR]
