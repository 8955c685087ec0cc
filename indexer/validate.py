"""Validate an archive without indexing it: the same report `perspectives index` gives."""

from __future__ import annotations

from pathlib import Path

from indexer.archive import read_archive
from indexer.build import load_config
from indexer.records import ArchiveError, Problem
from indexer.site import SITE_FILE, load_site
from indexer.synonyms import SYNONYMS_FILE, load_synonyms


def check_archive(archive: Path, fieldmap: Path | None = None, synonyms: Path | None = None
                  ) -> tuple[list[Problem], int]:
    """Return every problem of the archive (files, taxonomy, site.yaml, synonyms.yaml) and the number of valid
    entries."""
    if not archive.is_dir():
        raise ArchiveError(f"{archive}: no archive folder here (set --archive or PERSPECTIVES_ARCHIVE)")
    config = load_config(archive, fieldmap)
    read = read_archive(archive, config.fieldmap)
    _, site = load_site(archive / SITE_FILE)
    _, said = load_synonyms(synonyms or archive / SYNONYMS_FILE)
    problems = set(config.problems) | set(read.problems) | set(site) | set(said)
    return sorted(problems), len(read.entries)
