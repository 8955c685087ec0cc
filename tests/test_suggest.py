"""Did-you-mean: candidates and their scores, whole queries checked against a purpose-made
archive whose word counts are known, and the 18F blog's misspellings (with the shared corpora)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from test_corpora import CORPORA, FIELDMAPS

from indexer.build import build_index
from indexer.library import Library
from indexer.params import parse_request
from indexer.suggest import EDIT_COST, Candidate, Vocabularies, Vocabulary, max_distance

# (file stem, how many entries, body): design, research, possible and government are in 60
# entries; garden in 20; harden, steel and list in 5; dosing, reserve, governments, posible
# and lisp in one.
ENTRIES = [
    (
        "common",
        60,
        "Our user research shaped the design of a possible government service on cloud.gov.",
    ),
    ("garden", 20, "A garden grows in the spring."),
    ("harden", 5, "We harden steel and keep a list."),
    ("rare", 1, "A posible reserve of dosing governments, in lisp."),
]


def _write(root: Path, entries: list[tuple[str, int, str]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for stem, n, body in entries:
        for i in range(n):
            (root / f"{stem}-{i}.md").write_text(
                f'---\ntitle: "Note {stem} {i}"\nauthor: "@a"\ndate: 2025-01-0{1 + i % 9}\n---\n'
                f"{body}\n",
                encoding="utf-8",
            )
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("suggest")
    archive = _write(root / "archive", ENTRIES)
    index = root / "index"
    assert build_index(archive, index, full=True).problems == []
    return archive, index


@pytest.fixture(scope="module")
def library(built: tuple[Path, Path]) -> Library:
    return Library(built[1])


def suggest(library: Library, q: str) -> str | None:
    # the link a search with typos off offers (with them on, the near spellings are searched)
    return library.search(parse_request({"q": [q], "typos": ["0"]})).suggestion


# -- candidates and scores ---------------------------------------------------------------


def test_a_transposition_is_one_edit():
    vocabulary = Vocabulary(["design", "dosing", "designs", "sign", "cloud", "clod", "x1234"])
    assert sorted(vocabulary.close_words("desing")) == [
        ("design", 1),
        ("designs", 2),
        ("dosing", 1),
    ]
    assert sorted(vocabulary.close_words("clodu")) == [("clod", 1), ("cloud", 1)]
    assert len(vocabulary) == 6  # words with digits are never offered


def test_short_words_may_be_one_edit_away_longer_ones_two():
    assert [max_distance(w) for w in ("gov", "desk", "desing")] == [1, 1, 2]


def test_one_more_edit_costs_a_hundred_times_the_entries():
    assert math.isclose(
        Candidate("a", 2, 500).score - Candidate("b", 1, 5).score, 0.0, abs_tol=1e-9
    )
    assert math.log(100) == EDIT_COST


def test_candidates_are_scored_by_entries_and_distance(library):
    view = library._view()
    vocabulary = library._vocabularies.get(view.searcher)
    assert vocabulary.candidates(view.searcher, "desing") == [
        Candidate("design", 1, 60),
        Candidate("dosing", 1, 1),
    ]
    # governments is the same stem (govern) as government, two edits away
    assert vocabulary.candidates(view.searcher, "goverment")[0] == Candidate("government", 1, 61)


# -- whole queries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("desing", "design"),  # transposition, the frequent word over dosing
        ("Desing", "Design"),  # the reader's capitals kept
        ("goverment", "government"),  # one edit over governments' two
        ("user reserch", "user research"),  # research (1 edit) over reserve (2)
        ("clodu.gov", "cloud.gov"),  # the dotted name's word corrected in place
        ("sarden", "garden"),  # garden: in 20 entries, harden in 5
        ("sarden steel", "harden steel"),  # ... but only harden is ever with steel
        ("posible", "possible"),  # found in 1 entry, the correction in 60
        ("desing -posible", "design -posible"),  # excluded words are left as typed
        ("user-desing", "user-design"),  # a hyphenated word's parts, as the analyzer splits
        ("design", None),  # known and frequent
        ("lisp", None),  # rare, but list is in only 5 entries: a real word
        ("reserve", None),  # rare and real, nothing one edit away
        ("desing xqzzyv", None),  # xqzzyv has no correction: no query finds more
        ("desing*", None),  # a prefix query is not corrected
        ("desing~1", None),  # nor a fuzzy one
        ("the", None),  # a stop word
    ],
)
def test_whole_query_suggestions(library, typed, expected):
    assert suggest(library, typed) == expected


def test_the_vocabulary_follows_the_index(built, library):
    archive, index = built
    assert suggest(library, "zanzibr") is None
    _write(archive, [("zanzibar", 2, "Zanzibar, once.")])
    build_index(archive, index)
    assert suggest(library, "zanzibr") == "zanzibar"
    # the newest state's vocabulary, and the one before it at most (a generation being
    # prepared while the old one answers): nothing older is kept
    held = library._vocabularies._held
    assert len(held) <= Vocabularies.KEEP == 2
    current = tuple(
        sorted(
            leaf.segment().segment_id()
            for leaf, _ in library._view().searcher.reader().leaf_readers()
        )
    )
    assert list(held)[-1] == current


def _words(vocabulary: Vocabulary) -> set[str]:
    return {w for held in vocabulary.by_length.values() for w in held}


def test_after_an_incremental_run_the_vocabulary_grows_from_the_one_kept(tmp_path, monkeypatch):
    """A reader's first rare word after an edit waits for no read of the whole vocabulary
    (seconds at a million entries): the kept one grows by the new segments' words."""
    archive = _write(tmp_path / "archive", ENTRIES)
    index = tmp_path / "index"
    build_index(archive, index, full=True)
    library = Library(index)
    assert suggest(library, "zanzibr") is None
    _write(archive, [("zanzibar", 2, "Zanzibar, once.")])
    build_index(archive, index, side_files=False)  # its suggestion lists are not made yet
    reads: list[object] = []
    whole = Vocabulary.from_reader
    monkeypatch.setattr(
        Vocabulary, "from_reader", classmethod(lambda cls, r: reads.append(r) or whole(r))
    )
    assert suggest(library, "zanzibr") == "zanzibar"
    assert reads == []
    grown = list(library._vocabularies._held.values())[-1]
    assert _words(grown) == _words(whole(library._view().searcher.reader()))
    assert "zanzibar" in _words(grown)


