"""Key phrases: NLTK's collocation finder over analysed words, as a reader writes them."""

from __future__ import annotations

from indexer.keyphrases import Phrase, key_phrases, reader_word, wordlike

TEXT = (
    "User research shapes the product. We ran user research with twelve agencies in 2016, "
    "and the user research showed that plain language matters. Plain language is hard; "
    "the team wrote plain language guides for the GSA's Login.gov team."
)


def test_key_phrases_are_collocations_in_the_words_written():
    found = key_phrases(TEXT)
    assert found[0] in (
        Phrase(("user", "research"), "user research"),
        Phrase(("plain", "languag"), "plain language"),
    )
    words = {p.words for p in found}
    assert {"user research", "plain language"} <= words
    # never a number, a stop word or a function word at either end; stop words between kept
    for p in found:
        for w in (p.words.split()[0], p.words.split()[-1]):
            assert not w.isdigit() and w.lower() not in {"the", "and", "with", "in"}


def test_stop_words_between_are_kept_and_no_phrase_crosses_a_sentence():
    text = "Work in progress limits help. Work in progress is visible. Board work."
    words = {p.words for p in key_phrases(text)}
    assert "work in progress" in words
    assert "visible board" not in words and "limits help" in words


def test_short_texts_and_long_ones():
    assert key_phrases("") == ()
    assert key_phrases("Hello") == ()
    # in a long text a pair must come twice: "twelve agencies" comes once
    long = TEXT + " filler words" * 400
    assert "twelve agencies" not in {p.words for p in key_phrases(long)}
    assert "user research" in {p.words for p in key_phrases(long)}


def test_reader_words():
    assert reader_word("@GSA") == "GSA"
    assert reader_word("FEMA’S") == "FEMA"
    assert reader_word("Research") == "research"
    assert reader_word("GitHub") == "GitHub"
    assert wordlike("login.gov") and wordlike("kanban")
    assert not wordlike("2016") and not wordlike("thing") and not wordlike("ai")
