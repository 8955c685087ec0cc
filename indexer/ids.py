"""The duplicate-id rule: one for `perspectives check` and `perspectives index`.

An id belongs to the file the index already holds it in, as long as that file still has it (or
is broken now, so its last good version stays in the index); an id no such file holds goes to
the first file, in archive-relative path order, that has it (within a file, its first entry).
Every other entry with that id is a problem at its own line: `duplicate id 'x': already used
by PATH` (by `PATH:LINE` when the holder is an earlier entry of the same file).

Moving parts: `holders` (the ids the index's files keep), `settle` (each file's entries to
index, and the problems of the repeats), `Taken` (id -> path over the manifest's, not copied).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field

from indexer.records import FileRead, Perspective, Problem


class Taken(MutableMapping[str, str]):
    """Id -> path: a mapping left as it is (a manifest's holders: a million ids take a tenth
    of a second to copy) with the changes of one run over it."""

    def __init__(self, under: Mapping[str, str]) -> None:
        self._under = under
        self._over: dict[str, str] = {}
        self._gone: set[str] = set()

    def __getitem__(self, key: str) -> str:
        if key in self._over:
            return self._over[key]
        if key in self._gone:
            raise KeyError(key)
        return self._under[key]

    def __setitem__(self, key: str, value: str) -> None:
        self._over[key] = value
        self._gone.discard(key)

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._over.pop(key, None)
        self._gone.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._over or (key not in self._gone and key in self._under)

    def __iter__(self) -> Iterator[str]:
        yield from self._over
        yield from (k for k in self._under if k not in self._over and k not in self._gone)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class Settled:
    """Each settled file's entries to index (by path), and the problems of its repeats."""

    entries: dict[str, list[Perspective]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # duplicates only, in path order


def holders(indexed: Mapping[str, Iterable[str]], reads: Mapping[str, FileRead]) -> dict[str, str]:
    """Return id -> path for the ids a file read again held in the index (`indexed`: path ->
    ids) and still has, or is broken now (its last good version keeps them): a file new to an
    id cannot take it from them."""
    out: dict[str, str] = {}
    for rel, read in reads.items():
        have = {p.id for p in read.entries}
        out.update({i: rel for i in indexed.get(rel, ()) if i in have or read.problems})
    return out


def settle(reads: Mapping[str, FileRead], taken: MutableMapping[str, str]) -> Settled:
    """Keep each id's first use in path order, unless `taken` (id -> path, updated here)
    already gives it to a file; every other use is a problem."""
    out = Settled()
    for rel in sorted(reads):
        kept: dict[str, Perspective] = {}
        entries: list[Perspective] = []
        for p in reads[rel].entries:
            holder = taken.setdefault(p.id, rel)
            if holder == rel and p.id not in kept:
                kept[p.id] = p
                entries.append(p)
                continue
            where = f"{rel}:{kept[p.id].line}" if holder == rel else holder
            out.problems.append(
                Problem(rel, p.line, f"duplicate id {p.id!r}: already used by {where}")
            )
        out.entries[rel] = entries
    return out
