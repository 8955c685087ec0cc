"""The command line through click's runner, against real archives and indexes in tmp_path."""

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from fixture_archive import SEED_PAGE, write_archive

from indexer.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("PERSPECTIVES_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("PERSPECTIVES_INDEX", str(tmp_path / "index"))

    def invoke(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def indexed(tmp_path, run):
    write_archive(tmp_path / "archive")
    result = run("index")
    assert result.exit_code == 0, result.output
    return tmp_path


def test_index_prints_counts(indexed, run):
    result = run("index", "--full")
    assert result.exit_code == 0
    assert "full build: 0 added, 6 updated, 0 removed, 0 rejected; 6 entries" in result.output


def test_index_reports_rejected_files_and_exits_1(indexed, run):
    (indexed / "archive" / "broken.md").write_text("---\ntitle: x\n---\nbody\n", encoding="utf-8")
    result = run("index")
    assert result.exit_code == 1
    assert "broken.md:1: " in result.output
    assert "0 added, 0 updated, 0 removed, 1 rejected" in result.output


def test_check_changes_nothing(indexed, run):
    (indexed / "archive" / "broken.md").write_bytes(b"---\ntitle: x\xff\n---\nbody\n")
    result = run("check")
    assert result.exit_code == 1
    assert "broken.md:2: " in result.output
    assert "6 entries valid" in result.output
    assert run("search", "--json").exit_code == 0
    assert json.loads(run("search", "--json").output)["total"] == 6


@pytest.mark.parametrize(
    "args,author",
    [
        (["anthropomorphising"], "@kumabwari"),
        (["autonomy", "--author", "@MissMi1973"], "@MissMi1973"),
        (["--from", "2025-12", "--to", "2025-12"], "@Seltaa_"),
        (["--section", "The Evidence"], "@Seltaa_"),
    ],
)
def test_search_examples(indexed, run, args, author):
    result = run("search", *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["author"] for r in data["results"]] == [author]
    marks = f"?q={args[0]}" if not args[0].startswith("--") else ""  # the entry marks the words
    assert data["results"][0]["url"] == f"/entries/{data['results'][0]['id']}{marks}"
    assert set(data) >= {
        "query",
        "total",
        "page",
        "pages",
        "per_page",
        "results",
        "facets",
        "suggestion",
        "generation",
        "links",
    }
    assert set(data["facets"]) >= {"theme", "author", "section", "year"}


def test_search_readable_output(indexed, run):
    result = run("search", "anthropomorphizing")
    assert result.exit_code == 0
    assert '1 result for "anthropomorphizing"' in result.output
    assert "Why 'You're Anthropomorphizing' Misses the Point" in result.output
    assert "@kumabwari · 2025-10-25 · The Framework" in result.output
    assert "<mark>" not in result.output


@pytest.mark.parametrize("q", ["NOT NOT autonomy", "field: NOT AND NOT", "NOT AND NOT ' OR 1=1 --"])
def test_search_of_malformed_text_answers_without_a_traceback(indexed, run, q):
    result = run("search", q, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["query"] == q


def test_search_bad_date_says_what_is_wrong(indexed, run):
    result = CliRunner().invoke(main, ["search", "x", "--from", "2025-13-45"])
    assert result.exit_code == 2
    assert "--from" in result.output and "no such date" in result.output


def test_search_without_index_suggests_the_fix(tmp_path, run):
    result = CliRunner().invoke(main, ["search", "autonomy"])
    assert result.exit_code == 1
    assert "run 'perspectives index' first" in result.output


def test_related(indexed, run):
    data = json.loads(run("search", "organising", "--json").output)
    entry_id = data["results"][0]["id"]
    result = run("related", entry_id, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.output)["related"]
    assert rows and all(r["shared"] for r in rows)
    plain = run("related", entry_id)
    assert "shares:" in plain.output
    missing = CliRunner().invoke(main, ["related", "no-such-entry"])
    assert missing.exit_code == 1 and "no entry with id 'no-such-entry'" in missing.output


def test_import_then_index(tmp_path, run):
    result = run("import", str(SEED_PAGE))
    assert result.exit_code == 0, result.output
    assert "3 entries written" in result.output
    assert len(list((tmp_path / "archive").rglob("*.md"))) == 3
    assert run("index").exit_code == 0
    data = json.loads(run("search", "--json").output)
    assert data["total"] == 3


def test_compiled_page_indexed_directly(tmp_path, run):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "page.md").write_text(SEED_PAGE.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("index").exit_code == 0
    for args, author in [
        (["anthropomorphising"], "@kumabwari"),
        (["autonomy"], "@MissMi1973"),
        (["--from", "2025-12", "--to", "2025-12"], "@Seltaa_"),
        (["--section", "The Evidence"], "@Seltaa_"),
    ]:
        data = json.loads(run("search", *args, "--json").output)
        assert [r["author"] for r in data["results"]] == [author]


def test_the_command_starts_without_the_search_core_or_the_web_app():
    """`perspectives index` runs often: it does not pay for NumPy, the search core or Flask."""
    heavy = ("numpy", "nltk", "indexer.library", "webapp", "flask")
    code = f"import sys, indexer.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_index_named_files(tmp_path):
    from click.testing import CliRunner
    from fixture_archive import write_archive

    from indexer.cli import main

    archive, index = write_archive(tmp_path / "archive"), tmp_path / "index"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["index", "--archive", str(archive), "--index", str(index)]).exit_code
        == 0
    )
    edited = archive / "the-research" / "colour-of-data.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Charts", "Sundials"), encoding="utf-8"
    )
    result = runner.invoke(
        main, ["index", "--archive", str(archive), "--index", str(index), str(edited)]
    )
    assert result.exit_code == 0 and "1 updated" in result.output
    result = runner.invoke(
        main, ["index", "--full", "--archive", str(archive), "--index", str(index), str(edited)]
    )
    assert result.exit_code == 2 and "name no files" in result.output
    result = runner.invoke(
        main, ["index", "--archive", str(archive), "--index", str(index), str(tmp_path / "x.md")]
    )
    assert result.exit_code == 1 and "not a file of the archive" in result.output


