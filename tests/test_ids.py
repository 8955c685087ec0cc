"""The duplicate-id rule: one for `perspectives check` and `perspectives index` (issue 12)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from indexer.cli import main
from indexer.ids import Taken, holders, settle
from indexer.records import FileRead, Perspective, Problem
from indexer.validate import check_archive

ENTRY = """---
id: shared
title: "{title}"
author: "@someone"
date: 2025-01-0{day}
section: "The Stories"
source: https://example.org/{day}
---
A short entry about {title}.
"""


def entry(path: str, id_: str, line: int = 1) -> Perspective:
    return Perspective(
        id=id_,
        title=id_,
        authors=("@a",),
        date=dt.date(2025, 1, 1),
        section="S",
        section_heading="S",
        source="https://example.org",
        body="b",
        path=path,
        line=line,
    )


def reads(
    *files: tuple[str, list[Perspective]], broken: tuple[str, ...] = ()
) -> dict[str, FileRead]:
    return {
        path: FileRead(path, "d", entries, [Problem(path, 1, "bad")] if path in broken else [])
        for path, entries in files
    }


def duplicates(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems if "duplicate id" in p.reason]


# The rule


def test_without_an_index_the_first_file_in_path_order_keeps_the_id() -> None:
    files = reads(("z.md", [entry("z.md", "x")]), ("a.md", [entry("a.md", "x", 3)]))
    settled = settle(files, {})
    assert settled.entries == {"a.md": [files["a.md"].entries[0]], "z.md": []}
    assert [str(p) for p in settled.problems] == ["z.md:1: duplicate id 'x': already used by a.md"]


def test_a_file_the_index_holds_the_id_in_keeps_it() -> None:
    files = reads(("z.md", [entry("z.md", "x")]), ("a.md", [entry("a.md", "x", 3)]))
    taken = holders({"z.md": ["x"]}, files)
    assert taken == {"x": "z.md"}
    settled = settle(files, taken)
    assert settled.entries == {"a.md": [], "z.md": [files["z.md"].entries[0]]}
    assert [str(p) for p in settled.problems] == ["a.md:3: duplicate id 'x': already used by z.md"]


def test_a_holder_keeps_only_the_ids_it_still_has_unless_it_is_broken_now() -> None:
    files = reads(("z.md", [entry("z.md", "y")]), ("b.md", []), broken=("b.md",))
    assert holders({"z.md": ["x", "y"], "b.md": ["w"]}, files) == {"y": "z.md", "w": "b.md"}


def test_an_id_twice_in_one_file_names_the_line_of_the_first() -> None:
    files = reads(("page.md", [entry("page.md", "x", 5), entry("page.md", "x", 40)]))
    settled = settle(files, {"x": "page.md"})
    assert [p.line for p in settled.entries["page.md"]] == [5]
    assert [str(p) for p in settled.problems] == [
        "page.md:40: duplicate id 'x': already used by page.md:5"
    ]


# `check` and `index` give the same report (the reproduction)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "z.md").write_text(ENTRY.format(title="Zed", day=2), encoding="utf-8")
    return folder


def test_check_and_index_blame_the_same_file_when_a_new_file_takes_an_indexed_id(
    archive: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    assert build_index(archive, index).problems == []
    (archive / "a.md").write_text(ENTRY.format(title="Ay", day=1), encoding="utf-8")
    checked, valid = check_archive(archive, index_dir=index)
    report = build_index(archive, index)
    expected = ["a.md:1: duplicate id 'shared': already used by z.md"]
    assert duplicates(checked) == duplicates(report.problems) == expected
    assert valid == report.entries == 1
    full = build_index(archive, index, full=True)  # a full build keeps the holder too
    assert duplicates(full.problems) == expected


def test_check_and_a_first_build_blame_the_same_file(archive: Path, tmp_path: Path) -> None:
    (archive / "a.md").write_text(ENTRY.format(title="Ay", day=1), encoding="utf-8")
    checked, _ = check_archive(archive, index_dir=tmp_path / "index")
    report = build_index(archive, tmp_path / "index")
    expected = ["z.md:1: duplicate id 'shared': already used by a.md"]
    assert duplicates(checked) == duplicates(report.problems) == expected


def test_the_command_line_prints_the_same_line_for_check_and_index(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSPECTIVES_ARCHIVE", str(archive))
    monkeypatch.setenv("PERSPECTIVES_INDEX", str(tmp_path / "index"))
    runner = CliRunner()
    assert runner.invoke(main, ["index"]).exit_code == 0
    (archive / "a.md").write_text(ENTRY.format(title="Ay", day=1), encoding="utf-8")
    checked = runner.invoke(main, ["check"])
    indexed = runner.invoke(main, ["index"])
    line = "a.md:1: duplicate id 'shared': already used by z.md"
    assert checked.exit_code == indexed.exit_code == 1
    assert line in checked.output.splitlines() and line in indexed.output.splitlines()


def test_taken_reads_as_a_dict_changed_and_leaves_the_one_under_it_as_it_was():
    under = {"a": "a.md", "b": "b.md", "c": "c.md"}
    taken, copied = Taken(under), dict(under)
    for kept in (taken, copied):
        kept.pop("b", None)
        kept.pop("zz", None)
        assert kept.setdefault("b", "new.md") == "new.md"
        assert kept.setdefault("a", "new.md") == "a.md"
        kept.update({"d": "d.md"})
        del kept["c"]
    assert dict(taken) == copied and len(taken) == 3 and "c" not in taken
    assert taken.get("c") is None and taken["b"] == "new.md"
    assert under == {"a": "a.md", "b": "b.md", "c": "c.md"}
    with pytest.raises(KeyError):
        del taken["c"]
