"""Reading per-entry files: listing, exact fields, every kind of bad input, duplicates."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import archive as archive_module
from indexer.archive import (
    MAX_FILE_BYTES,
    find_duplicates,
    list_archive_files,
    read_archive,
    read_file,
    unique_entries,
)
from indexer.records import ArchiveError, Perspective, Problem

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARCHIVE = FIXTURES / "archive"
BAD = FIXTURES / "bad"


def _write(root: Path, relative: str, content: str | bytes) -> Path:
    """Write a file under root, creating its folders."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def _entry(root: Path, relative: str) -> Perspective:
    """Read a file that must give exactly one entry and no problem."""
    read = read_file(root / relative, root)
    assert read.problems == []
    assert len(read.entries) == 1
    return read.entries[0]


GOOD = "---\ntitle: Fine\nauthor: '@a'\ndate: 2025-01-01\n---\nA body.\n"


# Listing


def test_list_archive_files_is_sorted_by_relative_path_and_skips_hidden_and_other_files() -> None:
    names = [path.relative_to(ARCHIVE).as_posix() for path in list_archive_files(ARCHIVE)]
    assert names == [
        "a-letter-without-a-section.md",
        "the-evidence/when-75-say-no-thats-failure.md",
        "the-framework/why-youre-anthropomorphizing-misses-the-point.md",
        "the-research/2025-06-30-colour.md",
        "the-research/organising-the-evidence.md",
        "the-stories/living-with-a-model.md",
        "the-vision/on-dignity-autonomy-and-the-future-we-choose.md",
    ]


def test_list_archive_files_ignores_the_taxonomy_and_field_map(tmp_path: Path) -> None:
    _write(tmp_path, "themes.yaml", "autonomy: {label: Autonomy}\n")
    _write(tmp_path, "fieldmap.yaml", "title: title\n")
    _write(tmp_path, "entry.md", GOOD)
    assert list_archive_files(tmp_path) == [tmp_path / "entry.md"]


def test_list_archive_files_survives_symlink_loops(tmp_path: Path) -> None:
    _write(tmp_path, "sub/entry.md", GOOD)
    os.symlink(tmp_path, tmp_path / "sub" / "loop")
    assert list_archive_files(tmp_path) == [tmp_path / "sub" / "entry.md"]


def test_markdown_links_that_loop_or_dangle_are_reported_not_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "sub/entry.md", GOOD)
    os.symlink(tmp_path / "missing", tmp_path / "dangling.md")
    os.symlink("self.md", tmp_path / "self.md")
    assert list_archive_files(tmp_path) == [
        tmp_path / "dangling.md",
        tmp_path / "self.md",
        tmp_path / "sub" / "entry.md",
    ]
    assert [str(p) for p in read_archive(tmp_path).problems] == [
        "dangling.md:1: cannot read the file: No such file or directory",
        "self.md:1: cannot read the file: Too many levels of symbolic links",
    ]


def test_list_archive_files_follows_a_symlinked_folder_once(tmp_path: Path) -> None:
    outside = _write(tmp_path / "elsewhere", "shared.md", GOOD)
    root = tmp_path / "archive"
    root.mkdir()
    os.symlink(outside.parent, root / "linked")
    assert list_archive_files(root) == [root / "linked" / "shared.md"]


def test_read_archive_rejects_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="archive folder not found"):
        read_archive(tmp_path / "nowhere")


# Good entries, exact fields


def test_read_archive_gives_every_fixture_entry_and_no_problem() -> None:
    archive = read_archive(ARCHIVE)
    assert archive.problems == []
    assert sorted(archive.files) == [
        path.relative_to(ARCHIVE).as_posix() for path in list_archive_files(ARCHIVE)
    ]
    assert [entry.id for entry in archive.entries] == [
        "a-letter-without-a-section",
        "when-75-say-no-thats-failure",
        "why-youre-anthropomorphizing-misses-the-point",
        "the-colour-of-the-data",
        "organising-the-evidence",
        "living-with-a-model",
        "on-dignity-autonomy-and-the-future-we-choose",
    ]


def test_seed_entry_file_gives_every_field() -> None:
    entry = _entry(ARCHIVE, "the-evidence/when-75-say-no-thats-failure.md")
    assert entry.body.startswith("Following the launch of GPT‑5.2, a user-led poll")
    assert entry.body.endswith("Sam Altman should step down.")
    assert entry == Perspective(
        id="when-75-say-no-thats-failure",
        title="When 75% Say No, That's Failure",
        authors=("@Seltaa_",),
        date=dt.date(2025, 12, 12),
        section="The Evidence",
        section_heading="The Evidence: Data-Driven Accountability",
        source="https://x.com/Seltaa_/status/2000658565456126382?s=20",
        body=entry.body,
        path="the-evidence/when-75-say-no-thats-failure.md",
        line=1,
        note="This response followed a community poll of 360+ users regarding GPT-5.2, "
        "conducted independently of OpenAI.",
    )


