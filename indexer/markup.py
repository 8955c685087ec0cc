"""One text pipeline: an entry's markdown parsed once, sanitised, and read both as HTML and as text.

Moving parts: cmark-gfm (GitHub Flavored Markdown, the dialect of the Hugo and Eleventy sites
the archives come from: tables, fenced code, footnotes, strikethrough, autolinks) renders, with
raw HTML kept; `nh3` sanitises it (raw HTML keeps its text but loses every script, style,
handler and non-web URL; `<script>`, `<style>` and `<template>` lose their contents too);
`_TextReader` walks the clean HTML once and keeps what a reader sees as words: paragraphs, list
items and table rows on lines of their own, table cells two spaces apart, an image's alt text,
a link's text, no footnote marks. The entry page, the indexed text and the snippets all come
from `render`. A body nested deeper than MAX_NESTING (lists, quotes, brackets) is taken as
plain paragraphs: a reader sees no structure in 10,000 nested list markers, and sanitising such
a tree costs more than it is worth.
"""

from __future__ import annotations

import ctypes
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from xml.etree.ElementTree import ParseError, XMLParser

import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

from indexer.slugs import decode_entities

# raw HTML kept (nh3 makes it safe), and taken as HTML as a browser would, broken quotes and all
_OPTIONS = (
    Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES | Options.CMARK_OPT_LIBERAL_HTML_TAG
)
# GitHub's "tagfilter" extension is left out on purpose: it escapes <style> and <script> into
# visible text, where the sanitiser drops them with their contents.
_EXTENSIONS = ["table", "strikethrough", "autolink", "tasklist"]

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = HEADINGS | {
    "p", "br", "hr", "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "caption",
    "div", "section", "article", "aside", "header", "footer", "figure", "figcaption",
    "details", "summary",
}  # fmt: skip
CELLS = {"td", "th"}
INLINE = {
    "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small", "code", "kbd",
    "q", "cite", "abbr", "mark", "span", "a", "img",
}  # fmt: skip
TAGS = BLOCKS | CELLS | INLINE
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope"},
    "img": {"alt"},  # no src: the page loads nothing from elsewhere; the text keeps the alt
}
HIDDEN = {"script", "style", "template", "iframe", "object", "noscript", "textarea", "title"}


def cleaner(tags: set[str], attributes: dict[str, set[str]]) -> nh3.Cleaner:
    """Return the sanitiser for body HTML keeping these tags and attributes (hidden content,
    URL schemes and link rel are the same everywhere)."""
    return nh3.Cleaner(
        tags=tags,
        clean_content_tags=HIDDEN,
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )


CLEANER = cleaner(TAGS, ATTRIBUTES)
MAX_NESTING = 60
_BLOCK_MARKERS = re.compile(r"^[ \t]*((?:(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*)+)", re.MULTILINE)
_MARKER = re.compile(r"[-*+>]|\d{1,9}[.)]")
_BRACKET = re.compile(r"[\[\]]")
# nesting() counts a line's markers plus half its prefix: past MAX_NESTING only with a prefix
# of more than 40 characters, or more than MAX_NESTING brackets.
_LONG_PREFIX = re.compile(r"(?m)^(?=[ \t]*(?:[-*+>]|\d))[-*+>.)\d \t]{41}")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Each pattern opens with its mark (so the scan skips ahead) and runs only when a cheap test
# says its mark is in the text at all.
_RULE_LINE = re.compile(r"(?m)^[-*_] ?[-*_] ?[-*_][-*_ ]*$\n?")
_RULE = re.compile(r"[-*_](?<!\S.) ?[-*_] ?[-*_](?:[-*_ ]*[-*_])?(?!\S) ?")
_LINE_MARKS = re.compile(r"(?m)^(?:(?:#{1,6}|>|[-*+])(?: |$)|>)+ *")
_CODE_STRONG = re.compile(r"\*\*+|__+|`+")
_EMPHASIS = re.compile(r"[*_](?<![\w*][*_])([^\W_](?:[^*_\n]*[^\s*_])?) ?[*_](?![\w*])")
_PIPES = re.compile(r" *\|(?: *:?-{3,}:? *\|)*(?: *\|)* *")
_EDGE_SPACES = re.compile(r"(?m)^ +| +$")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
_VOID = {"br", "hr", "img"}
_VOID_TAG = re.compile(r'(<(?:br|hr|img(?: alt="[^"]*")?))>')


