"""Rows for the CSV and JSON exports, with what produced them recorded on every row or at the top.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get a leading apostrophe, as OWASP advises; the JSON export keeps values as they are.

Both stream after a 200 has been sent, so a failure part way cannot change the status: it is
logged, and the output says it is incomplete. The JSON object's last key is `"complete"`, true
only when every record was written (false after an `"error"`); a cut CSV ends with a row whose
one cell starts with INCOMPLETE, and holds fewer rows than its `X-Result-Count` header said.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from indexer.results import Hit

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HIT_COLUMNS = (
    "id",
    "title",
    "author",
    "authors",
    "date",
    "section",
    "section_heading",
    "themes",
    "source",
    "note",
    "url",
    "language",  # last: the columns before it keep their places
)
PROVENANCE_COLUMNS = ("query", "filters", "sort", "generation", "exported")
INCOMPLETE = "# incomplete"
BOM = "\ufeff"  # UTF-8's byte-order mark: spreadsheets that guess a legacy encoding read UTF-8
_MARK = re.compile(r"</?mark>")
_QUIET = logging.getLogger(__name__)


def neutralise(value: str) -> str:
    """Return a cell a spreadsheet will show as text, never evaluate."""
    return "'" + value if value.startswith(FORMULA_START) else value


def filters_text(filters: dict[str, Any]) -> str:
    """Return filters as one line: "theme=autonomy; author=@a; from=2025"."""
    parts = []
    for name, value in filters.items():
        for v in value if isinstance(value, list) else [value]:
            if v:
                parts.append(f"{name}={v}")
    return "; ".join(parts)


def hit_record(hit: Hit, url: str, snippet: bool) -> dict[str, Any]:
    """Return a hit as the JSON API and the exports show it."""
    record = {
        "id": hit.id,
        "title": hit.title,
        "author": hit.author,
        "authors": list(hit.authors),
        "date": hit.date,
        "section": hit.section,
        "section_heading": hit.section_heading,
        "themes": list(hit.themes),
        "language": hit.language,
        "url": url,
        "source": hit.source,
        "note": hit.note,
    }
    if snippet:
        record["snippet"] = hit.snippet
    return record


def plain_snippet(snippet: str) -> str:
    """Return a snippet (HTML in which only <mark> is markup) as the plain text it shows."""
    return html.unescape(_MARK.sub("", snippet))


def csv_rows(
    hits: Iterable[Hit],
    url_for_hit: Callable[[Hit], str],
    provenance: dict[str, str],
    log: logging.Logger | None = None,
    bom: bool = False,
    snippets: bool = False,
) -> Iterator[str]:
    """Yield the CSV text line by line: a header, then one row per hit (then INCOMPLETE's row
    if reading the hits failed); `bom` starts it with UTF-8's byte-order mark, `snippets` adds
    a snippet column (plain text) after the hit's columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable[str]) -> str:
        writer.writerow([neutralise(c) for c in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    extra = ("snippet",) if snippets else ()
    yield (BOM if bom else "") + line(HIT_COLUMNS + extra + PROVENANCE_COLUMNS)
    tail = [provenance[c] for c in PROVENANCE_COLUMNS]
    count = 0
    try:
        for hit in hits:
            record = hit_record(hit, url_for_hit(hit), snippet=False)
            cells = [
                "; ".join(record[c]) if c in ("themes", "authors") else str(record[c])
                for c in HIT_COLUMNS
            ] + ([plain_snippet(hit.snippet)] if snippets else [])
            yield line(cells + tail)
            count += 1
    except Exception:  # noqa: BLE001 - the status is sent: say so in the file, and log it
        (log or _QUIET).exception("CSV export stopped after %d rows", count)
        yield line([f"{INCOMPLETE}: the export stopped after {count} rows on a server error"])


def json_chunks(
    head: dict[str, Any],
    records: Iterable[dict[str, Any]],
    limit: int,
    log: logging.Logger | None = None,
) -> Iterator[str]:
    """Yield one JSON object: head's keys, "results", "count", "truncated", then "complete"."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield opening + (", " if head else "") + '"results": ['
    count, truncated = 0, False
    try:
        for record in records:
            if count >= limit:
                truncated = True
                break
            yield ("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False)
            count += 1
    except Exception:  # noqa: BLE001 - the status is sent: say so in the document, and log it
        (log or _QUIET).exception("JSON export stopped after %d records", count)
        error = {"code": "internal_error", "message": f"the export stopped after {count} records"}
        yield f'\n], "count": {count}, "truncated": false, "error": {json.dumps(error)}, '
        yield '"complete": false}\n'
        return
    yield f'\n], "count": {count}, "truncated": {json.dumps(truncated)}, "complete": true}}\n'
