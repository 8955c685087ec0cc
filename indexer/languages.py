"""The languages of the archive: which one an entry is in, and how its words are analysed.

Moving parts:
- `LANGUAGES`: each language an entry may be in (ISO 639-1 code, name, Snowball stemmer);
- `detect`: an entry's language from its text: CJK by script (kana is Japanese, hangul Korean,
  Han alone Chinese), English by its function words (most entries, at no cost), the rest by
  lingua's detector (its models ship in the wheel; low-accuracy mode, the languages below);
- CJK runs (`CJK_CLASS`, `is_cjk`, `bigrams`): text without spaces indexed as overlapping
  character bigrams, as Lucene's CJK analysis does (no dictionary; works for all three);
- `foreign_term`: a word of an entry in a European language other than English, lowercased,
  stop words dropped (the `stop-words` package's lists), stemmed by its own Snowball stemmer,
  accent-folded, and marked with its language (`de:entscheid`), so it never meets an English
  stem and English ranking stays what it was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

ENGLISH = "en"


@dataclass(frozen=True)
class Language:
    """One language an entry may be in."""

    code: str  # ISO 639-1, as `lang:` gives it and the facet shows it
    name: str  # in English ("German")
    snowball: str = ""  # NLTK's Snowball stemmer, "" for none (CJK: bigrams)


LANGUAGES = {
    lang.code: lang
    for lang in (
        Language("en", "English", "english"),
        Language("de", "German", "german"),
        Language("fr", "French", "french"),
        Language("es", "Spanish", "spanish"),
        Language("it", "Italian", "italian"),
        Language("pt", "Portuguese", "portuguese"),
        Language("nl", "Dutch", "dutch"),
        Language("sv", "Swedish", "swedish"),
        Language("da", "Danish", "danish"),
        Language("no", "Norwegian", "norwegian"),
        Language("fi", "Finnish", "finnish"),
        Language("ru", "Russian", "russian"),
        Language("ja", "Japanese"),
        Language("zh", "Chinese"),
        Language("ko", "Korean"),
    )
}
STEMMED = frozenset(c for c, lang in LANGUAGES.items() if lang.snowball and c != ENGLISH)
_ALIASES = {"jp": "ja", "cn": "zh", "nb": "no", "nn": "no", "kr": "ko"}


def language_code(value: str) -> str | None:
    """Return the code of a language named by code or name ("de", "de-AT", "German"), or None."""
    text = value.strip().lower().replace("_", "-")
    code = _ALIASES.get(text.split("-")[0], text.split("-")[0])
    if code in LANGUAGES:
        return code
    return next((c for c, lang in LANGUAGES.items() if lang.name.lower() == text), None)


def language_name(code: str) -> str:
    """Return a language's English name ("" code: "")."""
    lang = LANGUAGES.get(code)
    return lang.name if lang else code


