"""Key phrases: an entry's distinctive two-word collocations.

NLTK's bigram collocation finder runs over the analysed words of a text (stems, stop words out,
positions as the index keeps them, so each phrase can be matched as a phrase query); pairs
holding a number, a short word or a function word are left out, and the rest are ranked by
the likelihood ratio. Each phrase keeps its words as first written, for a reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

from indexer.analysis import stems_and_words
from indexer.words import COMMON

LONG = 400  # words: a text this long must use a pair twice before it is a key phrase
CANDIDATES = 10  # pairs kept per text, best first


@dataclass(frozen=True)
class Phrase:
    """A key phrase: its two analysed terms and the words as the text first wrote them."""

    terms: tuple[str, str]
    words: str


def wordlike(term: str, word: str = "") -> bool:
    """Tell whether an analysed term can say what a text is about: letters (a dotted or hyphenated name too), 3 or more, not common."""
    letters = term.replace(".", "").replace("-", "")
    return (
        len(letters) >= 3
        and letters.isalpha()
        and term not in COMMON
        and word.lower() not in COMMON
    )


def key_phrases(text: str, limit: int = CANDIDATES) -> tuple[Phrase, ...]:
    """Return the text's key phrases, most associated first."""
    pairs = list(stems_and_words(text))
    terms = [t for t, _ in pairs]
    if len(terms) < 2:
        return ()
    finder = BigramCollocationFinder.from_words(terms)
    ok = {t for t, w in pairs if wordlike(t, w)}
    finder.apply_ngram_filter(lambda a, b: a not in ok or b not in ok or a == b)
    if len(terms) >= LONG:
        finder.apply_freq_filter(2)
    ranked = finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)[:limit]
    written = _written(pairs, {g for g, _ in ranked})
    return tuple(Phrase(g, written[g]) for g, _ in ranked)


def _written(
    pairs: list[tuple[str, str]], wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Map each wanted pair of terms to its first occurrence as written."""
    out: dict[tuple[str, str], str] = {}
    for (a, wa), (b, wb) in pairwise(pairs):
        if (a, b) in wanted and (a, b) not in out:
            out[(a, b)] = f"{_reader(wa)} {_reader(wb)}"
    return out


def _reader(word: str) -> str:
    """Lowercase a word unless it is an acronym or a name with capitals inside ("GSA", "GitHub")."""
    return word if sum(c.isupper() for c in word) > 1 else word.lower()
