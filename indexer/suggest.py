"""Did-you-mean: a close word from the index for each query word the index does not have."""

from __future__ import annotations

import time

from whoosh.searching import Searcher

from indexer.analysis import fold_prefix, stems
from indexer.query import plain_words

# Each unknown word costs a scan of the vocabulary: a query of hundreds of made-up words would
# hold a worker for a minute without these bounds.
MAX_CORRECTED = 8
SUGGEST_SECONDS = 0.3
# A scan of every word is 0.7-1.6 s a word at 60,000 words (100,000 entries); taking the first
# letters as typed cuts it to milliseconds: first the first two, then the first one.
PREFIXES = (2, 1)


def _known(searcher: Searcher, word: str) -> bool:
    terms = stems(word)
    if not terms:
        return True  # a stop word: nothing to correct
    return all(searcher.doc_frequency("body", t) or searcher.doc_frequency("title", t)
               for t in terms)


def _closest(corrector, folded: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the closest known word, trying the longer typed prefix first."""
    maxdist = 2 if len(folded) > 4 else 1
    for prefix in PREFIXES:
        if prefix < len(folded):
            found = corrector.suggest(folded, limit=1, maxdist=maxdist, prefix=prefix)
            if found:
                return list(found)
    return []


def suggestion(searcher: Searcher, q: str) -> str | None:
    """Return the query with each unknown word replaced by a close known one, or None."""
    corrector = None
    out = q
    changed = False
    tried, deadline = 0, time.perf_counter() + SUGGEST_SECONDS
    for word in plain_words(q):
        if _known(searcher, word):
            continue
        if tried >= MAX_CORRECTED or time.perf_counter() > deadline:
            break
        tried += 1
        corrector = corrector or searcher.corrector("words")
        folded = fold_prefix(word.lower())
        found = _closest(corrector, folded)
        if found and found[0] != folded and _known(searcher, found[0]):
            out = out.replace(word, found[0], 1)
            changed = True
    return out if changed else None