@dataclass(frozen=True)
class Rendered:
    """An entry body as the page shows it (sanitised HTML) and as words (plain text)."""

    html: str
    text: str


def render(markdown: str) -> Rendered:
    """Parse markdown once; return its sanitised HTML and the plain text a reader sees in it."""
    clean = to_html(markdown)
    return Rendered(clean, html_text(clean))


def to_html(markdown: str) -> str:
    """Return the sanitised HTML of markdown (headings from h1, as the author wrote them)."""
    deep = markdown.count("[") > MAX_NESTING or _LONG_PREFIX.search(markdown)
    if deep and nesting(markdown) > MAX_NESTING:
        paragraphs = (p.strip() for p in re.split(r"\n[ \t]*\n", markdown))
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return CLEANER.clean(_cmark_html(markdown))


# cmarkgfm's own `markdown_to_html_with_extensions` frees neither the parsed tree nor the HTML
# string it returns (theacodes/cmarkgfm#53): a web worker grew 6 MB every 5,000 requests. The
# same steps here, with both freed (cmark's default allocator is libc's). Its C functions that
# the package's FFI does not declare are reached through ctypes.
_LIB = _cmark.lib
_FFI = _cmark.ffi
_SO = ctypes.CDLL(_cmark.__file__)
_SO.cmark_node_free.argtypes = [ctypes.c_void_p]
_LIBC = ctypes.CDLL(None)
_LIBC.free.argtypes = [ctypes.c_void_p]
_LIB.cmark_gfm_core_extensions_ensure_registered()
_SYNTAX = [_LIB.cmark_find_syntax_extension(name.encode()) for name in _EXTENSIONS]


def _cmark_html(markdown: str) -> str:
    """Render markdown with the GitHub extensions, freeing what cmark allocated."""
    parser = _LIB.cmark_parser_new(_OPTIONS)
    try:
        for extension in _SYNTAX:
            _LIB.cmark_parser_attach_syntax_extension(parser, extension)
        data = markdown.encode("utf-8")
        _LIB.cmark_parser_feed(parser, data, len(data))
        root = _LIB.cmark_parser_finish(parser)
        try:
            raw = _LIB.cmark_render_html(
                root, _OPTIONS, _LIB.cmark_parser_get_syntax_extensions(parser)
            )
            try:
                return _FFI.string(raw).decode("utf-8")
            finally:
                _LIBC.free(int(_FFI.cast("uintptr_t", raw)))
        finally:
            _SO.cmark_node_free(int(_FFI.cast("uintptr_t", root)))
    finally:
        _LIB.cmark_parser_free(parser)


def plain_text(markdown: str) -> str:
    """Return the readable text of a markdown body, for indexing and snippets."""
    return render(markdown).text


def html_text(clean: str) -> str:
    """Return the text a reader sees in sanitised HTML: blocks on lines, cells two spaces apart."""
    # nh3 writes HTML5 in one known way: every attribute quoted, only &nbsp; beyond XML's
    # entities, and void elements (br, hr, img) unclosed. Closed, it is XML that expat (C)
    # reads several times faster than html.parser; anything else takes the html.parser path.
    xml = _VOID_TAG.sub(r"\1/>", clean.replace("&nbsp;", "&#160;"))
    target = _Text()
    parser = XMLParser(target=target)
    try:
        parser.feed(f"<body>{xml}</body>")
        return parser.close()
    except ParseError:
        target = _Text()
        reader = _HTMLText(target)
        reader.feed(clean)
        reader.close()
        return target.close()


