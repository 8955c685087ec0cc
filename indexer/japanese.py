"""A reader's Japanese words, found one by one: a query run that holds kana is split into the
words it is made of by a morphological analyzer with a dictionary (SudachiPy with
`sudachidict-core`, both installed as packages: nothing is downloaded), particles and endings
left out, so 「ディレクトリの作成」 finds a page that says 「ディレクトリを作成」, and an entry
holding only some of the words still comes, after those holding all.

The index keeps its character bigrams (languages.py): each word found here becomes its own
phrase of bigrams (matching.py), so it is found inside longer compounds, in Japanese and
Chinese entries alike, and nothing about the index or its build changes.

Moving parts:
- `query_words`: the words of one query run, in order, each a `Word`: its name (as a reader
  would name it: a noun as written, a verb in its dictionary form) and the forms a text may
  hold it in; the run itself when it has no kana, or when no word of two characters or more
  is found in it (a word of one character cannot be found inside a run of bigrams: 犬 of
  犬の散歩 is left to the run as typed, which ranks first);
- what of each morpheme a reader means: a noun as written (nouns side by side make one word);
  a verb or adjective by the part that does not inflect (消えた -> 消え, so 消える and
  消えてしまった meet), or, where that is one character, by each form it may take
  (`_inflected`); a verb before a causative ending by its form there (知らせる -> 知ら, never
  every form of 知る); nothing for a particle, an auxiliary verb, a pronoun, この
  and その, punctuation, or a verb such as する that only carries another; a word in another
  script inside the run (hangul) is kept as written;
- `spaced`: text with each Japanese run replaced by its words' names, space-separated, so a
  synonym rule is keyed as the clauses of a query are (synonyms.py), and `word_count`, its
  words counted as clauses count them;
- the analyzer is loaded on the first Japanese query (0.05 s; its dictionary is memory-mapped)
  and used under a lock: one tokenizer may not run in two threads at once.
"""

from __future__ import annotations

import re
import threading
from functools import cache, lru_cache
from typing import Any, NamedTuple

from indexer.analysis import query_stems
from indexer.languages import CJK_CLASS, has_kana

# Parts of speech (UniDic's, as Sudachi gives them) that carry no word a reader looks for
_FUNCTION = frozenset(
    {"助詞", "助動詞", "補助記号", "記号", "空白", "接頭辞", "連体詞", "代名詞", "感動詞"}
)
_INFLECTING = frozenset({"動詞", "形容詞"})
_DEPENDENT = "非自立可能"  # する, ある, なる, いる: a verb that only carries the word before it
# causative endings, after which a verb's form is its own word: 知ら+せる (notify) is not
# 知る (know); a passive (選ばれる) is still its verb (選ぶ)
_VOICE = frozenset({"せる", "させる"})
_OTHER_SCRIPT = re.compile("[\uac00-\ud7af]")  # hangul, which Sudachi takes for a symbol
MAX_RUN = 1000  # characters: a longer run is searched as typed (Sudachi refuses ~16,000)
_RUN = re.compile(f"[{CJK_CLASS}]+")
_LOCK = threading.Lock()


class Word(NamedTuple):
    """One word of a Japanese query: as a reader names it, and the forms a text may hold."""

    name: str
    forms: tuple[str, ...]


@cache
def _tokenizer() -> Any:
    """Return SudachiPy's tokenizer over the core dictionary, splitting into whole words
    (mode C: 所有者, 使用量 stay one word; their bigrams still find them inside compounds)."""
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


def _morphemes(run: str) -> list[tuple[str, str, tuple[str, ...]]] | None:
    """Return the run's morphemes (surface, dictionary form, part of speech), or None when the
    analyzer cannot read it."""
    from sudachipy.errors import SudachiError

    with _LOCK:
        try:
            return [
                (m.surface(), m.dictionary_form(), m.part_of_speech())
                for m in _tokenizer().tokenize(run)
            ]
        except SudachiError:
            return None


@lru_cache(maxsize=2048)
def query_words(run: str) -> tuple[Word, ...]:
    """Return the words a reader means in one CJK run of a query, in order, each form at least
    two characters; the run itself when it holds no kana (Chinese, or Japanese written in Han
    alone, stays one phrase) or when no such word is found."""
    typed = (Word(run, (run,)),)
    morphemes = _morphemes(run) if has_kana(run) and len(run) <= MAX_RUN else None
    if not morphemes:
        return typed
    words: list[Word] = []
    joined = ""  # nouns written side by side (シンボリック + リンク) stay one phrase
    for k, (surface, lemma, pos) in enumerate(morphemes):
        word: Word | None = None
        if _OTHER_SCRIPT.search(surface):
            word = Word(surface, (surface,))
        elif pos[0] in _FUNCTION or (pos[0] in _INFLECTING and pos[1] == _DEPENDENT):
            pass
        elif pos[0] in _INFLECTING:
            after = morphemes[k + 1] if k + 1 < len(morphemes) else None
            if after is not None and after[1] in _VOICE and len(surface) > 1:
                word = Word(surface + after[1], (surface,))
            else:
                word = Word(lemma, _inflected(surface, lemma, pos[4]))
        else:
            joined += surface
            continue
        if len(joined) > 1:
            words.append(Word(joined, (joined,)))
        joined = ""
        if word is not None and word.forms:
            words.append(word)
    if len(joined) > 1:
        words.append(Word(joined, (joined,)))
    return tuple(dict.fromkeys(words)) or typed


def spaced(text: str) -> str:
    """Return text with each Japanese run replaced by its words' names, space-separated."""
    return _RUN.sub(lambda m: " ".join(w.name for w in query_words(m.group())), text)


def word_count(text: str) -> int:
    """Return how many words a text holds as a query's clauses count them: a CJK run its
    words (Han alone: one), the rest its searched words."""
    runs = _RUN.findall(text)
    return len(query_stems(_RUN.sub(" ", text))) + sum(len(query_words(r)) for r in runs)


# What may follow a verb's or adjective's one-character stem in a text: the row of its
# ending (五段: 選ば, 選び, 選ぶ, 選べ, 選ぼ, and the sound changes 選ん, 書い, 使っ)
_GODAN = {
    "う": "わいうえおっ",
    "く": "かきくけこい",
    "ぐ": "がぎぐげごい",
    "す": "さしすせそ",
    "つ": "たちつてとっ",
    "ぬ": "なにぬねのん",
    "ぶ": "ばびぶべぼん",
    "む": "まみむめもん",
    "る": "らりるれろっ",
}
_ICHIDAN = "るれろよたてまなずら"  # not さ: 出さ is 出す's
_ADJECTIVE = "いくかけさそみ"
_SURU = "さしすせ"


def _inflected(surface: str, lemma: str, conjugation: str) -> tuple[str, ...]:
    """Return the forms of a verb or adjective a text may hold: the part that does not inflect
    when it is two characters or more, else its one character with each ending it may take."""
    suru = conjugation.startswith("サ行変格") and lemma.endswith("する")
    stem = lemma[:-2] if suru else lemma[:-1]
    if len(stem) > 1:
        return (stem,) if surface.startswith(stem) else (surface,)
    if len(stem) != 1:
        return ()
    if suru:
        endings = _SURU
    elif conjugation.startswith("五段"):
        endings = _GODAN.get(lemma[-1], "")
    elif "一段" in conjugation:
        endings = _ICHIDAN
    elif conjugation.startswith("形容詞"):
        endings = _ADJECTIVE
    else:
        endings = ""
    return tuple(stem + ending for ending in endings) or ((surface,) if len(surface) > 1 else ())
