"""Importing a compiled page: one file per entry that reads back to the same Perspectives."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from indexer.archive import read_archive, read_file
from indexer.importer import PageProblems, render_entry, split_page
from indexer.records import ArchiveError, Perspective

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SEED = PAGES / "community-perspectives.md"
EXPECTED_FILES = [
    "the-evidence/when-75-say-no-thats-failure.md",
    "the-framework/why-youre-anthropomorphizing-misses-the-point.md",
    "the-vision/on-dignity-autonomy-and-the-future-we-choose.md",
]


def _without_place(entries: list[Perspective]) -> list[Perspective]:
    """Forget where entries came from, to compare their content."""
    return sorted((dataclasses.replace(e, path="", line=1) for e in entries), key=lambda e: e.id)


def test_split_page_writes_one_file_per_entry_in_section_folders(tmp_path: Path) -> None:
    written = split_page(SEED, tmp_path)
    assert [path.relative_to(tmp_path).as_posix() for path in written] == EXPECTED_FILES
    assert (
        sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md")) == EXPECTED_FILES
    )


def test_written_file_is_our_archive_format(tmp_path: Path) -> None:
    split_page(SEED, tmp_path)
    text = (tmp_path / EXPECTED_FILES[0]).read_text(encoding="utf-8")
    assert text.startswith(
        "---\n"
        'title: "When 75% Say No, That\'s Failure"\n'
        'author: "@Seltaa_"\n'
        "date: 2025-12-12\n"
        'section: "The Evidence: Data-Driven Accountability"\n'
        "source: https://x.com/Seltaa_/status/2000658565456126382?s=20\n"
        'note: "This response followed a community poll of 360+ users regarding GPT-5.2, '
        'conducted independently of OpenAI."\n'
        "id: when-75-say-no-thats-failure\n"
        "---\n"
        "Following the launch of GPT‑5.2,"
    )
    assert text.endswith("Sam Altman should step down.\n")


def test_rereading_the_written_files_gives_the_page_entries(tmp_path: Path) -> None:
    split_page(SEED, tmp_path)
    archive = read_archive(tmp_path)
    assert archive.problems == []
    assert _without_place(archive.entries) == _without_place(read_file(SEED, PAGES).entries)


def test_render_entry_round_trips_awkward_values(tmp_path: Path) -> None:
    entry = Perspective(
        id="yes", title='null "quoted" \\ back', authors=("@a: b",), date=dt.date(2025, 1, 2),
        section="S", section_heading="S: sub", source="https://x/?a=b#c", body="# Body\n\n- item",
        path="yes.md", themes=("no", "a, b"), note="#not a comment",
    )  # fmt: skip
    (tmp_path / "yes.md").write_text(render_entry(entry), encoding="utf-8")
    assert read_file(tmp_path / "yes.md", tmp_path).entries == [entry]


def test_reimporting_the_same_page_is_fine(tmp_path: Path) -> None:
    first = split_page(SEED, tmp_path)
    stamps = [path.stat().st_mtime_ns for path in first]
    assert split_page(SEED, tmp_path) == first
    assert [path.stat().st_mtime_ns for path in first] == stamps


def test_an_existing_different_file_is_never_overwritten(tmp_path: Path) -> None:
    target = tmp_path / EXPECTED_FILES[1]
    target.parent.mkdir(parents=True)
    target.write_text("---\ntitle: edited by hand\n---\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="already exists with different content"):
        split_page(SEED, tmp_path)
    assert target.read_text(encoding="utf-8") == "---\ntitle: edited by hand\n---\n"
    assert list(tmp_path.rglob("*.md")) == [target]  # nothing else was written either


def test_a_page_with_problems_is_refused_with_each_problem(tmp_path: Path) -> None:
    with pytest.raises(PageProblems) as raised:
        split_page(PAGES / "broken-page.md", tmp_path / "out")
    assert [(p.line, p.reason[:30]) for p in raised.value.problems] == [
        (11, "entry 'An Entry Without Its By"),
        (18, "date 'February 30, 2025' does "),
    ]
    assert f"{PAGES / 'broken-page.md'}:11: entry" in str(raised.value)
    assert not (tmp_path / "out").exists()


def test_a_page_repeating_a_title_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    entry = "### Same Title\n*@a, May 1, 2025*\n\nText.\n\n"
    page.write_text("---\ntitle: P\n---\n## S\n\n" + entry + entry, encoding="utf-8")
    with pytest.raises(PageProblems, match="page.md:11: duplicate id 'same-title'"):
        split_page(page, tmp_path / "out")


def test_a_single_entry_file_is_not_a_compiled_page(tmp_path: Path) -> None:
    page = tmp_path / "entry.md"
    page.write_text("---\ntitle: T\nauthor: '@a'\ndate: 2025-01-01\n---\nBody.\n", encoding="utf-8")
    with pytest.raises(ArchiveError, match="not a compiled page"):
        split_page(page, tmp_path / "out")


def test_the_bundled_archive_is_the_seed_page_imported() -> None:
    bundled = ROOT / "archive"
    for relative in EXPECTED_FILES:
        entry = read_file(bundled / relative, bundled).entries[0]
        assert (bundled / relative).read_text(encoding="utf-8") == render_entry(entry)
    entries = [read_file(bundled / relative, bundled).entries[0] for relative in EXPECTED_FILES]
    assert _without_place(entries) == _without_place(read_file(SEED, PAGES).entries)
