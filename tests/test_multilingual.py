"""Searching an archive in several languages (issue 14), through the search core and the CLI:
a real index on disk of the fixture archive's English entries and a dozen short entries in
Japanese, Chinese, German and French (tests/fixtures/languages)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixture_archive import write_archive

from indexer.build import build_index
from indexer.cli import main
from indexer.library import Library
from indexer.results import SearchRequest

LANGUAGES = Path(__file__).resolve().parent / "fixtures" / "languages"


def _index(root: Path, multilingual: bool) -> Path:
    archive = write_archive(root / "archive")
    if multilingual:
        shutil.copytree(LANGUAGES, archive / "languages")
    report = build_index(archive, root / "index", full=True)
    assert report.problems == []
    return root / "index"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Library:
    return Library(_index(tmp_path_factory.mktemp("mixed"), True))


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Library:
    return Library(_index(tmp_path_factory.mktemp("english"), False))


def ids(lib: Library, q: str, **filters) -> list[str]:
    return [
        h.id for h in lib.search(SearchRequest(q=q, per_page=100, subject=False, **filters)).hits
    ]


def snippets(lib: Library, q: str) -> dict[str, str]:
    return {h.id: h.snippet for h in lib.search(SearchRequest(q=q, per_page=100)).hits}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("利用者", {"ja-henko", "ja-sentaku"}),
        ("変更", {"ja-henko", "ja-sentaku"}),
        ("記憶", {"ja-kioku"}),
        ("信任", {"zh-xuanze", "zh-touming"}),
        ("模型", {"zh-xuanze", "zh-jiyi", "zh-touming"}),
        ("透明度", {"zh-touming"}),
    ],
)
def test_cjk_words_find_their_entries(mixed, q, expected):
    assert set(ids(mixed, q)) == expected


def test_a_cjk_word_matches_as_the_phrase_of_its_bigrams(mixed):
    # 利用率 holds 利用 (in two entries) but not 用率: no entry holds the word
    assert ids(mixed, "利用率") == []
    assert ids(mixed, "透明性") == []  # 透明 is there, 明性 is not


@pytest.mark.parametrize(
    "q",
    [
        "利用者-변경",
        "利用者-変更",
        "変更.利用者",
        "A/利",
        "- 利用者-한국어 ",
        "利用* OR",
        '"利用者',
        "title:利用者-変更",
    ],
)
def test_odd_cjk_query_text_never_fails(mixed, q):
    mixed.search(SearchRequest(q=q))


def test_japanese_typed_across_word_boundaries_ranks_the_entry_holding_it_first(mixed):
    # text without spaces: 用者に知 is written in ja-henko; ja-sentaku holds 用者 alone
    assert ids(mixed, "用者に知") == ["ja-henko", "ja-sentaku"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # the text says 変更は利用者に知らされませんでした: other particles, another verb form
        ("利用者に変更を知らせる", ["ja-henko", "ja-sentaku"]),
        ("モデルを変更した", ["ja-henko", "ja-sentaku"]),
        ("記憶が消えた", ["ja-kioku"]),  # 消えてしまいました
        # 選ぶ and 選べる are written, 選びたい asked: a one-character stem is found in each
        # of its forms; ja-sentaku holds all three words, the others one each
        ("古いモデルを選びたい", ["ja-sentaku", "ja-henko", "ja-kioku"]),
        ("自由を選べる", ["ja-sentaku", "ja-kioku"]),
    ],
)
def test_japanese_queries_find_their_words_in_any_form(mixed, q, expected):
    found = ids(mixed, q)
    assert found[0] == expected[0] and sorted(found) == sorted(expected)


def test_japanese_words_apart_rank_after_all_of_them_and_are_each_marked(mixed):
    found = mixed.search(SearchRequest(q="変更を利用者に知らせる", per_page=10))
    assert [h.id for h in found.hits] == ["ja-henko", "ja-sentaku"]
    henko, sentaku = (h.snippet for h in found.hits)
    for word in ("変更", "利用者", "知ら"):
        assert f"<mark>{word}</mark>" in henko
    assert "<mark>利用者</mark>" in sentaku and "<mark>変更</mark>" in sentaku


def test_a_quoted_japanese_phrase_stays_exact(mixed):
    assert ids(mixed, '"モデルを変更した"') == []
    assert ids(mixed, '"モデルの変更"') == ["ja-henko"]


def test_chinese_runs_are_never_split_by_the_japanese_dictionary(mixed):
    # Han alone is one phrase of bigrams, as before: 模型选择 is written nowhere
    assert ids(mixed, "模型选择") == []


def test_a_cjk_compound_is_its_words(mixed):
    assert set(ids(mixed, "利用者-変更")) == {"ja-henko", "ja-sentaku"}


def test_highlights_mark_the_characters_as_one_run(mixed):
    found = snippets(mixed, "利用者")
    assert "<mark>利用者</mark>には" in found["ja-sentaku"]
    found = snippets(mixed, "変更")
    assert found["ja-henko"].count("<mark>変更</mark>") == 2


def test_strict_queries_take_cjk_words_as_phrases(mixed):
    assert set(ids(mixed, "利用者 AND 変更")) == {"ja-henko", "ja-sentaku"}
    assert ids(mixed, '"利用率"') == []
    assert ids(mixed, "title:記憶") == ["ja-kioku"]
    assert set(ids(mixed, "変更 -利用者")) == set()


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Entscheidungen", "de-entscheidung"),
        ("entscheidung", "de-entscheidung"),
        ("Vertrauens", "de-vertrauen"),
        ("Änderung", "de-vertrauen"),
        ("choisissent", "fr-choisir"),
        ("utilisateur", "fr-confiance"),
        ("libertés", "fr-liberte"),
    ],
)
def test_european_words_find_their_stems(mixed, q, expected):
    assert expected in ids(mixed, q)


def test_stemmed_matches_are_marked(mixed):
    assert "<mark>Entscheidung</mark>" in snippets(mixed, "Entscheidungen")["de-entscheidung"]
    assert "<mark>choisir</mark>" in snippets(mixed, "choisissent")["fr-choisir"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"Entscheidung nicht verstanden"', ["de-entscheidung"]),  # across a German stop word
        ('"die Entscheidung"', ["de-entscheidung"]),  # a stop word the English parser keeps
        ('"das Vertrauen der Nutzer"', ["de-vertrauen"]),
        ('"choisir le modèle"', ["fr-choisir"]),  # across a French stop word
        ('"choisir le modele que nous"', ["fr-choisir"]),  # accents typed or not
        ('"Personne ne nous a demandé"', ["fr-choisir"]),
    ],
)
def test_quoted_phrases_match_in_their_own_language(mixed, q, expected):
    assert ids(mixed, q) == expected


def test_a_phrase_of_another_language_is_marked_as_one_run(mixed):
    snippet = snippets(mixed, '"Entscheidung nicht verstanden"')["de-entscheidung"]
    assert "<mark>Entscheidung nicht verstanden</mark>" in snippet


def test_a_phrase_in_the_wrong_order_finds_nothing_in_any_language(mixed):
    assert ids(mixed, '"verstanden nicht Entscheidung"') == []
    assert ids(mixed, '"modèle le choisir"') == []


def test_strict_queries_reach_other_languages(mixed):
    assert ids(mixed, "+Entscheidungen") == ["de-entscheidung"]
    assert ids(mixed, "choisissent AND modèles") == ["fr-choisir"]


@pytest.mark.parametrize(
    "q",
    [
        "anthropomorphising",
        "autonomy",
        '"user autonomy"',
        "deprecated",
        "emotional connection",
        "choose",
    ],
)
def test_english_queries_rank_english_entries_as_before(english, mixed, q):
    expected = ids(english, q)
    assert expected
    assert [i for i in ids(mixed, q) if i in set(expected)] == expected


def test_english_queries_find_the_same_english_entries(english, mixed):
    # French entries hold "modèle" (fr:model) too, so the word weighs less in the mixed archive
    # (idf) and partial matches may trade places; the entries found are the same
    expected = ids(english, "model retired")
    assert set(ids(mixed, "model retired")) >= set(expected)


def test_language_facet_counts_and_filters(mixed):
    result = mixed.search(SearchRequest(q=""))
    counts = {v.value: (v.count, v.label) for v in result.facet("language").results}
    assert counts["ja"] == (3, "Japanese") and counts["zh"] == (3, "Chinese")
    assert counts["de"] == (3, "German") and counts["fr"] == (3, "French")
    assert counts["en"][0] == result.total - 12
    picked = mixed.search(SearchRequest(q="", languages=("ja", "German")))
    assert picked.total == 6
    # disjunctive: the language facet still counts every language under the filter
    counts = {v.value: (v.count, v.selected) for v in picked.facet("language").results}
    assert counts["ja"] == (3, True) and counts["de"] == (3, True) and counts["fr"] == (3, False)


def test_language_filter_narrows_a_query(mixed):
    assert set(ids(mixed, "model", languages=("fr",))) == {
        "fr-choisir",
        "fr-confiance",
        "fr-liberte",
    }


def test_every_entry_has_its_language(mixed):
    hits = mixed.search(SearchRequest(q="", per_page=100)).hits
    for hit in hits:
        expected = hit.id.split("-")[0] if (LANGUAGES / f"{hit.id}.md").exists() else "en"
        assert hit.language == expected, hit.id
    entry = mixed.entry("ja-kioku")
    assert entry is not None and entry.language == "ja"


def test_did_you_mean_and_prefixes_leave_cjk_alone(mixed):
    assert mixed.search(SearchRequest(q="利用率")).suggestion is None
    assert mixed.search(SearchRequest(q="利用*")).total == 0


def test_a_declared_language_wins_and_a_wrong_one_is_reported(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    head = "---\ntitle: T\nauthor: a\ndate: 2026-01-01\n"
    (archive / "a.md").write_text(head + "lang: German\n---\nThe model changed again today.\n")
    (archive / "b.md").write_text(head + "lang: xx\n---\nBody.\n")
    report = build_index(archive, tmp_path / "index", full=True)
    assert [str(p) for p in report.problems] == [
        "b.md:5: lang: unknown language 'xx' (one of en, de, fr, es, it, pt, nl, sv, da, no, fi, "
        "ru, ja, zh, ko)"
    ]
    lib = Library(tmp_path / "index")
    assert lib.search(SearchRequest(q="")).hits[0].language == "de"


def test_cli_language_option_and_json(tmp_path, monkeypatch):
    _index(tmp_path, True)
    monkeypatch.setenv("PERSPECTIVES_INDEX", str(tmp_path / "index"))
    run = CliRunner().invoke
    result = run(main, ["search", "変更", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert {r["id"]: r["language"] for r in data["results"]} == {
        "ja-henko": "ja",
        "ja-sentaku": "ja",
    }
    result = run(main, ["search", "--language", "de"], catch_exceptions=False)
    assert result.exit_code == 0 and "3 results" in result.output and "German" in result.output
    result = run(main, ["facets", "language"], catch_exceptions=False)
    assert "Japanese [ja]" in result.output


@pytest.mark.parametrize("q", ["Entscheidungen", "choisissent", "Vertrauens", "utilisateur"])
def test_words_of_other_languages_are_no_typos(mixed, q):
    result = mixed.search(SearchRequest(q=q))
    assert result.suggestion is None
    assert result.near == ()


def test_a_field_map_names_the_language_key(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "fieldmap.yaml").write_text("lang: [locale]\n")
    (archive / "a.md").write_text(
        "---\ntitle: T\nauthor: a\ndate: 2026-01-01\nlocale: fr-CA\n---\n"
        "The model changed again today.\n"
    )
    assert build_index(archive, tmp_path / "index", full=True).problems == []
    assert Library(tmp_path / "index").search(SearchRequest(q="")).hits[0].language == "fr"


def test_a_stop_word_of_another_language_is_found_as_typed(tmp_path):
    # Spanish's shipped stop list (652 words) holds "posible": the entry keeps it as typed
    archive = tmp_path / "archive"
    archive.mkdir()
    head = "---\ntitle: Un día\nauthor: a\ndate: 2026-01-01\nlang: es\n---\n"
    (archive / "es.md").write_text(head + "Es posible que millones de personas hablen español.\n")
    (archive / "en.md").write_text(head.replace("lang: es\n", "") + "It is possible.\n")
    assert build_index(archive, tmp_path / "index", full=True).problems == []
    lib = Library(tmp_path / "index")
    for q in ('"posible"', "+posible", "posible"):
        assert ids(lib, q)[0] == "es", q
    assert "<mark>posible</mark>" in snippets(lib, '"posible"')["es"]


def test_cjk_entries_have_related_entries_and_no_bigram_is_a_reason(mixed):
    """Chinese and Japanese entries are related through their character bigrams (words of two
    characters were too short to count), and a bigram, maybe a piece of two words, is never
    shown as what they share."""
    zh = mixed.entry("zh-xuanze", related=5)
    assert zh is not None
    related = {r.id: r for r in zh.related}
    assert {"zh-jiyi", "zh-touming"} <= set(related)  # both speak of 模型 (the model)
    assert all(i.startswith("zh-") for i in list(related)[:2])
    ja = mixed.entry("ja-henko", related=5)
    assert ja is not None and ja.related[0].id == "ja-sentaku"  # 利用者, 変更 in both
    for entry in (zh, ja):
        for r in entry.related:
            assert not any("\u3040" <= c <= "\u9fff" for word in r.shared for c in word), r
