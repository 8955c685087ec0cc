"""Validate an archive without indexing it: the same report `perspectives index` gives."""

from __future__ import annotations

from pathlib import Path

from indexer import generations as gens
from indexer.archive import read_archive
from indexer.build import load_config
from indexer.manifest import read_manifest
from indexer.markup import plain_text
from indexer.near_copies import check_pairs
from indexer.records import ArchiveError, Problem
from indexer.site import SITE_FILE, load_site
from indexer.synonyms import SYNONYMS_FILE, load_synonyms


def check_archive(
    archive: Path,
    fieldmap: Path | None = None,
    index_dir: Path | None = None,
    synonyms: Path | None = None,
    warnings: list[Problem] | None = None,
) -> tuple[list[Problem], int]:
    """Return every problem of the archive (files, taxonomy, site.yaml, synonyms.yaml: the
    archive's or the one named) and the number of valid entries. With an index, its files keep
    the ids they hold, as `perspectives index` decides. Add to `warnings`, when given, each
    entry nearly the same as another."""
    if not archive.is_dir():
        raise ArchiveError(
            f"{archive}: no archive folder here (set --archive or PERSPECTIVES_ARCHIVE)"
        )
    config = load_config(archive, fieldmap)
    read = read_archive(archive, config.fieldmap, _indexed_ids(index_dir))
    _, site = load_site(archive / SITE_FILE)
    if warnings is not None:
        warnings += check_pairs((p, plain_text(p.body)) for p in read.entries)
    _, said = load_synonyms(synonyms or archive / SYNONYMS_FILE)
    problems = set(config.problems) | set(read.problems) | set(site) | set(said)
    return sorted(problems), len(read.entries)


def _indexed_ids(index_dir: Path | None) -> dict[str, list[str]]:
    """Return path -> ids for the files of the index's current generation (none: no index)."""
    current = gens.current_path(index_dir) if index_dir is not None else None
    if current is None:
        return {}
    table = read_manifest(current).table
    return {rel: ids.split() for rel, ids in zip(table.paths, table.ids)}
