"""A manifest's files: `FileRow` (one archive file: size, mtime, content digest, entry ids, and
whether it had problems, in which case every run reads it again) and `FileTable` (the files as
parallel columns in the archive's walk order, read as a mapping of path -> FileRow).

The columns are for speed: an incremental run of a large archive compares its scan with two
lists of numbers, and builds nothing per file unless files changed.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace


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
        # the table this one was updated from, and the files changed (the journal's delta)
        self._parent: weakref.ReferenceType[FileTable] | None = None
        self._touched: tuple[str, ...] = ()

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

    def stale(
        self, paths: list[str], sizes: list[int], mtimes: list[int], only: list[int] | None = None
    ) -> list[int]:
        """Return the positions, in a scan of the archive (paths, sizes and mtimes in walk
        order), of the files to read: new ones, changed ones (by size or mtime) and ones that
        had problems. `only`: the positions that can differ from this table (the scan's other
        files are this table's, in its order), None when any can."""
        if only is not None:
            out = sorted(
                k for k in only if (sizes[k], mtimes[k]) != (self.sizes[k], self.mtimes[k])
            )
            where = self._index()
            seen = set(out)
            return out + sorted(k for rel in self.problems if (k := where[rel]) not in seen)
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
        table._parent, table._touched = weakref.ref(self), (*changes, *stats)
        if at is where:  # the same paths in the same places
            table._where = where
            table._holders = self._holders_after(new)
            table._unique = table._holders is not None
        return table

    def _holders_after(self, new: Mapping[str, FileRow]) -> dict[str, str] | None:
        """Return the holders of ids once the files of `new` hold their new ids, made from
        this table's (when it has made them, no id is held twice, and none moves to or from
        another file: else None, and they are made again when asked). The holders move to the
        new table (a million of them take a fifth of a second to copy): this one makes its own
        again if asked."""
        holders = self._holders
        if holders is None or not self._unique:
            return None  # an id held twice: dropping it from one file leaves it to the other
        claimed: dict[str, str] = {}
        for rel, row in new.items():
            if any(holders.get(i) != rel for i in self.ids_of(rel)):
                return None
            for i in row.ids:
                held = holders.get(i, rel)
                if claimed.setdefault(i, rel) != rel or (held != rel and held not in new):
                    return None
        self._holders = None
        for rel in new:
            for i in self.ids_of(rel):
                del holders[i]
        holders.update(claimed)
        return holders

    def _set(self, i: int, rel: str, row: FileRow) -> None:
        self.sizes[i], self.mtimes[i] = row.size, row.mtime_ns
        self.digests[i], self.ids[i] = row.digest, " ".join(row.ids)
        if row.problems:
            self.problems.add(rel)
        else:
            self.problems.discard(rel)
