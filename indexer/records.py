"""Typed records that the archive becomes as soon as it is read, and the problems it can have."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Perspective:
    """One entry of the archive, parsed and validated."""

    id: str
    title: str
    authors: tuple[str, ...]  # one or more people, each one value of the author facet
    date: dt.date
    section: str  # short name used as the facet value ("The Evidence")
    section_heading: str  # full heading for display ("The Evidence: Data-Driven Accountability")
    source: str
    body: str  # markdown
    path: str  # archive-relative path of the file it came from, with "/" separators
    line: int = 1  # line of the file where the entry starts
    note: str = ""
    themes: tuple[str, ...] = ()  # the editors' own tags; taxonomy themes are added at indexing
    language: str = ""  # the `lang:` it declares (a code of languages.LANGUAGES); "": detected
    # the values of the facets its archive's field map adds, by facet name (those it has)
    facets: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def author(self) -> str:
        """Return the authors as one line to display ("melody, kate and erica")."""
        return join_names(self.authors)


def join_names(names: tuple[str, ...] | list[str]) -> str:
    """Return names as a reader says them: "a", "a and b", "a, b and c"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the archive, reported as `path:line: reason`."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class FileRead:
    """What reading one archive file gave: its entries, its problems and its content hash."""

    path: str
    digest: str
    entries: list[Perspective] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class ArchiveError(Exception):
    """A problem that stops the whole operation (missing archive folder, unreadable field map)."""
