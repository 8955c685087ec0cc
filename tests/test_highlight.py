"""Snippets read a long text's opening first (highlight.PEEK_CHARS) and stop there only when
no later window can beat the one found: the snippet is always the one a reading of the whole
scanned text gives. Checked over a made-up text, and over the real archives' long entries."""

from __future__ import annotations

import random

import pytest
from test_corpora import CORPORA, FIELDMAPS

from indexer import highlight
from indexer.analysis import exact_term, text_term
from indexer.archive import read_archive
from indexer.fieldmap import FieldMap
from indexer.highlight import Group, snippet
from indexer.markup import render


def _groups_of(words: list[str], phrase: bool) -> tuple[Group, ...]:
    """The groups a query of these words makes: each word by stem and exact form, or a phrase."""
    terms = [text_term(w) for w in words]
    if phrase:
        return (Group(stem=(tuple(t for t in terms if t),)),)
    return tuple(
        Group(exact=((exact_term(w) or "",),), stem=((t,),)) for w, t in zip(words, terms) if t
    )


def _queries(text: str, rng: random.Random) -> list[tuple[Group, ...]]:
    words = [w for w in highlight._SPLIT.split(text[: highlight.SCAN_CHARS])[1::2] if text_term(w)]
    if len(words) < 4:
        return []
    out = []
    for _ in range(6):
        k = rng.randrange(len(words) - 1)
        out.append(_groups_of([words[k]], False))
        out.append(_groups_of([words[k], words[rng.randrange(len(words))]], False))
        out.append(_groups_of(words[k : k + 2], True))
    out.append(_groups_of(["zzyzxq"], False))  # in no text: its opening
    return out


def _check(texts: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Compare every snippet with the one of a whole reading; return (snippets, peeked)."""
    rng = random.Random(11)
    peeked = 0
    real_peek = highlight._peeked

    def counting(*args):  # type: ignore[no-untyped-def]
        nonlocal peeked
        found = real_peek(*args)
        peeked += found[1] is not None
        return found

    cases = [(text, groups) for text in texts for groups in _queries(text, rng)]
    monkeypatch.setattr(highlight, "_peeked", counting)
    fast = [snippet(text, groups) for text, groups in cases]
    monkeypatch.setattr(highlight, "PEEK_CHARS", 10**9)  # read the whole scanned text
    whole = [snippet(text, groups) for text, groups in cases]
    assert fast == whole
    return len(cases), peeked


def test_a_snippet_is_that_of_the_whole_text_however_much_was_read(monkeypatch):
    rng = random.Random(3)
    common = ["model", "models", "autonomy", "colour", "color", "behaviour", "the", "of",
              "agents", "agent's", "self-determination", "data", "dataset", "running"]  # fmt: skip
    rare = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4))
            for _ in range(300)]  # fmt: skip
    texts = [
        " ".join(
            rng.choice(common) if rng.random() < 0.7 else rng.choice(rare)
            for _ in range(rng.randrange(300, 4000))
        )
        for _ in range(40)
    ]
    snippets, peeked = _check(texts, monkeypatch)
    assert snippets > 500 and snippets // 5 < peeked < snippets  # both ways were taken


@pytest.mark.parametrize("name", ["digitalgov-news", "18f-blog"])
def test_snippets_of_real_long_entries_are_those_of_the_whole_text(name, monkeypatch):
    if CORPORA is None:
        pytest.skip(
            "the shared corpora are not here (set PERSPECTIVES_CORPORA to <shared>/corpora)"
        )
    entries = read_archive(CORPORA / name, FieldMap.load(FIELDMAPS / f"{name}.yaml")).entries
    texts = [render(p.body).text for p in entries]
    long = [t for t in texts if len(t) > 2 * highlight.PEEK_CHARS][:80]
    assert len(long) >= 50
    snippets, peeked = _check(long, monkeypatch)
    assert peeked > snippets // 5
