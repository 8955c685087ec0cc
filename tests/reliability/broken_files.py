"""Broken archive files of every kind editors make, and the valid entries to plant beside them.

Each writer puts one file into an archive and returns a `Planted`: its archive-relative path,
whether the file is valid (so it must be indexed) and, when the reason is known, the line its
problem must name. The hypothesis test in test_rel_archive_input.py draws from these.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ENTRY = """---
title: "{title}"
author: "@planted"
date: {date}
section: "The Tests: Broken Input"
id: {id}
---
{body}
"""
DATE_LINE = 4  # the line of `date:` in ENTRY
BIG_BYTES = 20 * 1024 * 1024
NESTED = 10_000


@dataclass(frozen=True)
class Planted:
    """One file written into the archive and what the indexer must make of it."""

    path: str
    valid: bool
    line: int | None = None  # the line its problem must name, when known
    entry_id: str = ""  # the id a valid file must be found under
    title: str = ""


def entry_text(
    entry_id: str, title: str = "Planted", body: str = "Planted body.", date: str = "2025-03-04"
) -> str:
    """Return a valid single-entry file."""
    return ENTRY.format(id=entry_id, title=title.replace('"', "'"), body=body, date=date)


def _write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    path.write_bytes(data)
    return path


def valid(root: Path, rel: str, entry_id: str, title: str, body: str) -> Planted:
    _write(root, rel, entry_text(entry_id, title, body).encode("utf-8"))
    return Planted(rel, True, entry_id=entry_id, title=title)


def nested_list(root: Path, rel: str, entry_id: str) -> Planted:
    """A valid entry whose body is 10,000 nested list items."""
    body = "- " * NESTED + "deepest item"
    _write(root, rel, entry_text(entry_id, "Nested to the bottom", body).encode())
    return Planted(rel, True, entry_id=entry_id, title="Nested to the bottom")


def flat_list(root: Path, rel: str, entry_id: str) -> Planted:
    """A valid entry whose body is a list of 10,000 items."""
    body = "".join(f"- item {i}\n" for i in range(NESTED))
    _write(root, rel, entry_text(entry_id, "Ten thousand items", body).encode())
    return Planted(rel, True, entry_id=entry_id, title="Ten thousand items")


def truncated(root: Path, rel: str, cut: int) -> Planted:
    """A file cut off inside its frontmatter, as a crashed editor leaves it."""
    text = entry_text("truncated-entry").encode()
    closing = text.index(b"\n---\n", 4)
    _write(root, rel, text[: 1 + cut % closing] if cut % closing else b"-")
    return Planted(rel, False)


INVALID_YAML = (
    ("title: [unclosed\nauthor: x\n", None),  # found on the line after
    ('title: "open quote\nauthor: x\n', None),
    ("title: x\n\tauthor: tab\n", None),
    ("title: x\n: no key\n  bad: indent\n", None),
    ("- a list\n- not a mapping\n", 2),
    ("just a sentence\n", 2),
    ("title: *undefined_alias\n", 2),
    ("title: {a: 1\n", None),
)


def invalid_yaml(root: Path, rel: str, which: int) -> Planted:
    source, line = INVALID_YAML[which % len(INVALID_YAML)]
    _write(root, rel, f"---\n{source}---\nBody.\n".encode())
    return Planted(rel, False, line)


def binary(root: Path, rel: str, data: bytes) -> Planted:
    """Bytes with a NUL in them, like an image saved with a .md name."""
    _write(root, rel, b"\x89PNG\r\n\x1a\n\x00" + data)
    return Planted(rel, False, 1)


def not_utf8(root: Path, rel: str, line: int, byte: int) -> Planted:
    """A valid entry with one byte that is not UTF-8 on a given line (1-based)."""
    lines = entry_text("latin-entry").encode().split(b"\n")
    line = 1 + line % (len(lines) - 1)
    lines[line - 1] += bytes([byte])
    _write(root, rel, b"\n".join(lines))
    return Planted(rel, False, line)


def empty(root: Path, rel: str, blank: str) -> Planted:
    _write(root, rel, blank.encode())
    return Planted(rel, False, 1)


def huge(root: Path, rel: str) -> Planted:
    """A 20 MB file: valid frontmatter, then far more body than an entry can have."""
    head = entry_text("huge-entry", body="").encode()
    path = _write(root, rel, head)
    with path.open("ab") as f:
        f.truncate(BIG_BYTES)  # a sparse 20 MB of NUL bytes after the frontmatter
    return Planted(rel, False, 1)


def nested_yaml(root: Path, rel: str) -> Planted:
    """Frontmatter holding a list nested 10,000 deep."""
    text = entry_text("nested-yaml").replace(
        "section:", "themes: " + "[" * NESTED + "]" * NESTED + "\nsection:"
    )
    _write(root, rel, text.encode())
    return Planted(rel, False)


BAD_DATES = ("0000-00-00", "2025-02-30", "2025-13-01", "2023-02-29", "2025-00-10")


def bad_date(root: Path, rel: str, which: int) -> Planted:
    date = BAD_DATES[which % len(BAD_DATES)]
    _write(root, rel, entry_text("bad-date", date=date).encode())
    return Planted(rel, False, DATE_LINE)


def missing_author(root: Path, rel: str) -> Planted:
    _write(root, rel, entry_text("no-author").replace('author: "@planted"\n', "").encode())
    return Planted(rel, False, 1)


def symlink_loop(root: Path, rel: str) -> Planted:
    """A file that is a symbolic link to itself."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    os.symlink(path.name, path)
    return Planted(rel, False, 1)


def dangling_symlink(root: Path, rel: str) -> Planted:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    os.symlink("no-such-file.md", path)
    return Planted(rel, False, 1)


def folder_loop(root: Path, rel_folder: str) -> None:
    """A folder symlink pointing back up the tree: walking it must not repeat or hang."""
    link = root / rel_folder / "loop"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        os.symlink("..", link)


# Broken kinds that need nothing drawn but a path (the rest take one drawn argument).
SIMPLE_BROKEN: dict[str, Callable[[Path, str], Planted]] = {
    "huge": huge,
    "nested_yaml": nested_yaml,
    "missing_author": missing_author,
    "symlink_loop": symlink_loop,
    "dangling_symlink": dangling_symlink,
}
