"""Applying a field map: `EntryFields` builds one Perspective from a file's `Frontmatter` and
body through a `FieldMap` (fieldmap.py), noting each problem at the line of its key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indexer.fieldmap import FieldFacet, FieldMap, describe
from indexer.languages import LANGUAGES, language_code
from indexer.records import Perspective, Problem
from indexer.slugs import (
    clean_line,
    date_from_filename,
    is_valid_id,
    parse_date_text,
    short_section,
    slugify,
    strip_date_prefix,
    strip_shortcodes,
    unquote,
)


@dataclass(frozen=True)
class Frontmatter:
    """A file's frontmatter fields, the line of each key, and the body that follows."""

    data: dict[str, object]
    key_lines: dict[str, int]
    opening_line: int  # the opening '---'
    closing_line: int  # the closing '---'
    body: str
    body_line: int


class EntryFields:
    """Build one Perspective from a file's frontmatter through a field map, noting problems."""

    def __init__(self, front: Frontmatter, relative: str, name: str, fieldmap: FieldMap) -> None:
        self.front = front
        self.relative = relative
        self.name = name
        self.stem = name.removesuffix(".md")
        self.fieldmap = fieldmap
        self.problems: list[Problem] = []

    def build(self) -> tuple[list[Perspective], list[Problem]]:
        """Return the entry, or no entry and every problem its fields have."""
        fm = self.fieldmap
        title = unquote(clean_line(self._required("title", fm.title)))
        authors = self._authors()
        date = self._date()
        heading = clean_line(self._text(fm.section, lists="first")) or fm.default_section
        themes = self._themes()
        note = clean_line(self._text(fm.note))
        entry_id = self._id()
        body = self._body()
        source = self._source(entry_id, date)
        language = self._language()
        facets = tuple((f.name, v) for f in fm.facets if (v := self._facet_values(f)))
        if self.problems or date is None:
            return [], self.problems
        entry = Perspective(
            id=entry_id, title=title, authors=authors, date=date,
            section=short_section(heading), section_heading=heading, source=source, body=body,
            path=self.relative, line=self.front.opening_line, note=note, themes=themes,
            language=language, facets=facets,
        )  # fmt: skip
        return [entry], []

    def _problem(self, line: int, reason: str) -> None:
        """Note a problem at a line of the file."""
        self.problems.append(Problem(self.relative, line, reason))

    def _line(self, key: str) -> int:
        """Return the line of a frontmatter key."""
        return self.front.key_lines.get(key, self.front.opening_line)

    def _lookup(self, keys: tuple[str, ...]) -> tuple[str, object] | None:
        """Return the first of keys with a non-empty value, and that value."""
        for key in keys:
            value = self.front.data.get(key)
            if (
                isinstance(value, str)
                and value.strip()
                or isinstance(value, (list, dict))
                and value
            ):
                return key, value
        return None

    def _text(self, keys: tuple[str, ...], lists: str = "") -> str:
        """Return the text of the first key present; a list gives its first item (if allowed)."""
        found = self._lookup(keys)
        if found is None:
            return ""
        key, value = found
        if isinstance(value, str):
            return value.strip()
        items = value if isinstance(value, list) and lists else None
        if items is None or not all(isinstance(item, str) for item in items):
            expected = "text or a list of text" if lists else "text"
            self._problem(self._line(key), f"{key}: expected {expected}, got {describe(value)}")
            return ""
        texts = [item.strip() for item in items if item.strip()]
        return texts[0] if texts else ""

    def _required(
        self, field: str, keys: tuple[str, ...], default: str = "", lists: str = ""
    ) -> str:
        """Return a field that must be present (or have a default), else note it is missing."""
        before = len(self.problems)
        value = self._text(keys, lists) or default
        if not value and len(self.problems) == before:
            self._problem(self.front.opening_line, f"missing {field}: {_no_keys(keys)}")
        return value

    def _authors(self) -> tuple[str, ...]:
        """Return the entry's authors: one text, or a list with one person per item."""
        fm = self.fieldmap
        present = [k for k in fm.author if self.front.data.get(k) not in (None, "")]
        # an empty list counts as absent where another key or a default author can answer
        key = next((k for k in present if not _blank_list(self.front.data[k])), None)
        if key is None and present and not fm.default_author:
            key = present[0]
        value = self.front.data.get(key) if key else None
        if key is None or isinstance(value, str) and not value.strip():
            if fm.default_author:
                return (fm.default_author,)
            self._problem(self.front.opening_line, f"missing author: {_no_keys(fm.author)}")
            return ()
        if isinstance(value, str):
            return (value.strip(),)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            reason = f"{key}: expected a name or a list of names, got {describe(value)}"
            self._problem(self._line(key), reason)
            return ()
        names = tuple(dict.fromkeys(item.strip() for item in value if item.strip()))
        if not names:
            self._problem(self._line(key), f"{key}: an empty list: name at least one author")
        return names

    def _date(self) -> dt.date | None:
        """Return the entry's date from its date key or, if the map allows, its file name."""
        found = self._lookup(self.fieldmap.date)
        if found is not None:
            return self._parse_date(*found)
        if self.fieldmap.date_from_filename:
            try:
                date, _ = date_from_filename(self.name)
            except ValueError:
                self._problem(1, f"the date in the file name {self.name!r} does not exist")
                return None
            if date is not None:
                return date
        missing = _no_keys(self.fieldmap.date)
        if self.fieldmap.date_from_filename:
            missing += " and no YYYY-MM-DD- file name prefix"
        self._problem(self.front.opening_line, f"missing date: {missing}")
        return None

    def _parse_date(self, key: str, value: object) -> dt.date | None:
        """Parse a date value as written, noting a problem at its key when it is not a date."""
        if not isinstance(value, str):
            self._problem(self._line(key), f"{key}: expected a date, got {describe(value)}")
            return None
        try:
            date = parse_date_text(value)
        except ValueError:
            self._problem(self._line(key), f"{key}: {value.strip()!r} is not a real date")
            return None
        if date is None:
            reason = f"{key}: {value.strip()!r} is not a date (expected YYYY-MM-DD)"
            self._problem(self._line(key), reason)
        return date

    def _themes(self) -> tuple[str, ...]:
        """Return the editors' own tags, from a list or a comma-separated text."""
        found = self._lookup(self.fieldmap.themes)
        if found is None:
            return ()
        key, value = found
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            expected = "a list of themes or a comma-separated text"
            reason = f"{key}: expected {expected}, got {describe(value)}"
            self._problem(self._line(key), reason)
            return ()
        return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))

    def _facet_values(self, facet: FieldFacet) -> tuple[str, ...]:
        """Return an entry's values of a facet the field map adds: a text, or a list's items
        (only its first, unless the facet is multi-valued)."""
        found = self._lookup(facet.keys)
        if found is None:
            return ()
        key, value = found
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            reason = f"{key}: expected text or a list of text, got {describe(value)}"
            self._problem(self._line(key), reason)
            return ()
        values = tuple(dict.fromkeys(clean_line(item) for item in items if item.strip()))
        return values if facet.multi else values[:1]

    def _language(self) -> str:
        """Return the language the entry declares (a code), "" for none (it is detected)."""
        found = self._lookup(self.fieldmap.lang)
        if found is None:
            return ""
        key, value = found
        code = language_code(value) if isinstance(value, str) else None
        if code is None:
            known = ", ".join(LANGUAGES)
            shown = repr(value.strip()) if isinstance(value, str) else describe(value)
            self._problem(self._line(key), f"{key}: unknown language {shown} (one of {known})")
            return ""
        return code

    def _id(self) -> str:
        """Return the entry's id: its id key if set (and valid), else its slugified file name."""
        found = self._lookup(self.fieldmap.id)
        if found is None:
            derived = slugify(self.stem)
            if not derived:
                reason = f"cannot derive an id from the file name {self.name!r}: add an 'id' field"
                self._problem(self.front.opening_line, reason)
            return derived
        key, value = found
        if isinstance(value, str) and is_valid_id(value.strip()):
            return value.strip()
        hint = f", e.g. {slugify(value)!r}" if isinstance(value, str) and slugify(value) else ""
        reason = f"{key}: not a valid id (use lowercase letters, digits and '-'{hint})"
        self._problem(self._line(key), reason)
        return ""

    def _body(self) -> str:
        """Return the body, or the first body fallback field when the body is empty."""
        body = self._clean(self.front.body) or self._clean(self._text(self.fieldmap.body_fallback))
        if not body:
            reason = "empty body: nothing follows the frontmatter"
            if self.fieldmap.body_fallback:
                reason += f" and {_no_keys(self.fieldmap.body_fallback)}"
            self._problem(self.front.closing_line, reason)
        return body

    def _clean(self, text: str) -> str:
        """Drop template tags if the map says so, and surrounding blank space."""
        return (strip_shortcodes(text) if self.fieldmap.strip_shortcodes else text).strip()

    def _source(self, entry_id: str, date: dt.date | None) -> str:
        """Return the source link, or the map's template filled in for this entry."""
        source = self._text(self.fieldmap.source, lists="first")
        if source or not self.fieldmap.source_template or date is None:
            return source
        slug = self._text(self.fieldmap.slug) or strip_date_prefix(self.stem)
        return self.fieldmap.render_source(
            id=entry_id, slug=slug, stem=self.stem,
            year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}",
        )  # fmt: skip


def _no_keys(keys: tuple[str, ...]) -> str:
    """Say which keys were looked for and not found."""
    if not keys:
        return "the field map names no key for it"
    if len(keys) == 1:
        return f"no {keys[0]!r} key"
    return "none of the keys " + ", ".join(repr(key) for key in keys)


def _blank_list(value: object) -> bool:
    """Tell whether a frontmatter value is a list with no name in it."""
    return isinstance(value, list) and not any(isinstance(v, str) and v.strip() for v in value)