def test_a_vocabulary_grown_by_words_leaves_the_one_it_came_from_as_it_was():
    before = Vocabulary(["design", "garden"])
    after = before.with_words(["design", "harden", "zanzibar"])
    assert _words(before) == {"design", "garden"}
    assert _words(after) == {"design", "garden", "harden", "zanzibar"}
    assert sorted(after.by_length[6]) == ["design", "garden", "harden"]


# -- the 18F blog --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Library:
    if CORPORA is None:
        pytest.skip("the shared corpora are not here (set PERSPECTIVES_CORPORA)")
    index = tmp_path_factory.mktemp("18f") / "index"
    build_index(CORPORA / "18f-blog", index, full=True, fieldmap=FIELDMAPS / "18f-blog.yaml")
    return Library(index)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("desing", "design"),
        ("recruting", "recruiting"),
        ("user reserch", "user research"),
        ("goverment", "government"),
        ("clodu.gov", "cloud.gov"),
        ("posible", "possible"),  # in one post; possible in many
        ("design", None),
        ("user research", None),
    ],
)
def test_18f_misspellings(blog, typed, expected):
    assert suggest(blog, typed) == expected


def test_the_vocabulary_is_made_from_the_suggestion_lists(library):
    # the lists a generation already holds give the same words as reading the index's terms
    # (0.02 s against 0.2-0.6 s at 100,000 entries), and the vocabulary is made once per state
    view = library._view()
    made = library._vocabulary_of(view)()
    assert made.by_length == Vocabulary.from_reader(view.searcher.reader()).by_length
    assert len(made) > 20
    assert library._vocabulary_of(view)() is made
