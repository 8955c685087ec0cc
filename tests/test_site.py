"""The archive's own words (archive/site.yaml): read and checked with path:line: reason,
published by `perspectives index`, read by the Library; examples drawn from the archive."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fixture_archive import write_archive

from indexer.build import build_index
from indexer.cli import main
from indexer.library import Library
from indexer.params import parse_request
from indexer.site import SITE_FILE, Site, common_words, load_site

GOOD = """\
title: The 18F blog
description: >-
  Eleven years of posts by 18F,
  the digital services team.
about: Kept by its alumni.
examples: [user research, "plain language", login.gov]
placeholder: user research, agile*
"""


def write(tmp_path, text: str):
    path = tmp_path / SITE_FILE
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_is_read_whole(tmp_path):
    site, problems = load_site(write(tmp_path, GOOD))
    assert problems == []
    assert site == Site(
        title="The 18F blog",
        description="Eleven years of posts by 18F, the digital services team.",
        about="Kept by its alumni.",
        placeholder="user research, agile*",
        examples=("user research", "plain language", "login.gov"),
    )


def test_no_file_or_an_empty_one_is_an_empty_site(tmp_path):
    assert load_site(tmp_path / SITE_FILE) == (Site(), [])
    assert load_site(write(tmp_path, "# nothing yet\n")) == (Site(), [])


@pytest.mark.parametrize(
    ("text", "line", "reason", "kept"),
    [
        ("title: [a, b]\nabout: ok\n", 1, "'title' must be text", {"about": "ok"}),
        (
            "title: ok\nfooter: x\n",
            2,
            ("unknown key 'footer'; expected title, description, about, placeholder, examples"),
            {"title": "ok"},
        ),
        (
            "examples: autonomy\ntitle: ok\n",
            1,
            "'examples' must be a list of searches",
            {"title": "ok"},
        ),
        (
            "examples:\n  - fine\n  - [nested]\n",
            3,
            "'examples' must be text",
            {"examples": ("fine",)},
        ),
        ("title: a\ntitle: b\n", 2, "'title' is given twice", {"title": "a"}),
        ("title: " + "x" * 121 + "\n", 1, "'title' is 121 characters; at most 120", {}),
        ("title:\n", 1, "'title' must be text", {}),
        (
            "- a\n- b\n",
            1,
            ("expected a mapping of title, description, about, placeholder and examples"),
            {},
        ),
        ("title: ok\ndescription: 'unclosed\n", 3, "bad YAML: ", {}),
    ],
)
def test_problems_name_path_line_and_reason_and_keep_the_rest(tmp_path, text, line, reason, kept):
    path = write(tmp_path, text)
    site, problems = load_site(path)
    assert len(problems) == 1
    assert str(problems[0]).startswith(f"{path.as_posix()}:{line}: {reason}")
    assert site == Site(**kept)


def test_common_words_leave_out_short_common_numeric_and_skipped_ones():
    terms = [
        ("government", 59),
        ("how", 49),
        ("design", 45),
        ("what", 31),
        ("2016", 40),
        ("something", 44),
        ("agile", 26),
        ("work", 60),
        ("data", 19),
    ]
    assert common_words(terms, ["how we work"], 3) == ["government", "design", "agile"]


def test_index_publishes_the_file_and_the_library_follows_each_change(tmp_path):
    archive = write_archive(tmp_path / "archive")
    index = tmp_path / "index"
    build_index(archive, index, full=True)
    library = Library(index)
    assert library.site() == Site()
    write(archive, GOOD)
    report = build_index(archive, index)  # nothing else changed: an incremental run
    assert report.problems == [] and not report.full
    assert library.site().title == "The 18F blog"
    write(archive, "title: [broken]\nabout: Still here.\n")
    report = build_index(archive, index)
    assert [str(p) for p in report.problems] == [
        f"{(archive / SITE_FILE).as_posix()}:1: 'title' must be text"
    ]
    assert library.site() == Site(about="Still here.")
    (archive / SITE_FILE).unlink()
    build_index(archive, index)
    assert library.site() == Site()
    write(archive, GOOD)
    build_index(archive, index, full=True)  # a new generation carries it too
    assert library.site().examples == ("user research", "plain language", "login.gov")


def test_examples_come_from_the_archive_itself(library):
    examples = library.examples(4)
    # the two themes most entries have (4 entries each), then the words most titles hold
    assert set(examples[:2]) == {"Model Behavior", "Model Deprecation"}
    titles = " ".join(h.title.lower() for h in library.iter_hits(parse_request({})))
    assert len(examples) == 4 and all(w in titles and len(w) > 3 for w in examples[2:])
    assert library.examples(2) == examples[:2]


def test_check_reports_the_site_file_and_exits_1(tmp_path, monkeypatch):
    archive = write_archive(tmp_path / "archive")
    monkeypatch.setenv("PERSPECTIVES_ARCHIVE", str(archive))
    monkeypatch.setenv("PERSPECTIVES_INDEX", str(tmp_path / "index"))
    write(archive, "title: ok\nexamples: [a, {b: c}]\n")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert f"{(archive / SITE_FILE).as_posix()}:2: 'examples' must be text" in result.output
    write(archive, GOOD)
    assert CliRunner().invoke(main, ["check"]).exit_code == 0
