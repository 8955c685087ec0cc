"""Field maps: how the frontmatter keys of an archive written by another tool map to our fields.

`FieldMap` is the validated map; `entryfields.EntryFields` applies one to a file's frontmatter and body.

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
    facets:                       # facets of the archive's own (`FieldFacet`), by name
      source_domain:              # filtered by facet_source_domain=
        key: source               # a key, or a list of keys tried in order
        label: "Source"           # optional: by default the name in words ("Source domain")
        multi: false              # optional: true gives one value per item of a list
      kicker: kicker              # short for {key: kicker}

An empty file, or no file at all, gives our own archive format.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from indexer.facetdefs import RESERVED, Facet, field_facet
from indexer.records import ArchiveError

DEFAULT_NAME = "fieldmap.yaml"
TEMPLATE_FIELDS = frozenset({"id", "slug", "stem", "year", "month", "day"})

_KEY_FIELDS = (
    "title",
    "author",
    "date",
    "section",
    "themes",
    "source",
    "note",
    "id",
    "slug",
    "lang",
)
_KINDS = {
    **{name: "keys" for name in _KEY_FIELDS},
    "body_fallback": "keys",
    "exclude": "patterns",
    "date_from_filename": "bool",
    "strip_shortcodes": "bool",
    "default_section": "text",
    "default_author": "text",
    "source_template": "text",
    "facets": "facets",
}
FACET_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
FACET_OPTIONS = ("key", "label", "multi")


@dataclass(frozen=True)
class FieldFacet:
    """A facet the field map adds: its name, the frontmatter keys its values come from (the
    first present wins), its label, and whether each item of a list is a value of its own."""

    name: str
    keys: tuple[str, ...]
    label: str
    multi: bool = False

    @property
    def facet(self) -> Facet:
        """Return its declaration, as the index and the search core read it."""
        return field_facet(self.name, self.label, self.multi)


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
    facets: tuple[FieldFacet, ...] = ()
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
            if name == "facets":
                options[name] = _facets(value, loader, path)
                continue
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
            raise ArchiveError(f"{where}: expected true or false, got {describe(value)}")
        return value
    if kind == "text":
        if not isinstance(value, str):
            raise ArchiveError(f"{where}: expected text, got {describe(value)}")
        return _check_template(value, where) if name == "source_template" else value
    what = "a key or a list of keys" if kind == "keys" else "a pattern or a list of patterns"
    return _texts(value, where, what)


def _texts(value: object, where: str, what: str) -> tuple[str, ...]:
    """Check that a value is one text or a list of texts, none empty."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(k, str) and k for k in items):
        raise ArchiveError(f"{where}: expected {what}, got {describe(value)}")
    return tuple(items)


def _facets(node: yaml.Node, loader: yaml.SafeLoader, path: Path) -> tuple[FieldFacet, ...]:
    """Read the `facets` option: facet names, each with its keys and options."""
    if not isinstance(node, yaml.MappingNode):
        got = describe(loader.construct_object(node, deep=True))
        raise ArchiveError(
            f"{_at(path, node)}: facets: expected a mapping of facet names, got {got}"
        )
    out: dict[str, FieldFacet] = {}
    for key, value in node.value:
        name = _facet_name(key, path, out)
        out[name] = _facet(name, value, loader, path, _at(path, key))
    return tuple(out.values())


def _facet_name(key: yaml.Node, path: Path, seen: Mapping[str, object]) -> str:
    """Check a facet's name: a new one, not taken, usable as a parameter and a field name."""
    where, name = f"{_at(path, key)}: facets", key.value
    if not isinstance(name, str) or not FACET_NAME.fullmatch(name):
        rule = "lowercase letters, digits and '_', a letter first, at most 32"
        raise ArchiveError(f"{where}: {name!r} is not a facet name ({rule})")
    if name in RESERVED:
        raise ArchiveError(f"{where}: {name!r} is taken (not one of {', '.join(sorted(RESERVED))})")
    if name in seen:
        raise ArchiveError(f"{where}: {name} is declared twice")
    return name


def _facet(name: str, node: yaml.Node, loader: yaml.SafeLoader, path: Path, at: str) -> FieldFacet:
    """Read one facet (declared at `at`, "path:line"): its key or keys alone, or a mapping
    of key, label and multi; a problem is reported at the line of its option."""
    words = name.replace("_", " ").capitalize()
    if not isinstance(node, yaml.MappingNode):
        keys = loader.construct_object(node, deep=True)
        what = "a key, a list of keys or a mapping"
        return FieldFacet(name, _texts(keys, f"{at}: facets: {name}", what), words)
    options = _facet_options(name, node, loader, path)
    if "key" not in options:
        raise ArchiveError(f"{at}: facets: {name}: no 'key' (the frontmatter key of its values)")
    label, on_label = options.get("label", (words, ""))
    multi, on_multi = options.get("multi", (False, ""))
    if not isinstance(label, str) or not label.strip():
        raise ArchiveError(f"{on_label}: expected text, got {describe(label)}")
    if not isinstance(multi, bool):
        raise ArchiveError(f"{on_multi}: expected true or false, got {describe(multi)}")
    keys = _texts(options["key"][0], options["key"][1], "a key or a list of keys")
    return FieldFacet(name, keys, label.strip(), multi)


def _facet_options(
    name: str, node: yaml.MappingNode, loader: yaml.SafeLoader, path: Path
) -> dict[str, tuple[object, str]]:
    """Return a facet's options by name, each known and set once, with where each is set
    ("path:line: facets: name: option")."""
    options: dict[str, tuple[object, str]] = {}
    for key, value in node.value:
        where = f"{_at(path, key)}: facets: {name}"
        if key.value in options:
            raise ArchiveError(f"{where}: {key.value} is set twice")
        if key.value not in FACET_OPTIONS:
            known = ", ".join(FACET_OPTIONS)
            raise ArchiveError(f"{where}: unknown key {key.value!r} (known: {known})")
        options[key.value] = (loader.construct_object(value, deep=True), f"{where}: {key.value}")
    return options


def _at(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


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


def describe(value: object) -> str:
    """Name a YAML value's type for an error message (a list by what it holds that is not text)."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "text"}
    names.update({list: "a list", dict: "a mapping", type(None): "nothing"})
    if isinstance(value, list):
        odd = next((item for item in value if not isinstance(item, str)), None)
        return "a list" if odd is None else "a list holding " + names.get(type(odd), "other values")
    return names.get(type(value), type(value).__name__)
