"""Query text parsing: operators mean what a reader expects, and text the parser cannot take
becomes the query of its plain words, built without the parser."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from indexer.query import parse_text, plain_query
from indexer.schema import make_schema

SCHEMA = make_schema()


def word(stem: str) -> wq.Query:
    return wq.Or([wq.Term("title", stem, boost=2.0), wq.Term("body", stem)])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("NOT NOT agile", word("agil")),  # a double negation cancels
        ("NOT NOT NOT agile", wq.Not(word("agil"))),
        ("agile NOT NOT design", wq.And([word("agil"), word("design")])),
        ("agile OR", word("agil")),  # a dangling operator is dropped
        ("AND agile", word("agil")),
        ("agile AND AND design", wq.And([word("agil"), word("design")])),
        ("field: NOT AND NOT", word("field")),  # the parser trips: plain words
        ("NOT AND NOT ' OR 1=1 --", word("1")),
        ("AND NOT NOT agile OR \"w%['", word("agil")),
        ('"unbalanced', word("unbalanc")),
        ("(agile", word("agil")),
        ("title:", word("titl")),  # a field with nothing after it is a word
    ],
)
def test_malformed_text_means_what_a_reader_expects(text, expected):
    assert parse_text(text, SCHEMA) == expected


@pytest.mark.parametrize("text", ["(((", "AND NOT", "NOT", "OR", "- -", "NOT NOT"])
def test_text_of_only_syntax_searches_nothing(text):
    assert parse_text(text, SCHEMA) is wq.NullQuery


def test_blank_text_browses_everything():
    assert parse_text("  \t ", SCHEMA) is None


def test_plain_query_analyzes_each_word_as_the_parser_would():
    assert plain_query("Self-determination AND organisation*", SCHEMA) == wq.And([
        wq.Or([wq.And([wq.Term("title", "self", boost=2.0), wq.Term("title", "determin", boost=2.0)]),
               wq.And([wq.Term("body", "self"), wq.Term("body", "determin")])]),
        word("organ"),
    ])  # fmt: skip
    assert plain_query("NOT the (( AND", SCHEMA) is wq.NullQuery


def test_plain_query_never_calls_the_parser(monkeypatch):
    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr("whoosh.qparser.default.QueryParser.parse", broken)
    assert parse_text("NOT AND NOT agile", SCHEMA) == word("agil")


def _entry(root, slug: str, body: str) -> None:
    (root / f"{slug}.md").write_text(
        f'---\ntitle: "{slug}"\nauthor: "@a"\ndate: 2024-03-01\nsection: "S"\n'
        f"source: https://example.org/{slug}\n---\n{body}\n",
        encoding="utf-8",
    )


def test_prefix_expansions_are_remembered_per_generation_with_their_partial_mark(
    tmp_path, monkeypatch
) -> None:
    from indexer import query as query_module
    from indexer.build import build_index
    from indexer.library import Library
    from indexer.params import parse_request

    archive = tmp_path / "archive"
    archive.mkdir()
    for slug, body in {"a": "autonomy matters", "b": "an automaton", "c": "autumn leaves"}.items():
        _entry(archive, slug, body)
    build_index(archive, tmp_path / "index", full=True)
    lib = Library(tmp_path / "index")
    ask = parse_request({"q": ["aut*"], "per_page": ["50"]})
    first = lib.search(ask)
    assert {h.id for h in first.hits} == {"a", "b", "c"} and not first.partial
    assert {h.id for h in lib.search(ask).hits} == {"a", "b", "c"}  # remembered, the same

    monkeypatch.setattr(query_module, "MAX_EXPANSION", 2)
    narrow = parse_request({"q": ["au*"], "per_page": ["50"]})
    # more words than allowed: partial, the first time and when remembered
    assert lib.search(narrow).partial and lib.search(narrow).partial
    monkeypatch.setattr(query_module, "MAX_EXPANSION", 400)

    _entry(archive, "d", "the autopilot engaged")  # a new generation reads its new words
    build_index(archive, tmp_path / "index")
    assert {h.id for h in lib.search(ask).hits} == {"a", "b", "c", "d"}
