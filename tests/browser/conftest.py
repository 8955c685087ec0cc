"""End-to-end fixtures: the real app on a free local port, driven by Debian's Chromium through
Playwright's sync API. Never `playwright install`: the browser is /usr/bin/chromium.

Browser tests skip when /usr/bin/chromium is missing, unless PERSPECTIVES_REQUIRE_BROWSER is set
(as CI sets it): then they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_fixtures import REPOST, build, serving

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("PERSPECTIVES_REQUIRE_BROWSER"):
            pytest.fail(
                f"{CHROMIUM} is missing and PERSPECTIVES_REQUIRE_BROWSER is set "
                "(apt-get install chromium)"
            )
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from webapp import create_app

    index = build(tmp_path_factory.mktemp("browser"))
    with serving(create_app({"INDEX": str(index)}), threaded=True) as url:
        yield url


@pytest.fixture(scope="session")
def discovery_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same archive with a repost: an entry page with possible duplicates (issue 11)."""
    from webapp import create_app

    index = build(tmp_path_factory.mktemp("discovery"), REPOST)
    with serving(create_app({"INDEX": str(index), "SUGGEST_THEMES": True}), threaded=True) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        yield b
        b.close()


def _context(browser, **options):
    context = browser.new_context(
        accept_downloads=True, viewport={"width": 1280, "height": 900}, **options
    )
    context.set_default_timeout(30_000)  # generous: CI machines are shared and noisy
    return context


@pytest.fixture
def page(browser):
    context = _context(browser)
    yield _watched(context.new_page())
    context.close()


@pytest.fixture
def nojs_page(browser):
    context = _context(browser, java_script_enabled=False)
    yield _watched(context.new_page())
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield _watched(context.new_page())
    context.close()


def _watched(page):
    """Record console errors and CSP violations on the page (page.problems)."""
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    return page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