# Han (with extensions and compatibility ideographs), kana, hangul, CJK punctuation-free runs
CJK_CLASS = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\uff66-\uff9f\U00020000-\U0002fa1f"
)
_CJK = re.compile(f"[{CJK_CLASS}]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HANGUL = re.compile("[\uac00-\ud7af]")


def has_cjk(text: str) -> bool:
    """Tell whether a text holds a CJK character."""
    return _CJK.search(text) is not None


def has_kana(text: str) -> bool:
    """Tell whether a text holds hiragana or katakana (so it is Japanese, not Chinese)."""
    return _KANA.search(text) is not None


def is_cjk(word: str) -> bool:
    """Tell whether a word (a token of the analyzer) is a run of CJK characters."""
    return bool(word) and _CJK.match(word) is not None


def bigrams(run: str, start: int = 0) -> list[tuple[str, int, int]]:
    """Return a CJK run's overlapping character bigrams with their spans (one character: itself)."""
    if len(run) < 2:
        return [(run, start, start + len(run))]
    return [(run[i : i + 2], start + i, start + i + 2) for i in range(len(run) - 1)]


# English function words: a text where they are at least this share of the words is English
_ENGLISH_WORDS = frozenset(
    {
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "was",
        "on",
        "with",
        "as",
        "are",
        "be",
        "this",
        "by",
        "at",
        "not",
        "have",
        "from",
        "or",
        "an",
        "but",
        "they",
        "we",
        "you",
        "which",
        "their",
        "has",
        "will",
        "can",
        "our",
        "would",
        "been",
        "more",
        "all",
        "were",
        "about",
        "there",
        "what",
        "its",
        "so",
        "if",
        "when",
        "who",
        "one",
        "also",
        "do",
        "how",
        "my",
        "your",
        "these",
        "them",
        "than",
        "i",
        "me",
        "i'm",
        "it's",
        "don't",
        "just",
        "you're",
    }
)
_ENGLISH_SHARE = 0.2
_FEWEST_WORDS = (
    8  # texts of fewer distinct words ("good bye, my love", "Test message") stay English
)
_DETECTOR_SAMPLE = 3000
_SAMPLE = 1000  # characters of title and body a detection reads
_FOREIGN_LETTER = re.compile(r"[^\W\d_a-zA-Z]")
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def detect(title: str, body: str) -> str:
    """Return the language code of an entry's text (English when nothing else is clear)."""
    text = f"{title}\n{body}"[:_SAMPLE]
    if _CJK.search(text):
        cjk = len(_CJK.findall(text))
        if cjk * 4 >= len(_WORDS.findall(text)):
            if has_kana(text):
                return "ja"
            return "ko" if _HANGUL.search(text) else "zh"
    words = _WORDS.findall(text.lower().replace("’", "'"))
    if len(set(words)) < _FEWEST_WORDS:
        return ENGLISH
    share = sum(map(_ENGLISH_WORDS.__contains__, words)) / len(words)
    if share >= _ENGLISH_SHARE or share >= _ENGLISH_SHARE / 2 and _plain_ascii(text):
        return ENGLISH
    # the detector reads more: a page may open with a synopsis of option names
    found = _detector().detect_language_of(f"{title}\n{body}"[:_DETECTOR_SAMPLE])
    if found is None:
        return ENGLISH
    return language_code(found.iso_code_639_1.name) or ENGLISH


def _plain_ascii(text: str) -> bool:
    # at most one letter in 500 outside ASCII: no umlaut, accent or other script to speak of
    return len(_FOREIGN_LETTER.findall(text)) < len(text) / 500


@cache
def _detector() -> Any:
    # imported on first use: most archives are English and never need the models
    from lingua import Language as Lingua
    from lingua import LanguageDetectorBuilder

    wanted = [
        getattr(Lingua, lang.name.upper().replace("NORWEGIAN", "BOKMAL"))
        for lang in LANGUAGES.values()
        if lang.snowball
    ]
    return LanguageDetectorBuilder.from_languages(*wanted).with_low_accuracy_mode().build()


@cache
def _stemmer(code: str) -> Any:
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer(LANGUAGES[code].snowball)


@cache
def stop_words(code: str) -> frozenset[str]:
    """Return a language's stop words (the `stop-words` package's list), lowercased."""
    from stop_words import LANGUAGE_MAPPING, get_stop_words

    if code not in LANGUAGE_MAPPING:
        return frozenset()
    return frozenset(w.lower() for w in get_stop_words(code))


@lru_cache(maxsize=300_000)
def foreign_term(word: str, code: str) -> str | None:
    """Return the indexed stem term of a lowercased word of a European language other than
    English (`de:entscheid`), or None for a stop word."""
    word = word.replace("’", "'")
    if code in ("fr", "it"):  # l'autonomie, dell'utente: the article is a stop word apart
        word = word.rsplit("'", 1)[-1]
    if not word or word in stop_words(code) or len(word) < 2:
        return None
    return f"{code}:{plain(_stemmer(code).stem(word))}"


def plain(text: str) -> str:
    """Strip accents (é -> e, ü -> u), as English folding does, so typed accents do not matter."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))
