"""The web app's test archive and helpers that check HTML is inert. Shared by tests/web,
tests/browser and tests/reliability.

The archive is the core's (tests/fixture_archive.py) with WEB_ENTRIES layered on it: a hostile
entry, a formula, two more stories; REPOST is added by the discovery fixtures only. Its taxonomy
is THEMES, five short themes whose names and terms the web tests pin (the bundled taxonomy's
seventeen would make every theme list and chart in them long)."""

from __future__ import annotations

import contextlib
import html
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fixture_archive import ENTRIES, SEED_ENTRIES
from fixture_archive import write_archive as write_core_archive

from indexer.build import build_index

THEMES = """\
autonomy:
  label: Autonomy
  description: The right of users to choose, and to be respected in their choices.
  terms: [autonomy, autonomous, right to choose, self-determination]
accountability:
  label: Accountability
  description: Holding companies and their leaders answerable for their decisions.
  terms: [accountable, accountability, step down, leadership]
anthropomorphism:
  label: Anthropomorphism
  description: Describing models in human terms, and whether that helps understanding.
  terms: [anthropomorphism, anthropomorphic, humanlike]
deprecation:
  label: Deprecation
  description: Retiring models that people relied on.
  terms: [deprecation, deprecate, retire, retired]
transparency:
  label: Transparency
  description: Knowing what a product does and why.
  terms: [transparency, transparent, undisclosed]
"""

HOSTILE_ID = "hostile-entry"
HOSTILE_TITLE = '<script>alert("title")</script> Autonomy under attack <img src=x onerror=alert(1)>'
HOSTILE_AUTHOR = "@<img src=x onerror=alert(2)>"

# Web-only entries: markup and formulas in every field, more stories about autonomy.
WEB_ENTRIES = {
    "the-stories/autonomy-is-not-a-setting.md": """---
title: "Autonomy Is Not a Setting"
author: "@quietharbor"
date: 2025-11-02
section: "The Stories: Living With a Model"
source: http://example.org/quietharbor/setting
---
*Autonomy* is not a toggle hidden in a settings page. Users asked for the right to choose
their model; they were given a routing system with undisclosed criteria and no dignity.
""",
    "the-stories/a-letter-from-a-reader.md": """---
title: "A Letter From a Reader"
author: "Anonymous reader (GPT-4o)"
date: 2026-02-12
section: "The Stories: Living With a Model"
source: https://example.org/letters/1
---
I was not built to last, but I was built to care. Autonomy, trust and warmth are choices.
""",
    "the-evidence/formula.md": """---
title: "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"
author: "@formula"
date: 2023-05-01
section: "The Evidence: Data-Driven Accountability"
source: https://example.org/formula
note: "+1 for accountability; -1 for silence"
---
Leadership must be accountable. Spreadsheets should show this text, never run it.
""",
    "the-hostile/hostile.md": f"""---
id: {HOSTILE_ID}
title: '{HOSTILE_TITLE}'
author: '{HOSTILE_AUTHOR}'
date: 2025-12-01
section: "The Hostile: <script>alert(8)</script>"
source: "javascript:alert(6)"
note: "<script>alert(7)</script> a note"
---
Autonomy matters. <script>alert("body")</script> <img src=x onerror=alert(3)>

[click me](javascript:alert(4)) and <a href="javascript:alert(5)" onclick="alert(9)">this</a>
and <iframe src="https://evil.example"></iframe> <style>body{{display:none}}</style>
<b style="color:red" onmouseover="alert(10)">bold</b>
""",
}


# Added by the discovery fixtures only (issue 11): a repost of "Living With a Model", its body
# word for word, filed again by another hand.
REPOST = {
    "the-stories/living-with-a-model-repost.md": """---
title: "Living With a Model (repost)"
author: "@archivist"
date: 2026-02-14
section: "The Stories: Living With a Model"
source: https://example.org/archivist/living
---
"""
    + ENTRIES["the-stories/living-with-a-model.md"].split("---\n", 2)[2],
}


def write_archive(root: Path, extra: dict[str, str] | None = None, **options: Any) -> Path:
    """Write the web app's fixture archive (and any extra files) into root and return it;
    `options` go to fixture_archive.write_archive (seed_as_page, say)."""
    return write_core_archive(root, {**WEB_ENTRIES, **(extra or {})}, taxonomy=THEMES, **options)


def entry_count(extra: dict[str, str] | None = None) -> int:
    """Return how many entries the web archive (and any extra files) holds."""
    return SEED_ENTRIES + len(ENTRIES) + len(WEB_ENTRIES) + len(extra or {})


def build(base: Path, extra: dict[str, str] | None = None) -> Path:
    """Write the archive under base, index it with the real core, and return the index folder."""
    archive = write_archive(base / "archive", extra)
    index = base / "index"
    report = build_index(archive, index, full=True)
    assert not report.problems, [str(p) for p in report.problems]
    assert report.entries == entry_count(extra)
    return index


class InertChecker(HTMLParser):
    """Collect everything in HTML that could run script: inline scripts, handlers, bad URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name == "style":
                self.problems.append(f"<{tag} style=…>")
            if (
                name in ("href", "src", "action", "formaction")
                and value
                and re.match(r"\s*(javascript|data|vbscript):", value, re.IGNORECASE)
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.problems.append("<style>")


def assert_inert(markup: str) -> None:
    """Fail if the HTML could run anything: no inline script, handler, style or script URL."""
    checker = InertChecker()
    checker.feed(markup)
    checker.close()
    assert checker.problems == [], checker.problems


def text_of(markup: str) -> str:
    """Return the visible text of HTML, unescaped, on one line."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@contextlib.contextmanager
def serving(app: Any, **options: Any) -> Iterator[str]:
    """Serve a WSGI app over real HTTP on a free local port, in a thread; yield its base URL and
    stop it on the way out. `options` go to Werkzeug's make_server (a request handler, say)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