def nesting(text: str) -> int:
    """Return an upper bound of how deep the text's lists, quotes and brackets nest."""
    depth = max((len(_MARKER.findall(m[1])) + len(m[0]) // 2 for m in _BLOCK_MARKERS.finditer(text)),
                default=0)  # fmt: skip
    if depth > MAX_NESTING or text.count("[") <= MAX_NESTING:
        return depth
    level = 0
    for bracket in _BRACKET.finditer(text):
        level = level + 1 if bracket[0] == "[" else max(level - 1, 0)
        depth = max(depth, level)
    return depth


def _scrub(text: str) -> str:
    """Drop what the parser left as text but no reader means as words.

    Markdown inside a raw HTML block is not markdown (CommonMark), an unclosed `**` stays, and
    feeds escape entities twice: the page shows these as the source has them, the text does not.
    """
    if "&" in text and _ENTITY.search(text):
        text = _ENTITY.sub(" ", decode_entities(text))  # what is left is no entity at all
    if "- -" in text or "---" in text or "* *" in text or "***" in text or "__" in text:
        text = _RULE.sub("", _RULE_LINE.sub("", text))
    if "\n" in text or text[:1] in "#>-*+":
        text = _LINE_MARKS.sub("", text)
    if "**" in text or "__" in text or "`" in text:
        text = _CODE_STRONG.sub("", text)
    if "_" in text or "*" in text:
        text = _EMPHASIS.sub(r"\1", text)
    if "|" in text:
        text = _EDGE_SPACES.sub("", _PIPES.sub("  ", text))
    if "\n\n" in text or text[:1] == "\n" or text[-1:] == "\n":  # lines emptied above
        text = _BLANK_LINES.sub("\n", text).strip("\n")
    return text


class _Text:
    """Collect the text of sanitised HTML from its start tags, end tags and data, line by line."""

    def __init__(self) -> None:
        self.parts: list[str] = []  # of the current cell
        self.cells: list[str] = []  # finished cells of the current line
        self.lines: list[str] = []
        self.skip = 0  # inside a footnote mark or back-link: a number or an arrow, not words
        self.pre = 0  # inside <pre>: a code block is shown on the page, not read as words

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in BLOCKS:
            if self.parts or self.cells:
                self._line()
            self.pre += tag == "pre"
        elif tag in CELLS:
            self._cell()
        elif tag == "img" and attrs.get("alt"):
            self.parts.append(f" {attrs['alt']} ")
        elif tag == "a" and attrs.get("href", "").startswith(("#fn-", "#fnref-")):
            self.skip += 1

    def end(self, tag: str) -> None:
        if tag in BLOCKS:
            if self.parts or self.cells:
                self._line()
            self.pre -= tag == "pre" and self.pre > 0
        elif tag in CELLS:
            self._cell()
        elif tag == "a" and self.skip:
            self.skip -= 1

    def data(self, data: str) -> None:
        # the line breaks between block tags open no words: leave the cell empty
        if not self.skip and not self.pre and (self.parts or not data.isspace()):
            self.parts.append(data)

    def close(self) -> str:
        self._line()
        return _scrub("\n".join(self.lines))

    def _cell(self) -> None:
        if not self.parts:
            return
        words = "".join(self.parts).split()
        if words:
            self.cells.append(" ".join(words))
        self.parts.clear()

    def _line(self) -> None:
        if self.parts:
            self._cell()
        if self.cells:
            self.lines.append("  ".join(self.cells))
            self.cells.clear()


class _HTMLText(HTMLParser):
    """Feed any HTML to a _Text, tag by tag (the slower path, for what expat refuses)."""

    def __init__(self, text: _Text) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.text.start(tag, {k: v or "" for k, v in attrs})
        if tag in _VOID:
            self.text.end(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID:
            self.text.end(tag)

    def handle_data(self, data: str) -> None:
        self.text.data(data)
