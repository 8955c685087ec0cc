"""Field maps: how the frontmatter keys of an archive written by another tool map to our fields.

`FieldMap` is the validated map; `EntryFields` applies one to a file's frontmatter and body.

A field map is a YAML file next to the archive (`<archive>/fieldmap.yaml` by default). Each of our
fields names the frontmatter keys to try, first present non-empty key wins; the rest are options:

    title: title                  # one key, or a list of keys tried in order
    author: [authors, author]     # a list value gives one author per item
    date: date
    date_from_filename: true      # take YYYY-MM-DD- from the file name when no date key is set
    section: [categories, section]   # a list value gives its first item
    default_section: "News"
    default_author: "Digital.gov"
    themes: [tags, topics]
    source: [source_url]
    source_template: "https://digital.gov/{year}/{month}/{day}/{slug}/"
    slug: [slug]                  # keys for {slug}; by default the file name without its date
    note: note
    id: id                        # by default the file name, slugified
    body_fallback: [summary, deck]    # used when the body is empty
    strip_shortcodes: true        # drop Hugo {{< … >}}, {{% … %}}, Liquid {% … %}, {{ … }}
    exclude: [SOURCE.md, _index.md]   # gitignore-like: no '/' matches the name anywhere

An empty file, or no file at all, gives our own archive format.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from indexer.languages import LANGUAGES, language_code
from indexer.records import ArchiveError, Perspective, Problem
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

DEFAULT_NAME = "fieldmap.yaml"
TEMPLATE_FIELDS = frozenset({"id", "slug", "stem", "year", "month", "day"})

_KEY_FIELDS = ("title", "author", "date", "section", "themes", "source", "note", "id", "slug",
               "lang")
_KINDS = {
    **{name: "keys" for name in _KEY_FIELDS},
    "body_fallback": "keys",
    "exclude": "patterns",
    "date_from_filename": "bool",
    "strip_shortcodes": "bool",
    "default_section": "text",
    "default_author": "text",
    "source_template": "text",
}


@dataclass(frozen=True)
class FieldMap:
    """Where each of our fields comes from in an archive's frontmatter, and how to fill gaps."""

    title: tuple[str, ...] = ("title",)
    author: tuple[str, ...] = ("author", "authors")
    date: tuple[str, ...] = ("date",)
    section: tuple[str, ...] = ("section",)
    themes: tuple[str, ...] = ("themes",)
    source: tuple[str, ...] = ("source",)
    note: tuple[str, ...] = ("note",)
    id: tuple[str, ...] = ("id",)
    slug: tuple[str, ...] = ()
    lang: tuple[str, ...] = ("lang", "language")
    body_fallback: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    date_from_filename: bool = False
    strip_shortcodes: bool = False
    default_section: str = ""
    default_author: str = ""
    source_template: str = ""
    path: str = ""  # the file it was loaded from ("" for the built-in default)
    digest: str = ""  # sha256 of that file: when it changes, every file must be read again

    @classmethod
    def load(cls, path: Path) -> FieldMap:
        """Read and validate a field map file, raising ArchiveError naming file and line."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise ArchiveError(f"{path}: cannot read the field map: {error.strerror}") from error
        options = _parse_options(raw, path)
        return cls(**options, path=str(path), digest=hashlib.sha256(raw).hexdigest())

    def excludes(self, relative: str) -> bool:
        """Tell whether an archive-relative path is left out by the `exclude` patterns."""
        if not self.exclude:
            return False
        name = relative.rsplit("/", 1)[-1]
        return any(
            fnmatch.fnmatchcase(relative if "/" in pattern else name, pattern.strip("/"))
            for pattern in self.exclude
        )

    def render_source(self, **values: str) -> str:
        """Fill the source template with an entry's id, slug, stem, year, month and day."""
        return self.source_template.format(**values) if self.source_template else ""


def load_fieldmap(root: Path, path: Path | None = None) -> FieldMap:
    """Load the given field map, else `<root>/fieldmap.yaml` if present, else the default."""
    if path is not None:
        return FieldMap.load(path)
    default = root / DEFAULT_NAME
    return FieldMap.load(default) if default.is_file() else FieldMap()


