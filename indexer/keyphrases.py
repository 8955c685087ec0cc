"""Key phrases: an entry's distinctive two-word collocations.

NLTK's bigram collocation finder runs over the analysed words of a text (stems, stop words out,
positions as the index keeps them, so each phrase can be matched as a phrase query); pairs
holding a number, a short word or a function word are left out, and the rest are ranked by
the likelihood ratio. Each phrase keeps its words as first written, for a reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

from indexer.analysis import text_analyzer
from indexer.words import COMMON

_ANALYZER = text_analyzer()
_BREAK = re.compile(r"[.!?;:,()\[\]\"“”—–\n]")
BREAK = "\x00"
_PLAIN = re.compile(
    r"[^\W_]+(?:['’.\-][^\W_]+)*(?:['’]s?)?(?: [^\W_]+(?:['’.\-][^\W_]+)*(?:['’]s?)?)*"
)
_POSSESSIVE = re.compile(r"['’][sS]?$")
LONG = 400  # words: a text this long must use a pair twice before it is a key phrase
CANDIDATES = 10  # pairs kept per text, best first


@dataclass(frozen=True)
class Phrase:
    """A key phrase: its two analysed terms and the words as the text first wrote them."""

    terms: tuple[str, str]
    words: str


def wordlike(term: str, word: str = "") -> bool:
    """Tell whether an analysed term can say what a text is about: letters, 3 or more (a dotted
    or hyphenated name too), not a common word."""
    letters = term.replace(".", "").replace("-", "")
    return (
        len(letters) >= 3
        and letters.isalpha()
        and term not in COMMON
        and word.lower() not in COMMON
    )


def analysed(text: str) -> list[tuple[str, int, int]]:
    """Return the text's analysed terms, each with the span of its word as written."""
    return [(t.text, t.startchar, t.endchar) for t in _ANALYZER(text, chars=True)]


def key_phrases(
    text: str, limit: int = CANDIDATES, tokens: list[tuple[str, int, int]] | None = None
) -> tuple[Phrase, ...]:
    """Return the text's key phrases, most associated first (`tokens`: the text `analysed`,
    when the caller has it)."""
    tokens = analysed(text) if tokens is None else tokens
    if len(tokens) < 2:
        return ()
    words = [tokens[0][0]]
    for (_, _, end), (term, start, _) in pairwise(tokens):
        if _BREAK.search(text, end, start):
            words.append(BREAK)  # no phrase across a sentence or a clause
        words.append(term)
    ok = {t for t, start, end in tokens if wordlike(t, text[start:end])}
    finder = BigramCollocationFinder.from_words(words)
    finder.apply_ngram_filter(lambda a, b: a not in ok or b not in ok or a == b)
    if len(tokens) >= LONG:
        finder.apply_freq_filter(2)
    ranked = finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)[:limit]
    written = _written(text, tokens, {g for g, _ in ranked})
    return tuple(Phrase(g, written[g]) for g, _ in ranked if g in written)


def _written(
    text: str, tokens: list[tuple[str, int, int]], wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Map each wanted pair of terms to its first occurrence as written, stop words between kept
    ("work in progress")."""
    out: dict[tuple[str, str], str] = {}
    for (a, start, _), (b, _, end) in pairwise(tokens):
        span = " ".join(text[start:end].split())
        if (a, b) in wanted and (a, b) not in out and _PLAIN.fullmatch(span):
            out[(a, b)] = " ".join(reader_word(w) for w in span.split())
    return out


def reader_word(word: str) -> str:
    """Return a word as a reader names it: no handle or hashtag mark, lowercase unless it is an
    acronym or a name with capitals inside ("GSA", "GitHub")."""
    word = _POSSESSIVE.sub("", word.lstrip("#@"))
    return word if sum(c.isupper() for c in word) > 1 else word.lower()
