"""Whoosh analyzers for the archive: NLTK tokenizing, spelling folds, cached Snowball stems.

Moving parts (all picklable, since Whoosh pickles the schema; state lives at module level):
- `TermAnalyzer`: words by NLTK's RegexpTokenizer pattern, as Whoosh tokens with the character
  offsets of the original words (so highlights mark "Anthropomorphisation" as written) and
  positions; each word folded in one cached step (`_text_term`, `_word_term`):
- `fold_word`: accents, curly apostrophes, possessives, `#`/`@` sigils and `%` off the term
  (the offsets still cover the word as written), then `spelling.fold_variant`;
- `stem`: NLTK's Snowball English stemmer behind an `lru_cache`, then `_FAMILIES`.
- `text_analyzer()` (title, body), `word_analyzer()` (whole words for prefix queries and
  did-you-mean), `stems()`, `fold_prefix()` and `surface_words()`.
"""

from __future__ import annotations

import contextlib
import pickle
import re
import string
import struct
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from nltk.stem.snowball import SnowballStemmer
from whoosh.analysis import STOP_WORDS, Analyzer, Token
from whoosh.formats import Positions

from indexer.languages import (
    CJK_CLASS,
    ENGLISH,
    STEMMED,
    bigrams,
    foreign_term,
    has_cjk,
    is_cjk,
)
from indexer.spelling import fold_fragment, fold_variant

# A word starts and ends with a letter or digit (so markdown's _emphasis_ is not part of it),
# may join parts with apostrophes (don't, OpenAI’s) and digits with . or , (5.2, 1,000), may
# carry a #/@ sigil (#keep4o, @Seltaa_) and a trailing % (75%). Hyphens split (GPT‑4o).
_PART = r"[^\W_](?:\w*[^\W_])?"
_WORD = rf"[#@]?{_PART}(?:['’]{_PART})*(?:(?<=\d)\.\d+|(?<=\d),\d{{3}}(?!\d))*%?"
# Compiled as NLTK's RegexpTokenizer would (its flags), but run with `re` itself: NLTK 3.10
# wraps every match in a ReDoS time guard that costs 2.7x here (the pattern is linear: no
# nested repeats).
_RX = re.compile(_WORD, re.UNICODE | re.MULTILINE | re.DOTALL)
# Text with CJK characters: a run of them (no spaces between words) is a token of its own, split
# into bigrams, and a word stops where one starts. Only such text is read with this pattern: its
# character sets cost English text time (`\w*` is one opcode, a set is checked char by char).
_CJK_PART = rf"[^\W_{CJK_CLASS}](?:[^\W{CJK_CLASS}]*[^\W_{CJK_CLASS}])?"
_CJK_WORD = (
    rf"[{CJK_CLASS}]+|[#@]?{_CJK_PART}(?:['’]{_CJK_PART})*"
    rf"(?:(?<=\d)\.\d+|(?<=\d),\d{{3}}(?!\d))*%?"
)
_RX_CJK = re.compile(_CJK_WORD, re.UNICODE | re.MULTILINE | re.DOTALL)

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