def _parse_options(raw: bytes, path: Path) -> dict[str, Any]:
    """Parse the field map's YAML into FieldMap keyword arguments."""
    loader = yaml.SafeLoader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise ArchiveError(f"{path}:{node.start_mark.line + 1}: a field map must be a mapping")
        options: dict[str, Any] = {}
        for key, value in node.value:
            name = _option_name(key, path)
            if name in options:
                raise ArchiveError(f"{path}:{key.start_mark.line + 1}: {name} is set twice")
            content = loader.construct_object(value, deep=True)
            options[name] = _option_value(name, content, path, key.start_mark.line + 1)
        return options
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise ArchiveError(f"{path}:{line}: invalid YAML: {error.problem}") from error
    except (yaml.YAMLError, RecursionError) as error:
        raise ArchiveError(f"{path}:1: invalid YAML: {error}") from error
    finally:
        loader.dispose()


def _option_name(key: yaml.Node, path: Path) -> str:
    """Check that a field map key is one we know."""
    line = key.start_mark.line + 1
    if not isinstance(key.value, str) or key.value not in _KINDS:
        known = ", ".join(sorted(_KINDS))
        raise ArchiveError(f"{path}:{line}: unknown field map key {key.value!r} (known: {known})")
    return key.value


def _option_value(name: str, value: object, path: Path, line: int) -> object:
    """Check one option's value against its kind and normalise it."""
    kind = _KINDS[name]
    where = f"{path}:{line}: {name}"
    if kind == "bool":
        if not isinstance(value, bool):
            raise ArchiveError(f"{where}: expected true or false, got {_describe(value)}")
        return value
    if kind == "text":
        if not isinstance(value, str):
            raise ArchiveError(f"{where}: expected text, got {_describe(value)}")
        return _check_template(value, where) if name == "source_template" else value
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(k, str) and k for k in items):
        what = "a key or a list of keys" if kind == "keys" else "a pattern or a list of patterns"
        raise ArchiveError(f"{where}: expected {what}, got {_describe(value)}")
    return tuple(items)


def _check_template(template: str, where: str) -> str:
    """Check that a source template only uses the placeholders we fill."""
    try:
        parsed = string.Formatter().parse(template)
        names = {field for _, field, _, _ in parsed if field is not None}
    except ValueError as error:
        raise ArchiveError(f"{where}: malformed template: {error}") from error
    unknown = names - TEMPLATE_FIELDS
    if unknown:
        allowed = ", ".join("{" + n + "}" for n in sorted(TEMPLATE_FIELDS))
        raise ArchiveError(f"{where}: unknown placeholder {min(unknown)!r} (use {allowed})")
    return template


def _describe(value: object) -> str:
    """Name a YAML value's type for an error message (a list by what it holds that is not text)."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "text"}
    names.update({list: "a list", dict: "a mapping", type(None): "nothing"})
    if isinstance(value, list):
        odd = next((item for item in value if not isinstance(item, str)), None)
        return "a list" if odd is None else "a list holding " + names.get(type(odd), "other values")
    return names.get(type(value), type(value).__name__)


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
        if self.problems or date is None:
            return [], self.problems
        entry = Perspective(
            id=entry_id, title=title, authors=authors, date=date,
            section=short_section(heading), section_heading=heading, source=source, body=body,
            path=self.relative, line=self.front.opening_line, note=note, themes=themes,
            language=language,
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
            self._problem(self._line(key), f"{key}: expected {expected}, got {_describe(value)}")
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
            reason = f"{key}: expected a name or a list of names, got {_describe(value)}"
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
            self._problem(self._line(key), f"{key}: expected a date, got {_describe(value)}")
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
            reason = f"{key}: expected {expected}, got {_describe(value)}"
            self._problem(self._line(key), reason)
            return ()
        return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))

    def _language(self) -> str:
        """Return the language the entry declares (a code), "" for none (it is detected)."""
        found = self._lookup(self.fieldmap.lang)
        if found is None:
            return ""
        key, value = found
        code = language_code(value) if isinstance(value, str) else None
        if code is None:
            known = ", ".join(LANGUAGES)
            shown = repr(value.strip()) if isinstance(value, str) else _describe(value)
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