def test_search_by_one_co_author_and_a_theme_by_its_words(tmp_path, run):
    from people_archive import write_people_archive

    write_people_archive(tmp_path / "archive")
    assert run("index").exit_code == 0
    by_words = run("search", "--theme", "open source", "--json")
    by_slug = run("search", "--theme", "open-source", "--json")
    assert by_words.exit_code == by_slug.exit_code == 0
    ids = sorted(r["id"] for r in json.loads(by_words.output)["results"])
    assert ids == sorted(r["id"] for r in json.loads(by_slug.output)["results"]) == ["three", "two"]
    result = run("search", "--author", "kate", "--json")
    assert sorted(r["authors"] for r in json.loads(result.output)["results"]) == [
        ["kate", "Smith, Jo"],
        ["melody", "kate", "erica"],
    ]
    plain = run("search", "--author", "erica")
    assert "melody, kate and erica" in plain.output


def test_facets_lists_the_values_holding_a_text_with_counts(indexed, run):
    result = run("facets", "theme", "model")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2 theme values",
        "       4  Model Behavior [model-behavior]",
        "       4  Model Deprecation [model-deprecation]",
    ]
    chosen = run("facets", "author", "wren", "--author", "@quietharbor", "--order", "name")
    assert chosen.output.splitlines()[1:] == ["*      1  @quietharbor", "       2  @datawren"]
    data = json.loads(run("facets", "author", "--query", "autonomy", "--json").output)
    assert data["facet"] == "author" and data["total"] == len(data["results"]) > 1
    assert run("facets", "author", "--limit", "1").output.startswith(
        "5 author values, the first 1 listed (--limit N for more)"
    )


@pytest.mark.parametrize(
    ("args", "hint"),
    [(["facets", "colour"], "NAME"), (["facets", "theme", "--from", "2025-13"], "--from")],
)
def test_facets_names_what_is_wrong(indexed, run, args, hint):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and f"Invalid value for {hint}" in result.output


def test_suggest_completes_the_last_word_and_names_themes_and_titles(indexed, run):
    result = run("suggest", "autono")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "word         2  autonomy",
        "theme        2  Autonomy",
        "title        1  On Dignity, Autonomy, and the Future We Choose",
    ]
    data = json.loads(run("suggest", "model", "dep", "--json").output)
    assert data["q"] == "model dep"
    assert {
        "kind": "word",
        "text": "deprecation",
        "value": "model deprecation",
        "count": 1,
    } in data["suggestions"]
    assert run("suggest", "zzzzqx").output == "No suggestions.\n"


