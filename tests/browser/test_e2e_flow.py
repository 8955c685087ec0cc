"""The reader's flow in a real browser, with JavaScript and without: search, refine, open, follow,
export. Screenshots of the main pages go to tests/screenshots/ and must not be blank."""

from __future__ import annotations

import base64
import csv
import io
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def counts(page) -> list[str]:
    """Return the facet panel's counts, in order."""
    return page.locator(".facet .choice .count").all_inner_texts()


def total(page) -> int:
    text = page.locator("#results-title").inner_text()
    match = re.match(r"([\d,]+) entr", text)
    return int(match[1].replace(",", "")) if match else 0


def apply_filters(page, js: bool) -> None:
    if not js:
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_load_state()


def tick(page, facet: str, label: str, js: bool) -> None:
    before = page.url
    page.locator(f"#facet-{facet} label", has_text=label).first.click()
    if js:
        page.wait_for_function("u => location.href !== u", arg=before)
        page.wait_for_load_state()
    apply_filters(page, js)
    page.locator(f"#facet-{facet} input:checked + label", has_text=label).first.wait_for()


def distinct_colours(browser, png: bytes) -> int:
    """Count the distinct colours of an image (sampled), using the browser's own canvas."""
    context = browser.new_context()
    page = context.new_page()
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    n = page.evaluate(
        """async (src) => {
        const img = new Image(); img.src = src; await img.decode();
        const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data; const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i+1] << 8) | d[i+2]);
        return seen.size; }""",
        src,
    )
    context.close()
    return n


def shoot(page, browser, folder: Path, name: str, full: bool = True) -> None:
    """Save a screenshot and check the page is not blank: text present, many colours."""
    png = page.screenshot(path=str(folder / f"{name}.png"), full_page=full)
    assert len(page.locator("body").inner_text().strip()) > 200, name
    assert distinct_colours(browser, png) > 40, f"{name}.png looks blank"


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_search_refine_open_follow_export(request, browser, live_server, screenshots, tmp_path, js):
    page = request.getfixturevalue("page" if js else "nojs_page")
    suffix = "" if js else "-nojs"
    page.goto(live_server + "/")
    shoot(page, browser, screenshots, "home" + suffix)

    # type "autonomy": highlighted results
    page.get_by_label("Search the archive").fill("autonomy")
    page.get_by_label("Search the archive").press("Enter")
    page.wait_for_url("**q=autonomy*")
    page.locator("#results-title", has_text="autonomy").wait_for()
    assert page.locator(".hit mark").count() > 0
    first_total = total(page)
    assert first_total == 5  # as /api/search?q=autonomy counts them (tests/web/test_web_search.py)
    shoot(page, browser, screenshots, "search" + suffix)

    # tick a theme, then an author: the counts change each time
    start = counts(page)
    tick(page, "theme", "Transparency", js)
    after_theme = counts(page)
    assert after_theme != start and total(page) < first_total
    tick(page, "author", "@datawren", js)
    assert counts(page) != after_theme
    assert "theme=transparency" in page.url and "author=%40datawren" in page.url
    assert page.get_by_text("Remove filter theme: Transparency").count() == 1

    # remove the theme again, one chip at a time; then set a date range
    page.get_by_role("link", name="Remove filter theme: Transparency").click()
    page.wait_for_function("() => !location.search.includes('theme=')")
    page.locator("#results-title").wait_for()
    page.fill("#from", "2024")
    page.fill("#to", "2024-12")
    if js:
        page.press("#to", "Enter")
    else:
        page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**to=2024-12*")
    page.locator(".chip", has_text="2024-12").wait_for()
    dates = page.locator(".hit time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates and all("2024-01-01" <= d <= "2024-12-31" for d in dates)
    shoot(page, browser, screenshots, "search-filtered" + suffix)

    # the histogram narrows the range with plain links
    page.get_by_role("link", name="All dates").click()
    page.wait_for_function("() => !location.search.includes('from=')")
    page.locator(".chip").first.wait_for()

    # open an entry: highlighted words, related entries; follow one
    page.locator(".hit-title a").first.click()
    page.wait_for_url("**/entries/**")
    assert page.locator(".entry-body mark, #entry-title mark").count() > 0
    related = page.locator(".related .related-title")
    assert related.count() > 0
    assert page.locator(".related .word").count() > 0
    shoot(page, browser, screenshots, "entry" + suffix)
    target = related.first.get_attribute("href")
    related.first.click()
    page.wait_for_url("**" + target)
    assert page.locator("#entry-title").inner_text()

    # export CSV of the whole filtered set
    page.goto(live_server + "/search?q=autonomy&per_page=2")
    expected = total(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV download").click()
    path = tmp_path / "export.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == expected > 2
    assert {r["query"] for r in rows} == {"autonomy"}
    assert page.problems == [], page.problems  # no script errors, no CSP violations


def test_browsing_pages_and_errors_look_finished(page, browser, live_server, screenshots):
    for name, path in [
        ("themes", "/themes"),
        ("theme", "/themes/autonomy"),
        ("authors", "/authors"),
        ("sections", "/sections"),
        ("empty", "/search?q=zzzqqq&theme=autonomy"),
        ("error-400", "/search?from=2025-13-45"),
        ("error-404", "/entries/nope"),
    ]:
        resp = page.goto(live_server + path)
        assert resp.status in (200, 400, 404)
        shoot(page, browser, screenshots, name)
    # the error pages' own 400 and 404 are logged by the browser; nothing else may be
    expected = [m for m in page.problems if "status of 400" in m or "status of 404" in m]
    assert len(expected) == 2 and len(page.problems) == 2, page.problems


def test_phone_layout_has_no_sideways_scroll(phone, browser, live_server, screenshots):
    for name, path in [
        ("phone-search", "/search?q=autonomy"),
        ("phone-entry", None),
        ("phone-themes", "/themes"),
    ]:
        if path is None:
            phone.locator(".hit-title a").first.click()
            phone.wait_for_url("**/entries/**")
        else:
            phone.goto(live_server + path)
        # a phone widens its layout viewport to fit wide content: compare with the device
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (name, width)
        shoot(phone, browser, screenshots, name)


def test_keyboard_reaches_search_and_filters(page, live_server):
    page.goto(live_server + "/search?q=autonomy")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    box = page.locator("#facet-theme input").first
    box.focus()
    page.keyboard.press("Space")
    page.wait_for_url("**theme=*")
    # focus stays on the ticked box after the page updates in place
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.type === 'checkbox'"
    )
    assert page.evaluate("document.activeElement.checked")


def test_back_button_restores_each_state(page, live_server):
    page.goto(live_server + "/search?q=autonomy")
    first = total(page)
    page.locator("#facet-theme label", has_text="Transparency").click()
    page.wait_for_url("**theme=transparency*")
    page.locator("#facet-theme input:checked").first.wait_for()
    page.go_back()
    page.wait_for_function("() => !location.search.includes('theme=')")
    page.wait_for_function(
        f"() => document.querySelector('#results-title').textContent.includes('{first} entries')"
    )
    assert page.locator("#facet-theme input:checked").count() == 0
