"""Oracle tests of the fast paths on the fixture archive (every checkout, no ../shared): the
posting-list evaluator (terms, operators, phrases) against Whoosh's own `search`, the facet
counts against its `groupedby`, phrases against its `Phrase` matcher; each also after an
incremental run, whose segment deletions Whoosh filters one posting at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh_oracle import compare_scores, counts, expected_facets

from indexer import generations as gens
from indexer.build import build_index
from indexer.library import Library
from indexer.params import parse_request
from indexer.postings import Postings, evaluate


@pytest.fixture(params=["one build", "after an incremental run"])
def index(request: pytest.FixtureRequest, archive_dir: Path, index_dir: Path) -> Path:
    if request.param == "after an incremental run":  # a second segment, and deletions
        path = next(archive_dir.rglob("colour-of-data.md"))
        path.write_text(
            path.read_text(encoding="utf-8") + "\nA user's trust, again.\n", encoding="utf-8"
        )
        report = build_index(archive_dir, index_dir)
        assert report.updated == 1 and report.problems == []
        with whoosh_index.open_dir(str(gens.current_path(index_dir))).searcher() as searcher:
            assert searcher.reader().has_deletions()
    return index_dir


def _searcher(index: Path):  # type: ignore[no-untyped-def]
    return whoosh_index.open_dir(str(gens.current_path(index))).searcher()


TEXTS = [
    "autonomy",
    "behaviour OR dignity",
    "colour -autonomy",
    "autonomy transparent",
    "user AND trust",
    "title:data",
    "trust^3 OR data",
    '"user autonomy"',
    '"the model"',
    '"autonomy user"',
]


@pytest.mark.parametrize("text", TEXTS)
def test_postings_find_and_score_what_whoosh_search_does(index: Path, text: str) -> None:
    with _searcher(index) as searcher:
        found = compare_scores(searcher, text)
    assert found or text == '"autonomy user"'  # each text is meant to match something


@pytest.mark.parametrize("text", ["model*", "[a TO c]", "mod?l", "model AND NOT user"])
def test_postings_find_what_whoosh_search_finds_beyond_terms(index: Path, text: str) -> None:
    """Prefixes, wildcards and ranges (which the search core expands over the vocabulary
    before they get here) are matched as Whoosh matches them, though scored by terms only;
    Whoosh scores each match of a `NOT` inside `AND` 1, the fast path 0 (the order is the
    same)."""
    with _searcher(index) as searcher:
        found = compare_scores(searcher, text, scored=False)
    assert found


REQUESTS: list[dict[str, list[str]]] = [
    {},
    {"q": ["autonomy"]},
    {"q": ["model OR data"], "theme": ["autonomy", "transparency"]},
    {"section": ["The Research"]},
    {"q": ["chart"], "author": ["@datawren"], "from": ["2025"]},
    {"theme": ["transparency"], "from": ["2024-06"], "to": ["2026-01-31"]},
]


@pytest.mark.parametrize("params", REQUESTS, ids=str)
def test_facet_counts_are_whoosh_groupedby_counts(
    index: Path, params: dict[str, list[str]]
) -> None:
    """Each facet counts the matches of the query and every *other* facet's selection."""
    req = parse_request(params)
    result = Library(index).search(req)
    with _searcher(index) as searcher:
        expect, total = expected_facets(searcher, req)
    assert result.total == total > 0
    for facet, expected in expect.items():
        assert counts(result, facet) == expected, facet


@pytest.mark.parametrize("field", ["title", "body"])
@pytest.mark.parametrize(
    "words,slop",
    [
        (["user", "autonomi"], 1),
        (["autonomi", "user"], 1),
        (["user", "autonomi"], 3),
        (["the", "model"], 1),
        (["model", "model"], 1),
        (["deprec", "of", "a"], 2),
    ],
)
def test_phrases_match_as_whoosh_phrase_does(
    index: Path, field: str, words: list[str], slop: int
) -> None:
    q = wq.Phrase(field, words, slop=slop)
    with _searcher(index) as searcher:
        live = np.array([not searcher.reader().is_deleted(n)
                         for n in range(searcher.doc_count_all())])  # fmt: skip
        ours, _ = evaluate(q, Postings(searcher, live))
        theirs = sorted(searcher.docs_for_query(q))
    assert ours.tolist() == theirs
