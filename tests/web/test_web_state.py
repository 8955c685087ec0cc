"""SearchState: the URL of every change a reader can make to a search."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from webapp.state import Scope, SearchState


def state(
    query: list[tuple[str, str]], scope: Scope | None = None, path: str = "/search"
) -> SearchState:
    return SearchState.from_args(MultiDict(query), path, scope)


def test_keeps_known_parameters_in_order_and_drops_page_and_blanks():
    s = state([("q", "a"), ("page", "3"), ("theme", "x"), ("junk", "1"), ("to", " ")])
    assert s.pairs == (("q", "a"), ("theme", "x"))


def test_toggle_adds_then_removes_ignoring_case():
    s = state([("q", "a")])
    assert s.toggle_url("author", "@A") == "/search?q=a&author=%40A"
    s2 = state([("q", "a"), ("author", "@a")])
    assert s2.toggle_url("author", "@A") == "/search?q=a"


def test_page_url_adds_page_only_past_the_first():
    s = state([("q", "a")])
    assert s.page_url(1) == "/search?q=a" and s.page_url(2) == "/search?q=a&page=2"


def test_range_url_replaces_both_ends():
    s = state([("q", "a"), ("from", "2020"), ("to", "2021")])
    assert s.range_url("2025-10", "2025-10") == "/search?q=a&from=2025-10&to=2025-10"
    assert s.range_url(None, None) == "/search?q=a"


def test_scope_is_part_of_the_path_and_its_removal_leads_to_search():
    scope = Scope("theme", "autonomy", "/themes/autonomy", "Autonomy")
    s = state([("q", "a"), ("theme", "autonomy"), ("theme", "dignity")], scope, "/themes/autonomy")
    assert s.pairs == (("q", "a"), ("theme", "dignity"))
    assert s.get("theme") == ["autonomy", "dignity"]
    assert s.remove_url("theme", "autonomy") == "/search?q=a&theme=dignity"
    assert s.remove_url("theme", "dignity") == "/themes/autonomy?q=a"
    assert s.export_url("/search.csv") == "/search.csv?theme=autonomy&q=a&theme=dignity"


def test_clear_keeps_query_sort_and_page_size():
    s = state([("q", "a"), ("theme", "x"), ("from", "2020"), ("sort", "newest"), ("per_page", "5")])
    assert s.clear_url() == "/search?q=a&sort=newest&per_page=5"
    assert s.hidden() == (("per_page", "5"),)
