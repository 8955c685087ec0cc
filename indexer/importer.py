"""Import a compiled page: split it into per-entry files in our archive format.

Each entry becomes `<out>/<section-slug>/<id>.md` with the frontmatter title, author, date,
section (the full heading), source, note (when there is one), id, then its body. Nothing is
written unless the whole page reads cleanly and no target holds different content, so an import
either completes or changes nothing; importing the same page again is a no-op.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from indexer.archive import read_file
from indexer.fieldmap import FieldMap
from indexer.records import ArchiveError, Perspective, Problem
from indexer.slugs import slugify

_NO_WRAP = 1 << 30  # one line per field: PyYAML wraps long scalars at its width
_END = "\n...\n"  # PyYAML closes a lone plain scalar with a document end marker
_QUOTED = frozenset({"title", "author", "authors", "section", "note"})


class PageProblems(ArchiveError):
    """A compiled page that cannot be imported, with the problems found in it."""

    def __init__(self, page: Path, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"{page.parent / p.path}:{p.line}: {p.reason}" for p in problems)
        super().__init__(f"{page}: not imported, fix these first:\n{lines}")


def split_page(page: Path, out_dir: Path) -> list[Path]:
    """Write one file per entry of a compiled page under out_dir and return their paths."""
    entries = read_page(page)
    planned = [(out_dir / entry_path(entry), render_entry(entry)) for entry in entries]
    _check_targets(planned)
    for target, text in planned:
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
    return [target for target, _ in planned]


def read_page(page: Path) -> list[Perspective]:
    """Read a compiled page's entries, raising PageProblems if any entry or id is wrong."""
    if not page.is_file():
        raise ArchiveError(f"{page}: no such file")
    read = read_file(page, page.parent, FieldMap())
    problems = list(read.problems)
    seen: dict[str, Perspective] = {}
    for entry in read.entries:
        if entry.id in seen:
            line = seen[entry.id].line
            reason = f"duplicate id {entry.id!r}: already used by the entry at line {line}"
            problems.append(Problem(read.path, entry.line, reason))
        seen.setdefault(entry.id, entry)
    if problems:
        raise PageProblems(page, sorted(problems))
    if not read.entries or not _is_compiled(page, read.entries[0]):
        raise ArchiveError(f"{page}: not a compiled page (no '## section' with '### entry' blocks)")
    return read.entries


def entry_path(entry: Perspective) -> Path:
    """Return where an entry's file goes: its section's folder, then its id."""
    folder = slugify(entry.section)
    return Path(folder, f"{entry.id}.md") if folder else Path(f"{entry.id}.md")


def render_entry(entry: Perspective) -> str:
    """Write an entry as a markdown file in our archive format."""
    people: dict[str, object] = (
        {"author": entry.authors[0]}
        if len(entry.authors) == 1
        else {"authors": list(entry.authors)}
    )
    fields: dict[str, object] = {"title": entry.title, **people, "date": entry.date}
    optional = {
        "section": entry.section_heading,
        "source": entry.source,
        "themes": list(entry.themes),
        "note": entry.note,
    }
    fields.update({key: value for key, value in optional.items() if value})
    fields["id"] = entry.id
    front = "".join(_field(key, value) for key, value in fields.items())
    return f"---\n{front}---\n{entry.body}\n"


def _field(key: str, value: object) -> str:
    """Write one frontmatter line: prose double-quoted as in DESIGN.md, the rest as YAML likes."""
    style = '"' if key in _QUOTED else None
    flow = isinstance(value, list)  # themes: [a, b]
    text = yaml.safe_dump(
        value, default_style=style, default_flow_style=flow, allow_unicode=True, width=_NO_WRAP
    )
    return f"{key}: {text.removesuffix(_END).rstrip()}\n"


def _check_targets(planned: list[tuple[Path, str]]) -> None:
    """Refuse targets that already hold different content."""
    for target, text in planned:
        if target.exists() and (not target.is_file() or target.read_bytes() != text.encode()):
            raise ArchiveError(f"{target}: already exists with different content; not overwritten")


def _is_compiled(page: Path, entry: Perspective) -> bool:
    """Tell whether an entry came from a '###' block (a compiled page) rather than a whole file."""
    text = page.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    return lines[entry.line - 1].lstrip().startswith("###")