def test_comma_separated_themes_and_a_quoted_date() -> None:
    entry = _entry(ARCHIVE, "the-research/organising-the-evidence.md")
    assert entry == Perspective(
        id="organising-the-evidence",
        title="Organising the Evidence",
        authors=("@datawren",),
        date=dt.date(2024, 3, 5),
        section="The Research",
        section_heading="The Research: What the Numbers Say",
        source="https://example.org/datawren/organising",
        body="How a community organisation can audit model behaviour: we organised three surveys"
        " of user\nautonomy and published every figure, because transparent methods build trust.",
        path="the-research/organising-the-evidence.md",
        themes=("transparency", "user autonomy"),
    )


def test_explicit_id_themes_list_and_stripped_body() -> None:
    entry = _entry(ARCHIVE, "the-research/2025-06-30-colour.md")
    assert (entry.id, entry.title, entry.date) == (
        "the-colour-of-the-data",
        "The Colour of the Data",
        dt.date(2025, 6, 30),
    )
    assert entry.themes == ("methods", "transparency")
    assert entry.body.startswith("Charts are never neutral")
    assert entry.body.endswith("deprecation of a beloved model.")


def test_datetime_with_offset_keeps_the_calendar_date_written_and_titles_lose_quotes() -> None:
    entry = _entry(ARCHIVE, "the-stories/living-with-a-model.md")
    assert entry.date == dt.date(2026, 2, 13)  # 23:40 at -08:00 is the 14th in UTC: not used
    assert entry.title == "Living With a Model"
    assert entry.note == "Written on the last night before the model was retired."


def test_missing_section_is_empty() -> None:
    entry = _entry(ARCHIVE, "a-letter-without-a-section.md")
    assert (entry.section, entry.section_heading, entry.source) == ("", "", "")
    assert entry.date == dt.date(2024, 12, 31)


def test_section_without_a_colon_is_its_own_short_name(tmp_path: Path) -> None:
    _write(tmp_path, "e.md", GOOD.replace("---\nA body", "section: Letters\n---\nA body"))
    entry = _entry(tmp_path, "e.md")
    assert (entry.section, entry.section_heading) == ("Letters", "Letters")


def test_id_defaults_to_the_slugified_file_name(tmp_path: Path) -> None:
    _write(tmp_path, "Sub Folder/Café Letters — Part 2.md", GOOD)
    assert _entry(tmp_path, "Sub Folder/Café Letters — Part 2.md").id == "cafe-letters-part-2"


def test_bom_crlf_and_leading_blank_lines_are_tolerated(tmp_path: Path) -> None:
    text = "\n\n" + GOOD.replace("\n", "\r\n").replace("date: 2025-01-01", "date: 2025-01-01")
    _write(tmp_path, "e.md", b"\xef\xbb\xbf" + text.encode("utf-8"))
    entry = _entry(tmp_path, "e.md")
    assert (entry.title, entry.body, entry.line) == ("Fine", "A body.", 3)


def test_yaml_scalars_stay_the_text_written(tmp_path: Path) -> None:
    text = "---\ntitle: yes\nauthor: 1.10\ndate: 2025-01-01\nthemes: [no, null]\n---\nBody.\n"
    _write(tmp_path, "e.md", text)
    entry = _entry(tmp_path, "e.md")
    assert (entry.title, entry.author, entry.themes) == ("yes", "1.10", ("no", "null"))


def test_digest_is_the_sha256_of_the_raw_bytes() -> None:
    path = ARCHIVE / "the-stories" / "living-with-a-model.md"
    read = read_file(path, ARCHIVE)
    assert read.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read.path == "the-stories/living-with-a-model.md"


def test_read_file_outside_the_archive_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="not inside the archive folder"):
        read_file(ARCHIVE / "a-letter-without-a-section.md", tmp_path)


# Bad input: one fixture file per kind of problem


