"""The web app's settings, each declared once with its default and the help the README shows.

Every setting can be given as an environment variable `PERSPECTIVES_<NAME>` (values are parsed
as JSON when they can be, so `PERSPECTIVES_PER_PAGE=20` is the number 20) or in the mapping
passed to `create_app`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: its name, its default and one line of help."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("INDEX", "index", "Folder of the index that `perspectives index` builds; read only."),
    Setting(
        "PREPARE",
        True,
        "Open and warm a new generation of the index (after `perspectives index --full`) in the "
        "background, answering requests from the previous one meanwhile, and the current one "
        "when a worker starts; false: the first request after the switch opens it.",
    ),
    Setting("PER_PAGE", 10, "Results per page when a request gives no `per_page` (at most 100)."),
    Setting(
        "EXPORT_LIMIT",
        100_000,
        "Most rows one CSV or JSON export holds; the JSON export says `truncated` when it cut.",
    ),
    Setting("FEED_SIZE", 50, "Entries in an Atom feed, newest first."),
    Setting("RELATED", 5, "Related entries shown on an entry page and in `/api/entries/<id>`."),
    Setting("BY_AUTHOR", 5, "Other entries by the same author shown on an entry page."),
    Setting(
        "RELATED_AUTHORS",
        5,
        "Authors closest to an entry's (or an author's) themes and key phrases, shown on its"
        " page and in `/api/entries/<id>`.",
    ),
    Setting(
        "SUGGEST_THEMES",
        False,
        "For editors: an entry page also lists the themes the entry lacks that its closest"
        " entries have, with the evidence (`perspectives themes suggest ID`).",
    ),
    Setting(
        "FACET_SIZE",
        100,
        "Values counted and sent per facet when a request gives no `facet_size` (0: all).",
    ),
    Setting(
        "FACET_SHOWN", 8, 'Values of each facet listed before the rest fold under "Show N more".'
    ),
    Setting(
        "SITE_NAME", "Perspectives", "Name of the archive in page titles, feeds and citations."
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        64 * 1024,
        "Largest request body accepted, in bytes (the app only reads GET parameters).",
    ),
    Setting(
        "MAX_QUERY_BYTES",
        32 * 1024,
        "Longest query string accepted, in bytes (longer answers 414).",
    ),
    Setting("MAX_PARAMS", 200, "Most query parameters one request may carry (more answers 400)."),
    Setting(
        "BASE_URL",
        "",
        "Public root of the site (`https://archive.example.org`, a path allowed): every absolute "
        "URL in feeds, citations, exports and the API starts with it, whatever Host a request "
        "names. Empty: URLs follow the request's host, which must be a trusted one.",
    ),
    Setting(
        "TRUSTED_HOSTS",
        ["localhost", "127.0.0.1"],
        "Host names answered (JSON list or comma-separated; `.example.org` takes its subdomains); "
        "any other Host answers 400. The base URL's host is added. Empty: any host, only "
        "allowed with a base URL.",
    ),
    Setting(
        "CORS_ORIGIN",
        "*",
        "Value of Access-Control-Allow-Origin on the JSON API, exports and feeds; empty to send none.",
    ),
)


def defaults() -> dict[str, Any]:
    """Return every setting's default value by name."""
    return {s.name: s.default for s in SETTINGS}


def markdown() -> str:
    """Return the README's "Settings" section (`python -m webapp.settings` prints it)."""
    lines = [
        "## Settings",
        "",
        "The web app reads its settings from, in order: the defaults below, then environment",
        "variables `PERSPECTIVES_<NAME>` (parsed as JSON when they can be, so",
        "`PERSPECTIVES_PER_PAGE=20` is a number), then the mapping given to `create_app()`.",
        "Each is declared once, in `webapp/settings.py`.",
        "",
        "| Variable | Default | What it does |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        default = json.dumps(s.default)
        text = s.help.replace("|", "\\|")
        lines.append(f"| `PERSPECTIVES_{s.name}` | `{default}` | {text} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
