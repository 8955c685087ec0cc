"""Sections of bench/RESULTS.md: each writer replaces its own `## Heading` and keeps the rest."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def _span(text: str, heading: str) -> tuple[int, int] | None:
    m = re.search(rf"^## {re.escape(heading)}[ \t]*$", text, flags=re.MULTILINE)
    if not m:
        return None
    nxt = re.search(r"^## ", text[m.end() :], flags=re.MULTILINE)
    return m.start(), (m.end() + nxt.start()) if nxt else len(text)


def get_section(text: str, heading: str) -> str | None:
    """Return the section `## heading` of text (heading line included), or None."""
    span = _span(text, heading)
    return text[span[0] : span[1]] if span else None


def put_section(text: str, heading: str, section: str, before: str | None = None) -> str:
    """Return text with section `## heading` replaced, or inserted before `## before` (or at the end)."""
    section = section.rstrip("\n") + "\n\n"
    span = _span(text, heading)
    if span:
        return text[: span[0]] + section + text[span[1] :]
    at = _span(text, before) if before else None
    if at:
        return text[: at[0]] + section + text[at[0] :]
    return text.rstrip("\n") + "\n\n" + section


def write_section(heading: str, section: str, path: Path = RESULTS) -> None:
    """Replace (or add) the section `## heading` of bench/RESULTS.md and print where it went."""
    path.write_text(
        put_section(path.read_text(encoding="utf-8"), heading, section), encoding="utf-8"
    )
    print(f"wrote {path.name}, section {heading!r}")
