"""Analyzers: tokens and offsets, folded variants, phrases, pickling, and a real Whoosh index."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import ID, TEXT, Schema
from whoosh.highlight import UppercaseFormatter
from whoosh.qparser import QueryParser

from indexer.analysis import fold_prefix, stems, surface_words, text_analyzer, word_analyzer

VARIANT_GROUPS = [
    (
        "anthropomorphism anthropomorphizing anthropomorphising anthropomorphisation "
        "anthropomorphization anthropomorphise anthropomorphize anthropomorphic"
    ),
    "behaviour behavior behaviours behaviors Behaviour’s",
    "organisation organization organisations organizations",
    "autonomy autonomous",
    "deprecation deprecated deprecating",
    "transparency transparent",
    "colour color colours colors",
    "analyse analyze analysed analyzed",
    "centre center centres centers",
    "travelled traveled travelling traveling",
    "defence defense",
    "catalogue catalog",
]


def _tokens(text: str) -> list[tuple[str, int, str]]:
    """Return (term, position, original word) for each token of the text analyzer."""
    return [
        (t.text, t.pos, text[t.startchar : t.endchar])
        for t in text_analyzer()(text, positions=True, chars=True)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GPT‑4o", [("gpt", 0, "GPT"), ("4o", 1, "4o")]),  # non-breaking hyphen
        ("GPT-5.2 won", [("gpt", 0, "GPT"), ("5.2", 1, "5.2"), ("won", 2, "won")]),
        ("don't don’t", [("don't", 0, "don't"), ("don't", 1, "don’t")]),
        ("#keep4o @Seltaa_", [("keep4o", 0, "#keep4o"), ("seltaa", 1, "@Seltaa")]),
        ("75% of 1,000", [("75", 0, "75%"), ("1000", 1, "1,000")]),
        ("OpenAI’s users'", [("openai", 0, "OpenAI’s"), ("user", 1, "users")]),
        ("'improvement'", [("improv", 0, "improvement")]),
        ("Café fœtus", [("cafe", 0, "Café"), ("fetus", 1, "fœtus")]),
        ("the right to choose", [("right", 1, "right"), ("choos", 2, "choose")]),  # adjacent
        ("__bold__ x", [("bold", 0, "bold")]),
        ("Anthropomorphisation!", [("anthropomorph", 0, "Anthropomorphisation")]),
    ],
)
def test_tokens_positions_and_offsets(text: str, expected: list[tuple[str, int, str]]) -> None:
    assert _tokens(text) == expected


def test_offsets_follow_start_char_and_start_pos() -> None:
    tokens = text_analyzer()(
        "user autonomy", positions=True, chars=True, start_pos=5, start_char=10
    )
    assert [(t.pos, t.startchar, t.endchar) for t in tokens] == [(5, 10, 14), (6, 15, 23)]


@pytest.mark.parametrize("group", VARIANT_GROUPS)
def test_variant_groups_meet(group: str) -> None:
    assert len({term for word in group.split() for term in stems(word)}) == 1


def test_word_analyzer_keeps_whole_folded_words() -> None:
    terms = [t.text for t in word_analyzer()("The Organisation’s behaviour, GPT‑4o")]
    assert terms == ["the", "organization", "behavior", "gpt", "4o"]


@pytest.mark.parametrize(
    ("query", "folded"),
    [
        ("organis*", "organi?*"),
        ("Organisation*", "organi?ation*"),
        ("Behaviour*", "behavior*"),
        ("colou?", "colo?*"),
        ("Café*", "cafe*"),
        ("wom?n", "wom?n"),
        ("organis?tion", "organi?*tion"),
        ("#keep*", "keep*"),
        ("colour", "color"),
        ("*", "*"),
        ("", ""),
    ],
)
def test_fold_prefix(query: str, folded: str) -> None:
    assert fold_prefix(query) == folded


def test_surface_words_gives_first_original_word() -> None:
    text = "Anthropomorphising OpenAI’s models: anthropomorphism, #keep4o. Don’t."
    wanted = {"anthropomorph", "openai", "keep4o", "don't", "absent"}
    assert surface_words(text, wanted) == {
        "anthropomorph": "Anthropomorphising",
        "openai": "OpenAI",
        "keep4o": "#keep4o",
        "don't": "Don’t",
    }


def test_analyzers_survive_pickling() -> None:
    for analyzer in (text_analyzer(), word_analyzer()):
        copy = pickle.loads(pickle.dumps(analyzer))
        assert copy == analyzer
        text = "Organising behaviours"
        assert [t.text for t in copy(text)] == [t.text for t in analyzer(text)]


DOCS = {
    "a": "You're Anthropomorphisation of LLMs is how we study the world.",
    "b": "Stripping user autonomy in the name of safety; behaviour matters.",
    "c": "Autonomy for every user is the aim. The organization said no.",
    "d": "They keep anthropomorphizing the colour of the model.",
    "e": "Users reverted to GPT‑4o; 75% said #keep4o.",
}


@pytest.fixture()
def searcher(tmp_path: Path):
    """Index the documents in a real on-disk Whoosh index and yield a searcher."""
    schema = Schema(
        id=ID(stored=True),
        body=TEXT(analyzer=text_analyzer(), stored=True),
        words=TEXT(analyzer=word_analyzer()),
    )
    ix = index.create_in(tmp_path, schema)
    with ix.writer() as writer:
        for doc_id, body in DOCS.items():
            writer.add_document(id=doc_id, body=body, words=body)
    ix = index.open_dir(tmp_path)  # reads the pickled schema back
    with ix.searcher() as searcher:
        yield searcher


def _ids(searcher, query: str, field: str = "body") -> set[str]:
    """Return the ids of the documents that the query text finds."""
    parsed = QueryParser(field, searcher.schema).parse(query)
    return {hit["id"] for hit in searcher.search(parsed)}


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("anthropomorphising", {"a", "d"}),
        ("Anthropomorphism", {"a", "d"}),
        ("behavior", {"b"}),
        ("color", {"d"}),
        ("organisation", {"c"}),
        ('"user autonomy"', {"b"}),
        ('"autonomy user"', set()),
        ('"name of safety"', {"b"}),
        ("GPT-4o", {"e"}),
        ("gpt‑4o", {"e"}),
        ("4o", {"e"}),
        ("75%", {"e"}),
        ("#keep4o", {"e"}),
        ("keep4o", {"e"}),
    ],
)
def test_index_finds_variants_and_phrases(searcher, query: str, ids: set[str]) -> None:
    assert _ids(searcher, query) == ids


def test_index_prefix_on_folded_words(searcher) -> None:
    assert _ids(searcher, fold_prefix("organis*"), "words") == {"c"}
    assert _ids(searcher, fold_prefix("Colou*"), "words") == {"d"}
    assert _ids(searcher, fold_prefix("anthropomorphis*"), "words") == {"a", "d"}


def test_highlight_marks_original_word(searcher) -> None:
    parsed = QueryParser("body", searcher.schema).parse("anthropomorphising")
    hits = searcher.search(parsed)
    hits.formatter = UppercaseFormatter()
    highlights = {hit["id"]: hit.highlights("body") for hit in hits}
    assert "ANTHROPOMORPHISATION" in highlights["a"]
    assert "ANTHROPOMORPHIZING" in highlights["d"]


def test_the_vocabulary_is_what_the_block_analyzed_and_recording_stops_with_it():
    import pytest as _pytest

    from indexer.analysis import recording_vocabulary

    def text_terms(text: str) -> list[str]:
        return [t.text for t in text_analyzer()(text)]

    text_terms("Organising before")  # cached before: still seen inside the block
    with recording_vocabulary() as words:
        text_terms("Organising the colour of data")
    assert words == {"organizing", "color", "data"}
    text_terms("afterwards unrecorded")
    assert words == {"organizing", "color", "data"}
    with _pytest.raises(RuntimeError), recording_vocabulary() as failed:
        text_terms("interrupted")
        raise RuntimeError
    text_terms("later words")
    assert failed == {"interrupted"}


def test_positions_are_encoded_as_whoosh_encodes_them():
    import random

    from whoosh.formats import Positions

    from indexer.analysis import _encode

    rng = random.Random(3)
    for n in (1, 2, 5, 300, 1200):  # pickle batches a long list's items by the thousand
        positions = sorted(rng.sample(range(100_000), n))
        assert _encode(positions) == Positions().encode(positions)


@pytest.mark.parametrize(
    "text",
    [
        "Anthropomorphising user autonomy, GPT‑4o e-mail and the A/B tests of 24/7 care",
        "The user's autonomy is what the users' models take away; it's theirs",
        "モデルの変更 GPT-4o日本",
        "",
        "of the and a",
    ],
)
def test_stems_are_the_text_analyzers_tokens(text):
    # `stems` reads the analyzer's rows directly: the same terms, in order, as its tokens
    from indexer.analysis import _TEXT

    assert stems(text) == [token.text for token in _TEXT(text)]
