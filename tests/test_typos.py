"""Typo tolerance: a plain word the archive lacks also matches its nearest archive words (none
under 5 letters, 1 edit from 5, 2 from 9), the words as typed first; never quoted words."""

from __future__ import annotations

import pytest

from indexer.params import parse_request
from indexer.typos import typo_distance


def search(library, q, **params):
    return library.search(parse_request({"q": [q], "subject": ["0"], **params}))


@pytest.mark.parametrize(
    "word, edits", [("desi", 0), ("desig", 1), ("desingers", 2), ("accountab", 2), ("autonmy", 1)]
)
def test_edits_by_length(word, edits):
    assert typo_distance(word) == edits


def test_a_word_the_archive_lacks_matches_its_nearest_word(library):
    typed = search(library, "autonmy")
    exact = search(library, "autonomy")
    assert [n.to_dict() for n in typed.near] == [{"typed": "autonmy", "words": ["autonomy"]}]
    assert [h.id for h in typed.hits] == [h.id for h in exact.hits]
    assert "<mark>autonomy</mark>" in typed.hits[0].snippet.lower()
    assert typed.suggestion is None


def test_two_edits_from_nine_letters_one_below(library):
    assert [n.words for n in search(library, "transperancy").near] == [("transparency",)]
    assert search(library, "trensperancy").near == ()  # three edits
    assert search(library, "atonmy").near == ()  # six letters, two edits


@pytest.mark.parametrize(
    "q", ['"autonmy"', "title:autonmy", "autonmy*", "+autonmy", "modl", "autonmy-ish", "gpt4x"]
)
def test_never_fuzzed(library, q):
    assert search(library, q).near == ()


def test_switched_off(library):
    found = search(library, "autonmy", typos="0")
    assert found.near == () and found.total == 0
    assert found.suggestion == "autonomy"


def test_other_words_keep_their_meaning(library):
    found = search(library, "user autonmy")
    assert [n.typed for n in found.near] == ["autonmy"]
    assert found.all_words == search(library, "user autonomy").all_words


def test_exports_hold_the_near_matches_too(library):
    req = parse_request({"q": ["autonmy"], "subject": ["0"]})
    assert len(list(library.iter_hits(req, snippets=False))) == search(library, "autonomy").total
