"""A full build: a new generation beside the old one, written by one process per core
(`parallel.py`), switched to atomically once its manifest is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from indexer import generations as gens
from indexer import ids as id_rule
from indexer.archive import archive_stats
from indexer.build import THEMES_FILE, BuildReport, Config, Progress, document_maker, schema_version
from indexer.facetdefs import save_index_facets
from indexer.manifest import FileRow, FileTable, Manifest, write_manifest
from indexer.records import FileRead
from indexer.resolution import carry_broken, indexed_ids, resolve
from indexer.scanning import Scan


def full_build(
    archive: Path,
    index_dir: Path,
    config: Config,
    previous: Path | None,
    old: Manifest,
    progress: Progress | None,
) -> BuildReport:
    import shutil

    from whoosh import index as whoosh_index

    from indexer.parallel import commit_segments, read_and_write
    from indexer.schema import make_schema

    report = BuildReport(full=True)
    stats = archive_stats(archive, config.fieldmap)
    found = Scan(stats, {}, [], [], {rel: k for k, rel in enumerate(stats.paths)})
    generation = gens.new_generation(index_dir)
    if (archive / THEMES_FILE).is_file():
        shutil.copyfile(archive / THEMES_FILE, generation / THEMES_FILE)
    save_index_facets(generation, config.facets)
    ix = whoosh_index.create_in(str(generation), make_schema(config.facets))
    document = document_maker(config)  # before recording: the taxonomy's terms are no vocabulary
    settled: dict[str, Any] = {}

    def settle(reads: list[FileRead]) -> dict[str, set[str]]:
        found.reads.update((read.path, read) for read in reads)
        taken = id_rule.holders(indexed_ids(old.files, found.reads), found.reads)
        entries = resolve(found.reads, taken, report)
        settled.update(
            entries=entries, carried=carry_broken(previous, old, found, entries, taken, report)
        )
        return {rel: {p.id for p in kept} for rel, kept in entries.items()}

    # in path order, so that documents number (and ties rank) the same in every build
    paths = [archive / rel for rel in sorted(stats.paths)]
    _, segments, words = read_and_write(
        ix, paths, archive, config.fieldmap, settle, document, progress
    )
    entries, carried = settled["entries"], settled["carried"]
    commit_segments(ix, segments, [doc for _, docs in carried.values() for doc in docs], words)
    bad = {p.path for p in report.problems}
    files = {
        rel: FileRow.of(found.reads[rel].digest, found.stat(rel), (p.id for p in kept), rel in bad)
        for rel, kept in entries.items()
        if kept
    }
    files.update({rel: row for rel, (row, _) in carried.items()})
    manifest = Manifest(
        FileTable.from_files(files, found.stats.paths),
        config.digest,
        schema_version(),
        _now(),
        not config.problems,
    )
    manifest.toc = gens.toc_generation(generation)
    write_manifest(generation, manifest)
    gens.switch_to(index_dir, generation)
    ids, old_ids = set(manifest.ids()), set(old.ids())
    report.added, report.updated = len(ids - old_ids), len(ids & old_ids)
    report.removed = len(old_ids - ids)
    report.entries = len(ids)
    report.generation = generation.name
    return report


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
