"""Which archive files a build must read: `scan` compares the archive (or the files an editor
named) with what a generation holds, by size and mtime, then by content hash, and reads the new
and changed ones; `archive_relative` turns a named file into its archive-relative path.

An incremental run of a large archive is mostly its scan: one stat per file, compared with the
manifest's columns (`manifest.FileTable`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.archive import SKIPPED_NAMES, ArchiveStats, archive_stats, read_file
from indexer.fieldmap import FieldMap
from indexer.manifest import FileTable
from indexer.records import ArchiveError, FileRead

if TYPE_CHECKING:
    from indexer.build import Config

POOL_MIN = 100  # fewer files than this are read here, without the process pool's imports


@dataclass
class Scan:
    """The archive's files compared with what a generation holds."""

    stats: ArchiveStats  # every file, in walk order
    reads: dict[str, FileRead]  # new or changed files (and files with problems), read
    touched: list[str]  # read again, content unchanged: only their size or mtime is new
    removed: list[str]
    read_at: dict[str, int] = field(default_factory=dict)  # where each file read is in stats

    def stat(self, rel: str) -> tuple[int, int]:
        """Return the (size, mtime_ns) of a file that was read, as the scan found them."""
        i = self.read_at[rel]
        return self.stats.sizes[i], self.stats.mtimes[i]


def scan(archive: Path, config: Config, table: FileTable, named: list[str] | None = None) -> Scan:
    """Read the files that are new or changed since `table` (a manifest's files): of the whole
    archive, or of the `named` archive-relative paths only (every other file as known)."""
    stats = (
        archive_stats(archive, config.fieldmap)
        if named is None
        else _named_stats(archive, config.fieldmap, table, named)
    )
    result = Scan(stats, {}, [], table.missing(stats.paths))
    result.read_at = {
        stats.paths[k]: k for k in table.stale(stats.paths, stats.sizes, stats.mtimes, stats.only)
    }
    to_read = list(result.read_at)
    for rel, read in zip(to_read, _read(archive, to_read, config.fieldmap)):
        row = table.get(rel)
        if row and not row.problems and row.digest == read.digest and not read.problems:
            result.touched.append(rel)
        else:  # a file with problems is resolved (and reported) again
            result.reads[rel] = read
    return result


def archive_relative(archive: Path, path: Path) -> str:
    """Return a named file's archive-relative path, or say why it is no archive file."""
    absolute = Path(os.path.abspath(path))
    try:
        rel = absolute.relative_to(Path(os.path.abspath(archive))).as_posix()
    except ValueError:
        raise ArchiveError(f"{path}: not a file of the archive {archive}") from None
    if not rel.endswith(".md") or any(part.startswith(".") for part in rel.split("/")):
        raise ArchiveError(
            f"{path}: not an archive file (a markdown file, not hidden, is expected)"
        )
    return rel


def _named_stats(
    archive: Path, fieldmap: FieldMap, table: FileTable, named: list[str]
) -> ArchiveStats:
    """Return the known files with their known sizes and mtimes, and the named ones as they
    are now: stat'ed, added when new, left out when gone (or excluded by the field map)."""
    now: dict[str, tuple[int, int] | None] = {}
    for rel in named:
        path = archive / rel
        try:
            status = path.stat()
            now[rel] = (status.st_size, status.st_mtime_ns) if path.is_file() else None
        except OSError:
            now[rel] = (-1, -1) if path.is_symlink() else None  # loops or dangles: reported
        if now[rel] is not None and (rel.split("/")[-1] in SKIPPED_NAMES or fieldmap.excludes(rel)):
            now[rel] = None
    stats = ArchiveStats()
    if all(found is not None and rel in table for rel, found in now.items()):
        # files changed in place (the common edit): the table's columns, with their stats
        stats.paths, stats.sizes, stats.mtimes = (
            list(table.paths),
            list(table.sizes),
            list(table.mtimes),
        )
        stats.only = []
        for rel, found in now.items():
            k = table.position(rel)
            assert k is not None and found is not None
            stats.sizes[k], stats.mtimes[k] = found
            stats.only.append(k)
        return stats
    for rel, size, mtime in zip(table.paths, table.sizes, table.mtimes):
        if rel in now:
            if now[rel] is None:
                continue
            size, mtime = now.pop(rel)  # type: ignore[misc]
        stats.paths.append(rel)
        stats.sizes.append(size)
        stats.mtimes.append(mtime)
    for rel, found in now.items():  # new files (the next whole scan puts them in walk order)
        if found is not None:
            stats.paths.append(rel)
            stats.sizes.append(found[0])
            stats.mtimes.append(found[1])
    return stats


def _read(archive: Path, rels: list[str], fieldmap: FieldMap) -> list[FileRead]:
    if len(rels) < POOL_MIN:
        return [read_file(archive / rel, archive, fieldmap) for rel in rels]
    from indexer.parallel import read_files

    return read_files([archive / rel for rel in rels], archive, fieldmap)
