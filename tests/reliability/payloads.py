"""Entries whose every field carries script, HTML or spreadsheet-formula payloads, and a strict
check that markup is inert. Added to the web app's fixture archive (web_fixtures) by conftest.

Each payload entry puts one payload at the start of its title, author, section, note, themes
and source, and in its body as text, raw HTML and a link; a compiled page carries them in its
headings, bylines, links and notes. `assert_strictly_inert` fails on any element or attribute
that could run, load or restyle anything.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml

PAYLOADS = (
    '<script>alert("p0")</script>',
    '"><img src=x onerror=alert("p1")>',
    "'><svg/onload=alert('p2')>",
    "javascript:alert('p3')",
    "</title></textarea></noscript><script>alert('p4')</script>",
    "]]><script>alert('p5')</script><![CDATA[",
    "{{ config }}{% raw %}${7*7}#{7*7}",
    "&lt;script&gt;alert('p7')&lt;/script&gt; &#60;b&#62;",
    '=HYPERLINK("http://evil.example","p8")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\\input{/etc/passwd} \\url{javascript:p12} }{",
    "<style>body{display:none}</style><b style=\"color:red\" onmouseover=alert('p13')>b</b>",
    '<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="x">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="http://evil/">',
    '\u202egnp.exe \ufeff zero\u200bwidth <a href="data:text/html,<script>alert(1)</script>">d</a>',
    "\tTAB=1+1",
    "\r=1+1 carriage",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TOKEN = "zqpayload"  # a word every payload entry's body holds, to find them all


def payload_id(k: int) -> str:
    return f"payload-{k:02d}"


def entry_file(k: int, payload: str) -> str:
    """Return an entry file with the payload in every field."""
    fields = {
        "id": payload_id(k),
        "title": f"{payload} title {k}",
        "author": f"{payload}author{k}",
        "date": f"2025-0{1 + k % 9}-1{k % 10}",
        "section": f"{payload} section {k}: the heading {payload}",
        "source": payload if k % 2 else f"{payload} https://example.org/{k}",
        "note": f"{payload} note {k}",
        "themes": [f"{payload} theme {k}", "autonomy"],
    }
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000)
    body = (
        f"{TOKEN} autonomy {k}\n\n{payload} text\n\n"  # the token first: a payload may hide what follows
        f"Raw: {payload}\n\n"
        f'[a link]({payload.replace(")", "%29")}) and <a href="{payload}">another</a>\n\n'
        f"![an image]({payload}) `{payload}`\n"
    )
    return f"---\n{front}---\n{body}"


def compiled_page() -> str:
    """Return a compiled page whose headings, bylines, links and notes carry payloads."""
    blocks = []
    for k, payload in enumerate(PAYLOADS[:8]):
        blocks.append(
            f"### {payload} compiled {k}\n*@{payload.replace(',', ';')}c{k}, December {k + 1}, 2025*\n\n"
            f"{payload} compiled body {TOKEN} {k}\n\n[Link to it](javascript:alert({k}))\n\n"
            f"*{payload} closing note {k}*\n"
        )
    return (
        '---\ntitle: "Hostile compiled page"\n---\n\nIntro.\n\n---\n\n'
        f"## {PAYLOADS[0]} Section: {PAYLOADS[1]}\n\n" + "\n".join(blocks)
    )


def write_payloads(archive: Path) -> int:
    """Add the payload entries and the hostile compiled page to an archive; return how many."""
    folder = archive / "payloads"
    folder.mkdir(parents=True, exist_ok=True)
    for k, payload in enumerate(PAYLOADS):
        (folder / f"payload-{k:02d}.md").write_text(entry_file(k, payload), encoding="utf-8")
    (folder / "hostile-compiled.md").write_text(compiled_page(), encoding="utf-8")
    return len(PAYLOADS) + 8


# -- checking markup ------------------------------------------------------------------------------

FORBIDDEN_TAGS = {"img", "svg", "math", "iframe", "frame", "frameset", "object", "embed",
                  "applet", "base", "style", "form_injected", "audio", "video", "source"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}
APP_SCRIPT = re.compile(r"^/static/(app|suggest)\.js(\?v=\w+)?$")  # the app's own scripts only


class StrictChecker(HTMLParser):
    """Collect every element or attribute that could run script, load or restyle anything."""

    def __init__(self, allowed_tags: set[str] | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.allowed is not None and tag not in self.allowed:
            self.problems.append(f"<{tag}> is not allowed here")
        if tag in FORBIDDEN_TAGS and not _sparkline(tag, values):
            self.problems.append(f"<{tag}>")
        if tag == "script" and not APP_SCRIPT.match(values.get("src") or ""):
            self.problems.append(f"<script src={values.get('src')!r}>")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append("<meta http-equiv>")
        if tag == "link" and values.get("rel") not in (
            "stylesheet",
            "icon",
            "alternate",
            "canonical",
        ):
            self.problems.append(f"<link rel={values.get('rel')!r}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and value and not _safe_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")


# The SVG the app writes: /themes' timelines (these attributes and one path of steps, no more),
# and the theme trend charts and their legend keys (these attributes; paths are not forbidden).
SPARKLINE_ATTRIBUTES = {"class", "viewbox", "preserveaspectratio", "role", "aria-label"}
SPARKLINE_PATH = re.compile(r"^M0 20[hV\d]*V20Z$")
TREND_ATTRIBUTES = {
    "trend-chart": {"class", "viewbox", "role", "aria-labelledby"},
    "trend-key": {"class", "viewbox", "aria-hidden"},
}


def _sparkline(tag: str, values: dict[str, str | None]) -> bool:
    """Tell whether an element is a sparkline's or a trend chart's <svg>, or a sparkline's
    <path>, as the app writes them."""
    if tag == "svg":
        trend = TREND_ATTRIBUTES.get(values.get("class") or "")
        if trend is not None:
            return set(values) <= trend
        return values.get("class") == "sparkline" and set(values) <= SPARKLINE_ATTRIBUTES
    return tag == "path" and set(values) == {"d"} and bool(SPARKLINE_PATH.match(values["d"] or ""))


def _safe_url(url: str) -> bool:
    """Tell whether a URL in markup is relative or http(s)/mailto: nothing that runs."""
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    return scheme is None or scheme[1].lower() in ("http", "https", "mailto")


def assert_strictly_inert(
    markup: str, allowed_tags: set[str] | None = None, where: str = ""
) -> None:
    checker = StrictChecker(allowed_tags)
    checker.feed(markup)
    checker.close()
    assert checker.problems == [], (where, checker.problems[:10])