@pytest.mark.parametrize(
    ("name", "line", "reason"),
    [
        ("bad-yaml.md", 6, "invalid YAML in the frontmatter: found character '\\t'"),
        ("missing-title.md", 1, "missing title: no 'title' key"),
        ("missing-author.md", 1, "missing author: none of the keys 'author', 'authors'"),
        ("empty-authors.md", 3, "authors: an empty list: name at least one author"),
        (
            "nested-author.md",
            3,
            "authors: expected a name or a list of names, got a list holding a list",
        ),
        ("missing-date.md", 1, "missing date: no 'date' key"),
        ("impossible-date.md", 4, "date: '2025-02-30' is not a real date"),
        ("zero-date.md", 4, "date: '0000-00-00' is not a real date"),
        ("not-a-date.md", 4, "date: 'last Tuesday' is not a date (expected YYYY-MM-DD)"),
        ("not-utf8.md", 7, "not UTF-8: byte 0xe9"),
        ("empty-body.md", 5, "empty body"),
        ("binary.md", 1, "binary file"),
        ("not-a-mapping.md", 2, "frontmatter is not a mapping of fields: it is a list"),
        ("unterminated.md", 1, "unterminated frontmatter"),
        ("empty.md", 1, "empty file"),
        ("no-frontmatter.md", 1, "no frontmatter"),
        (
            "bad-id.md",
            5,
            "id: not a valid id (use lowercase letters, digits and '-', e.g. 'not-a-slug')",
        ),
        ("wrong-type.md", 2, "title: expected text, got a list"),
    ],
)
def test_each_kind_of_bad_input_is_one_exact_problem(name: str, line: int, reason: str) -> None:
    read = read_file(BAD / name, BAD)
    assert read.entries == []
    assert len(read.problems) == 1
    problem = read.problems[0]
    assert (problem.path, problem.line) == (name, line)
    assert reason in problem.reason
    assert read.digest == hashlib.sha256((BAD / name).read_bytes()).hexdigest()


def test_read_archive_reports_every_bad_file_sorted() -> None:
    archive = read_archive(BAD)
    assert archive.entries == []
    assert [problem.path for problem in archive.problems] == sorted(
        path.name for path in BAD.glob("*.md")
    )
    assert archive.problems == sorted(archive.problems)


def test_every_field_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "e.md", "---\ntitle: [a]\ndate: 2025-13-01\n---\n\n")
    problems = read_file(tmp_path / "e.md", tmp_path).problems
    assert [(p.line, p.reason.split(":")[0]) for p in problems] == [
        (2, "title"),
        (1, "missing author"),
        (3, "date"),
        (4, "empty body"),
    ]


@pytest.mark.parametrize(
    ("frontmatter", "line", "reason"),
    [
        ("? [a, b]\n: c\n", 2, "found unhashable key"),
        ("title: *nowhere\n", 2, "found undefined alias 'nowhere'"),
        ("title: 'unclosed\n", 2, "found unexpected end of stream"),
        # the unclosed quote is on line 2, not at the end of the frontmatter where YAML noticed
        (
            'title: "unclosed\nauthor: a\ndate: 2025-01-01\n',
            2,
            "while scanning a quoted scalar (column 8): found unexpected end of stream",
        ),
    ],
)
def test_other_yaml_errors_are_problems(
    tmp_path: Path, frontmatter: str, line: int, reason: str
) -> None:
    _write(tmp_path, "e.md", f"---\n{frontmatter}---\nBody.\n")
    (problem,) = read_file(tmp_path / "e.md", tmp_path).problems
    assert problem.line == line
    assert reason in problem.reason


def test_yaml_tags_construct_nothing(tmp_path: Path) -> None:
    text = "---\ntitle: !!python/object/apply:os.system [echo]\nauthor: !!int '@a'\n"
    _write(tmp_path, "e.md", text + "date: 2025-01-01\n---\nBody.\n")
    (problem,) = read_file(tmp_path / "e.md", tmp_path).problems
    assert problem == Problem("e.md", 2, "title: expected text, got a list")  # nothing ran


def test_a_file_over_the_size_limit_is_a_problem_and_still_hashed(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as stream:
        stream.write(GOOD.encode())
        stream.write(b"word " * (20 * 2**20 // 5))
    assert path.stat().st_size > MAX_FILE_BYTES
    read = read_file(path, tmp_path)
    assert read.problems == [Problem("huge.md", 1, "file too large: 20.0 MB (the limit is 5 MB)")]
    assert read.digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    body = ("A long perspective. " * 50 + "\n") * (4 * 2**20 // 1001)
    _write(tmp_path, "long.md", GOOD.replace("A body.\n", body))
    assert len(_entry(tmp_path, "long.md").body) > 3 * 2**20


def test_a_huge_frontmatter_is_a_problem_not_a_wait(tmp_path: Path) -> None:
    keys = "".join(f"key{i}: value\n" for i in range(10_000))
    _write(tmp_path, "keys.md", f"\n---\n{keys}---\nBody.\n")
    (problem,) = read_file(tmp_path / "keys.md", tmp_path).problems
    assert problem == Problem(
        "keys.md", 2, "frontmatter too long: 148,889 characters (the limit is 100,000)"
    )


def test_deeply_nested_yaml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    depth = 20_000
    _write(tmp_path, "deep.md", "---\ntitle: " + "[" * depth + "]" * depth + "\n---\nBody.\n")
    (problem,) = read_file(tmp_path / "deep.md", tmp_path).problems
    assert (problem.path, problem.line) == ("deep.md", 1)
    assert "nested too deeply" in problem.reason


def test_yaml_aliases_do_not_blow_up(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 30)]
    text = "---\n" + "\n".join(lines) + "\ntitle: Bomb\nauthor: '@x'\ndate: 2025-01-01\n"
    _write(tmp_path, "bomb.md", text + "themes: *a29\n---\nBody.\n")
    (problem,) = read_file(tmp_path / "bomb.md", tmp_path).problems
    assert problem.line == 35
    assert problem.reason == (
        "themes: expected a list of themes or a comma-separated text, got a list holding a list"
    )


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, "locked.md", GOOD)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file")
        (problem,) = read_file(path, tmp_path).problems
        assert (problem.line, problem.reason) == (1, "cannot read the file: Permission denied")
    finally:
        path.chmod(0o644)


_YAMLISH = st.sampled_from(
    ["---", "title: ", "date: ", "author: ", "[", "]", "{", ":", "- ", "'", "\n"]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.lists(_YAMLISH | st.text(max_size=8), max_size=40)))
def test_read_file_never_raises_on_any_content(content: bytes | list[str]) -> None:
    raw = content if isinstance(content, bytes) else "".join(content).encode("utf-8", "replace")
    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), "any.md", b"---\n" + raw)
        read = read_file(path, Path(folder))
    assert len(read.entries) + len(read.problems) >= 1
    assert all(problem.path == "any.md" and problem.line >= 1 for problem in read.problems)


