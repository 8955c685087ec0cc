"""A reader's Japanese words, found one by one: a query run that holds kana is split into the
words it is made of by a morphological analyzer with a dictionary (SudachiPy with
`sudachidict-core`, both installed as packages: nothing is downloaded), particles and endings
left out, so 「ディレクトリの作成」 finds a page that says 「ディレクトリを作成」, and an entry
holding only some of the words still comes, after those holding all.

The index keeps its character bigrams (languages.py): each word found here becomes its own
phrase of bigrams (matching.py), so it is found inside longer compounds, in Japanese and
Chinese entries alike, and nothing about the index or its build changes.

Moving parts:
- `query_words`: the words of one query run, in order (the run itself when it has no kana, or
  when the analyzer finds no word of two characters or more in it);
- what of each morpheme a reader means: a noun as written (nouns side by side make one word);
  a verb or adjective by the part that does not inflect (知らさ -> 知ら, so 知らせる and
  知らされた meet), or, where that is one character, by each form it may take (`_inflected`);
  nothing for a particle, an auxiliary verb, punctuation, or a verb such as する that only
  carries another;
- the analyzer is loaded on the first Japanese query (0.1 s; its dictionary is memory-mapped)
  and used under a lock: one tokenizer may not run in two threads at once.
"""

from __future__ import annotations

import threading
from functools import cache, lru_cache
from typing import Any

from indexer.languages import has_kana

# Parts of speech (UniDic's, as Sudachi gives them) that carry no word a reader looks for
_FUNCTION = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白", "接頭辞"})
_INFLECTING = frozenset({"動詞", "形容詞"})
_DEPENDENT = "非自立可能"  # する, ある, なる, いる: a verb that only carries the word before it
_LOCK = threading.Lock()


@cache
def _tokenizer() -> Any:
    """Return SudachiPy's tokenizer over the core dictionary, splitting into whole words
    (mode C: 所有者, 使用量 stay one word; their bigrams still find them inside compounds)."""
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


@lru_cache(maxsize=2048)
def query_words(run: str) -> tuple[tuple[str, ...], ...]:
    """Return the words a reader means in one CJK run of a query, in order, each as the forms
    it may take in a text (one form, or a verb's forms: 選ぶ -> 選ば, 選び, 選ぶ, ...), each form
    at least two characters (an index of bigrams cannot find one character inside a run); the
    run itself when it holds no kana (Chinese, or Japanese written in Han alone, stays one
    phrase) or when no such word is found."""
    if not has_kana(run):
        return ((run,),)
    with _LOCK:
        morphemes = [
            (m.surface(), m.dictionary_form(), m.part_of_speech())
            for m in _tokenizer().tokenize(run)
        ]
    words: list[tuple[str, ...]] = []
    joined = ""  # nouns written side by side (シンボリック + リンク) stay one phrase
    for surface, lemma, pos in morphemes:
        if pos[0] in _FUNCTION or (pos[0] in _INFLECTING and pos[1] == _DEPENDENT):
            forms: tuple[str, ...] = ()
        elif pos[0] in _INFLECTING:
            forms = _inflected(surface, lemma, pos[4])
        else:
            joined += surface
            continue
        if len(joined) > 1:
            words.append((joined,))
        joined = ""
        if forms:
            words.append(forms)
    if len(joined) > 1:
        words.append((joined,))
    return tuple(dict.fromkeys(words)) or ((run,),)


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
_ICHIDAN = "るれろよたてまなずさら"
_ADJECTIVE = "いくかけさそみ"
_SURU = "さしすせ"


def _inflected(surface: str, lemma: str, conjugation: str) -> tuple[str, ...]:
    """Return the forms of a verb or adjective a text may hold: the part that does not inflect
    (知らさ -> 知ら, so 知らせる and 知らされた meet) when it is two characters or more, else its
    one character with each ending it may take."""
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
