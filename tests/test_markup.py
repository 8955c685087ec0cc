"""The one text pipeline: markdown parsed once, the page's HTML and the indexed text from it."""

from __future__ import annotations

import pytest

from indexer.markup import Rendered, plain_text, render
from indexer.slugs import clean_line


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        # a table: a row per line, cells two spaces apart, no pipes or rules
        (
            "| Name | Role |\n|------|:----:|\n| cell one | cell two |\n| Ada | _lead_ |",
            "Name  Role\ncell one  cell two\nAda  lead",
        ),
        # a fenced code block is shown on the page, not read as words (nor inline code's marks)
        ("Before\n\n```python\nx = 1\nif x:\n    y = 2\n```\n\nAfter `f(x)`", "Before\nAfter f(x)"),
        # a footnote: its text at the end, no number glued to the word, no back-arrow
        ("A claim[^1] here.\n\n[^1]: The source of it.", "A claim here.\nThe source of it."),
        # entities, named and numbered, once or twice escaped
        (
            "The Data Briefing&#58; Interior&#39;s &mdash; they&#8217;ve &amp;mdash; AT&T",
            "The Data Briefing: Interior's — they’ve — AT&T",
        ),
        # a style sheet, a script and a template are never text
        (
            (
                "<style>\ntable { font-size: 1rem; }\n</style>\n\nText <script>alert(1)</script>"
                "<template><p>hidden</p></template> stays"
            ),
            "Text stays",
        ),
        # nested emphasis and strikethrough lose their markers, not their words
        (
            "**bold _and italic_ words** and ~~gone~~ `code` __strong__",
            "bold and italic words and gone code strong",
        ),
        # an image gives its alt text, a link its text, an autolink its address
        (
            "See ![A chart of visits](chart.png) and [the report](https://example.org/r) at https://example.org",
            "See A chart of visits and the report at https://example.org",
        ),
        # raw HTML: block elements are lines of their own, inline ones join words
        (
            '<div class="x">one</div><div>two<span>three</span></div>\n\n<p>four<br>five</p>',
            "one\ntwothree\nfour\nfive",
        ),
        # headings, quotes, lists and rules: one line each, no markers
        (
            "# Title\n\n> quoted *words*\n\n- one\n- two\n  1. nested\n\n---\n\n1) first",
            "Title\nquoted words\none\ntwo\nnested\nfirst",
        ),
        # HTML comments and stray entities in raw HTML
        ("<!-- note to self -->Kept&nbsp;words &lt;tag&gt;", "Kept words <tag>"),
        # markdown a raw HTML block keeps as text (CommonMark), and an entity that is none
        (
            "<div>\n## Not a heading\n**not bold** and _not em_\n| a | b |\n* * *\n</div>\n\nA&mndash;B",
            "Not a heading not bold and not em  a  b\nA B",
        ),
    ],
    ids=[
        "table",
        "fenced-code",
        "footnote",
        "entities",
        "style-script",
        "emphasis",
        "image-link",
        "raw-html",
        "blocks",
        "comment",
        "leftovers",
    ],
)
def test_plain_text(markdown: str, text: str) -> None:
    assert plain_text(markdown) == text


def test_render_gives_the_page_html_and_the_text_of_one_parse() -> None:
    out = render(
        "# Top\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<style>p{}</style>\n\n[x](javascript:alert(1))"
    )
    assert isinstance(out, Rendered)
    assert out.html == (
        "<h1>Top</h1>\n<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n"
        '<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n\n<p><a rel="nofollow noopener '
        'noreferrer">x</a></p>\n'
    )
    assert out.text == "Top\na  b\n1  2\nx"


def test_deeply_nested_markdown_is_plain_paragraphs() -> None:
    out = render("- " * 10_000 + "deepest\n\nnext")
    assert out.html.startswith("<p>- - ") and "<ul>" not in out.html
    assert out.text.endswith("deepest\nnext")


def test_a_tag_with_broken_quotes_is_html_as_a_browser_reads_it() -> None:
    # digitalgov-news: an <img> whose alt holds unescaped quotes is a tag, not text to show
    markdown = 'Before.\n\n<img src="x.jpg" alt="An app’s "New" screen" align="right">This year'
    assert plain_text(markdown) == "Before.\nAn app’s This year"


def test_html_that_is_not_xml_still_reads() -> None:
    # a form feed is no XML character: the html.parser path reads it
    assert plain_text("one\x0ctwo\n\n| a | b |\n|---|---|\n| c | d |") == "one two\na  b\nc  d"


@pytest.mark.parametrize(
    ("field", "clean"),
    [
        ("The Data Briefing&#58; Open", "The Data Briefing: Open"),
        ("Interior&#39;s  new\n site", "Interior's new site"),
        ("&amp;mdash; twice", "— twice"),
        ("AT&T & friends", "AT&T & friends"),
    ],
)
def test_short_fields_are_decoded(field: str, clean: str) -> None:
    assert clean_line(field) == clean
