"""The archive's own words (archive/site.yaml): its title, a description, an about text and
example searches, shown on the home page, in the search box and in the footer.

```yaml
title: The 18F blog
description: Eleven years of posts by 18F, the federal government's digital services team.
about: Kept by the 18F alumni. Each post links to where it was first published.
examples: [user research, "plain language", login.gov]
placeholder: user research, "plain language", agile*
```

Every key is optional. `load_site` reads what it can and reports the rest as `path:line: reason`
(`perspectives check` prints them); a broken file is never an error for the web app, which
shows what was valid and its own defaults for the rest. `perspectives index` copies the file
into the index, so the app, which reads only the index, shows the editors' latest words.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from indexer.records import Problem

SITE_FILE = "site.yaml"
# Words too common to show a reader what an archive is about (besides the index's stop words).
COMMON = frozenset(
    [
        "about",
        "after",
        "again",
        "also",
        "always",
        "another",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "could",
        "did",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "even",
        "ever",
        "every",
        "first",
        "from",
        "further",
        "had",
        "has",
        "having",
        "here",
        "how",
        "into",
        "just",
        "know",
        "last",
        "like",
        "made",
        "make",
        "many",
        "more",
        "most",
        "much",
        "must",
        "never",
        "next",
        "now",
        "off",
        "once",
        "one",
        "only",
        "other",
        "our",
        "out",
        "over",
        "own",
        "part",
        "same",
        "should",
        "some",
        "something",
        "still",
        "such",
        "than",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "thing",
        "things",
        "those",
        "through",
        "too",
        "under",
        "until",
        "very",
        "want",
        "was",
        "way",
        "ways",
        "well",
        "were",
        "what",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "would",
        "yet",
        "all",
        "any",
        "few",
        "its",
        "itself",
        "new",
        "say",
        "says",
        "said",
        "get",
        "got",
        "use",
        "used",
        "using",
        "year",
        "years",
        "today",
        "day",
        "days",
        "time",
        "times",
        "back",
        "see",
        "seen",
        "look",
        "let",
        "lets",
        "take",
        "know",
        "knew",
        "think",
    ]
)
LIMITS = {"title": 120, "description": 600, "about": 2000, "placeholder": 120}
MAX_EXAMPLES = 12
MAX_EXAMPLE_CHARS = 100


@dataclass(frozen=True)
class Site:
    """What the editors wrote about the archive; empty strings and tuples where they wrote nothing."""

    title: str = ""
    description: str = ""
    about: str = ""
    placeholder: str = ""
    examples: tuple[str, ...] = field(default=())


def load_site(path: Path) -> tuple[Site, list[Problem]]:
    """Read site.yaml: a missing file is an empty Site; each problem names path:line."""
    name = path.as_posix()
    if not path.is_file():
        return Site(), []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        return Site(), [Problem(name, 1, f"cannot read the site file: {error}")]
    except yaml.YAMLError as error:
        return Site(), [_yaml_problem(name, error)]
    if root is None:
        return Site(), []
    if not isinstance(root, MappingNode):
        return Site(), [
            Problem(
                name,
                _line(root),
                "expected a mapping of title, description, about, placeholder and examples",
            )
        ]
    values: dict[str, object] = {}
    problems: list[Problem] = []
    for key, value in root.value:
        word = key.value if isinstance(key, ScalarNode) else ""
        if word in values:
            problems.append(Problem(name, _line(key), f"'{word}' is given twice"))
        elif word in LIMITS:
            text = _text(name, word, value, LIMITS[word], problems)
            if text is not None:
                values[word] = text
        elif word == "examples":
            values[word] = _examples(name, value, problems)
        else:
            known = ", ".join([*LIMITS, "examples"])
            problems.append(Problem(name, _line(key), f"unknown key '{word}'; expected {known}"))
    return Site(**values), problems  # type: ignore[arg-type]


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _yaml_problem(name: str, error: yaml.YAMLError) -> Problem:
    # as themes.py reports its file's syntax errors (not imported: it loads the analyzer)
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    return Problem(name, mark.line + 1 if mark is not None else 1, f"bad YAML: {reason}")


def _text(name: str, key: str, node: Node, limit: int, problems: list[Problem]) -> str | None:
    text = " ".join(node.value.split()) if isinstance(node, ScalarNode) else ""
    if not text or node.tag == "tag:yaml.org,2002:null":
        problems.append(Problem(name, _line(node), f"'{key}' must be text"))
        return None
    if len(text) > limit:
        problems.append(
            Problem(name, _line(node), f"'{key}' is {len(text)} characters; at most {limit}")
        )
        return None
    return text


def _examples(name: str, node: Node, problems: list[Problem]) -> tuple[str, ...]:
    if not isinstance(node, SequenceNode):
        problems.append(Problem(name, _line(node), "'examples' must be a list of searches"))
        return ()
    out: list[str] = []
    for item in node.value:
        text = _text(name, "examples", item, MAX_EXAMPLE_CHARS, problems)
        if text and len(out) < MAX_EXAMPLES:
            out.append(text)
        elif text:
            problems.append(Problem(name, _line(item), f"at most {MAX_EXAMPLES} examples"))
            break
    return tuple(out)


def publish(archive: Path, generation: Path) -> list[Problem]:
    """Copy the archive's site.yaml into an index generation (replacing the old one at once), or
    take it away if the archive has none; return the file's problems, to be reported."""
    source, target = archive / SITE_FILE, generation / SITE_FILE
    if not source.is_file():
        target.unlink(missing_ok=True)
        return []
    staged = generation / f".{SITE_FILE}.new"
    shutil.copyfile(source, staged)
    os.replace(staged, target)
    return load_site(source)[1]


def common_words(terms: Iterable[tuple[str, int]], skip: Iterable[str], n: int) -> list[str]:
    """Return the n words held by most entries, of (word, entries) pairs, leaving out short,
    common and numeric ones and those in `skip` (themes already chosen, stop words)."""
    skipped = COMMON | {w.lower() for text in skip for w in text.split()}
    ranked = sorted(
        (
            (count, word)
            for word, count in terms
            if len(word) > 3 and word.isalpha() and word not in skipped
        ),
        key=lambda p: (-p[0], p[1]),
    )
    return [word for _, word in ranked[:n]]
