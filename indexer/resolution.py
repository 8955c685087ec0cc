"""Which entries of the files read a build indexes: duplicate ids settled by the rule of `ids.py`
(`resolve`), and the last good version of a file that is broken now kept (`lost_ids`,
`carry_broken` for a full build, `carry_entries` for an incremental one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import ids as id_rule
from indexer.manifest import FileRow, Manifest
from indexer.records import FileRead, Perspective, Problem

if TYPE_CHECKING:
    from indexer.build import BuildReport
    from indexer.scanning import Scan


def resolve(
    reads: dict[str, FileRead], taken: MutableMapping[str, str], report: BuildReport
) -> dict[str, list[Perspective]]:
    """Return each read file's entries to index, by the duplicate-id rule (`ids.settle`;
    `taken`: id -> path), and count and report every file with problems."""
    settled = id_rule.settle(reads, taken)
    repeats: dict[str, list[Problem]] = {}
    for problem in settled.problems:
        repeats.setdefault(problem.path, []).append(problem)
    for rel in sorted(reads):
        problems = reads[rel].problems + repeats.get(rel, [])
        if problems:
            report.rejected += 1
            report.problems.extend(problems)
    return settled.entries


def indexed_ids(files: Mapping[str, FileRow], reads: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Return path -> the ids the manifest's files say it holds, for the files read."""
    return {rel: row.ids if (row := files.get(rel)) else () for rel in reads}


def lost_ids(
    rel: str,
    row: FileRow | None,
    kept: list[Perspective],
    taken: Mapping[str, str],
    read: FileRead,
) -> list[str]:
    """Return the ids a file that is broken now held before and none of its valid entries has."""
    if not read.problems or row is None:
        return []
    have = {p.id for p in kept}
    return [i for i in row.ids if taken.get(i) == rel and i not in have]


def carry_broken(
    previous: Path | None,
    old: Manifest,
    found: Scan,
    entries: dict[str, list[Perspective]],
    taken: dict[str, str],
    report: BuildReport,
) -> dict[str, tuple[FileRow, list[dict[str, Any]]]]:
    """Return the old documents of entries that are broken now, so a full build keeps them."""
    lost = {
        rel: lost_ids(rel, old.files.get(rel), kept, taken, found.reads[rel])
        for rel, kept in entries.items()
    }
    broken = [rel for rel, ids in lost.items() if ids]
    if not broken or previous is None:
        return {}
    from indexer.stored import documents_for_paths  # local: only needed in this rare case

    carried = documents_for_paths(previous, broken)
    report.kept.extend(sorted(carried))
    return {
        rel: _kept_version(old.files[rel], entries[rel], docs, lost[rel])
        for rel, docs in carried.items()
    }


def _kept_version(
    row: FileRow, kept: list[Perspective], docs: list[dict[str, Any]], lost: list[str]
) -> tuple[FileRow, list[dict[str, Any]]]:
    """Return a broken file's manifest row (its last good one, so it is read again) and the
    old documents of its lost ids."""
    docs = [doc for doc in docs if doc["id"] in lost]
    ids = {p.id for p in kept} | {doc["id"] for doc in docs}
    return replace(row, ids=tuple(sorted(ids)), problems=True), docs


def carry_entries(
    current: Path, rel: str, row: FileRow, kept: list[Perspective], lost: list[str]
) -> tuple[FileRow, list[dict[str, Any]]]:
    """Return a partly broken file's manifest row and the stored documents of its lost ids."""
    from indexer.stored import documents_for_paths  # local: only needed in this rare case

    return _kept_version(row, kept, documents_for_paths(current, [rel]).get(rel, []), lost)
