"""The editors' theme taxonomy (archive/themes.yaml), and the themes each entry gets.

Moving parts:
- `Theme`: one theme of the taxonomy.
- `load_taxonomy`: reads the YAML node by node, so every problem names its `path:line`.
- `Matcher`: the taxonomy compiled once, each term as its sequence of stems, indexed by the
  first stem; `assign_themes` runs an entry's title and body through it.
- `slugify`: the form of every theme slug ("Model Deprecation" -> "model-deprecation").
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from indexer.analysis import stems
from indexer.records import Problem
from indexer.slugs import theme_slug as slugify

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FIELDS = ("label", "description", "terms", "synonyms")
_EXPECTED = "label, description, terms and synonyms"


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy: its slug, label, one-line description and signal terms."""

    slug: str
    label: str
    description: str
    terms: tuple[str, ...]
    synonyms: tuple[str, ...] = ()  # searched with the label, and it with them (synonyms.py)


@dataclass(frozen=True)
class Matcher:
    """A taxonomy compiled for matching: first stem -> ((term stems, theme slug), ...)."""

    by_first: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]

    def themes_in(self, *texts_stems: list[str]) -> set[str]:
        """Return the slugs of the themes whose terms occur in any of the stem sequences."""
        found: set[str] = set()
        for text_stems in texts_stems:
            for i, first in enumerate(text_stems):
                for term, slug in self.by_first.get(first, ()):
                    if slug not in found and tuple(text_stems[i : i + len(term)]) == term:
                        found.add(slug)
        return found


def compile_taxonomy(themes: Mapping[str, Theme]) -> Matcher:
    """Compile each theme's terms to stem sequences once, for `assign_themes`."""
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for slug, theme in themes.items():
        for term in theme.terms:
            term_stems = tuple(stems(term))
            if term_stems and (term_stems, slug) not in by_first[term_stems[0]]:
                by_first[term_stems[0]].append((term_stems, slug))
    return Matcher({first: tuple(terms) for first, terms in by_first.items()})


def assign_themes(
    title: str, body: str, own: Iterable[str], taxonomy: Matcher | Mapping[str, Theme]
) -> tuple[str, ...]:
    """Return the entry's own themes plus every taxonomy theme its title or body signals."""
    matcher = taxonomy if isinstance(taxonomy, Matcher) else _compiled(tuple(taxonomy.items()))
    found = matcher.themes_in(stems(title), stems(body))
    found.update(slug for slug in map(slugify, own) if slug)
    return tuple(sorted(found))


@lru_cache(maxsize=8)
def _compiled(themes: tuple[tuple[str, Theme], ...]) -> Matcher:
    """Compile a taxonomy given as a mapping, once per distinct content (themes are frozen)."""
    return compile_taxonomy(dict(themes))


def load_taxonomy(path: Path) -> tuple[dict[str, Theme], list[Problem]]:
    """Read the taxonomy file; a missing file is an empty taxonomy, problems name path:line."""
    name = path.as_posix()
    if not path.exists():
        return {}, []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        return {}, [Problem(name, 1, f"cannot read the taxonomy: {error}")]
    except yaml.YAMLError as error:
        return {}, [_yaml_problem(name, error)]
    if root is None:
        return {}, []
    if not isinstance(root, MappingNode):
        return {}, [Problem(name, _line(root), "expected a mapping of theme slugs to themes")]
    return _read_themes(name, root)


def _read_themes(name: str, root: MappingNode) -> tuple[dict[str, Theme], list[Problem]]:
    """Read each `slug: {label, description, terms}` entry of the top-level mapping."""
    themes: dict[str, Theme] = {}
    problems: list[Problem] = []
    for key, value in root.value:
        slug = key.value if isinstance(key, ScalarNode) else ""
        if not _SLUG.fullmatch(slug):
            hint = f"; write '{slugify(slug)}'" if slugify(slug) else ""
            problems.append(Problem(name, _line(key), f"theme '{slug}' is not a slug{hint}"))
        elif slug in themes:
            problems.append(Problem(name, _line(key), f"theme '{slug}' is defined twice"))
        else:
            theme = _read_theme(_Place(name, slug, _line(key), problems), value)
            if theme is not None:
                themes[slug] = theme
    return themes, problems


@dataclass
class _Place:
    """Where a theme is being read, and the list its problems go to."""

    path: str
    slug: str
    line: int
    problems: list[Problem]

    def report(self, node: Node | None, reason: str) -> None:
        """Add a problem at the node's line (the theme's line without one)."""
        line = _line(node) if node is not None else self.line
        self.problems.append(Problem(self.path, line, f"theme '{self.slug}': {reason}"))


def _read_theme(place: _Place, node: Node) -> Theme | None:
    """Read one theme's fields, reporting each thing wrong; None if the theme is unusable."""
    if not isinstance(node, MappingNode):
        place.report(node, f"expected {_EXPECTED}")
        return None
    fields: dict[str, Node] = {}
    for key, value in node.value:
        field = key.value if isinstance(key, ScalarNode) else ""
        if field not in _FIELDS:
            place.report(key, f"unknown field '{field}' (expected {_EXPECTED})")
        elif field in fields:
            place.report(key, f"{field} is given twice")
        else:
            fields[field] = value
    label = _text(place, "label", fields.get("label"), required=True)
    description = _text(place, "description", fields.get("description"), required=False)
    terms = _terms(place, fields.get("terms"))
    synonyms = _terms(place, fields["synonyms"], "synonyms") if "synonyms" in fields else ()
    return Theme(place.slug, label, description, terms, synonyms) if label and terms else None


def _text(place: _Place, field: str, node: Node | None, required: bool) -> str:
    """Read a one-line text field; a missing one is a problem only if it is required."""
    if node is None or (isinstance(node, ScalarNode) and not node.value.strip()):
        if required:
            place.report(node, f"missing {field}")
        return ""
    if not isinstance(node, ScalarNode):
        place.report(node, f"{field} must be text")
        return ""
    return " ".join(node.value.split())


def _terms(place: _Place, node: Node | None, field: str = "terms") -> tuple[str, ...]:
    """Read a list of terms, each a word or phrase that keeps words after analysis."""
    if node is None:
        place.report(None, f"missing {field}")
        return ()
    if not isinstance(node, SequenceNode) or not node.value:
        place.report(node, f"{field} must be a non-empty list")
        return ()
    terms = []
    for item in node.value:
        if isinstance(item, ScalarNode) and stems(item.value):
            terms.append(" ".join(item.value.split()))
        else:
            shown = item.value if isinstance(item, ScalarNode) else "a nested value"
            place.report(item, f"{field[:-1]} '{shown}' has no searchable words")
    return tuple(terms)


def _yaml_problem(name: str, error: yaml.YAMLError) -> Problem:
    """Turn a YAML syntax error into a problem at the line where the parser stopped."""
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None:
        reason += f" ({context} started on line {context_mark.line + 1})"
    return Problem(name, mark.line + 1 if mark is not None else 1, f"bad YAML: {reason}")


def _line(node: Node) -> int:
    """Return the 1-based line where a YAML node starts."""
    return node.start_mark.line + 1
