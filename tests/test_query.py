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
