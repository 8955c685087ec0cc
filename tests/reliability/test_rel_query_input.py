"""Query text of any shape through the HTTP API never causes a 5xx, and costly queries are cut
off by a time limit with an answer that says it is partial."""

from __future__ import annotations

import itertools
import time
from urllib.parse import urlencode

import pytest
import query_grammar
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from payloads import assert_strictly_inert

import indexer.library
import indexer.query
from indexer.library import Library
from indexer.params import MAX_QUERY_CHARS, parse_request
from indexer.results import BadParameter
from webapp.settings import defaults as settings_defaults

SYNTAX = [
    '"', "'", "(", ")", "[", "]", "{", "}", "*", "?", "~", "~2", "^", "^3", "+", "-", ":",
    "\\", "/", "!", "&&", "||", "AND", "OR", "NOT", "TO", "\x00", "\t", "\n", "％", "＊",
]  # fmt: skip
FIELDS = ["title:", "body:", "author:", "theme:", "section:", "date:", "id:", "path:",
          "words:", "day:", "nosuch:", "*:", "title:*", "markdown:", ":"]  # fmt: skip
WORDS = ["autonomy", "anthropomorphising", "organis", "behaviour", "model", "zqpayload",
         "a", "the", "GPT-4o", "self-determination", "75%", "@Seltaa_", "#keep4o"]  # fmt: skip
ODD = ["日本語", "ﬁ", "İstanbul", "straße", "e\u0301", "🙂", "\u202e", "\ufeff", "\u200b",
       "\ud7ff", "\U0010ffff", "\x7f", "\x1b[31m", "<script>", "%00", "%", "&amp;"]  # fmt: skip
ATOM = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from(FIELDS),
    st.sampled_from(WORDS),
    st.sampled_from(ODD),
    st.text(max_size=12),
)
QUERY = st.lists(st.tuples(ATOM, st.sampled_from(["", " ", " ", "  "])), max_size=30).map(
    lambda parts: "".join(a + sep for a, sep in parts)
)
LONG = st.tuples(ATOM, st.integers(100, 10_240)).map(lambda t: ((t[0] or "x") * t[1])[:10_240])
ROUTES = ["/api/search", "/search", "/search.json", "/search.csv", "/search.atom"]
FAST = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _expect_ok_or_too_long(resp, q: str) -> None:
    assert resp.status_code < 500, (q, resp.status_code)
    if len(urlencode({"q": q})) > settings_defaults()["MAX_QUERY_BYTES"]:
        assert resp.status_code == 414, q[:80]
    elif len(q) > MAX_QUERY_CHARS and q.strip():  # a blank parameter is dropped: no query
        assert resp.status_code == 400, q[:80]
    else:
        assert resp.status_code == 200, (q, resp.get_data(as_text=True)[:300])


@FAST
@given(q=st.one_of(QUERY, QUERY, QUERY, LONG), route=st.sampled_from(ROUTES))
@example(q="\x00" * 10, route="/api/search")
@example(q="x" * 10_240, route="/api/search")
@example(q='title:"unclosed (( [a TO', route="/api/search")
@example(q="*a*", route="/search")
def test_any_query_text_answers_200_or_400_never_5xx(client, q, route):
    resp = client.get(route, query_string={"q": q})
    _expect_ok_or_too_long(resp, q)
    if resp.status_code == 200 and route == "/api/search":
        body = resp.get_json()
        assert isinstance(body["partial"], bool) and body["total"] >= 0
        for hit in body["results"]:
            assert_strictly_inert(hit["snippet"], allowed_tags={"mark"})
    resp.close()


@FAST
@given(q=QUERY, extra=st.lists(st.tuples(st.sampled_from(["theme", "author", "section", "sort",
                                                          "page", "per_page", "from", "to"]),
                                         st.one_of(st.sampled_from(WORDS + ODD), QUERY)),
                               max_size=4))  # fmt: skip
def test_query_text_with_any_other_parameters_never_5xx(client, q, extra):
    resp = client.get("/api/search", query_string=[("q", q), *extra])
    assert resp.status_code in (200, 400), (q, extra, resp.get_data(as_text=True)[:300])


def test_entry_pages_take_any_query_text_for_highlighting(client):
    for q in ["*", '"', "(a OR", "\x00", "x" * 3000, "title:", "🙂" * 500]:
        resp = client.get("/entries/payload-00", query_string={"q": q})
        assert resp.status_code in (200, 400), q[:40]


# -- costly queries: bounded, and partial when a bound cut them -----------------------------------

LETTERS = "abcdefghijklmnoprstuvy"
PAIRS = ["".join(p) for p in itertools.product(LETTERS, repeat=2)]
LIMIT_S = 8.0  # generous for a loaded 2-core machine; unbounded, these took 30-60 s


def _timed(client, q: str, **params: str) -> tuple[dict, float]:
    started = time.perf_counter()
    resp = client.get("/api/search", query_string={"q": q, **params})
    seconds = time.perf_counter() - started
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json(), seconds


@pytest.fixture
def big(big_app):
    with big_app.test_client() as c:
        c.get("/api/search?q=warm")  # open the generation once
        yield c


