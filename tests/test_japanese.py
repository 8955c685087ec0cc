"""A reader's Japanese query split into its words by SudachiPy's dictionary (indexer/japanese.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.japanese import query_words


@pytest.mark.parametrize(
    ("run", "words"),
    [
        # particles (を, の) and verbs that only carry another word (する) make no word
        ("ディレクトリを作成", (("ディレクトリ",), ("作成",))),
        ("ファイルの所有者を変更する", (("ファイル",), ("所有者",), ("変更",))),
        # nouns side by side stay one phrase
        ("シンボリックリンク", (("シンボリックリンク",),)),
        # a verb by the part that does not inflect: 知らされ meets 知らせる
        ("利用者に知らされた", (("利用者",), ("知ら",))),
        ("記憶が消えた", (("記憶",), ("消え",))),
    ],
)
def test_a_run_becomes_the_words_a_reader_means(run, words):
    assert query_words(run) == words


def test_a_one_character_stem_takes_each_form_it_may_have():
    (forms,) = query_words("選びたい")  # 選ぶ: 選ば, 選び, 選ぶ, 選べ, 選ぼ, 選ん
    assert {"選び", "選ぶ", "選べ", "選ん"} <= set(forms)
    assert all(len(form) == 2 and form[0] == "選" for form in forms)
    (adjective, noun) = query_words("古いモデル")
    assert {"古い", "古く", "古か"} <= set(adjective) and noun == ("モデル",)


@pytest.mark.parametrize("run", ["创建目录", "利用者", "模型", "東京都"])
def test_han_alone_stays_one_phrase(run):
    # no kana: Chinese (or Japanese in Han alone) is never cut by a Japanese dictionary
    assert query_words(run) == ((run,),)


@pytest.mark.parametrize("run", ["の", "見ます", "をに"])
def test_a_run_without_a_word_of_two_characters_stays_as_typed(run):
    assert query_words(run) == ((run,),)


def test_many_threads_split_queries_at_once():
    runs = [f"ファイル{i}を変更する" for i in range(200)]
    with ThreadPoolExecutor(8) as pool:
        found = list(pool.map(query_words, runs))
    assert all(words[0][0].startswith("ファイル") and words[-1] == ("変更",) for words in found)
