"""A generation's manifest: what it holds and how it was built.

Moving parts: `FileRow` (one archive file: size, mtime, content digest, entry ids, and whether
it had problems, in which case every run reads it again), `FileTable` (the files as parallel
columns in the archive's walk order, read as a mapping of path -> FileRow), `Manifest`, and the
one reader and writer of manifest.json (`read_manifest`, `write_manifest`).

The columns are for speed: an incremental run of a large archive compares its scan with two
lists of numbers, and builds nothing per file unless files changed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from indexer.generations import MANIFEST, write_atomic

MANIFEST_FORMAT = 2  # columns; format 1 (a mapping per file) is still read


@dataclass(frozen=True, slots=True)
class FileRow:
    """One archive file as a generation knows it."""

    digest: str  # the content hash of the file as last indexed
    size: int
    mtime_ns: int
    ids: tuple[str, ...]  # the ids of its entries in the index, sorted
    problems: bool = False  # it had problems: every run reads it again

    @classmethod
    def of(
        cls, digest: str, stat: tuple[int, int], ids: Iterable[str], problems: bool = False
    ) -> FileRow:
        """Return the row of a file read: its digest, (size, mtime_ns) and entry ids."""
        return cls(digest, stat[0], stat[1], tuple(sorted(ids)), problems)

    def restat(self, stat: tuple[int, int]) -> FileRow:
        """Return the row with a new (size, mtime_ns), its content unchanged."""
        return replace(self, size=stat[0], mtime_ns=stat[1])


class FileTable(Mapping[str, FileRow]):
    """A manifest's files as parallel columns; it reads as a mapping of path -> FileRow."""

    def __init__(
        self,
        paths: list[str] | None = None,
        sizes: list[int] | None = None,
        mtimes: list[int] | None = None,
        digests: list[str] | None = None,
        ids: list[str] | None = None,
        problems: Iterable[str] = (),
    ) -> None:
        self.paths = paths or []
        self.sizes = sizes or []
        self.mtimes = mtimes or []
        self.digests = digests or []
        self.ids = ids or []  # each file's ids, space-separated (ids are slugs)
        self.problems = set(problems)
        if any(
            len(c) != len(self.paths) for c in (self.sizes, self.mtimes, self.digests, self.ids)
        ):
            raise ValueError("manifest columns of different lengths")
        self._where: dict[str, int] | None = None
        self._holders: dict[str, str] | None = None
        self._unique = False  # no id is held by two files (known once the holders are made)

    @classmethod
    def from_files(
        cls, files: Mapping[str, FileRow], order: Iterable[str] | None = None
    ) -> FileTable:
        """Return the table of a mapping of path -> row, in the given order of its paths."""
        paths = [rel for rel in order if rel in files] if order is not None else list(files)
        rows = [files[rel] for rel in paths]
        return cls(
            paths,
            [r.size for r in rows],
            [r.mtime_ns for r in rows],
            [r.digest for r in rows],
            [" ".join(r.ids) for r in rows],
            [rel for rel, r in zip(paths, rows) if r.problems],
        )

    def __getitem__(self, rel: str) -> FileRow:
        i = self._index()[rel]
        return FileRow(
            self.digests[i],
            self.sizes[i],
            self.mtimes[i],
            tuple(self.ids[i].split()),
            rel in self.problems,
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __contains__(self, rel: object) -> bool:
        return rel in self._index()

    def _index(self) -> dict[str, int]:
        if self._where is None:
            self._where = dict(zip(self.paths, range(len(self.paths))))
        return self._where

    def position(self, rel: str) -> int | None:
        """Return a file's place in the columns (None for a file not listed)."""
        return self._index().get(rel)

    def ids_of(self, rel: str) -> list[str]:
        """Return the ids a file holds (none for a file not listed), without making its row."""
        i = self._index().get(rel)
        return self.ids[i].split() if i is not None else []

    def holders(self) -> dict[str, str]:
        """Return id -> path for every id the files hold (made once per table, which is never
        changed once made: the caller must not change it either)."""
        if self._holders is None:
            out = dict(zip(self.ids, self.paths))  # most files hold one id
            for rel, ids in zip(self.paths, self.ids):
                if " " in ids or not ids:
                    out.pop(ids, None)
                    out.update(dict.fromkeys(ids.split(), rel))
            self._holders = out
            self._unique = len(out) == self.count_ids()
        return self._holders

    def digests_by_id(self) -> dict[str, str]:
        """Return id -> digest of the file that holds it, for every id the files hold."""
        digests = dict(zip(self.paths, self.digests))
        return {i: digests[rel] for i, rel in self.holders().items()}

    def count_ids(self) -> int:
        """Return how many ids the files hold."""
        return " ".join(self.ids).count(" ") + 1 - self.ids.count("") if self.ids else 0

    def stale(self, paths: list[str], sizes: list[int], mtimes: list[int]) -> list[int]:
        """Return the positions, in a scan of the archive (paths, sizes and mtimes in walk
        order), of the files to read: new ones, changed ones (by size or mtime) and ones that
        had problems."""
        out = self._changed(paths, sizes, mtimes)
        if self.problems:
            seen = set(out)
            out += [k for k, rel in enumerate(paths) if rel in self.problems and k not in seen]
        return out

    def _changed(self, paths: list[str], sizes: list[int], mtimes: list[int]) -> list[int]:
        """Return the positions of the paths that are new or of another size or mtime."""
        if paths == self.paths:  # nothing added or removed: compare the columns as they are
            if sizes == self.sizes and mtimes == self.mtimes:
                return []
            rows = enumerate(zip(sizes, self.sizes, mtimes, self.mtimes))
            return [k for k, (size, was, mtime, then) in rows if size != was or mtime != then]
        where, old_sizes, old_mtimes = self._index(), self.sizes, self.mtimes
        out = []
        for k, (rel, size, mtime) in enumerate(zip(paths, sizes, mtimes)):
            i = where.get(rel)
            if i is None or size != old_sizes[i] or mtime != old_mtimes[i]:
                out.append(k)
        return out

    def missing(self, paths: list[str]) -> list[str]:
        """Return the files listed here that are not among paths, sorted."""
        return [] if paths == self.paths else sorted(set(self.paths).difference(paths))

    def matches(self, paths: list[str], sizes: list[int], mtimes: list[int]) -> bool:
        """Tell whether the files, their sizes and their mtimes are exactly these, in any order."""
        if paths == self.paths:
            return sizes == self.sizes and mtimes == self.mtimes
        return len(set(paths)) == len(self.paths) and not self._changed(paths, sizes, mtimes)

    def updated(
        self,
        order: list[str],
        changes: Mapping[str, FileRow | None],
        stats: Mapping[str, tuple[int, int]],
    ) -> FileTable:
        """Return the table after a run: `changes` replace or add files (None drops one),
        `stats` give files left as they were a new size and mtime, and the files are put in
        the given order (a scan's paths; files not among them are dropped)."""
        where = self._index()
        new = {rel: row for rel, row in changes.items() if row is not None}
        new.update({rel: self[rel].restat(stat) for rel, stat in stats.items()})
        if (
            order == self.paths
            and len(new) == len(changes) + len(stats)
            and all(rel in where for rel in new)
        ):
            at = where  # no file added or dropped: rows are replaced in place
            table = FileTable(
                list(self.paths),
                list(self.sizes),
                list(self.mtimes),
                list(self.digests),
                list(self.ids),
                self.problems,
            )
        else:
            paths = [rel for rel in order if rel in new or (rel in where and rel not in changes)]
            rows = [where.get(rel, 0) for rel in paths]  # a new file's row is set below
            table = FileTable(
                paths,
                [self.sizes[i] for i in rows],
                [self.mtimes[i] for i in rows],
                [self.digests[i] for i in rows],
                [self.ids[i] for i in rows],
                self.problems.intersection(paths),
            )
            at = {rel: k for k, rel in enumerate(paths) if rel in new}
        for rel, row in new.items():
            table._set(at[rel], rel, row)
        if at is where:  # the same paths in the same places
            table._where = where
            table._holders = self._holders_after(new)
            table._unique = table._holders is not None
        return table

    def _holders_after(self, new: Mapping[str, FileRow]) -> dict[str, str] | None:
        """Return the holders of ids once the files of `new` hold their new ids, made from
        this table's (when it has made them, no id is held twice, and none moves to or from
        another file: else None, and they are made again when asked)."""
        if self._holders is None or not self._unique:
            return None  # an id held twice: dropping it from one file leaves it to the other
        holders = dict(self._holders)
        for rel in new:
            for i in self.ids_of(rel):
                if holders.get(i) != rel:
                    return None
                del holders[i]
        for rel, row in new.items():
            for i in row.ids:
                if holders.setdefault(i, rel) != rel:
                    return None
        return holders

    def _set(self, i: int, rel: str, row: FileRow) -> None:
        self.sizes[i], self.mtimes[i] = row.size, row.mtime_ns
        self.digests[i], self.ids[i] = row.digest, " ".join(row.ids)
        if row.problems:
            self.problems.add(rel)
        else:
            self.problems.discard(rel)


@dataclass
class Manifest:
    """What a generation holds (its files) and how it was built."""

    table: FileTable = field(default_factory=FileTable)
    config_digest: str = ""
    schema_version: int = 0
    built: str = ""
    taxonomy_ok: bool = False  # its taxonomy had no problems: the same one need not be read
    toc: int | None = None  # the Whoosh table of contents it describes (None: not known)

    @property
    def files(self) -> FileTable:
        """Return the files, read as a mapping of path -> FileRow."""
        return self.table

    def ids(self) -> dict[str, str]:
        """Return every indexed id with the path of the file that holds it."""
        return self.table.holders()


# -- manifest.json: the one place that reads and writes it ------------------------------------


# The manifest this process last read or wrote, with its file's identity: a long-running
# `perspectives index --watch` parses a large archive's manifest (130 MB of JSON at 1,000,000
# entries, seconds) once, not before every batch. A table is never changed once made
# (`FileTable.updated` makes a new one), so each read hands out a new Manifest around it.
_LAST: list[tuple[tuple[object, ...], Manifest]] = []


def _identity(path: Path) -> tuple[object, ...] | None:
    """Return what tells one version of a file from another: its place, inode, size, mtime."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (os.fspath(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def read_manifest(generation: Path) -> Manifest:
    """Read a generation's manifest (empty if it has none, or one that cannot be read)."""
    path = generation / MANIFEST
    known = _identity(path)
    if known is not None and _LAST and _LAST[0][0] == known:
        return replace(_LAST[0][1])
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        table = _table(data)
    except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest()
    found = Manifest(
        table,
        data.get("config_digest", ""),
        data.get("schema_version", 0),
        data.get("built", ""),
        data.get("taxonomy_ok", False),
        data.get("toc"),
    )
    _remember(known, found)
    return replace(found)


def _remember(identity: tuple[object, ...] | None, manifest: Manifest) -> None:
    _LAST[:] = [] if identity is None else [(identity, replace(manifest))]


def write_manifest(generation: Path, manifest: Manifest) -> None:
    """Write a generation's manifest atomically (always in the current format)."""
    table = manifest.table
    data = {
        "format": MANIFEST_FORMAT,
        "config_digest": manifest.config_digest,
        "schema_version": manifest.schema_version,
        "built": manifest.built,
        "taxonomy_ok": manifest.taxonomy_ok,
        "toc": manifest.toc,
        "paths": table.paths,
        "sizes": table.sizes,
        "mtimes": table.mtimes,
        "digests": table.digests,
        "ids": table.ids,
        "problems": sorted(table.problems),
    }
    write_atomic(generation / MANIFEST, json.dumps(data, separators=(",", ":")))
    _remember(_identity(generation / MANIFEST), manifest)


def _table(data: dict[str, Any]) -> FileTable:
    """Return the file table of a manifest's JSON, of either format."""
    if data.get("format") == MANIFEST_FORMAT:
        return FileTable(
            data["paths"],
            data["sizes"],
            data["mtimes"],
            data["digests"],
            data["ids"],
            data["problems"],
        )
    files = data.get("files", {})  # format 1: path -> {digest, size, mtime_ns, ids, problems?}
    return FileTable.from_files({rel: _format_1_row(info) for rel, info in files.items()})


def _format_1_row(info: dict[str, Any]) -> FileRow:
    return FileRow(
        info["digest"],
        info["size"],
        info["mtime_ns"],
        tuple(info["ids"]),
        bool(info.get("problems")),
    )
