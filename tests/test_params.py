import datetime as dt

import pytest

from indexer.params import parse_request
from indexer.results import BadParameter


def test_defaults():
    req = parse_request({})
    assert (req.q, req.sort, req.page, req.per_page) == ("", "relevance", 1, 10)
    assert req.date_from is None and req.date_to is None


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025-02", dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2025-12-12", dt.date(2025, 12, 12), dt.date(2025, 12, 12)),
    ],
)
def test_dates_are_inclusive_spans(text, start, end):
    req = parse_request({"from": [text], "to": [text]})
    assert req.date_from.day == start and req.date_to.day == end


@pytest.mark.parametrize(
    "params,name,fragment",
    [
        ({"page": ["abc"]}, "page", "whole number, got 'abc'"),
        ({"page": ["0"]}, "page", "from 1"),
        ({"per_page": ["100000"]}, "per_page", "from 1 to 100, got 100000"),
        ({"from": ["2025-13-45"]}, "from", "no such date: '2025-13-45'"),
        ({"to": ["2025-02-30"]}, "to", "no such date"),
        ({"from": ["yesterday"]}, "from", "expected YYYY, YYYY-MM or YYYY-MM-DD, got 'yesterday'"),
        ({"from": ["2026"], "to": ["2025"]}, "to", "must not be before from"),
        ({"sort": ["best"]}, "sort", "expected one of relevance, newest, oldest"),
        ({"sort": ["newest", "oldest"]}, "sort", "expected one value"),
        ({"q": ["x" * 5000]}, "q", "at most 2000 characters"),
        ({"author": [f"@a{i}" for i in range(60)]}, "author", "at most 50 values"),
    ],
)
def test_bad_parameters_name_the_parameter(params, name, fragment):
    with pytest.raises(BadParameter) as info:
        parse_request(params)
    assert info.value.name == name
    assert fragment in info.value.message


def test_repeated_values_are_kept_once_and_blank_ones_dropped():
    req = parse_request(
        {"theme": ["autonomy", "dignity", "autonomy", " "], "q": ["user\x00 trust"]}
    )
    assert req.themes == ("autonomy", "dignity")
    assert req.q == "user  trust"


def test_accepts_a_getter_function():
    values = {"q": ["autonomy"], "author": ["@x", "@y"]}
    req = parse_request(lambda name: values.get(name, []))
    assert req.q == "autonomy" and req.authors == ("@x", "@y")


def test_a_results_json_shape_holds_every_field_of_the_hit():
    # written field by field (no deep copy): every field, in order, with lists for tuples
    import dataclasses

    from indexer.results import Hit, SynonymUse

    hit = Hit(
        id="a-1",
        title="On autonomy",
        author="@a, @b",
        date="2026-01-02",
        section="the-essays",
        section_heading="The Essays",
        themes=("autonomy", "care"),
        source="https://example.org/a",
        note="",
        snippet="… <mark>autonomy</mark> …",
        score=2.5,
        partial=True,
        authors=("@a", "@b"),
        subject=False,
        synonyms=(SynonymUse("self rule", ("autonomy",)),),
        language="en",
    )
    shape = hit.to_dict()
    assert list(shape) == [f.name for f in dataclasses.fields(Hit)]
    assert shape["themes"] == ["autonomy", "care"] and shape["authors"] == ["@a", "@b"]
    assert shape["synonyms"] == [{"typed": "self rule", "matched": ["autonomy"]}]
    assert {k: v for k, v in shape.items() if k not in ("themes", "authors", "synonyms")} == {
        k: v
        for k, v in dataclasses.asdict(hit).items()
        if k not in ("themes", "authors", "synonyms")
    }
