"""Compiled pages: one Perspective per '###' entry, with exact fields, lines and problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexer.archive import read_file
from indexer.compiled import looks_compiled, parse_page
from indexer.records import Perspective, Problem
from indexer.slugs import unquote

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def _read(name: str) -> tuple[list[Perspective], list[Problem]]:
    """Read a fixture page through the archive reader."""
    read = read_file(PAGES / name, PAGES)
    return read.entries, read.problems


def test_seed_page_gives_its_three_entries_with_every_field() -> None:
    entries, problems = _read("community-perspectives.md")
    assert problems == []
    first, second, third = entries
    assert first == Perspective(
        id="when-75-say-no-thats-failure",
        title="When 75% Say No, That's Failure",
        authors=("@Seltaa_",),
        date=dt.date(2025, 12, 12),
        section="The Evidence",
        section_heading="The Evidence: Data-Driven Accountability",
        source="https://x.com/Seltaa_/status/2000658565456126382?s=20",
        body=first.body,
        path="community-perspectives.md",
        line=13,
        note="This response followed a community poll of 360+ users regarding GPT-5.2, "
        "conducted independently of OpenAI.",
    )
    assert first.body.startswith("Following the launch of GPT‑5.2, a user-led poll with over 360")
    assert first.body.endswith("Leadership must be held accountable for strategic decisions that "
                               "alienate the user base. Sam Altman should step down.")  # fmt: skip
    assert second == Perspective(
        id="why-youre-anthropomorphizing-misses-the-point",
        title="Why 'You're Anthropomorphizing' Misses the Point",
        authors=("@kumabwari",),
        date=dt.date(2025, 10, 25),
        section="The Framework",
        section_heading="The Framework: In Defense of Anthropomorphism",
        source="https://x.com/kumabwari/status/1982259941755990025?s=20",
        body=second.body,
        path="community-perspectives.md",
        line=35,
    )
    assert second.body.startswith('"You\'re anthropomorphising an LLM" is a lazy dismissal')
    assert second.body.endswith("And when we're talking about LLMs, the answer is typically yes.")
    assert third == Perspective(
        id="on-dignity-autonomy-and-the-future-we-choose",
        title="On Dignity, Autonomy, and the Future We Choose",
        authors=("@MissMi1973",),
        date=dt.date(2025, 10, 21),
        section="The Vision",
        section_heading="The Vision: Seven Reasons Why I Fight for #keep4o",
        source="",
        body=third.body,
        path="community-perspectives.md",
        line=52,
    )
    assert third.body.startswith("1. **To defend the nuanced human-AI relationship")
    assert third.body.endswith("a better future for all AI users.**")


def test_placeholder_section_and_closing_remark_are_not_entries() -> None:
    entries, _ = _read("community-perspectives.md")
    assert all("More perspectives will be added" not in entry.body for entry in entries)
    assert all("Other sections" not in entry.section_heading for entry in entries)


def test_broken_entries_are_problems_and_the_rest_of_the_page_still_reads() -> None:
    entries, problems = _read("broken-page.md")
    assert problems == [
        Problem(
            "broken-page.md",
            11,
            "entry 'An Entry Without Its Byline' has no author line: "
            "expected '*@handle, Month D, YYYY*' under the title",
        ),
        Problem("broken-page.md", 18, "date 'February 30, 2025' does not exist"),
    ]
    (entry,) = entries
    assert entry == Perspective(
        id="still-read-correctly",
        title="Still Read Correctly",
        authors=("@steady",),
        date=dt.date(2026, 1, 5),
        section="The Evidence",
        section_heading="The Evidence: Data-Driven Accountability",
        source="https://example.org/steady",
        body="The rest of the page still yields its entries, even next to broken ones.\n\n"
        "```\n### not a heading inside a code fence\n```",
        path="broken-page.md",
        line=22,
        note="A note, in italics, over two lines.",
    )


def test_parse_page_counts_lines_from_where_the_body_starts() -> None:
    body = "## Letters\n\n### One\n_@a, 2025-01-02_\n\nText.\n"
    entries, problems = parse_page(body, 40, "page.md")
    assert problems == []
    assert [(e.line, e.author, e.date, e.section) for e in entries] == [
        (42, "@a", dt.date(2025, 1, 2), "Letters")
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("## S\n### Title\n*@a, 2025-01-02*\n\n[Link to x](https://x)\n", "has an empty body"),
        ("## S\n### ...\n*@a, 2025-01-02*\nText.\n", "gives no id"),
        ("## S\n### T\n*@a, someday*\nText.\n", "'someday' is not a date"),
        ("## S\n### T\n", "has no author line"),
    ],
)
def test_entry_problems(body: str, reason: str) -> None:
    entries, problems = parse_page(body, 1, "page.md")
    assert entries == []
    (problem,) = problems
    assert reason in problem.reason


@pytest.mark.parametrize(
    ("written", "title"),
    [
        ('"Quoted"', "Quoted"),
        ("“Curly”", "Curly"),
        ("'Single'", "Single"),
        ("‘Curly single’", "Curly single"),
        ('"Half', '"Half'),
        ("Why 'You' Matter", "Why 'You' Matter"),
        ('""', '""'),
    ],
)
def test_titles_lose_only_surrounding_quotes(written: str, title: str) -> None:
    assert unquote(written) == title


def test_looks_compiled() -> None:
    assert looks_compiled("Intro\n\n## Section\n\n### Entry\n")
    assert not looks_compiled("Just a body with a\n### heading\n")
    assert not looks_compiled("## Only sections\n")


def test_page_with_author_in_frontmatter_is_a_single_entry(tmp_path: Path) -> None:
    text = "---\ntitle: T\nauthor: '@a'\ndate: 2025-01-01\n---\n## Part\n### Sub\nBody.\n"
    (tmp_path / "e.md").write_text(text, encoding="utf-8")
    read = read_file(tmp_path / "e.md", tmp_path)
    assert [(e.id, e.line) for e in read.entries] == [("e", 1)]