# Duplicates


def test_duplicate_ids_keep_the_first_file_in_path_order() -> None:
    archive = read_archive(FIXTURES / "duplicates")
    assert [(entry.id, entry.path) for entry in archive.entries] == [
        ("shared-id", "a-first.md"),
        ("c-unique", "c-unique.md"),
    ]
    assert archive.problems == [
        Problem("later/b-second.md", 1, "duplicate id 'shared-id': already used by a-first.md")
    ]


def test_find_duplicates_works_on_files_read_one_by_one(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "duplicates", tmp_path, dirs_exist_ok=True)
    later = read_file(tmp_path / "later" / "b-second.md", tmp_path)
    first = read_file(tmp_path / "a-first.md", tmp_path)
    assert find_duplicates([later, first]) == [
        Problem("later/b-second.md", 1, "duplicate id 'shared-id': already used by a-first.md")
    ]
    assert [entry.path for entry in unique_entries([later, first])] == ["a-first.md"]


def test_duplicate_between_a_page_and_an_entry_file(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "pages" / "community-perspectives.md", tmp_path / "page.md")
    shutil.copytree(ARCHIVE / "the-vision", tmp_path / "the-vision")
    archive = read_archive(tmp_path)
    assert len(archive.entries) == 3
    assert archive.problems == [
        Problem(
            "the-vision/on-dignity-autonomy-and-the-future-we-choose.md",
            1,
            "duplicate id 'on-dignity-autonomy-and-the-future-we-choose': already used by page.md",
        )
    ]


# libyaml reads frontmatter in the fast path; whatever it accepts must read as PyYAML reads it.
_YAML_PIECES = st.sampled_from(
    [
        "title: A",
        "author: '@x'",
        "date: 2025-02-30",
        "themes: [a, b]",
        "themes:\n  - a\n  - b",
        "note: |\n  two\n  lines",
        "x: &a 1",
        "y: *a",
        "k: {a: 1}",
        "? q\n: v",
        't: "esc\\u00e9"',
        "- item",
        "  indented: 1",
        "a: b: c",
        "s: 'it''s'",
        "n: ~",
        "e:",
        "# c",
        "u: caf\u00e9",
        "p: [",
        "z: }",
        '"q": 1',
        "m: !!str 5",
        "d: 1.0",
        "b: yes",
        "r: >\n  folded",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_YAML_PIECES, min_size=1, max_size=8), st.text(max_size=12))
def test_libyaml_fast_path_reads_as_pyyaml_does(pieces, extra):
    source = "\n".join(pieces) + extra
    if archive_module._FAST_LOADER is None or not archive_module._fast_enough(source):
        return
    fast = archive_module._load_yaml_with(archive_module._FAST_LOADER, source, 2, "f.md")
    slow = archive_module._load_yaml_with(yaml.BaseLoader, source, 2, "f.md")
    if not isinstance(fast, Problem):
        assert fast == slow
    assert archive_module._load_yaml(source, 2, "f.md") == slow


def test_deep_frontmatter_never_reaches_libyaml():
    deep = "a: " + "[" * 40_000 + "]" * 40_000
    assert not archive_module._fast_enough(deep)
    assert not archive_module._fast_enough("a:\n" + "- " * 100 + "x")
    assert archive_module._fast_enough("title: A\nthemes: [a, b]\n")