class TermAnalyzer(Analyzer):
    """Tokenize with the NLTK word pattern and fold (and stem) each word in one cached step.

    One class instead of a tokenizer and four filters: each token then costs one dict lookup,
    and the last text analyzed is remembered, so theme assignment and indexing of the same
    body analyze it once. Positions skip stop words (as StopFilter(renumber=True) does), so
    "user autonomy" matches "stripping user autonomy in the name of safety".
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem

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
        """Yield one reused Token per word, as Whoosh's own analyzers do."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if mode == "query" and tokenize:  # a reader's words: kept out of the big caches
            rows = _analyze_query(value, self.stem)
        else:
            rows = _analyze(value, self.stem) if tokenize else _analyze_one(value, self.stem)
        for text, pos, start, end in rows:
            stopped = text is None
            if stopped and removestops:
                continue
            token.text = value[start:end].lower() if stopped else text
            token.stopped = stopped
            token.boost = 1.0
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class TermPositions(Positions):
    """Whoosh's Positions format, fed from `TermAnalyzer`'s rows without a Token per word.

    Indexing spends most of its time per posting; this writes byte-for-byte what Positions
    writes (positions skip stop words, each occurrence weighs the field boost).
    """

    def word_values(
        self, value: Any, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        where = self._where(value, analyzer, **kwargs)
        if where is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        for word, positions in where.items():
            yield word, len(positions), len(positions) * boost, _encode(positions)

    def index_rows(self, value: Any, analyzer: Any) -> list[tuple[bytes, int, float, bytes]] | None:
        """Return what `field.index(value)` yields, as a list, for the build's writer
        (`whoosh_internals._add_document`); None where only Whoosh's own path can."""
        where = self._where(value, analyzer)
        if where is None:
            return None
        boost = self.field_boost
        return [
            (word.encode("utf-8"), len(positions), len(positions) * boost, _encode(positions))
            for word, positions in where.items()
        ]

    def _where(self, value: Any, analyzer: Any, **kwargs: Any) -> dict[str, list[int]] | None:
        """Return each term of the text with its positions (None: not text this class reads)."""
        if (
            not isinstance(analyzer, TermAnalyzer)
            or not isinstance(value, str)
            or kwargs.get("start_pos", 0)
            or not kwargs.get("tokenize", True)
        ):
            return None
        where: dict[str, list[int]] = {}
        rows = _analyze(value, analyzer.stem)
        exact_of = _exact_term if analyzer.stem else None
        for text, pos, start, end in rows:
            if text is not None:
                found = where.get(text)
                if found is None:
                    where[text] = [pos]
                else:
                    found.append(pos)
                if exact_of is not None:
                    exact = exact_of(value[start:end])
                    if exact is not None:
                        found = where.get(exact)
                        if found is None:
                            where[exact] = [pos]
                        elif found[-1] != pos:
                            found.append(pos)
        if analyzer.stem and _HAS_JOINER.search(value):
            for joined, pos in compounds(value, rows):
                for term in (joined, _exact_term(joined)):
                    if term is not None:  # a compound may also be written whole elsewhere
                        where[term] = sorted({*where.get(term, ()), pos})
        return where


_COUNT = struct.Struct("!I").pack


# The encodings of one position, made once: most words occur once in an entry, so most
# postings share one of these (a build's posting pool then holds a pointer, not the bytes).
_SINGLE: dict[int, bytes] = {}
SINGLE_MAX = 1 << 16  # positions past this are encoded each time


def _encode(positions: list[int]) -> bytes:
    """Return `Positions.encode(positions)`: the count, then the pickled deltas."""
    if len(positions) == 1:
        pos = positions[0]
        value = _SINGLE.get(pos)
        if value is None:
            value = _COUNT(1) + pickle.dumps([pos], 2)
            if pos < SINGLE_MAX:
                _SINGLE[pos] = value
        return value
    deltas = [b - a for a, b in zip([0, *positions[:-1]], positions, strict=True)]
    return _COUNT(len(deltas)) + pickle.dumps(deltas, 2)


Row = tuple[str | None, int, int, int]  # term (None for a stop word), position, start, end
EXACT = "="  # marks a term that holds a word's folded form (light plural only), not its stem
_JOINERS = frozenset("-\u2010\u2011")  # hyphens inside a compound ("micro-purchase", "GPT‑4o")


_HAS_JOINER = re.compile(r"\w[-\u2010\u2011/]\w")
SHORT_PART = 3  # a slash joins parts this short ("A/B", "24/7"), not "input/output" or a path


def compounds(value: str, rows: list[Row]) -> Iterator[tuple[str, int]]:
    """Yield the stemmed joined form of each hyphenated compound with its last part's position,
    so "micro-purchase", "micro purchase" and "micropurchase" meet, and "e-mail" finds "email"."""
    run: list[Row] = []
    for row in rows + [(None, -1, len(value) + 2, len(value) + 2)]:
        if run and not _joined(value, run[-1], row):
            if len(run) > 1:
                term = _text_term("".join(value[r[2] : r[3]] for r in run))
                if term is not None:
                    yield term, run[-1][1]
            run = []
        run.append(row)


# The last two texts analyzed, per kind (an entry's title and body): indexing analyzes again
# what theme assignment just did.
_RECENT: dict[bool, tuple[tuple[str, list[Row]], ...]] = {True: (), False: ()}


def _analyze(value: str, stem: bool) -> list[Row]:
    """Return the rows of a text, reusing a recent result for the same text."""
    language = _LANGUAGE[0] if _LANGUAGE else ENGLISH
    if stem and language in STEMMED:
        return _rows(value, lambda raw: _foreign_term(raw, language))
    recent = _RECENT[stem]
    for text, found in recent:
        if text == value:
            return found
    term = _text_term if stem else _word_term
    if has_cjk(value):
        rows = _rows(value, term)
    else:
        rows = []
        pos = -1
        for m in _RX.finditer(value):
            found_term = term(m.group())
            if found_term is not None or pos < 0:
                pos += 1
            rows.append((found_term, max(pos, 0), m.start(), m.end()))
    _RECENT[stem] = ((value, rows), *recent[:1])
    return rows


def _rows(value: str, term: Callable[[str], str | None]) -> list[Row]:
    """Return the rows of a text whose CJK runs become bigrams, or of an entry in another
    language (its own terms): the slower path, which English text never takes."""
    rows: list[Row] = []
    pos = -1
    for raw, start, end in _tokens(value):
        found_term = term(raw)
        if found_term is not None or pos < 0:
            pos += 1
        rows.append((found_term, max(pos, 0), start, end))
    return rows


def _tokens(value: str, start: int = 0) -> Iterator[tuple[str, int, int]]:
    """Yield each token of a text with its span: words, and the bigrams of CJK runs."""
    for m in (_RX_CJK if has_cjk(value) else _RX).finditer(value, start):
        word = m.group()
        if is_cjk(word):
            yield from bigrams(word, m.start())
        else:
            yield word, m.start(), m.end()


# The language of the entry being indexed (`indexing_language`): Whoosh calls the analyzer deep
# inside add_document, with the text alone.
_LANGUAGE: list[str] = []


@contextlib.contextmanager
def indexing_language(code: str) -> Iterator[None]:
    """Analyse the text indexed inside the block as words of this language (English: as ever;
    a European language: its own stems, `languages.foreign_term`)."""
    _LANGUAGE[:] = [code]
    try:
        yield
    finally:
        _LANGUAGE.clear()


def add_entry(writer: Any, doc: dict[str, Any]) -> None:
    """Add an entry's document to a Whoosh writer, its text analysed for its language."""
    with indexing_language(doc.get("language") or ENGLISH):
        writer.add_document(**doc)


def _foreign_term(raw: str, language: str) -> str | None:
    """Return a word's indexed term in an entry of another language (CJK: its bigram). A stop
    word of the language keeps its exact term: the shipped lists are long (Spanish's 652 hold
    "posible", "actualmente"), and a word a reader quotes must still be found as typed."""
    if is_cjk(raw):
        return raw
    term = foreign_term(_plain_apostrophes(raw.lower()), language)
    if term is None:
        return _exact_term(raw)
    if _RECORDING:
        _RECORDING[0].add(fold_word(raw.lower()))
    return term


def _plain_apostrophes(word: str) -> str:
    return word.lstrip("#@").rstrip("%").replace("’", "'")


def _analyze_query(value: str, stem: bool) -> list[Row]:
    """Return the rows of query text, analyzed through `query_terms`."""
    rows: list[Row] = []
    pos = -1
    for raw, start, end in _tokens(value):
        if is_cjk(raw):
            found_term: str | None = raw if stem else None  # prefixes, spelling: left alone
        else:
            found_term = query_terms(raw)[0] if stem else (_fold_fresh(raw.lower()) or None)
        if found_term is not None or pos < 0:
            pos += 1
        rows.append((found_term, max(pos, 0), start, end))
    return rows


def _analyze_one(value: str, stem: bool) -> list[Row]:
    text = (_text_term if stem else _word_term)(value)
    return [(text, 0, 0, len(value))]


# The folded words a build analyzes go into the set of `recording_vocabulary` while it is open
# (never in a web worker, whose query words must not grow memory): they become the index's
# vocabulary for prefix queries. Whoosh calls the analyzer deep inside add_document, so the set
# being filled is held here, for the length of one block.
_RECORDING: list[set[str]] = []


@lru_cache(maxsize=300_000)
def _text_term(raw: str) -> str | None:
    """Return a word's indexed term (folded and stemmed), or None for a stop word."""
    if is_cjk(raw):  # a bigram (or a lone character) is its own term
        return raw
    folded = fold_word(raw.lower())
    if not folded or folded in _STOPS:
        return None
    if _RECORDING:
        _RECORDING[0].add(folded)
    return stem(folded)


@contextlib.contextmanager
def recording_vocabulary() -> Iterator[set[str]]:
    """Yield the set of the folded words analyzed inside the block (every cached analysis is
    forgotten first, so each word is seen); recording stops when the block ends."""
    _text_term.cache_clear()
    _RECENT[True] = _RECENT[False] = ()
    words: set[str] = set()
    _RECORDING[:] = [words]
    try:
        yield words
    finally:
        _RECORDING.clear()


def _joined(value: str, before: Row, after: Row) -> bool:
    """Tell whether two neighbouring words are one compound: a hyphen between them, or a slash
    between two short ones."""
    if after[2] != before[3] + 1:
        return False
    gap = value[before[3]]
    if gap in _JOINERS:
        return True
    return gap == "/" and max(before[3] - before[2], after[3] - after[2]) <= SHORT_PART


@lru_cache(maxsize=300_000)
def _exact_term(raw: str) -> str | None:
    """Return a word's exact term: its folded form with a plural -s taken off, marked, so
    "experiment" and "experiments" meet there while "experience" (stem `experi`) does not."""
    if is_cjk(raw):  # its term is already exact
        return None
    folded = fold_word(raw.lower())
    if not folded or folded in _STOPS:
        return None
    return EXACT + light_stem(folded)


def light_stem(word: str) -> str:
    """Take an English plural ending off (Harman's S-stemmer): policies -> policy, users -> user."""
    if len(word) > 4 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss", "is", "'s")):
        return word[:-1]
    return word


def exact_terms(text: str) -> list[str]:
    """Return the exact terms of the words of a text, in order (stop words left out)."""
    return [t for t in (_exact_term(m.group()) for m in _RX.finditer(text)) if t is not None]


@lru_cache(maxsize=300_000)
def _word_term(raw: str) -> str | None:
    """Return a word's folded whole form (no stop words, no stems; CJK: none)."""
    return None if is_cjk(raw) else fold_word(raw.lower()) or None


def text_analyzer() -> TermAnalyzer:
    """Build the title/body analyzer: words, folds, stop words, stems."""
    return TermAnalyzer(stem=True)


def word_analyzer() -> TermAnalyzer:
    """Build the whole-word analyzer (no stop words, no stems) for prefix queries and spelling."""
    return TermAnalyzer(stem=False)


_TEXT = text_analyzer()
WORD_PATTERN = _RX_CJK  # the tokenizer's pattern, for splitting query text as the index does
PLAIN_WORD_PATTERN = _RX  # the same for text without CJK characters (faster)


# the indexed (stemmed) term of one word as written, or None for a stop word: the cached
# function itself, since snippets call it once per word of every text they scan
text_term: Callable[[str], str | None] = _text_term


def exact_term(raw: str) -> str | None:
    """Return the exact term of one word as written, or None for a stop word."""
    return _exact_term(raw)


# Query words: the words readers type are endless (typos, junk, pasted text); analyzed through
# caches of their own, so a long-running web worker does not fill the index-time caches above
# (300,000 words each) with them.
QUERY_WORDS = 8192


@lru_cache(maxsize=QUERY_WORDS)
def query_terms(raw: str) -> tuple[str | None, str | None]:
    """Return a query word's stem term and exact term (None, None for a stop word)."""
    if is_cjk(raw):
        return raw, None
    folded = _fold_fresh(raw.lower())
    if not folded or folded in _STOPS:
        return None, None
    stemmed = _STEMMER.stem(folded)
    return _FAMILIES.get(stemmed, stemmed), EXACT + light_stem(folded)


def query_stems(text: str) -> list[str]:
    """Return the stem terms of query text, in order (CJK: bigrams)."""
    return [t for t in (query_terms(raw)[0] for raw, _, _ in _tokens(text)) if t is not None]


def foreign_query_terms(raw: str, languages: tuple[str, ...]) -> list[str]:
    """Return a query word's stem terms in each of these languages (English aside)."""
    if not languages or not raw or is_cjk(raw):
        return []
    word = _plain_apostrophes(raw.lower())
    found = [foreign_term(word, code) for code in languages if code in STEMMED]
    return list(dict.fromkeys(t for t in found if t is not None))


def foreign_phrase_terms(text: str, language: str) -> list[str]:
    """Return the terms a phrase of typed text has in an entry of that language, as indexing
    made them (stop words as typed: they keep their place there), in order."""
    if language not in STEMMED:
        return []
    found = (_foreign_term(raw, language) for raw, _, _ in _tokens(text))
    return [t for t in found if t is not None]


def foreign_stop_word(raw: str, languages: tuple[str, ...]) -> bool:
    """Tell whether a query word is a stop word of one of these languages (its entries there
    hold only its exact term)."""
    word = _plain_apostrophes(raw.lower())
    return any(code in STEMMED and foreign_term(word, code) is None for code in languages)


def tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield each token of a text with its span: its words, and the bigrams of its CJK runs."""
    return _tokens(text)


@lru_cache(maxsize=QUERY_WORDS)
def _fold_fresh(word: str) -> str:
    """Fold a lowercased query word as `fold_word` does, without its cache."""
    word = _plain(word).lstrip("#@").rstrip("%")
    if word[:1].isdigit():
        word = word.replace(",", "")
    return fold_variant.__wrapped__(_POSSESSIVE.sub("", word) or word)


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


def iter_terms(text: str, start: int = 0) -> Iterator[tuple[str, int, int]]:
    """Yield each indexed term of the text from `start` on, with the span of the word as written."""
    term = _text_term
    for raw, begin, end in _tokens(text, start):
        found = term(raw)
        if found is not None:
            yield found, begin, end


def stems(text: str) -> list[str]:
    """Return the text analyzer's terms for the text, in order (what `_TEXT(text)` yields,
    read from its rows without a token each)."""
    return [term for term, _, _, _ in _analyze(text, True) if term is not None]


def stems_and_words(text: str) -> Iterator[tuple[str, str]]:
    """Yield the text analyzer's terms for the text, in order, each with its word as written."""
    for token in _TEXT(text, chars=True):
        yield token.text, written_word(text[token.startchar : token.endchar])


def written_word(span: str) -> str:
    """Return a term's word as written, without a possessive ending."""
    return _POSSESSIVE.sub("", span)


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
        return _fold_fresh(head) if head else head
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
