"""No input causes a 500: any parameter values, any ids, any paths."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROUTES = [
    "/search",
    "/api/search",
    "/search.csv",
    "/search.json",
    "/search.atom",
    "/themes/autonomy",
]
NAMES = st.sampled_from(
    ["q", "theme", "author", "section", "from", "to", "sort", "page", "per_page", "x"]
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "2025",
            "2025-02-30",
            "9999-99",
            "0",
            "-1",
            "1e9",
            "newest",
            '"',
            "*",
            "a*",
            "AND",
            "(",
            "title:x",
            "\\",
            "%00",
            "@",
            "../",
        ]
    ),
)
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(route=st.sampled_from(ROUTES), pairs=st.lists(st.tuples(NAMES, VALUES), max_size=5))
def test_any_parameters_answer_200_or_400(client, route, pairs):
    resp = client.get(route, query_string=pairs)
    assert resp.status_code in (200, 400), (route, pairs, resp.get_data(as_text=True)[:300])
    if resp.status_code == 400 and route != "/search" and route != "/themes/autonomy":
        assert resp.get_json()["error"]["code"] == "bad_parameter"
    resp.close()


@FAST
@given(
    prefix=st.sampled_from(["/entries/", "/api/entries/", "/authors/", "/themes/", "/sections/"]),
    name=st.text(min_size=1, max_size=30),
)
def test_any_name_answers_200_301_or_404(client, prefix, name):
    resp = client.get(prefix + quote(name, safe=""))
    assert resp.status_code in (200, 301, 308, 404), (prefix, name)
