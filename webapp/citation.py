"""Ways to cite an entry: a plain-text reference, BibTeX, CSL-JSON and the `citation_*` meta tags."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from indexer.results import Entry
from webapp.links import is_web_url

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_BIB_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIB_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def plain(text: str) -> str:
    """Return text on one line, without control characters."""
    return " ".join(_CONTROL.sub(" ", text).split())


def bare_title(title: str) -> str:
    """Return the title without the quotation marks some compiled pages put around it."""
    t = plain(title)
    pairs = (('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’"))
    for left, right in pairs:
        if len(t) > 2 and t.startswith(left) and t.endswith(right):
            return t[1:-1].strip()
    return t


def _date(entry: Entry) -> dt.date | None:
    try:
        return dt.date.fromisoformat(entry.date)
    except ValueError:
        return None


def long_date(value: str) -> str:
    """Return "12 December 2025" for "2025-12-12" (the text itself if it is no date)."""
    try:
        d = dt.date.fromisoformat(value)
    except ValueError:
        return value
    return f"{d.day} {d:%B %Y}"


def people(entry: Entry) -> list[str]:
    """Return the entry's authors, one person each, on one line each."""
    return [plain(a) for a in entry.authors or (entry.author,) if plain(a)]


def text(entry: Entry, site: str, url: str) -> str:
    """Return a plain-text reference."""
    parts = [f"{plain(entry.author)}. “{bare_title(entry.title)}.”"]
    parts.append(
        f"{plain(entry.section_heading or entry.section)}, {site}, {long_date(entry.date)}."
    )
    if is_web_url(entry.source):
        parts.append(plain(entry.source) + ".")
    parts.append(f"Archived at {url}.")
    return " ".join(parts)


def bib_escape(value: str) -> str:
    return "".join(_BIB_SPECIAL.get(ch, ch) for ch in plain(value))


def bib_url(value: str) -> str:
    # Inside \url{} and url = {} only braces and backslashes can break the entry.
    return plain(value).replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bib_key(entry: Entry) -> str:
    first = (people(entry) or [""])[0]
    who = re.sub(r"[^a-z0-9]", "", first.lower()) or "anon"
    word = next(iter(re.findall(r"[a-z0-9]{3,}", bare_title(entry.title).lower())), "entry")
    return f"{who}{entry.date[:4]}{word}"


def bibtex(entry: Entry, site: str, url: str) -> str:
    """Return a BibTeX @misc record."""
    d = _date(entry)
    fields = [
        # one braced name per person: BibTeX separates people with "and"
        ("author", " and ".join("{" + bib_escape(a) + "}" for a in people(entry))),
        ("title", "{" + bib_escape(bare_title(entry.title)) + "}"),
        ("year", str(d.year) if d else ""),
        ("month", _BIB_MONTHS[d.month - 1] if d else ""),
        ("day", str(d.day) if d else ""),
        ("howpublished", bib_escape(entry.section_heading or entry.section)),
        ("url", bib_url(entry.source) if is_web_url(entry.source) else bib_url(url)),
        ("note", f"Archived in {bib_escape(site)} at \\url{{{bib_url(url)}}}"),
    ]
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
        if value
    )
    return f"@misc{{{bib_key(entry)},\n{body}\n}}\n"


def csl(entry: Entry, site: str, url: str) -> dict[str, Any]:
    """Return the entry as one CSL-JSON item."""
    d = _date(entry)
    item: dict[str, Any] = {
        "id": entry.id,
        "type": "post",
        "title": bare_title(entry.title),
        "author": [{"literal": a} for a in people(entry)],
        "container-title": plain(entry.section_heading or entry.section),
        "archive": site,
        "archive_location": url,
        "URL": plain(entry.source) if is_web_url(entry.source) else url,
        "keyword": ", ".join(entry.themes),
        "language": entry.language,
    }
    if d:
        item["issued"] = {"date-parts": [[d.year, d.month, d.day]]}
    if entry.note:
        item["note"] = plain(entry.note)
    return item


def meta_tags(entry: Entry, site: str, url: str) -> list[tuple[str, str]]:
    """Return the (name, content) pairs of the meta tags Zotero and Google Scholar read."""
    d = _date(entry)
    tags = [
        ("citation_title", bare_title(entry.title)),
        *(("citation_author", a) for a in people(entry)),
        ("citation_publisher", site),
        ("citation_public_url", url),
        ("citation_abstract_html_url", url),
        ("DC.title", bare_title(entry.title)),
        *(("DC.creator", a) for a in people(entry)),
        ("DC.type", "Text"),
        ("DC.identifier", url),
    ]
    if d:
        tags += [
            ("citation_publication_date", f"{d:%Y/%m/%d}"),
            ("citation_date", f"{d:%Y/%m/%d}"),
            ("DC.date", d.isoformat()),
        ]
    tags += [("citation_keywords", t) for t in entry.themes]
    return tags
