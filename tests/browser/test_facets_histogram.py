"""In a real browser: every facet value found through the filter box (with JavaScript) or the
facet's own page (without), and the date histogram's labels on a phone."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from web_fixtures import build, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def short_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the test archive with two values per facet shown, so the rest need the box."""
    from webapp import create_app

    index = build(tmp_path_factory.mktemp("facets"))
    with serving(create_app({"INDEX": str(index), "FACET_SHOWN": 2}), threaded=True) as url:
        yield url


def test_filter_box_finds_a_value_and_chooses_it(page, short_server):
    page.goto(short_server + "/search?q=autonomy")
    box = page.get_by_label("Find an author")
    assert box.is_visible()
    before = page.locator("#facet-author .choices--first .choice").count()
    box.fill("QUIET")
    found = page.locator("#found-author .choice")
    found.first.wait_for()
    assert found.all_inner_texts() == [page.locator("#found-author .choice").first.inner_text()]
    assert "@quietharbor" in found.first.inner_text()
    assert not page.locator("#facet-author .choices--first").is_visible()
    found.first.locator("label").click()
    page.wait_for_url("**author=%40quietharbor*")
    page.locator("#results-title").wait_for()
    # chosen: checked in the panel, shown as a chip, and it stays listed whatever is typed
    page.locator("#found-author input:checked").wait_for()  # the box keeps its text
    chosen = page.locator("#facet-author input:checked + label >> visible=true")
    assert chosen.all_inner_texts() and "@quietharbor" in chosen.all_inner_texts()[0]
    assert chosen.count() == 1
    assert page.get_by_text("Remove filter author: @quietharbor").count() == 1
    page.get_by_label("Find an author").fill("wren")
    page.locator("#found-author .choice", has_text="@datawren").wait_for()
    listed = page.locator("#found-author .choice").all_inner_texts()
    assert "@quietharbor" in listed[0] and "@datawren" in listed[1]
    assert page.locator("#found-author input:checked").count() == 1
    # emptying the box brings the panel's own list back
    page.get_by_label("Find an author").fill("")
    page.locator("#facet-author .choices--first").wait_for()
    assert page.locator("#facet-author .choices--first .choice").count() >= before - 1
    assert page.problems == []


def test_order_by_name_lists_every_value_alphabetically(page, short_server):
    page.goto(short_server + "/search")
    page.select_option("#order-author", "name")
    items = page.locator("#found-author .choice .choice-label")
    items.first.wait_for()
    names = items.all_inner_texts()
    assert len(names) == 8 and names == sorted(names, key=str.casefold)
    assert page.problems == []


def test_without_javascript_the_facet_page_finds_and_chooses(nojs_page, short_server):
    page = nojs_page
    page.goto(short_server + "/search?q=autonomy")
    assert not page.get_by_label("Find an author").is_visible()
    page.locator("#facet-author .facet-all a").click()
    page.wait_for_url("**/facets/author?query=autonomy*")
    page.get_by_label("Find an author").fill("wren")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**q=wren*")
    choices = page.locator(".facet-apply .choice")
    assert choices.count() == 1 and "@datawren" in choices.first.inner_text()
    choices.first.locator("label").click()
    page.get_by_role("button", name="Apply to the search").click()
    page.wait_for_url("**/search?*author=%40datawren*")
    assert "q=autonomy" in page.url
    authors = page.locator(".hit .byline .author").all_inner_texts()
    assert authors and set(authors) == {"@datawren"}


def label_boxes(page) -> list[dict]:
    """Return the drawn extent of each histogram label a reader can see (its text, not its box)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.histogram .bar-label')].filter(el =>
              el.textContent.trim() && getComputedStyle(el).color !== 'rgba(0, 0, 0, 0)'
            ).map(el => { const r = document.createRange(); r.selectNodeContents(el);
                          const b = r.getBoundingClientRect();
                          return {text: el.textContent.trim(), left: b.left, right: b.right}; })"""
    )


@pytest.mark.parametrize(
    ("query", "unit", "name"),
    [
        ("", "year", "phone-histogram-years"),
        ("from=2025&to=2026", "month", "phone-histogram-months"),
        ("from=2025-10-01&to=2025-12-31", "day", "phone-histogram-days"),
    ],
)
def test_phone_histogram_labels_never_overlap(phone, live_server, screenshots, query, unit, name):
    phone.goto(live_server + "/search?" + query)
    figure = phone.locator("figure.timeline")
    figure.wait_for()
    assert phone.locator(f".histogram--{unit}").count() == 1
    boxes = label_boxes(phone)
    assert len(boxes) >= 2, boxes
    for a, b in itertools.pairwise(boxes):
        assert a["right"] <= b["left"], (a, b)
    # every bar is a link that narrows the dates to it
    first = phone.locator(".histogram .bar-item:not(.empty) .bar-link").first
    assert "from=" in first.get_attribute("href") and "to=" in first.get_attribute("href")
    figure.screenshot(path=str(screenshots / f"{name}.png"))
    assert phone.problems == []


@pytest.fixture(scope="module")
def commons_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the Commons (273 messages on three days), when the shared corpora are here."""
    from test_corpora import CORPORA, FIELDMAPS

    from indexer.build import build_index
    from webapp import create_app

    if CORPORA is None:
        pytest.skip("the shared corpora are not here (set PERSPECTIVES_CORPORA)")
    index = tmp_path_factory.mktemp("commons") / "index"
    build_index(CORPORA / "the-commons", index, full=True, fieldmap=FIELDMAPS / "the-commons.yaml")
    with serving(create_app({"INDEX": str(index)}), threaded=True) as url:
        yield url


def test_the_commons_shows_its_three_days_and_a_day_narrows_to_it(
    phone, commons_server, screenshots
):
    phone.goto(commons_server + "/")
    bars = phone.locator(".histogram--day .bar-link")
    assert bars.count() == 3
    boxes = label_boxes(phone)
    assert [b["text"] for b in boxes][:1] == ["12Feb 2026"]
    assert all(a["right"] <= b["left"] for a, b in itertools.pairwise(boxes))
    phone.locator("figure.timeline").screenshot(path=str(screenshots / "phone-commons-days.png"))
    title = bars.nth(1).get_attribute("title")
    assert title.startswith("13 February 2026: ")
    bars.nth(1).click()
    phone.wait_for_url("**from=2026-02-13&to=2026-02-13*")
    phone.locator("#results-title").wait_for()
    dates = phone.locator(".hit time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates and set(dates) == {"2026-02-13"}
    assert phone.locator("#results-title").inner_text().startswith(title.split(": ")[1].split()[0])
