"""In a real browser, with JavaScript on and off: a theme page's trend chart and the chart that
compares themes are drawn, sized and screenshotted, and axe finds nothing wrong with them.
(The Nu HTML checker reads the same pages in test_audits.py.)"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from test_audits import AXE, _axe, _tool

pytestmark = pytest.mark.browser

PAGES = {
    "theme": "/themes/autonomy",
    "compare": "/trends?theme=autonomy&theme=deprecation&theme=transparency",
}
PNG = b"\x89PNG\r\n\x1a\n"


def _check_chart(page, url: str, shot: Path) -> None:
    page.goto(url)
    chart = page.locator("svg.trend-chart")
    assert chart.count() == 1 and chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 100, box
    # every theme's line and markers take room, and its legend key is shown
    sizes = page.eval_on_selector_all(
        ".trend-chart .trend-line", "gs => gs.map(g => g.getBBox()).map(b => b.width * b.height)"
    )
    assert sizes and all(n > 0 for n in sizes), sizes
    assert page.locator(".trend-legend li").count() == len(sizes)
    summary = page.locator("svg.trend-chart title").text_content() or ""
    assert summary.startswith("Share of all entries per month")
    # the table is there without a script: open it and read a row
    page.locator(".trend-table summary").click()
    assert page.locator(".trend-table tbody tr").first.is_visible()
    page.locator("figure.trend").screenshot(path=str(shot))
    if os.environ.get("PERSPECTIVES_KEEP_SCREENSHOTS"):  # to look at them
        shutil.copy(shot, os.environ["PERSPECTIVES_KEEP_SCREENSHOTS"])
    data = shot.read_bytes()
    assert data.startswith(PNG) and len(data) > 2000


@pytest.mark.parametrize("name", list(PAGES))
def test_trend_charts_render_with_javascript(page, live_server, tmp_path, name):
    _check_chart(page, live_server + PAGES[name], tmp_path / f"trend-{name}-js.png")
    assert page.problems == []


@pytest.mark.parametrize("name", list(PAGES))
def test_trend_charts_render_without_javascript(nojs_page, live_server, tmp_path, name):
    _check_chart(nojs_page, live_server + PAGES[name], tmp_path / f"trend-{name}-nojs.png")
    assert nojs_page.problems == []


def test_compare_form_works_without_javascript(nojs_page, live_server):
    page = nojs_page
    page.goto(live_server + "/themes")
    page.get_by_role("link", name="Compare themes over time").click()
    page.wait_for_url("**/trends?theme=*")
    assert page.locator(".trend-legend li").count() == 3  # the three themes with most entries
    page.get_by_role("checkbox", name=re.compile("^Deprecation")).check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**theme=deprecation*")
    assert page.locator(".trend-legend li").count() == 4
    assert page.locator(".trend-legend li", has_text="Deprecation").count() == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_trend_pages(browser, live_server, scheme):
    source = _tool(AXE, "axe-core").read_text(encoding="utf-8")
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        for name, path in PAGES.items():
            page.goto(live_server + path)
            page.locator(".trend-table summary").click()  # the table open, too
            _axe(page, source, name, found)
    finally:
        context.close()
    assert found == {}, found
