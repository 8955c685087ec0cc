"""Validate an archive without indexing it: the same report `perspectives index` gives."""

from __future__ import annotations

from pathlib import Path

from indexer.archive import read_archive
from indexer.build import load_config
from indexer.markup import plain_text
from indexer.near_copies import check_pairs
from indexer.records import ArchiveError, Problem
from indexer.site import SITE_FILE, load_site


def check_archive(archive: Path, fieldmap: Path | None = None,
                  warnings: list[Problem] | None = None) -> tuple[list[Problem], int]:
    """Return every problem of the archive (files, taxonomy, site.yaml) and the number of valid
    entries; add to `warnings`, when given, each entry nearly the same as another."""
    if not archive.is_dir():
        raise ArchiveError(f"{archive}: no archive folder here (set --archive or PERSPECTIVES_ARCHIVE)")
    config = load_config(archive, fieldmap)
    read = read_archive(archive, config.fieldmap)
    _, site = load_site(archive / SITE_FILE)
    if warnings is not None:
        warnings += check_pairs((p, plain_text(p.body)) for p in read.entries)
    return sorted(set(config.problems) | set(read.problems) | set(site)), len(read.entries)
