"""Small text helpers shared by the archive readers: ids, titles, sections, dates, template tags.

Every slug is made here: `slugify` (an entry's id, a section's folder), `theme_slug` (a
theme's, and a name's in a URL) and `name_slug` (the same, never empty).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

MAX_ID_LENGTH = 80

_QUOTE_PAIRS = (('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’"), ("«", "»"))
_APOSTROPHES = re.compile(r"['’‘`]")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_ID = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
# "YYYY-MM-DD", optionally followed by a time and an offset, as Hugo, Jekyll and YAML write them.
_DATE_TEXT = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt]|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[Zz]|[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_FILENAME_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})-")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_SHORTCODES = {"{{<": ">}}", "{{%": "%}}", "{{": "}}", "{%": "%}"}
_SHORTCODE_OPENING = re.compile(r"\{\{[<%]?|\{%")
_MONTH_DATE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),\s*(\d{4})")


def slugify(text: str, max_length: int = MAX_ID_LENGTH) -> str:
    """Turn text into a lowercase ASCII slug of words joined by '-'."""
    folded = "".join("-" if unicodedata.category(c) == "Pd" else c for c in text)
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", _APOSTROPHES.sub("", folded.lower())).strip("-")
    if len(slug) <= max_length:
        return slug
    cut = slug[: max_length + 1].rfind("-")  # end on a whole word when one fits
    return slug[: cut if cut > 0 else max_length].strip("-")


def theme_slug(text: str) -> str:
    """Turn a name (a theme's, a section's) into its slug: accents off, lowercase, words joined
    by hyphens; empty when it holds no ASCII letter or digit."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", plain.lower()))


def name_slug(text: str) -> str:
    """Return a name's slug where one must not be empty (a section's path, a tag URI's
    authority, an HTML id): its theme_slug, or "-"."""
    return theme_slug(text) or "-"


def is_valid_id(text: str) -> bool:
    """Tell whether text can serve as an entry id (lowercase words, digits, '-', '_', '.')."""
    return _ID.fullmatch(text) is not None


def decode_entities(text: str) -> str:
    """Return text with its HTML entities decoded, twice escaped ("&amp;mdash;") as well."""
    # Feed-imported posts escape twice: the reader meant the dash, not "&mdash;".
    for _ in range(2):
        if "&" not in text:
            break
        text = html.unescape(text)
    return text


def clean_line(text: str) -> str:
    """Return a short field (title, note, section) with entities decoded and spaces tidied."""
    return " ".join(decode_entities(text).split())


def unquote(title: str) -> str:
    """Remove one pair of quotes wrapping the whole title."""
    title = title.strip()
    for opening, closing in _QUOTE_PAIRS:
        if len(title) > 2 and title.startswith(opening) and title.endswith(closing):
            return title[1:-1].strip()
    return title


def short_section(heading: str) -> str:
    """Return the section's short name: the part of its heading before the first ': '."""
    return heading.split(": ", 1)[0].strip()


def parse_date_text(text: str) -> dt.date | None:
    """Parse 'YYYY-MM-DD[ time offset]' as written: None if not a date, ValueError if unreal."""
    match = _DATE_TEXT.fullmatch(text.strip())
    if match is None:
        return None
    return _make_date(match.group(1), match.group(2), match.group(3))


def parse_month_date(text: str) -> dt.date | None:
    """Parse 'Month D, YYYY' ('December 12, 2025', 'Dec. 12, 2025'); ValueError if unreal."""
    match = _MONTH_DATE.fullmatch(text.strip())
    if match is None or match.group(1).lower() not in _MONTHS:
        return None
    return dt.date(int(match.group(3)), _MONTHS[match.group(1).lower()], int(match.group(2)))


def date_from_filename(name: str) -> tuple[dt.date | None, str]:
    """Split a 'YYYY-MM-DD-slug.md' name into its date and the rest; ValueError if unreal."""
    match = _FILENAME_DATE.match(name)
    if match is None:
        return None, name
    return _make_date(*match.groups()), name[match.end() :]


def strip_date_prefix(name: str) -> str:
    """Remove a 'YYYY-MM-DD-' prefix from a file name, whether or not the date is real."""
    return _FILENAME_DATE.sub("", name, count=1)


def strip_shortcodes(text: str) -> str:
    """Remove Hugo shortcodes and Liquid tags, keeping the text between paired ones."""
    pieces: list[str] = []
    kept_from, search_from = 0, 0
    unclosed: set[str] = set()  # openers with no closer after them: later ones have none either
    while (match := _SHORTCODE_OPENING.search(text, search_from)) is not None:
        closer = _SHORTCODES[match.group()]
        end = -1 if match.group() in unclosed else text.find(closer, match.end())
        if end < 0:
            unclosed.add(match.group())
            search_from = match.end()
            continue
        pieces.append(text[kept_from : match.start()])
        kept_from = search_from = end + len(closer)
    pieces.append(text[kept_from:])
    return "".join(pieces)


def _make_date(year: str, month: str, day: str) -> dt.date:
    """Build a date from its written parts, raising ValueError for one that does not exist."""
    return dt.date(int(year), int(month), int(day))
