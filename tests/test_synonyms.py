"""Synonyms the editors own: synonyms.yaml read and checked with path:line, published by the
index run, applied to plain queries at search time (groups, one-way rules, several words on
either side), said in the result and on each entry they alone found."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.library import Library
from indexer.params import parse_request
from indexer.synonyms import load_synonyms
from indexer.validate import check_archive

SYNONYMS = """\
- [deprecation, sunsetting]
- [user autonomy, self-determination]
- retire => deprecation
"""


def search(library, q, **params):
    return library.search(
        parse_request({"q": [q], "subject": ["0"], **{k: [v] for k, v in params.items()}})
    )


def ids(result):
    return {h.id for h in result.hits}


@pytest.fixture
def synonyms(archive_dir: Path, index_dir: Path) -> Library:
    (archive_dir / "synonyms.yaml").write_text(SYNONYMS, encoding="utf-8")
    report = build_index(archive_dir, index_dir)  # incremental: no entry is reindexed
    assert report.problems == [] and report.added == report.updated == 0
    return Library(index_dir)


def test_a_group_finds_each_other(synonyms):
    found = search(synonyms, "sunsetting", per_page="50")
    assert ids(found) == ids(search(synonyms, "deprecation", per_page="50")) != set()
    assert [u.to_dict() for u in found.synonyms] == [
        {"typed": "sunsetting", "matched": ["deprecation"]}
    ]
    hit = found.hits[0]
    assert [u.to_dict() for u in hit.synonyms] == [
        {"typed": "sunsetting", "matched": ["deprecation"]}
    ]
    assert "<mark>deprecat" in hit.snippet.lower()  # the stem of the synonym is marked


def test_words_as_typed_rank_first(synonyms):
    found = search(synonyms, "deprecation", per_page="50")
    assert found.synonyms[0].matched == ("sunsetting",)
    typed = {h.id for h in found.hits if not h.synonyms}
    assert typed == ids(search(synonyms, "deprecation", per_page="50"))  # none had sunsetting


def test_several_words_on_either_side(synonyms):
    found = search(synonyms, "self-determination", per_page="50")
    assert found.synonyms[0].matched == ("user autonomy",)
    assert ids(search(synonyms, '"user autonomy"', per_page="50")) <= ids(found)
    back = search(synonyms, "user autonomy", per_page="50")
    assert [u.typed for u in back.synonyms] == ["user autonomy"]


def test_one_way_rules(synonyms):
    assert search(synonyms, "retire").synonyms[0].matched == ("deprecation",)
    assert [u.matched for u in search(synonyms, "deprecation").synonyms] == [("sunsetting",)]


def test_quoted_words_and_typos_off_do_not_change_them(synonyms):
    assert search(synonyms, '"sunsetting"').total == 0
    assert search(synonyms, "sunsetting", typos="0").synonyms != ()


def test_an_edit_shows_after_the_next_index_run(archive_dir, synonyms, index_dir):
    (archive_dir / "synonyms.yaml").unlink()
    build_index(archive_dir, index_dir)
    assert search(synonyms, "sunsetting").total == 0  # no entry says it


BROKEN = [
    ("- [AI]\n", 1, "a group needs two or more different words or phrases"),
    ("- just words\n", 1, "'just words' is neither a group ([a, b]) nor a rule (a => b)"),
    ("- [ai, ml]\n- llm =>\n", 2, "the right side of '=>' is empty"),
    ("- [the, deprecation]\n", 1, "'the' has no word that is searched (only stop words or signs)"),
    ("- [ai => ml, llm]\n", 1, "'ai => ml': '=>' inside a group"),
    ("- [llm, {ai: ml}]\n", 1, "each synonym must be text"),
    ("telework: remote work\n", 1, "expected a list of groups"),
    ("- [telework, remote work\n", 2, "bad YAML"),
]


@pytest.mark.parametrize("text, line, reason", BROKEN)
def test_problems_name_path_and_line(tmp_path, text, line, reason):
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    _, problems = load_synonyms(path)
    assert [(p.line, p.reason[: len(reason)]) for p in problems] == [(line, reason)]
    assert str(problems[0]).startswith(f"{path.as_posix()}:{line}: ")


def test_a_broken_file_is_reported_and_search_keeps_working(archive_dir, index_dir):
    (archive_dir / "synonyms.yaml").write_text(
        "- [deprecation, sunsetting]\n- [lonely]\n- [oops\n", encoding="utf-8"
    )
    problems, _ = check_archive(archive_dir)
    assert [(Path(p.path).name, p.line) for p in problems] == [("synonyms.yaml", 4)]
    report = build_index(archive_dir, index_dir)
    assert [(Path(p.path).name, p.line) for p in report.problems] == [("synonyms.yaml", 4)]
    lib = Library(index_dir)
    assert search(lib, "deprecation").total > 0 and search(lib, "deprecation").synonyms == ()
    (archive_dir / "synonyms.yaml").write_text(
        "- [deprecation, sunsetting]\n- [lonely]\n", encoding="utf-8"
    )
    report = build_index(archive_dir, index_dir)
    assert [p.line for p in report.problems] == [2]
    assert search(Library(index_dir), "sunsetting").total > 0  # the valid rules are kept


def test_themes_may_list_synonyms(archive_dir, index_dir):
    themes = archive_dir / "themes.yaml"
    text = themes.read_text(encoding="utf-8")
    assert "label: Model Deprecation" in text
    themes.write_text(
        text.replace(
            "label: Model Deprecation", "label: Model Deprecation\n  synonyms: [model sunsetting]"
        ),
        encoding="utf-8",
    )
    build_index(archive_dir, index_dir)
    found = search(Library(index_dir), "model sunsetting", per_page="50")
    assert [u.to_dict() for u in found.synonyms] == [
        {"typed": "model sunsetting", "matched": ["Model Deprecation"]}
    ]
    assert found.total > 0


def test_compounds_and_digits(archive_dir, index_dir):
    (archive_dir / "synonyms.yaml").write_text("- [4o, GPT-4o]\n", encoding="utf-8")
    build_index(archive_dir, index_dir)
    lib = Library(index_dir)
    assert search(lib, "4o").synonyms[0].matched == ("GPT-4o",)
    for typed in ("GPT-4o", "gpt4o"):  # the compound, as written or joined
        assert search(lib, typed).synonyms[0].matched == ("4o",), typed
    assert search(lib, "4o").total == search(lib, "GPT-4o").total > 0
