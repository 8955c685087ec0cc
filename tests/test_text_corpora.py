"""No markup residue in what a reader reads, over every entry of the three real archives.

For each entry as read with its field map: the title, note and section; the plain text the one
pipeline indexes and stores (markup.render); and snippets of that text (its opening and windows
around words a third, two thirds and all the way through), as a reader sees them (unescaped).
None may carry an HTML entity, a markdown table, a CSS rule or a markdown marker.
Skipped when the shared corpora are not here, like test_corpora.py.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_corpora import CORPORA, FIELDMAPS

from indexer.analysis import iter_terms
from indexer.archive import read_archive
from indexer.fieldmap import FieldMap
from indexer.highlight import Group, snippet
from indexer.markup import render
from indexer.records import Perspective

RESIDUE = {
    "character reference": re.compile(r"&#"),
    "named entity": re.compile(r"&[A-Za-z][A-Za-z0-9]*;"),
    "table rule": re.compile(r"\|\s*:?-{3,}"),
    "table row": re.compile(r"(?m)^\s*\| |\| [^|\n]* \| [^|\n]* \|"),
    "CSS rule": re.compile(r"[\w.#-]+\s*\{[^{}]*?[\w-]+\s*:[^{};]+;[^{}]*\}"),
    "strong marker": re.compile(r"\*\*|__"),
    "emphasis marker": re.compile(r"(?<![\w\\/.])_[^\W_][^_\n]*?_(?!\w)"),
    "heading marker": re.compile(r"(?m)^#{1,6}\s"),
    "quote marker": re.compile(r"(?m)^>"),
    "list marker": re.compile(r"(?m)^[-*+]\s"),
    "backtick": re.compile(r"`"),
}
ARCHIVES = [("digitalgov-news", ""), ("18f-blog", ""), ("the-commons", "archive")]


def _entries(name: str, folder: str) -> list[Perspective]:
    if CORPORA is None:
        pytest.skip(
            "the shared corpora are not here (set PERSPECTIVES_CORPORA to <shared>/corpora)"
        )
    return read_archive(CORPORA / name / folder, FieldMap.load(FIELDMAPS / f"{name}.yaml")).entries


def _snippets(text: str) -> list[str]:
    terms = [t for t, _, _ in iter_terms(text)]
    picks = {terms[len(terms) // 3], terms[2 * len(terms) // 3], terms[-1]} if terms else set()
    groups = [[Group(stem=((t,),))] for t in picks]
    return [html.unescape(snippet(text, ()))] + [html.unescape(snippet(text, g)) for g in groups]


def _residue(where: str, value: str) -> list[str]:
    found = []
    for kind, pattern in RESIDUE.items():
        if m := pattern.search(value):
            found.append(f"{where}: {kind}: …{value[max(0, m.start() - 40) : m.end() + 40]!r}…")
    return found


@pytest.mark.parametrize(("name", "folder"), ARCHIVES, ids=[name for name, _ in ARCHIVES])
def test_no_markup_residue_in_any_entry(name: str, folder: str) -> None:
    entries = _entries(name, folder)
    assert len(entries) > 250
    problems = []
    for p in entries:
        fields = {"title": p.title, "note": p.note, "section": p.section_heading}
        text = render(p.body).text
        assert text, p.path
        values = [*fields.items(), ("text", text), *(("snippet", s) for s in _snippets(text))]
        for field, value in values:
            problems += _residue(f"{Path(p.path)} {field}", value)
    assert problems == []


def test_the_titles_the_issue_found_are_decoded() -> None:
    titles = {p.title for p in _entries("digitalgov-news", "")}
    assert not [t for t in titles if "&" in t and re.search(r"&#?\w+;", t)]
    assert (
        "The Data Briefing: How Blockchain’s Future Growth Will Affect Federal Agencies" in titles
    )
    assert "Q&A With Ryan Day About GSA’s API Strategy" in titles  # "Q&amp;A" in the source
