"""CJK text in a real browser: a Japanese entry and a mixed result page render their characters
(Debian's fonts-noto-cjk), not boxes, and declare each entry's language. Screenshots go to
tests/screenshots/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixture_archive import write_archive
from test_e2e_flow import shoot
from web_fixtures import serving

from indexer.build import build_index

LANGUAGES = Path(__file__).resolve().parents[1] / "fixtures" / "languages"

# Draw two different characters in the element's own font: where the font has no glyphs, both
# are the same box (tofu) and the pixels are equal.
SAME_AS_TOFU = """(el) => {
  const font = getComputedStyle(el).fontSize + ' ' + getComputedStyle(el).fontFamily;
  const draw = (ch) => { const c = document.createElement('canvas'); c.width = c.height = 64;
    const x = c.getContext('2d'); x.font = font; x.fillText(ch, 4, 48);
    return Array.from(x.getImageData(0, 0, 64, 64).data).join(','); };
  return draw('利') === draw('者') || draw('利') === draw('\\u{10FFFD}');
}"""


@pytest.fixture(scope="module")
def multilingual_server(tmp_path_factory):
    from webapp import create_app

    base = tmp_path_factory.mktemp("languages-browser")
    archive = write_archive(base / "archive")
    shutil.copytree(LANGUAGES, archive / "languages")
    assert build_index(archive, base / "index", full=True).problems == []
    with serving(create_app({"INDEX": str(base / "index")}), threaded=True) as url:
        yield url


def test_japanese_entry_shows_its_characters(page, browser, multilingual_server, screenshots):
    page.goto(f"{multilingual_server}/entries/ja-henko?q=利用者")
    title = page.locator("h1#entry-title")
    assert title.get_attribute("lang") == "ja"
    assert page.locator(".entry-body").get_attribute("lang") == "ja"
    assert not page.evaluate(SAME_AS_TOFU, title.element_handle())
    assert not page.evaluate(SAME_AS_TOFU, page.locator(".entry-body p").first.element_handle())
    assert page.locator(".entry-body mark").first.inner_text() == "利用者"
    shoot(page, browser, screenshots, "entry-japanese")
    assert not page.problems


def test_mixed_results_show_every_script(page, browser, multilingual_server, screenshots):
    page.goto(f"{multilingual_server}/search?q=模型+変更+Entscheidungen+model")
    langs = set(page.locator(".hit .snippet").evaluate_all("els => els.map(e => e.lang)"))
    assert {"ja", "zh", "de", "en"} <= langs
    for lang in ("ja", "zh"):
        snippet = page.locator(f".hit .snippet[lang={lang}]").first
        assert not page.evaluate(SAME_AS_TOFU, snippet.element_handle()), lang
    facet = page.get_by_text("Japanese", exact=False).first
    assert facet.is_visible()
    shoot(page, browser, screenshots, "search-multilingual")
    assert not page.problems


MULTILINGUAL_PAGES = {
    "entry-ja": "/entries/ja-henko?q=利用者",
    "entry-zh": "/entries/zh-xuanze",
    "entry-de": "/entries/de-entscheidung?q=Entscheidungen",
    "search-mixed": "/search?q=模型+変更+Entscheidungen+model",
    "search-language": "/search?language=ja&language=de",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_multilingual_pages(browser, multilingual_server, scheme):
    from test_audits import AXE, VIEWPORTS, _describe, _tool

    source = _tool(AXE, "axe-core").read_text(encoding="utf-8")
    found = {}
    for width in VIEWPORTS:
        context = browser.new_context(color_scheme=scheme, bypass_csp=True, **VIEWPORTS[width])
        page = context.new_page()
        try:
            for name, path in MULTILINGUAL_PAGES.items():
                page.goto(multilingual_server + path)
                page.wait_for_load_state("load")
                page.add_script_tag(content=source)
                result = page.evaluate(
                    "() => axe.run(document, {resultTypes: ['violations']})"
                    ".then(r => ({violations: r.violations}))"
                )
                if result["violations"]:
                    found[f"{name} {width}"] = _describe(result["violations"])
        finally:
            context.close()
    assert found == {}, found


def test_vnu_finds_no_error_on_multilingual_pages(multilingual_server, tmp_path):
    import json
    import shutil as sh
    import subprocess
    import urllib.parse
    import urllib.request

    from test_audits import VNU, _tool

    jar = _tool(VNU, "vnu-jar")
    java = sh.which("java")
    if not java:
        pytest.skip("java is missing (apt-get install default-jre-headless)")
    files = []
    for name, path in MULTILINGUAL_PAGES.items():
        url = multilingual_server + urllib.parse.quote(path, safe="/?=&+")
        with urllib.request.urlopen(url, timeout=30) as resp:
            (tmp_path / f"{name}.html").write_bytes(resp.read())
        files.append(str(tmp_path / f"{name}.html"))
    run = subprocess.run(
        [java, "-jar", str(jar), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    errors = [
        f"{m.get('url', '')}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(run.stderr)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []
