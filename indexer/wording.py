"""How counts and queries are written for people: one home for the CLI and the pages."""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return "1 entry" or "3 entries"."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def quoted(text: str) -> str:
    """Return text in quotation marks that its own double quotes cannot be confused with:
    "autonomy", but 'the "user autonomy" phrase'."""
    return f"'{text}'" if '"' in text else f'"{text}"'
