"""Suggestions while typing: the last word completed from the archive's vocabulary (most held
first, spellings folded), then themes, authors and titles; the lists made by the index run."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer import completions as compl
from indexer.build import build_index
from indexer.generations import current_path
from indexer.library import Library
from indexer.results import BadParameter


def shown(found):
    return [(s.kind, s.text, s.value, s.count) for s in found]


def test_the_last_word_completes_with_its_entries_then_theme_and_title(library):
    assert shown(library.suggest("autono")) == [
        ("word", "autonomy", "autonomy", 2),
        ("theme", "Autonomy", "autonomy", 2),
        (
            "title",
            "On Dignity, Autonomy, and the Future We Choose",
            "on-dignity-autonomy-and-the-future-we-choose",
            1,
        ),
    ]


def test_completions_are_ranked_by_entries_one_per_family(library):
    words = [s for s in library.suggest("mod", limit=20) if s.kind == "word"]
    assert words[0].value == "model"
    assert [s.count for s in words] == sorted((s.count for s in words), reverse=True)
    assert "models" not in [s.value for s in words]  # counted with "model", shown once


@pytest.mark.parametrize(
    "typed, word",
    [
        ("organis", "organization"),
        ("colou", "color"),
        ("behaviou", "behavior"),
        ("ORGANIZ", "organization"),
    ],
)
def test_any_spelling_completes(library, typed, word):
    assert word in [s.text for s in library.suggest(typed) if s.kind == "word"]


def test_earlier_words_are_kept(library):
    found = library.suggest("model dep")
    assert ("word", "deprecation", "model deprecation", 1) in shown(found)
    assert ("theme", "Model Deprecation", "model-deprecation", 4) in shown(found)


def test_authors_by_handle(library):
    assert shown(library.suggest("@data")) == [
        ("author", "@datawren", "@datawren", 2),
        ("title", "The Colour of the Data", "colour-of-data", 1),
    ]


def test_a_space_ends_the_word(library):
    assert [s.kind for s in library.suggest("autonomy ")] == ["theme", "title"]


@pytest.mark.parametrize("typed", ["", "   ", "zzzzqx", "#", "***"])
def test_nothing_to_suggest(library, typed):
    assert library.suggest(typed) == ()


def test_limit_takes_from_every_kind(library):
    found = library.suggest("a", limit=4)
    assert len(found) == 4
    assert {"word", "theme"} <= {s.kind for s in found}


def test_too_long_text_is_a_bad_parameter(library):
    with pytest.raises(BadParameter) as caught:
        library.suggest("a" * 201)
    assert caught.value.name == "q"


def test_the_index_run_writes_the_lists(index_dir: Path, monkeypatch):
    generation = current_path(index_dir)
    assert (generation / compl.COMPLETIONS_FILE).is_file()
    # opening the generation reads the file: nothing is built on a reader's request
    monkeypatch.setattr(compl.Completions, "from_reader", classmethod(_never))
    assert Library(index_dir).suggest("autono")[0].text == "autonomy"


def _never(cls, reader):
    raise AssertionError("built on a request")


def test_an_index_without_the_file_still_suggests(index_dir: Path):
    (current_path(index_dir) / compl.COMPLETIONS_FILE).unlink()
    assert Library(index_dir).suggest("autono")[0].text == "autonomy"


def test_an_incremental_run_refreshes_the_lists(archive_dir: Path, index_dir: Path):
    lib = Library(index_dir)
    assert lib.suggest("zepp") == ()
    (archive_dir / "zeppelins.md").write_text(
        '---\ntitle: "Zeppelins"\nauthor: "@airship"\ndate: 2025-01-02\nsection: "Stories"\n'
        "source: https://example.org/z\n---\nA zeppelin floats.\n",
        encoding="utf-8",
    )
    report = build_index(archive_dir, index_dir)
    assert report.added == 1 and not report.full
    assert shown(lib.suggest("zepp")) == [
        ("word", "zeppelin", "zeppelin", 1),
        ("title", "Zeppelins", "zeppelins", 1),
    ]


def test_a_stale_file_serves_until_the_new_one_is_written(archive_dir: Path, index_dir: Path):
    generation = current_path(index_dir)
    old = (generation / compl.COMPLETIONS_FILE).read_bytes()
    (archive_dir / "zeppelins.md").write_text(
        '---\ntitle: "Zeppelins"\nauthor: "@airship"\ndate: 2025-01-02\nsection: "Stories"\n'
        "source: https://example.org/z\n---\nA zeppelin floats.\n",
        encoding="utf-8",
    )
    build_index(archive_dir, index_dir)
    new = (generation / compl.COMPLETIONS_FILE).read_bytes()
    (generation / compl.COMPLETIONS_FILE).write_bytes(old)  # as if still being written
    lib = Library(index_dir)
    assert lib.suggest("zepp") == ()
    assert lib.suggest("autono")[0].text == "autonomy"
    (generation / compl.COMPLETIONS_FILE).write_bytes(new)
    lib._view().looked = 0.0  # a second later: the new file is looked for again
    assert lib.suggest("zepp")[0].text == "zeppelin"


def test_last_word():
    assert compl.last_word("user auto") == (5, "auto")
    assert compl.last_word("user ") == (5, "")
    assert compl.last_word("@sel") == (0, "@sel")