@pytest.mark.parametrize("q", ["*a*", "*e*", "?*", "*?*", "title:*a* OR body:*o*"])
def test_leading_wildcards_are_cut_and_say_partial(big, q):
    data, seconds = _timed(big, q)
    assert data["partial"] is True, q
    assert seconds < LIMIT_S


def test_a_leading_wildcard_with_a_tail_is_bounded(big):
    # "**a": the words ending in "a", found by a bounded scan of the vocabulary (Whoosh's
    # parser used to drop the "a" and search every word)
    data, seconds = _timed(big, "**a")
    assert data["total"] > 0
    assert seconds < LIMIT_S


@pytest.mark.parametrize(
    "q",
    [
        " OR ".join(f"{letter}*" for letter in LETTERS),  # ~3,400 OR-ed terms after expansion
        " OR ".join(f"*{letter}*" for letter in LETTERS),
        " OR ".join(PAIRS)[:MAX_QUERY_CHARS],  # hundreds of words OR-ed
        " ".join(f"{p}*" for p in PAIRS)[:MAX_QUERY_CHARS],
        " ".join(f"{p}~2" for p in PAIRS)[:MAX_QUERY_CHARS],  # did-you-mean for each: was 40 s
        " ".join(f"-{p}" for p in PAIRS)[:MAX_QUERY_CHARS],
        " OR ".join(f'"{a} {b}"' for a, b in itertools.pairwise(PAIRS))[:MAX_QUERY_CHARS],
    ],
    ids=["prefixes", "infixes", "words", "and-prefixes", "fuzzy", "negations", "phrases"],
)
def test_the_costliest_query_texts_answer_in_bounded_time(big, q):
    data, seconds = _timed(big, q)
    assert seconds < LIMIT_S, (seconds, data["total"], data["partial"])


@pytest.mark.parametrize("q", ["[a TO z]", "body:[b TO s]", "{a TO]"])
def test_ranges_of_words_are_cut_and_say_partial(big, q):
    data, seconds = _timed(big, q)
    assert data["partial"] is True and data["total"] > 0, q
    assert seconds < LIMIT_S


def test_a_narrow_range_is_whole(big):
    data, _ = _timed(big, "[commom TO commoo]")
    assert data["partial"] is False and data["total"] == 4300  # "common" only


def test_a_time_limit_cuts_thousands_of_or_ed_terms(big, monkeypatch):
    q = " OR ".join(f"{letter}*" for letter in LETTERS)
    monkeypatch.setattr(indexer.query, "EXPANSION_SECONDS", 60.0)  # on a loaded machine too
    monkeypatch.setattr(indexer.library, "SEARCH_SECONDS", 60.0)
    whole, _ = _timed(big, q)
    assert whole["total"] > 4096 and whole["partial"] is False
    monkeypatch.setattr(indexer.library, "SEARCH_SECONDS", 0.0)
    cut, seconds = _timed(big, q)
    assert cut["partial"] is True and cut["total"] < whole["total"]
    assert seconds < LIMIT_S


def test_a_time_limit_cuts_wildcard_expansion(big, monkeypatch):
    monkeypatch.setattr(indexer.query, "EXPANSION_SECONDS", 0.0)
    for q in ["*a*", "a* OR *e*", "ab* *e*"]:
        data, _ = _timed(big, q)
        assert data["partial"] is True, q


def test_a_cheap_query_is_not_marked_partial(big):
    data, seconds = _timed(big, "common ground")
    assert data["partial"] is False and data["total"] == 4300 and seconds < LIMIT_S


def test_the_search_page_says_when_results_are_partial(big):
    page = big.get("/search?q=*a*").get_data(as_text=True)
    assert "partial" in page.lower() or "cut short" in page.lower()


# -- the search core is total: results, or the one documented BadParameter ------------------------

# Inputs that once broke a request (issue 16, and what the grammar fuzzing found): kept as they are.
REGRESSIONS = [
    "AND NOT NOT accessib* OR \"w%['",
    "NOT AND NOT ' OR 1=1 --",
    "field: NOT AND NOT",
    "' OR 1=1 -- NOT OR a*",
    "NOT NOT agile",
    "agile NOT NOT design",
    'NOT day:"GPT-4o colour !"',  # a quoted word on the numeric day field
]


@pytest.fixture(scope="module")
def core(hostile_index):
    return Library(hostile_index)


def _search_or_bad_parameter(core: Library, params: list[tuple[str, str]]) -> None:
    try:
        req = parse_request(lambda name: [v for k, v in params if k == name])
        result = core.search(req)
    except BadParameter:
        return
    assert len(result.hits) == max(
        0, min(req.per_page, result.total - (req.page - 1) * req.per_page)
    )


@pytest.mark.parametrize("q", REGRESSIONS)
def test_regressions_search_without_error(core, q):
    result = core.search(parse_request({"q": [q]}))
    assert result.partial is False
    assert len(result.hits) == min(result.total, 10)  # the first page, whole


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_search_core_answers_any_request_or_raises_bad_parameter(core, data):
    _search_or_bad_parameter(core, query_grammar.parameters(query_grammar.HypothesisDraw(data)))
