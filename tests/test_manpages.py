"""Real prose in four languages: an archive written from Debian's manpages-ja, -zh, -de and -fr
(tests/manpages_archive.py), indexed for real. Skipped when the packages are missing, unless
PERSPECTIVES_REQUIRE_MANPAGES is set (as CI sets it): then it fails."""

from __future__ import annotations

import os

import pytest
from manpages_archive import COMMANDS, FOLDERS, available, write_manpages

from indexer.build import build_index
from indexer.library import Library
from indexer.results import SearchRequest


@pytest.fixture(scope="module")
def manpages(tmp_path_factory) -> tuple[Library, dict[str, str]]:
    if not available():
        if os.environ.get("PERSPECTIVES_REQUIRE_MANPAGES"):
            pytest.fail(
                "manpages-ja/-zh/-de/-fr are missing and PERSPECTIVES_REQUIRE_MANPAGES is "
                "set (run scripts/system-packages.sh as root)"
            )
        pytest.skip("manpages-ja/-zh/-de/-fr are not installed (scripts/system-packages.sh)")
    root = tmp_path_factory.mktemp("manpages")
    languages = write_manpages(root / "archive")
    report = build_index(root / "archive", root / "index", full=True)
    assert report.problems == []
    return Library(root / "index"), languages


def first(lib: Library, q: str, n: int = 1, **filters) -> list[str]:
    return [h.id for h in lib.search(SearchRequest(q=q, per_page=n, subject=False, **filters)).hits]


def test_every_page_is_detected_in_its_language(manpages):
    lib, languages = manpages
    assert len(languages) == len(FOLDERS) * len(COMMANDS)
    hits = lib.search(SearchRequest(q="", per_page=100)).hits
    assert {h.id: h.language for h in hits} == languages


def test_language_facet_counts_every_page(manpages):
    lib, _ = manpages
    counts = {v.value: v.count for v in lib.search(SearchRequest(q="")).facet("language").results}
    assert counts == {code: len(COMMANDS) for code in FOLDERS}


@pytest.mark.parametrize(
    ("q", "best"),
    [
        ("ディレクトリ", "ja-mkdir"),  # directory
        ("所有者", "ja-chown"),  # owner
        ("シンボリックリンク", "ja-ln"),  # symbolic link
        ("目录", "zh-mkdir"),  # directory
        ("符号链接", "zh-ln"),  # symbolic link
        ("Verzeichnisse", "de-mkdir"),
        ("Verzeichnis", "de-mkdir"),  # the singular meets the plural through the German stemmer
        ("répertoires", "fr-mkdir"),
        ("répertoire", "fr-mkdir"),
        ("repertoires", "fr-mkdir"),  # accents typed or not
    ],
)
def test_a_word_finds_its_page_first(manpages, q, best):
    lib, _ = manpages
    assert first(lib, q) == [best]


@pytest.mark.parametrize(
    ("q", "best"),
    [
        # asked as a reader types it: the pages say ファイルの所有者とグループを変更する,
        # ファイルやディレクトリの削除を行う, 各ファイルの先頭, 繰り返し行の出力や削除
        ("ファイルの所有者を変更する", "ja-chown"),
        ("ファイルを削除する", "ja-rm"),
        ("ファイルの先頭を表示", "ja-head"),
        ("重複した行を削除", "ja-uniq"),
        ("プロセスを終了させる", "ja-kill"),
    ],
)
def test_a_japanese_question_finds_its_page_first(manpages, q, best):
    lib, _ = manpages
    assert first(lib, q) == [best]


def test_cjk_words_stay_within_their_script(manpages):
    lib, _ = manpages
    found = first(lib, "シンボリックリンク", 100)
    assert found and all(i.startswith("ja-") for i in found)


def test_german_stems_reach_inflected_forms(manpages):
    lib, _ = manpages
    # "Dateien" (files) and "Datei" share the German stem, not an English one
    plural, singular = set(first(lib, "Dateien", 100)), set(first(lib, "Datei", 100))
    assert plural == singular and len(plural) >= 15 and all(i.startswith("de-") for i in plural)


def test_the_language_filter_keeps_one_language(manpages):
    lib, _ = manpages
    found = first(lib, "passwd", 100, languages=("fr",))
    assert found[0] == "fr-passwd" and all(i.startswith("fr-") for i in found)