def test_suggest_names_what_is_wrong(indexed, run):
    result = CliRunner().invoke(main, ["suggest", "a" * 201])
    assert result.exit_code == 2
    assert "at most 200 characters" in result.output


def test_search_says_near_spellings_and_can_leave_them_out(indexed, run):
    result = run("search", "autonmy", "--no-subject")
    assert result.exit_code == 0, result.output
    assert (
        "Including near spellings: autonmy → autonomy (--no-typos for the words alone)"
        in result.output
    )
    strict = run("search", "autonmy", "--no-typos")
    assert strict.output.startswith('0 results for "autonmy"')
    assert "Did you mean: autonomy" in strict.output
    data = json.loads(run("search", "autonmy", "--json").output)
    assert data["near_spellings"] == [{"typed": "autonmy", "words": ["autonomy"]}]


def test_check_reports_a_broken_synonyms_file_with_its_line(indexed, run):
    path = indexed / "archive" / "synonyms.yaml"
    path.write_text("- [telework, remote work]\n- [lonely]\n", encoding="utf-8")
    result = run("check")
    assert result.exit_code == 1
    assert f"{path.as_posix()}:2: a group needs two or more different words" in result.output
    other = indexed / "elsewhere.yaml"
    other.write_text("- llm =>\n", encoding="utf-8")
    result = run("check", "--synonyms", str(other))
    assert f"{other.as_posix()}:1: the right side of '=>' is empty" in result.output
    indexing = run("index", "--synonyms", str(other))
    assert indexing.exit_code == 0  # the file's problems are said; no entry was rejected
    assert f"{other.as_posix()}:1: the right side" in indexing.output


@pytest.mark.parametrize(
    ("command", "helps"),
    [
        (
            "search",
            {
                "theme": "Only entries with this theme (repeatable).",
                "author": "Only entries by this author (repeatable).",
                "section": "Only entries of this section (repeatable).",
                "language": "Only entries in this language: a code (ja) or name (repeatable).",
            },
        ),
        (
            "facets",
            {
                name: f"Under this {name} (repeatable)."
                for name in ("theme", "author", "section", "language")
            },
        ),
    ],
)
def test_the_facet_options_come_from_the_declarations(command, helps):
    from indexer.facetdefs import FACETS

    options = [p for p in main.commands[command].params if p.opts[0].startswith("--")]
    named = {p.opts[0][2:]: p for p in options if p.opts[0][2:] in helps}
    assert list(named) == [f.name for f in FACETS] == list(helps)  # in the declarations' order
    assert {name: p.help for name, p in named.items()} == helps
    assert all(p.multiple for p in named.values())
    assert (
        "(theme, author, section, language, or one the archive's field map adds)"
        in main.commands["facets"].help
    )


def test_a_declared_facet_becomes_an_option_of_its_own(monkeypatch):
    from indexer import cli
    from indexer.facetdefs import FACETS, Facet

    extra = Facet("source-domain", "Source domain", "domains", stored="domain", column="domain")
    monkeypatch.setattr(cli, "FACETS", (*FACETS, extra))

    @click.command()
    @cli.facet_options(lambda f: f"Only entries {f.which or 'with this ' + f.name}.")
    def command(**chosen):
        click.echo(json.dumps(cli._filters(chosen, "2025", None)))

    result = CliRunner().invoke(command, ["--source-domain", "x.com", "--theme", "autonomy"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "theme": ["autonomy"],
        "author": [],
        "section": [],
        "language": [],
        "source-domain": ["x.com"],
        "from": ["2025"],
        "to": [""],
    }
    assert "Only entries with this source-domain." in CliRunner().invoke(command, ["--help"]).output


def test_counts_and_queries_are_written_for_people(run, indexed, tmp_path):
    """One result, one problem, one file; a query that holds quotes is not wrapped in more."""
    phrase = run("search", '"user autonomy"')
    assert phrase.output.startswith("""2 results for '"user autonomy"' (page 1 of 1)""")
    none = run("search", "zeppelin")
    assert none.output.startswith('0 results for "zeppelin" (page 1 of 1)')
    (tmp_path / "archive" / "bad.md").write_text(
        '---\ntitle: "unclosed\n---\nbody\n', encoding="utf-8"
    )
    check = run("check")
    assert check.exit_code == 1
    assert check.output.splitlines()[-1] == "6 entries valid; 1 problem in 1 file"
