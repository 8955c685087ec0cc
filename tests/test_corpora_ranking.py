"""Ranking on a real archive (digitalgov-news with its field map): the word typed before its
stem-mates, every word before some of them, a phrase marked whole, compounds in every form.
Skipped where the shared corpora are not."""

from __future__ import annotations

import re

import pytest
from test_corpora import Built, _build

from indexer.params import parse_request


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory, "digitalgov-news")


def _text(news: Built, entry_id: str) -> str:
    entry = news.library.entry(entry_id, related=0)
    assert entry is not None
    return entry.title + "\n" + entry.body


@pytest.mark.parametrize(
    "q,word", [("experiment", r"\bexperiments?\b"), ("universal", r"\buniversals?\b")]
)
def test_the_first_ten_hold_the_word_typed(news: Built, q: str, word: str) -> None:
    result = news.library.search(parse_request({"q": [q]}))
    assert len(result.hits) == 10
    for hit in result.hits:
        assert re.search(word, _text(news, hit.id), re.IGNORECASE), hit.id
    # stem-only matches still follow (experience, university)
    assert result.total > 200


def test_every_word_first_then_the_rest_marked(news: Built) -> None:
    result = news.library.search(
        parse_request({"q": ["remote work during pandemic"], "per_page": ["100"]})
    )
    assert result.all_words is not None and 0 < result.all_words < result.total
    flags = [h.partial for h in result.hits]
    assert flags == [False] * result.all_words + [True] * (len(flags) - result.all_words)
    for hit in result.hits[: result.all_words]:
        text = _text(news, hit.id).lower()
        assert all(w in text for w in ("remote", "work", "during", "pandemic")), hit.id


def test_a_phrase_is_marked_whole_and_alone(news: Built) -> None:
    result = news.library.search(parse_request({"q": ['"design system"']}))
    assert result.total >= 20
    for hit in result.hits:
        marks = re.findall(r"<mark>(.*?)</mark>", hit.snippet)
        assert all(re.fullmatch(r"design[\s\-]+systems?", m, re.IGNORECASE) for m in marks), marks


@pytest.mark.parametrize(
    "forms", [("micro-purchase", "micropurchase", "micro purchase"), ("e-mail", "email")]
)
def test_compound_forms_find_each_other(news: Built, forms: tuple[str, ...]) -> None:
    found = [
        {
            h.id
            for h in news.library.iter_hits(parse_request({"q": [f]}), snippets=False)
            if not h.partial and not h.subject
        }
        for f in forms
    ]
    assert all(found), forms
    first = found[0]
    for other in found[1:]:
        assert len(first & other) >= 0.8 * min(len(first), len(other)), forms


def test_a_slash_compound_is_one_word(news: Built) -> None:
    hits = news.library.search(parse_request({"q": ["A/B testing"]})).hits
    assert sum(bool(re.search(r"\bA/B\b", _text(news, h.id))) for h in hits[:10]) >= 7
