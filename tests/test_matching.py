"""Plain-word queries against a real index: every word first, exact before stem, compounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import query as wq

from indexer.analysis import compounds, exact_term, light_stem, text_term
from indexer.build import build_index
from indexer.library import Library
from indexer.matching import is_plain, needed, plain_clauses, steps
from indexer.params import parse_request

ENTRIES = {
    # experience 3 times, no "experiment": a stem-only match for "experiment"
    "customer-experience": (
        "Customer experience at scale",
        "Customer experience matters. Experience shapes trust; experience counts.",
    ),
    "one-experiment": ("A note on pilots", "We ran one experiment with the forms team."),
    "experiments": ("Trying things", "Small experiments beat big plans."),
    "remote-pandemic": ("Working apart", "Remote work during the pandemic changed our team."),
    "remote-work": (
        "Remote teams",
        "Remote work during winter needs good writing; our work is remote now.",
    ),
    "pandemic-only": ("A hard year", "The pandemic closed offices."),
    "micro-hyphen": ("Buying small", "The micro-purchase threshold rose this year."),
    "micro-whole": ("Buying smaller", "A micropurchase is quick."),
    "micro-apart": ("Buying smallest", "Each micro purchase needs a card."),
    "email-hyphen": ("Newsletters", "Send the e-mail on Monday."),
    "email-whole": ("Inbox", "Our email list grew."),
    "login-dotted": ("Signing in", "Use login.gov to sign in; Login.gov is shared."),
    "login-apart": ("Logging in", "The login page of the gov site."),
    "design-system": ("Systems", "The design system gives components to every team."),
    "design-apart": ("Designers", "Designers met. The system of review was slow."),
}


def _write(root: Path) -> Path:
    root.mkdir(parents=True)
    for i, (slug, (title, body)) in enumerate(ENTRIES.items()):
        (root / f"{slug}.md").write_text(
            f'---\ntitle: "{title}"\nauthor: "@w{i}"\ndate: 2024-01-{i + 1:02d}\n'
            f'section: "Tests"\nsource: https://example.org/{slug}\n---\n{body}\n',
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    base = tmp_path_factory.mktemp("matching")
    archive = _write(base / "archive")
    report = build_index(archive, base / "index", full=True)
    assert report.problems == []
    return Library(base / "index")


def ids(lib: Library, q: str, **params: str) -> list[str]:
    req = parse_request({"q": [q], "per_page": ["100"], **{k: [v] for k, v in params.items()}})
    return [h.id for h in lib.search(req).hits]


def test_light_stem_takes_plurals_only() -> None:
    assert [
        light_stem(w)
        for w in ["experiments", "policies", "users", "status", "class", "analysis", "experience"]
    ] == ["experiment", "policy", "user", "status", "class", "analysis", "experience"]


def test_exact_terms_fold_spelling_but_not_stems() -> None:
    assert exact_term("Organisations") == exact_term("organization")
    assert exact_term("experiment") != exact_term("experience")
    assert text_term("experiment") == text_term("experience")  # Snowball's conflation
    assert exact_term("the") is None


def test_compounds_join_hyphenated_runs_at_the_last_part() -> None:
    from indexer.analysis import _analyze

    text = "the micro-purchase card and e-mail"
    assert list(compounds(text, _analyze(text, True))) == [
        (text_term("micropurchase"), 2),
        (text_term("email"), 4),
    ]


@pytest.mark.parametrize(
    "text,plain",
    [
        ("remote work", True),
        ("login.gov", True),
        ("micro-purchase", True),
        ("organis*", True),
        ('"design system"', False),
        ("a AND b", False),
        ("a OR b", False),
        ("NOT a", False),
        ("-a b", False),
        ("+a b", False),
        ("title:a", False),
        ("(a b)", False),
        ("a~", False),
    ],
)
def test_is_plain(text: str, plain: bool) -> None:
    assert is_plain(text) is plain


def test_plain_clauses_one_per_word_without_stop_words() -> None:
    clauses = plain_clauses("the remote work during a pandemic")
    assert [c.text for c in clauses] == ["remote", "work", "during", "pandemic"]
    assert isinstance(plain_clauses("login.gov")[0].exact.subqueries[0].subqueries[0], wq.Phrase)


@pytest.mark.parametrize("k,need", [(0, 0), (1, 1), (2, 1), (4, 1), (9, 1)])
def test_needed(k: int, need: int) -> None:
    assert needed(k) == need


def test_exact_word_ranks_above_stem_only_matches(lib: Library) -> None:
    found = ids(lib, "experiment")
    assert set(found[:2]) == {"one-experiment", "experiments"}
    assert found[2:] == ["customer-experience"]


def test_every_word_first_then_most_words_marked(lib: Library) -> None:
    req = parse_request({"q": ["remote work during pandemic"]})
    result = lib.search(req)
    # every word, then three of four, then one of four
    assert [h.id for h in result.hits] == ["remote-pandemic", "remote-work", "pandemic-only"]
    assert result.all_words == 1
    assert [h.partial for h in result.hits] == [False, True, True]
    assert result.total == 3


def test_two_words_show_entries_with_either_after_both(lib: Library) -> None:
    req = parse_request({"q": ["remote pandemic"], "per_page": ["100"]})
    result = lib.search(req)
    assert next(h.id for h in result.hits) == "remote-pandemic"
    assert result.all_words == 1
    assert {h.id for h in result.hits} == {"remote-pandemic", "remote-work", "pandemic-only"}
    # facets count what is shown
    assert sum(v.count for v in result.facet("section").results) == 3


def test_partial_matches_stay_after_full_ones_when_sorted_by_date(lib: Library) -> None:
    found = ids(lib, "remote pandemic", sort="oldest")
    assert found[0] == "remote-pandemic"
    assert found[1:] == ["remote-work", "pandemic-only"]  # by date among the rest


def test_operators_stay_strict(lib: Library) -> None:
    assert ids(lib, "remote AND pandemic") == ["remote-pandemic"]
    assert ids(lib, "+remote +pandemic") == ["remote-pandemic"]
    assert lib.search(parse_request({"q": ["remote AND pandemic"]})).all_words is None


@pytest.mark.parametrize("q", ["micro-purchase", "micropurchase", "micro purchase"])
def test_compound_forms_find_each_other(lib: Library, q: str) -> None:
    found = set(ids(lib, q))
    assert {"micro-hyphen", "micro-whole"} <= found
    if q != "micropurchase":
        assert "micro-apart" in found


@pytest.mark.parametrize("q", ["e-mail", "email"])
def test_email_forms(lib: Library, q: str) -> None:
    assert set(ids(lib, q)) == {"email-hyphen", "email-whole"}


def test_dotted_name_as_written_first_then_its_parts_apart(lib: Library) -> None:
    assert ids(lib, "login.gov") == ["login-dotted", "login-apart"]


def test_phrase_snippet_marks_only_the_phrase(lib: Library) -> None:
    result = lib.search(parse_request({"q": ['"design system"']}))
    assert [h.id for h in result.hits] == ["design-system"]
    assert "<mark>design system</mark>" in result.hits[0].snippet
    assert result.hits[0].snippet.count("<mark>") == 1


def test_exact_snippet_marks_the_word_typed(lib: Library) -> None:
    hit = lib.search(parse_request({"q": ["experiments"]})).hits[0]
    assert "experience" not in hit.snippet
    assert "<mark>experiment" in hit.snippet.lower()


def test_strict_queries_rank_the_word_typed_first_too(lib: Library) -> None:
    found = ids(lib, "experiment OR pandemic")
    # every entry with "experiment(s)" or "pandemic" as typed, then the stem-only one
    assert set(found[:4]) == {"one-experiment", "experiments", "pandemic-only", "remote-pandemic"}
    assert found[4:] == ["customer-experience"]
    hit = next(
        h
        for h in lib.search(parse_request({"q": ["experiment OR nothing"]})).hits
        if h.id == "customer-experience"
    )
    assert "<mark>" in hit.snippet  # a stem-only match is still marked where nothing exact is


def test_strict_snippet_marks_the_exact_form_where_there_is_one(lib: Library) -> None:
    result = lib.search(parse_request({"q": ["experiments AND small"]}))
    assert [h.id for h in result.hits] == ["experiments"]
    assert "<mark>experiments</mark>" in result.hits[0].snippet


def test_slash_joins_short_parts_only() -> None:
    from indexer.analysis import _analyze

    text = "an A/B test and input/output"
    assert [t for t, _ in compounds(text, _analyze(text, True))] == [text_term("ab")]
    clause = plain_clauses("A/B testing")[0]
    assert clause.text == "A-B"
    assert repr(clause.stem) == repr(
        wq.Or([wq.Or([wq.Term("title", "ab", boost=2.0), wq.Term("body", "ab")])])
    )


def test_words_no_entry_holds_are_not_cached(lib: Library) -> None:
    view_keys = []
    for i in range(50):
        lib.search(parse_request({"q": [f"remote zzqx{i}"]}))
        view_keys.append(len(lib._view().postings))
    assert view_keys[-1] == view_keys[0]  # the typos left nothing behind


def test_query_words_use_caches_of_their_own() -> None:
    from indexer.analysis import _text_term, query_terms

    assert query_terms("Qwzxyvarious") == (text_term("Qwzxyvarious"), exact_term("Qwzxyvarious"))
    _text_term.cache_clear()
    before = _text_term.cache_info().currsize
    plain_clauses("zzyzx-unheard of words")
    assert _text_term.cache_info().currsize == before


def test_steps_count_words_below_three_clauses_and_weigh_them_from_three() -> None:
    held = np.array([2, 1, 1])
    assert steps(held, np.array([1.0, 0.9, 0.1]), 2).tolist() == [2, 1, 1]
    held = np.array([3, 2, 2, 1])
    share = np.array([1.0, 0.9, 0.4, 0.7])
    # every clause on top; then by the share of the query's weight held, never up to the top
    assert steps(held, share, 3).tolist() == [3, 2, 1, 2]


@pytest.fixture(scope="module")
def weighed_lib(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """Many entries talk of models and chat; two mention a retirement."""
    base = tmp_path_factory.mktemp("weighed")
    root = base / "archive"
    root.mkdir()
    bodies = {f"talk-{i}": "The model answered in the chat again today." for i in range(12)}
    bodies["common-pair"] = (
        "Another chat with the model, long and winding, about the model and the chat "
        "and nothing else; the model kept the chat going."
    )
    bodies["telling-one"] = "They are retiring it next week."
    for i, (slug, body) in enumerate(bodies.items()):
        (root / f"{slug}.md").write_text(
            f'---\ntitle: "Entry {i}"\nauthor: "@w{i}"\ndate: 2024-02-{i + 1:02d}\n'
            f'section: "Tests"\nsource: https://example.org/{slug}\n---\n{body}\n',
            encoding="utf-8",
        )
    report = build_index(root, base / "index", full=True)
    assert report.problems == []
    return Library(base / "index")


def test_partial_matches_holding_the_telling_words_rank_first(weighed_lib: Library) -> None:
    # none holds all three words; "retiring" is what the query is about, while chat and model
    # are in every other entry: the entry holding retiring alone ranks above those holding
    # two words every entry has
    found = ids(weighed_lib, "retiring model chat")
    assert found[0] == "telling-one"
    assert set(found) == {"telling-one", "common-pair", *(f"talk-{i}" for i in range(12))}
