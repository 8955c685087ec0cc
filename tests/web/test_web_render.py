"""Markdown to safe HTML, with the query's words marked in text only."""

from __future__ import annotations

import re

import pytest
from web_fixtures import assert_inert

from webapp.render import body_html, marked, snippet_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<form action=javascript:alert(1)><button>x</button></form>",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("q", ["", "x alert script"])
def test_hostile_markdown_is_inert(text, q):
    assert_inert(str(body_html(text, q)))


def test_markdown_renders_and_headings_start_below_the_page_title():
    out = str(body_html("# Top\n\n**bold** and [a link](https://example.org)\n\n1. one\n2. two"))
    assert "<h2>Top</h2>" in out and "<strong>bold</strong>" in out and "<ol>" in out
    assert 'href="https://example.org"' in out and 'rel="nofollow noopener noreferrer"' in out


@pytest.mark.parametrize(
    "text, levels",
    [
        ("## A\n\n### B\n\n## C", [2, 3, 2]),
        ("### A\n\n#### B", [2, 3]),
        ("# A\n\n### B\n\n###### C\n\n## D", [2, 3, 4, 3]),
        ("#### A\n\n## B\n\n#### C", [2, 2, 3]),
    ],
)
def test_body_headings_start_at_h2_and_never_skip_a_level(text, levels):
    out = str(body_html(text))
    assert [int(n) for n in re.findall(r"<h(\d)>", out)] == levels
    assert [int(n) for n in re.findall(r"</h(\d)>", out)] == levels


def test_marks_words_in_text_not_in_attributes():
    out = str(body_html("[autonomy](https://example.org/autonomy) is *autonomy*", "autonomy"))
    assert 'href="https://example.org/autonomy"' in out
    assert "<em><mark>autonomy</mark></em>" in out
    assert out.count("<mark>") == 2


def test_marked_escapes_plain_text():
    assert str(marked("<b>Autonomy</b>", "autonomy")) == "&lt;b&gt;<mark>Autonomy</mark>&lt;/b&gt;"
    assert str(marked("<b>x</b>")) == "&lt;b&gt;x&lt;/b&gt;"


def test_snippets_keep_only_marks():
    out = str(snippet_html("a <mark>b</mark> &lt;i&gt; <script>x</script><img src=x onerror=1>"))
    assert out == "a <mark>b</mark> &lt;i&gt; "


@pytest.mark.parametrize(
    "text",
    [
        "- " * 10_000 + "deepest",  # 10,000 nested list items on one line
        "".join("  " * i + "- item\n" for i in range(1_000)),  # nested by indentation
        ">" * 10_000 + " quoted",
        "[" * 10_000 + "x" + "](y)" * 10_000,  # was 20 s in Python-Markdown
    ],
    ids=["list-markers", "list-indents", "quotes", "brackets"],
)
def test_deeply_nested_markdown_renders_as_text_quickly(text):
    import time

    started = time.perf_counter()
    out = str(body_html(text, "deepest item"))
    assert time.perf_counter() - started < 5
    assert out.startswith("<p>") and "<ul>" not in out
    assert_inert(out)


def test_ordinary_nesting_and_rules_still_render_as_markdown():
    out = str(body_html("- a\n    - b\n        - c\n\n" + "-" * 80 + "\n\n> > quoted"))
    assert out.count("<ul>") == 3 and "<hr>" in out and "<blockquote>" in out
