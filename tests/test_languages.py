"""The languages module: codes, detection, CJK bigrams and the stems of other languages."""

from __future__ import annotations

import pytest

from indexer import analysis
from indexer.languages import (
    bigrams,
    detect,
    foreign_term,
    has_cjk,
    is_cjk,
    language_code,
    language_name,
    stop_words,
)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("ja", "ja"),
        ("JA", "ja"),
        ("de-AT", "de"),
        ("pt_BR", "pt"),
        ("German", "de"),
        ("japanese", "ja"),
        ("jp", "ja"),
        ("nb", "no"),
        ("xx", None),
        ("", None),
        ("klingon", None),
    ],
)
def test_language_code(value, code):
    assert language_code(value) == code


def test_language_name():
    assert language_name("ja") == "Japanese"
    assert language_name("de") == "German"
    assert language_name("xx") == "xx"


@pytest.mark.parametrize(
    ("title", "body", "code"),
    [
        ("モデルの変更", "モデルの変更は利用者に知らされませんでした。", "ja"),
        ("我们的选择", "用户应该有权利选择自己使用的模型。没有通知的更改让我们失去了信任。", "zh"),
        (
            "모델",
            "사용자에게 알리지 않고 모델을 바꾸었습니다. 우리는 선택할 권리가 있습니다.",
            "ko",
        ),
        (
            "Die Entscheidung",
            "Wir haben die Entscheidung nicht verstanden. Niemand hat uns gefragt, "
            "bevor das Modell ersetzt wurde, und das Vertrauen ist verloren.",
            "de",
        ),
        (
            "Nous voulons choisir",
            "Nous voulons choisir le modèle que nous utilisons chaque jour. "
            "Personne ne nous a demandé notre avis sur ce changement.",
            "fr",
        ),
        (
            "Elegir",
            "Queremos elegir el modelo que usamos todos los días. Nadie nos preguntó nuestra "
            "opinión sobre este cambio tan importante.",
            "es",
        ),
        (
            "The right to choose",
            "Adults should be able to choose the model they use. The decision "
            "was never explained to the users who depended on it.",
            "en",
        ),
        # too short to tell: English, the archive's default
        ("Goodbye", "Goodbye.. Goodbye..", "en"),
        ("Test message", "Test message", "en"),
        ("good bye", "good bye, my love... good bye... good bye, my love... good bye", "en"),
        # an English page that quotes a few Japanese words is English
        (
            "Kaizen",
            "We learned about kaizen (改善) from a team in Tokyo and the way they work on "
            "small improvements every day, which changed how we plan our own releases.",
            "en",
        ),
    ],
)
def test_detect(title, body, code):
    assert detect(title, body) == code


def test_cjk_runs():
    assert has_cjk("GPT-4o と私") and not has_cjk("Entscheidung é")
    assert is_cjk("利用") and not is_cjk("model") and not is_cjk("")
    assert bigrams("利用者", 5) == [("利用", 5, 7), ("用者", 6, 8)]
    assert bigrams("私", 2) == [("私", 2, 3)]


def test_cjk_text_is_indexed_as_bigrams_beside_latin_words():
    assert analysis.stems("モデルの変更 GPT-4o日本") == [
        "モデ",
        "デル",
        "ルの",
        "の変",
        "変更",
        "gpt",
        "4o",
        "日本",
    ]
    # kana keep their voicing marks: no accent folding of CJK
    assert analysis.stems("ガイド") == ["ガイ", "イド"]


def test_cjk_is_left_out_of_exact_terms_and_whole_words():
    assert analysis.exact_term("変更") is None
    assert [t.text for t in analysis.word_analyzer()("利用者 model")] == ["model"]


@pytest.mark.parametrize(
    ("word", "code", "term"),
    [
        ("entscheidungen", "de", "de:entscheid"),
        ("entscheidung", "de", "de:entscheid"),
        ("änderungen", "de", "de:ander"),
        ("Änderung".lower(), "de", "de:ander"),
        ("choisissent", "fr", "fr:chois"),
        ("choisir", "fr", "fr:chois"),
        ("l'autonomie", "fr", "fr:autonom"),
        ("elegimos", "es", "es:eleg"),
        ("die", "de", None),
        ("nous", "fr", None),
    ],
)
def test_foreign_term(word, code, term):
    assert foreign_term(word, code) == term


def test_stop_words_ship_with_the_package():
    assert {"und", "der", "nicht"} <= stop_words("de")
    assert {"le", "nous", "et"} <= stop_words("fr")
    assert stop_words("ja") == frozenset() or "の" in stop_words("ja")


def test_an_entry_in_another_language_is_stemmed_as_itself():
    with analysis.indexing_language("de"):
        rows = analysis._analyze("Die Entscheidungen", True)
    # a stop word of the language keeps its exact term: found as typed, never as a stem
    assert [r[0] for r in rows] == ["=die", "de:entscheid"]
    # outside the block, text is English again (and a German word an English stem)
    assert analysis.stems("Entscheidungen") != ["de:entscheid"]


def test_english_analysis_is_unchanged():
    assert analysis.stems("Anthropomorphising user autonomy, GPT‑4o e-mail") == [
        "anthropomorph",
        "user",
        "autonom",
        "gpt",
        "4o",
        "mail",
    ]


def test_foreign_query_terms():
    assert analysis.foreign_query_terms("Entscheidungen", ("de", "fr", "ja")) == [
        "de:entscheid",
        "fr:entscheidungen",
    ]
    assert analysis.foreign_query_terms("Entscheidungen", ()) == []
    assert analysis.foreign_query_terms("利用者", ("de",)) == []
