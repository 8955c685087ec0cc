"""Compiled pages: one markdown page holding many entries, read one Perspective per entry.

The page's body is an introduction, then `## Section heading` blocks separated by `---` lines,
each holding `### Entry title` blocks:

    ### "Entry title"
    *@handle, Month D, YYYY*
    body …
    [Link to tweet](https://…)       <- the source
    *closing italic line*            <- the note, when there is one

A `## [Placeholder]` section and text outside any `###` block (the introduction, the page's
closing remark) are not entries. Lines inside code fences are body text, never headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.records import Perspective, Problem
from indexer.slugs import (
    clean_line,
    parse_date_text,
    parse_month_date,
    short_section,
    slugify,
    unquote,
)

_SECTION = re.compile(r"##\s+(.+?)(?:\s+#+)?")
_ENTRY = re.compile(r"###\s+(.+?)(?:\s+#+)?")
_SEPARATOR = re.compile(r"-{3,}")
_FENCE = re.compile(r"(```|~~~)")
_BYLINE = re.compile(
    r"(?P<mark>[*_])(?P<author>[^\s*_,][^,]*?)\s*,\s*(?P<date>[^*_]+?)\s*(?P=mark)"
)
_LINK = re.compile(r"\[Link to [^\]]*\]\(\s*<?(?P<url>[^)\s>]+)>?\s*\)")
_HAS_SECTION = re.compile(r"^##\s", re.MULTILINE)
_HAS_ENTRY = re.compile(r"^###\s", re.MULTILINE)
_EXPECTED_BYLINE = "expected '*@handle, Month D, YYYY*' under the title"


@dataclass
class _Block:
    """The lines of one '###' entry, with the section it sits in."""

    title: str
    line: int
    heading: str
    lines: list[tuple[int, str]] = field(default_factory=list)


def looks_compiled(body: str) -> bool:
    """Tell whether a body has the '##' section and '###' entry headings of a compiled page."""
    return _HAS_SECTION.search(body) is not None and _HAS_ENTRY.search(body) is not None


def parse_page(body: str, first_line: int, path: str) -> tuple[list[Perspective], list[Problem]]:
    """Read every entry of a compiled page's body, which starts at first_line of the file."""
    entries: list[Perspective] = []
    problems: list[Problem] = []
    for block in _blocks(body.split("\n"), first_line):
        result = _entry(block, path)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            entries.append(result)
    return entries, problems


def _blocks(lines: list[str], first_line: int) -> list[_Block]:
    """Cut the page into entry blocks, leaving out placeholders and text between entries."""
    blocks: list[_Block] = []
    current: _Block | None = None
    heading, placeholder, fenced = "", False, False
    for number, line in enumerate(lines, start=first_line):
        text = line.strip()
        if _FENCE.match(text):
            fenced = not fenced
        if not fenced and (section := _SECTION.fullmatch(text)):
            heading = section.group(1)
            placeholder = heading.startswith("[") and heading.endswith("]")
            current = None
        elif not fenced and _SEPARATOR.fullmatch(text):
            heading, placeholder, current = "", False, None
        elif not fenced and (entry := _ENTRY.fullmatch(text)):
            current = None if placeholder else _Block(entry.group(1), number, heading)
            blocks.extend([current] if current else [])
        elif current is not None:
            current.lines.append((number, line))
    return blocks


def _entry(block: _Block, path: str) -> Perspective | Problem:
    """Turn one block into a Perspective, or the Problem that keeps it out."""
    title = unquote(clean_line(block.title))
    lines = _trim(block.lines)
    if not lines or (byline := _BYLINE.fullmatch(lines[0][1].strip())) is None:
        return Problem(path, block.line, f"entry {title!r} has no author line: {_EXPECTED_BYLINE}")
    date_text = byline.group("date")
    try:
        date = parse_month_date(date_text) or parse_date_text(date_text)
    except ValueError:
        return Problem(path, lines[0][0], f"date {date_text!r} does not exist")
    if date is None:
        return Problem(path, lines[0][0], f"date {date_text!r} is not a date: {_EXPECTED_BYLINE}")
    body, source, note = _split_tail([text for _, text in lines[1:]])
    if not body:
        return Problem(path, block.line, f"entry {title!r} has an empty body")
    if not slugify(title):
        reason = f"entry title {title!r} gives no id: use Latin letters or digits"
        return Problem(path, block.line, reason)
    return Perspective(
        id=slugify(title), title=title, authors=(byline.group("author").strip(),), date=date,
        section=short_section(clean_line(block.heading)), section_heading=clean_line(block.heading),
        source=source, body=body, path=path, line=block.line, note=clean_line(note),
    )  # fmt: skip


def _split_tail(lines: list[str]) -> tuple[str, str, str]:
    """Split an entry's lines after the byline into body, source link and note."""
    for index, line in enumerate(lines):
        link = _LINK.fullmatch(line.strip())
        if link is not None:
            body = "\n".join(lines[:index]).strip()
            return body, link.group("url"), _note(lines[index + 1 :])
    return "\n".join(lines).strip(), "", ""


def _note(lines: list[str]) -> str:
    """Return the text after the source link, without the italic marks around each line."""
    return " ".join(_unitalic(line.strip()) for line in lines if line.strip())


def _unitalic(text: str) -> str:
    """Remove single '*' or '_' marks wrapping the whole text (bold '**' stays)."""
    for mark in "*_":
        if len(text) > 2 and text[0] == text[-1] == mark and text[1] != mark and text[-2] != mark:
            return text[1:-1].strip()
    return text


def _trim(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Drop blank lines at the start of a block."""
    start = next((index for index, (_, text) in enumerate(lines) if text.strip()), len(lines))
    return lines[start:]
