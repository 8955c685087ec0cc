"""Suggestions while typing in a real browser: the search box as an ARIA 1.2 combobox (arrows,
Enter, Escape), debounced with no request storm, and a plain search form without JavaScript."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser


def suggestions(page) -> list[str]:
    return page.locator("#q-suggestions [role=option]").all_inner_texts()


def test_typing_offers_words_with_counts_then_themes_and_titles(page, live_server):
    asked = []
    page.on("request", lambda r: "/api/suggest" in r.url and asked.append(r.url))
    page.goto(live_server + "/")
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    box.press_sequentially("autono", delay=30)  # a reader typing: one request after the pause
    page.locator("#q-suggestions [role=option]").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == "q-suggestions"
    shown = [" ".join(t.split()) for t in suggestions(page)]
    assert shown[0] == "autonomy word 5 entries"
    assert "Autonomy theme 5 entries" in shown
    assert any(t.endswith("entry") and "Autonomy" in t for t in shown)  # a title
    assert len(asked) == 1 and parse_qs(urlparse(asked[0]).query)["q"] == ["autono"]
    assert page.locator("#q-suggest-status").inner_text() == f"{len(shown)} suggestions"
    assert page.problems == []


def test_arrows_and_enter_pick_a_word(page, live_server):
    page.goto(live_server + "/")
    box = page.locator("#q")
    box.press_sequentially("autono", delay=30)
    first = page.locator("#q-suggestions [role=option]").first
    first.wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-suggestion-0"
    assert first.get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    box.press("ArrowUp")
    assert box.get_attribute("aria-activedescendant") == "q-suggestion-0"
    assert box.evaluate("e => document.activeElement === e")  # focus stays in the box
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=autonomy(&|$)"))
    page.locator("#results-title").wait_for()
    assert box.input_value() == "autonomy"
    assert page.problems == []


def test_picking_a_theme_opens_its_page(page, live_server):
    page.goto(live_server + "/")
    page.locator("#q").press_sequentially("autono", delay=30)
    page.locator("#q-suggestions [role=option]", has_text="theme").first.click()
    page.wait_for_url(re.compile(r"/themes/autonomy$"))


def test_escape_closes_and_no_request_storm(page, live_server):
    asked = []
    page.on("request", lambda r: "/api/suggest" in r.url and asked.append(r.url))
    page.goto(live_server + "/")
    box = page.locator("#q")
    box.press_sequentially("anthropomorph", delay=10)  # fast typing: debounced
    page.locator("#q-suggestions [role=option]").first.wait_for()
    assert len(asked) <= 2
    box.press("Escape")
    assert page.locator("#q-suggestions").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.input_value() == "anthropomorph"  # the first Escape only closes the list
    before = len(asked)
    box.press("Backspace")
    box.type("h")  # back to a text already answered: no new request
    page.locator("#q-suggestions [role=option]").first.wait_for()
    assert len(asked) == before
    assert page.problems == []


def test_without_javascript_the_box_is_a_plain_search_form(nojs_page, live_server):
    nojs_page.goto(live_server + "/")
    box = nojs_page.locator("#q")
    assert box.get_attribute("role") is None
    box.fill("autonomy")
    box.press("Enter")
    nojs_page.wait_for_url(re.compile(r"/search\?q=autonomy"))
    assert nojs_page.locator("#results-title").inner_text().startswith("5 entries")
    assert nojs_page.locator("#q-suggestions").count() == 0
