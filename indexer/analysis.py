"""Whoosh analyzers for the archive: NLTK tokenizing, spelling folds, cached Snowball stems.

Moving parts (all picklable, since Whoosh pickles the schema; state lives at module level):
- `WordTokenizer`: NLTK's RegexpTokenizer spans as Whoosh tokens, with the character offsets of
  the original words (so highlights mark "Anthropomorphisation" as written) and positions.
- `FoldFilter`: accents, curly apostrophes, possessives, `#`/`@` sigils and `%` off the term
  (the offsets still cover the word as written), then `spelling.fold_variant`.
- `SnowballFilter`: NLTK's Snowball English stemmer behind an `lru_cache`, then `_FAMILIES`.
- `text_analyzer()` (title, body), `word_analyzer()` (whole words for prefix queries and
  did-you-mean), `stems()`, `fold_prefix()` and `surface_words()`.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer
from whoosh.analysis import (
    STOP_WORDS,
    CompositeAnalyzer,
    Filter,
    LowercaseFilter,
    StopFilter,
    Token,
    Tokenizer,
)

from indexer.spelling import fold_fragment, fold_variant

# A word starts and ends with a letter or digit (so markdown's _emphasis_ is not part of it),
# may join parts with apostrophes (don't, OpenAI’s) and digits with . or , (5.2, 1,000), may
# carry a #/@ sigil (#keep4o, @Seltaa_) and a trailing % (75%). Hyphens split (GPT‑4o).
_PART = r"[^\W_](?:\w*[^\W_])?"
_WORD = rf"[#@]?{_PART}(?:['’]{_PART})*(?:(?<=\d)\.\d+|(?<=\d),\d{{3}}(?!\d))*%?"
# NLTK runs it under a 5 s ReDoS time limit per text: ~40 MB in one field value would trip it.
_SPLITTER = RegexpTokenizer(_WORD)

_STOPS = STOP_WORDS | frozenset(string.ascii_lowercase)  # single letters, but keep digits
_STEMMER = SnowballStemmer("english")
# Stems Snowball leaves apart although readers mean one word (autonomy/autonomous).
_FAMILIES = {
    "autonomi": "autonom",
    "legitimaci": "legitim",
    "accuraci": "accur",
    "empathi": "empath",
    "empathet": "empath",
}
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "’": "'"}
)
_POSSESSIVE = re.compile(r"['’]s?$")


class WordTokenizer(Tokenizer):
    """Split text into words with NLTK, keeping each word's offsets in the original text."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        """Yield one reused Token per word, as Whoosh's own tokenizers do."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        spans = _SPLITTER.span_tokenize(value) if tokenize else [(0, len(value))]
        for pos, (start, end) in enumerate(spans, start_pos):
            token.text = value[start:end]
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class FoldFilter(Filter):
    """Fold each lowercased word's accents, punctuation and British spelling."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Replace each token's text by its folded form."""
        for token in tokens:
            token.text = fold_word(token.text)
            yield token


class SnowballFilter(Filter):
    """Stem each word with NLTK's Snowball English stemmer (cached)."""

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        """Replace each token's text by its stem."""
        for token in tokens:
            token.text = stem(token.text)
            yield token


def text_analyzer() -> CompositeAnalyzer:
    """Build the title/body analyzer: words, folds, stop words, stems."""
    return (
        WordTokenizer()
        | LowercaseFilter()
        | FoldFilter()
        | StopFilter(_STOPS, minsize=1)
        | SnowballFilter()
    )


def word_analyzer() -> CompositeAnalyzer:
    """Build the whole-word analyzer (no stop words, no stems) for prefix queries and spelling."""
    return WordTokenizer() | LowercaseFilter() | FoldFilter()


_TEXT = text_analyzer()


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Fold a lowercased word: accents, apostrophes, possessive, sigils, then its spelling."""
    word = _plain(word).lstrip("#@").rstrip("%")
    if word[:1].isdigit():
        word = word.replace(",", "")
    return fold_variant(_POSSESSIVE.sub("", word) or word)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem a folded word (cached: the vocabulary is small next to the token stream)."""
    stemmed = _STEMMER.stem(word)
    return _FAMILIES.get(stemmed, stemmed)


def stems(text: str) -> list[str]:
    """Return the text analyzer's terms for the text, in order."""
    return [token.text for token in _TEXT(text)]


def surface_words(text: str, wanted_stems: set[str]) -> dict[str, str]:
    """Map each wanted stem to the first word of the text, as written, that analyzes to it."""
    found: dict[str, str] = {}
    for token in _TEXT(text, chars=True):
        if token.text in wanted_stems and token.text not in found:
            found[token.text] = _POSSESSIVE.sub("", text[token.startchar : token.endchar])
            if len(found) == len(wanted_stems):
                break
    return found


def fold_prefix(text: str) -> str:
    """Fold prefix/wildcard query text as `word_analyzer` folds words, keeping `*` and `?`."""
    text = _plain(text.lower()).lstrip("#@")
    cut = next((i for i, char in enumerate(text) if char in "*?"), len(text))
    head, tail = text[:cut], text[cut:]
    if not tail:
        return fold_word(head) if head else head
    folded = fold_fragment(head) if head else head
    if folded != head and tail[0] == "?":
        # The folded word may be longer or shorter than the typed one: `colou?` must still
        # find "color", so the first run of single-letter wildcards becomes `*`.
        tail = "*" + tail.lstrip("?*")
    return folded + tail


def _plain(text: str) -> str:
    """Strip accents (é -> e, ø -> o) and straighten apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
