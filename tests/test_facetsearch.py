"""Every facet value within reach: the core lists a facet's values that hold a text, counted
under a search, sorted by count or name, one page at a time, selected values always first."""

from __future__ import annotations

import pytest

from indexer.facetsearch import fold
from indexer.params import parse_request
from indexer.results import BadParameter


def pairs(page):
    return [(v.value, v.count, v.selected) for v in page.results]


def test_values_holding_the_text_with_their_counts(library):
    page = library.facet_values(parse_request({}), "theme", "model")
    assert pairs(page) == [("model-behavior", 4, False), ("model-deprecation", 4, False)]
    assert page.total == 2 and page.offset == 0


def test_the_text_matches_labels_in_any_case_every_word(library):
    page = library.facet_values(parse_request({}), "theme", "TRUST user")
    assert pairs(page) == [("user-trust", 3, False)]
    assert page.results[0].label == "User Trust"


def test_counts_are_under_the_query_and_the_other_filters(library):
    req = parse_request({"q": ["autonomy"], "section": ["The Research"]})
    found = library.search(parse_request({"q": ["autonomy"], "section": ["The Research"]}))
    page = library.facet_values(req, "author", "")
    expected = {v.value: v.count for v in found.facet("author").results}
    assert {v.value: v.count for v in page.results} == expected
    assert pairs(page) == [("@datawren", 1, False)]


def test_order_by_name_and_pages(library):
    req = parse_request({})
    by_name = library.facet_values(req, "author", "", sort="name")
    assert [v.value for v in by_name.results] == [
        "@datawren",
        "@kumabwari",
        "@MissMi1973",
        "@quietharbor",
        "@Seltaa_",
    ]
    second = library.facet_values(req, "author", "", sort="name", offset=2, limit=2)
    assert [v.value for v in second.results] == ["@MissMi1973", "@quietharbor"]
    assert second.total == 5
    by_count = library.facet_values(req, "author", "")
    assert by_count.results[0].value == "@datawren" and by_count.results[0].count == 2


def test_selected_values_always_come_first_whatever_the_text(library):
    req = parse_request({"author": ["@quietharbor"]})
    page = library.facet_values(req, "author", "wren")
    assert pairs(page) == [("@quietharbor", 1, True), ("@datawren", 2, False)]
    assert page.total == 2
    gone = library.facet_values(parse_request({"author": ["@nobody"]}), "author", "zzz")
    assert pairs(gone) == [("@nobody", 0, True)]


def test_a_theme_selected_by_its_label_is_the_selected_value(library):
    page = library.facet_values(parse_request({"theme": ["User Trust"]}), "theme", "model")
    assert page.results[0].value == "user-trust" and page.results[0].selected
    assert [v.value for v in page.results[1:]] == ["model-behavior", "model-deprecation"]


def test_accents_fold():
    assert fold("José Ñúñez") == "jose nunez"
    assert fold("ÉTÉ") == fold("été") == "ete"


@pytest.mark.parametrize(
    ("name", "kwargs", "parameter"),
    [
        ("nope", {}, "facet"),
        ("theme", {"sort": "size"}, "order"),
        ("theme", {"match": "x" * 201}, "q"),
    ],
)
def test_bad_requests_name_their_parameter(library, name, kwargs, parameter):
    with pytest.raises(BadParameter) as caught:
        library.facet_values(parse_request({}), name, **kwargs)
    assert caught.value.name == parameter


def test_search_facets_say_how_many_values_have_a_count(library):
    result = library.search(parse_request({"facet_size": ["2"]}))
    theme = result.facet("theme")
    assert len(theme.results) == 2 and theme.distinct == 17
