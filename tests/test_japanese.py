"""A reader's Japanese query split into its words by SudachiPy's dictionary (indexer/japanese.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.japanese import MAX_RUN, Word, query_words, spaced
from indexer.matching import plain_clauses


def names(run: str) -> list[str]:
    return [w.name for w in query_words(run)]


@pytest.mark.parametrize(
    ("run", "words"),
    [
        # particles (を, の), この and verbs that only carry another word (する) make no word
        ("ディレクトリを作成", [Word("ディレクトリ", ("ディレクトリ",)), Word("作成", ("作成",))]),
        ("このファイルを削除", [Word("ファイル", ("ファイル",)), Word("削除", ("削除",))]),
        (
            "ファイルの所有者を変更する",
            [Word("ファイル", ("ファイル",)), Word("所有者", ("所有者",)), Word("変更", ("変更",))],
        ),
        # nouns side by side stay one phrase
        ("シンボリックリンク", [Word("シンボリックリンク", ("シンボリックリンク",))]),
        # a verb by the part that does not inflect, named in its dictionary form
        ("記憶が消えた", [Word("記憶", ("記憶",)), Word("消える", ("消え",))]),
        ("利用者に知らされた", [Word("利用者", ("利用者",)), Word("知らす", ("知ら",))]),
        # a causative is its own verb: 知らせる (notify) is not every form of 知る (know)
        ("知らせる", [Word("知らせる", ("知ら",))]),
        # hangul inside the run is kept as written
        ("한국어の変更", [Word("한국어", ("한국어",)), Word("変更", ("変更",))]),
    ],
)
def test_a_run_becomes_the_words_a_reader_means(run, words):
    assert list(query_words(run)) == words


def test_a_one_character_stem_takes_each_form_it_may_have():
    (word,) = query_words("選びたい")  # 選ぶ: 選ば, 選び, 選ぶ, 選べ, 選ぼ, 選ん
    assert word.name == "選ぶ"
    assert {"選び", "選ぶ", "選べ", "選ん"} <= set(word.forms)
    assert all(len(form) == 2 and form[0] == "選" for form in word.forms)
    assert query_words("選ばれた") == query_words("選びたい")  # a passive is its verb
    adjective, noun = query_words("古いモデル")
    assert {"古い", "古く", "古か"} <= set(adjective.forms) and noun.forms == ("モデル",)
    assert "出さ" not in query_words("出る")[0].forms  # 出さ is 出す's


@pytest.mark.parametrize("run", ["创建目录", "利用者", "模型", "東京都"])
def test_han_alone_stays_one_phrase(run):
    # no kana: Chinese (or Japanese in Han alone) is never cut by a Japanese dictionary
    assert query_words(run) == (Word(run, (run,)),)


@pytest.mark.parametrize("run", ["の", "見ます", "をに", "ー", "ゝゞ", "あ" * (MAX_RUN + 1)])
def test_a_run_without_a_word_of_two_characters_stays_as_typed(run):
    assert query_words(run) == (Word(run, (run,)),)


def test_a_run_too_long_for_the_analyzer_is_searched_as_typed():
    run = "ファイルを削除する" * 2500  # 22,500 characters: Sudachi refuses it
    assert query_words(run) == (Word(run, (run,)),)
    assert len(plain_clauses(run)) == 1


def test_spaced_names_the_words_of_each_japanese_run():
    assert spaced("ディレクトリを作成 and 利用者") == "ディレクトリ 作成 and 利用者"
    assert spaced("古いモデルを選びたい") == "古い モデル 選ぶ"


def test_clauses_are_named_as_a_reader_names_the_words():
    assert [c.text for c in plain_clauses("古いモデルを選びたい")] == ["古い", "モデル", "選ぶ"]


def test_many_threads_split_queries_at_once():
    runs = [f"ファイル{i}を変更する" for i in range(200)]
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(query_words, runs))
    assert all(w[0].name.startswith("ファイル") and w[-1].name == "変更" for w in found)


@pytest.mark.parametrize(
    ("rule", "query"),
    [
        ("- 選ぶ => 選択", "モデルを選びたい"),  # a verb, named in its dictionary form
        ("- [ディレクトリを作成, フォルダを作る]", "ディレクトリの作成"),  # a phrase, as split
        ("- 知らせる => 通知", "変更を知らせる"),
    ],
)
def test_synonym_rules_written_in_japanese_fire_on_japanese_queries(tmp_path, rule, query):
    from indexer.synonyms import load_synonyms

    path = tmp_path / "synonyms.yaml"
    path.write_text(rule + "\n", encoding="utf-8")
    synonyms, problems = load_synonyms(path)
    assert problems == []
    _, used = synonyms.expand(plain_clauses(query))
    assert len(used) == 1
