"""The search page: results, facets, chips, dates, histogram, sort, pages, did-you-mean, empty state."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from web_fixtures import text_of


def page(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def api(client, query: str) -> dict:
    resp = client.get("/api/search?" + query)
    assert resp.status_code == 200
    return resp.get_json()


def links(markup: str, cls: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'class="{cls}" href="([^"]+)"', markup)]


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


@pytest.mark.parametrize("url", ["/", "/search"])
def test_empty_search_lists_every_entry(client, url):
    markup = page(client, url)
    total = api(client, "")["total"]
    assert total == 10
    assert f"{total} entries" in markup
    assert 'role="search"' in markup and 'name="q"' in markup


def test_home_has_an_introduction_and_search_does_not(client):
    assert '<section class="intro">' in page(client, "/")
    assert "<h1>Search Perspectives</h1>" in page(client, "/")
    assert '<section class="intro">' not in page(client, "/search")


def test_query_shows_count_cards_and_highlights(client):
    markup = page(client, "/search?q=autonomy")
    data = api(client, "q=autonomy")
    assert data["total"] == 5  # two seed entries, one purpose-made, two web-only and the hostile
    assert f"{data['total']} entries" in text_of(markup)
    assert "<mark>" in markup
    hit = data["results"][0]
    assert f"/entries/{hit['id']}?q=autonomy" in markup  # the entry page highlights too
    assert '<time datetime="' in markup
    assert 'class="tags"' in markup


def test_result_cards_carry_title_author_date_section_themes(client):
    markup = page(client, "/search?q=%22right+to+choose%22&sort=oldest")
    cards = [c.split("</article>")[0] for c in markup.split('<article class="hit">')[1:]]
    card = next(c for c in cards if "Autonomy Is Not a Setting" in c)
    assert "Autonomy Is Not a Setting" in text_of(card)
    assert "@quietharbor" in card and "/authors/quietharbor" in card
    assert "2 November 2025" in card and 'datetime="2025-11-02"' in card
    assert "/sections/the-stories" in card
    assert "/themes/autonomy" in card and ">Autonomy<" in card
    assert '<p class="snippet" lang="en">' in card


def test_facets_list_theme_author_section_with_counts(client):
    markup = page(client, "/search?q=autonomy")
    for name in ("theme", "author", "section"):
        assert f'id="facet-{name}"' in markup
    data = api(client, "q=autonomy")
    for value in data["facets"]["author"]:
        assert f'value="{html.escape(value["value"])}"' in markup


def test_ticking_a_theme_and_an_author_changes_counts_and_shows_chips(client):
    before = api(client, "q=autonomy")
    after_theme = api(client, "q=autonomy&theme=deprecation")
    assert after_theme["total"] < before["total"]
    both = api(client, "q=autonomy&theme=autonomy&author=@quietharbor")
    assert 0 < both["total"] <= 2
    markup = page(client, "/search?q=autonomy&theme=autonomy&author=%40quietharbor")
    # selected values are checked and named in words, not shown by colour alone
    assert re.search(r'name="theme" value="autonomy" checked', markup)
    assert re.search(r'name="author" value="@quietharbor" checked', markup)
    assert "Remove filter theme: Autonomy" in markup
    assert "Remove filter author: @quietharbor" in markup
    assert "2 selected" in markup


def test_each_chip_removes_only_its_own_filter(client):
    markup = page(client, "/search?q=autonomy&theme=autonomy&author=%40quietharbor&from=2025")
    removes = links(markup, "chip-remove")
    assert len(removes) == 3
    kept = [set(params(u)) for u in removes]
    assert kept[0] == {("q", "autonomy"), ("author", "@quietharbor"), ("from", "2025")}
    assert kept[1] == {("q", "autonomy"), ("theme", "autonomy"), ("from", "2025")}
    assert kept[2] == {("q", "autonomy"), ("theme", "autonomy"), ("author", "@quietharbor")}
    for url in removes:
        assert client.get(url).status_code == 200


def test_values_of_one_facet_are_ored(client):
    one = api(client, "author=@datawren")["total"]
    two = api(client, "author=@datawren&author=@quietharbor")["total"]
    assert two > one


def test_date_range_filters_and_fills_the_form(client):
    markup = page(client, "/search?from=2025-10&to=2025-12")
    data = api(client, "from=2025-10&to=2025-12")
    assert data["total"] and all("2025-10-01" <= r["date"] <= "2025-12-31" for r in data["results"])
    assert 'name="from" form="search" value="2025-10"' in markup
    assert 'name="to" form="search" value="2025-12"' in markup


def test_histogram_bars_are_links_that_narrow_the_range(client):
    markup = page(client, "/search")
    bars = links(markup, "bar-link")
    assert bars, "a histogram of results per year"
    years = [dict(params(u)) for u in bars]
    assert {"from": "2023", "to": "2023"} in years and {"from": "2026", "to": "2026"} in years
    narrowed = page(client, "/search?from=2025&to=2025")
    months = [dict(params(u)).get("from") for u in links(narrowed, "bar-link")]
    assert "2025-11" in months  # a year's range is shown per month
    assert "All dates" in narrowed
    assert "in the date range" in narrowed


def test_sort_orders_results(client):
    newest = [r["date"] for r in api(client, "sort=newest&per_page=100")["results"]]
    oldest = [r["date"] for r in api(client, "sort=oldest&per_page=100")["results"]]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    markup = page(client, "/search?sort=oldest")
    assert '<option value="oldest" selected>' in markup


def test_pages_link_to_each_other(client):
    markup = page(client, "/search?per_page=3&page=2")
    assert 'aria-current="page"' in markup
    assert 'rel="prev"' in markup and 'rel="next"' in markup
    assert '<ol class="hits" start="4">' in markup
    # the form keeps per_page; the page number is not kept when the search changes
    assert '<input type="hidden" name="per_page" value="3">' in markup
    assert 'name="page"' not in markup


def test_page_past_the_end_explains_and_links_back(client):
    markup = page(client, "/search?page=50")
    assert "past the end" in markup and "Go to the first page" in markup


def test_did_you_mean_offers_a_corrected_query(client):
    data = api(client, "q=autonmy&typos=0")
    assert data["suggestion"] and data["total"] == 0
    markup = page(client, "/search?q=autonmy&typos=0")
    assert "Did you mean" in markup
    assert f"q={data['suggestion']}" in markup


def test_near_spellings_are_searched_at_once_and_said(client):
    data = api(client, "q=autonmy")
    assert data["near_spellings"] == [{"typed": "autonmy", "words": ["autonomy"]}]
    assert data["total"] == api(client, "q=autonomy")["total"] > 0
    assert data["suggestion"] is None  # the results are there: no link to them
    markup = page(client, "/search?q=autonmy")
    assert 'Including near spellings: <span class="near-typed">autonmy</span> → autonomy.' in markup
    assert 'href="/search?q=autonmy&amp;typos=0">Search only for what you typed</a>' in markup
    assert "<mark>autonomy</mark>" in markup
    assert api(client, "q=%22autonmy%22")["total"] == 0  # quoted: never fuzzed
    assert api(client, "q=autonmy&typos=0")["near_spellings"] == []


@pytest.mark.parametrize("value", ["2", "yes", "-1"])
def test_typos_takes_0_or_1(client, value):
    resp = client.get(f"/api/search?q=autonmy&typos={value}")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["parameter"] == "typos"


def test_empty_state_helps(client):
    markup = page(client, "/search?q=zzzqqqxxx&theme=autonomy")
    assert "Nothing in the archive matches" in markup
    assert "search without any filters" in markup
    assert "/themes" in markup and "quotes" in markup


def test_every_state_is_a_url_the_form_reproduces(client):
    url = "/search?q=autonomy&theme=autonomy&author=%40quietharbor&from=2025&to=2026&sort=newest"
    markup = page(client, url)
    assert 'action="/search" method="get"' in markup
    assert 'value="autonomy"' in markup  # q
    assert '<option value="newest" selected>' in markup
    assert 'value="2025"' in markup and 'value="2026"' in markup


def test_exports_and_feed_links_carry_the_state(client):
    markup = page(client, "/search?q=autonomy&theme=autonomy")
    for path in ("/search.csv", "/search.json", "/search.atom"):
        assert f"{path}?q=autonomy&amp;theme=autonomy" in markup
    assert 'rel="alternate" type="application/atom+xml"' in markup


@pytest.mark.parametrize(
    "q", ['"user autonomy', "autonomy AND (", "*", "ba*", "title:", "\x00", "🙂"]
)
def test_odd_query_text_degrades_not_fails(client, q):
    assert client.get("/search", query_string={"q": q}).status_code == 200


def test_did_you_mean_corrects_the_whole_query_and_links_it(client):
    data = api(client, "q=user+autonmy&typos=0")
    assert data["suggestion"] == "user autonomy"
    markup = page(client, "/search?q=user+autonmy&typos=0")
    assert 'href="/search?typos=0&amp;q=user+autonomy">user autonomy</a>' in markup
    assert api(client, "q=autonomy")["suggestion"] is None


def test_partial_matches_are_marked_on_the_page_and_in_the_api(client):
    data = client.get("/api/search?q=autonomy+anthropomorphism&per_page=100").get_json()
    assert data["all_words"] is not None and data["all_words"] < data["total"]
    flags = [r["partial"] for r in data["results"]]
    assert flags == [False] * data["all_words"] + [True] * (data["total"] - data["all_words"])
    page = client.get("/search?q=autonomy+anthropomorphism").get_data(as_text=True)
    assert "Entries with some of the words" in page
    assert f"{data['all_words']} " in page and "every word" in page
    strict = client.get("/api/search?q=autonomy+AND+anthropomorphism").get_json()
    assert strict["all_words"] is None and strict["total"] == data["all_words"]
    assert "Entries with some of the words" not in client.get(
        "/search?q=autonomy+AND+anthropomorphism"
    ).get_data(as_text=True)
