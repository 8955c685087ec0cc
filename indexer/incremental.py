"""An incremental run: the files new, changed or gone since the current generation's manifest
(`scanning.scan`), planned (`_plan`: documents to delete and add, manifest rows to change) and
written in one commit to the current generation, whose small segments are then merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer import generations as gens
from indexer import ids as id_rule
from indexer.build import BuildReport, Config, Progress, document_maker
from indexer.manifest import FileRow, FileTable, Manifest, write_manifest
from indexer.records import Perspective
from indexer.resolution import carry_entries, indexed_ids, lost_ids, resolve
from indexer.scanning import Scan, scan


@dataclass
class _Plan:
    """What an incremental run changes: files' manifest rows, and documents."""

    rows: dict[str, FileRow | None] = field(default_factory=dict)  # None: drop the file
    deletes: list[str] = field(default_factory=list)  # paths whose documents go
    entries: dict[str, list[Perspective]] = field(default_factory=dict)  # to add, by path
    carried: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # old documents kept


def incremental_build(
    archive: Path,
    current: Path,
    config: Config,
    manifest: Manifest,
    progress: Progress | None,
    named: list[str] | None = None,
) -> BuildReport:
    report = BuildReport(full=False, generation=current.name)
    table = manifest.table
    found = scan(archive, config, table, named)
    # a run killed between its commit and its manifest may have indexed files the manifest
    # does not list: then whatever is read again is deleted by path first
    cut_short = manifest.toc is not None and manifest.toc != gens.toc_generation(current)
    before = table.holders() if found.reads or found.removed else {}
    entries_before = len(before) if before else table.count_ids()  # `updated` takes `before`
    plan = _plan(current, table, found, before, report, cut_short)
    wrote = bool(plan.deletes or plan.entries)
    if wrote:
        _write(current, plan, config, progress)
        manifest.toc = gens.toc_generation(current)
    if wrote or plan.rows or found.touched:
        touched = {rel: found.stat(rel) for rel in found.touched}
        manifest.table = table.updated(found.stats.paths, plan.rows, touched)
        if config.taxonomy_read:
            manifest.taxonomy_ok = not config.problems
        write_manifest(current, manifest)
    _count(report, table, plan, found.removed, entries_before)
    return report


def _plan(
    current: Path,
    table: FileTable,
    found: Scan,
    before: dict[str, str],
    report: BuildReport,
    cut_short: bool,
) -> _Plan:
    """Settle what an incremental run writes for the files it read and the files gone."""
    taken = id_rule.Taken(before)
    for rel in (*found.reads, *found.removed):  # a file read again or gone holds nothing yet
        for i in table.ids_of(rel):
            taken.pop(i, None)
    taken.update(id_rule.holders(indexed_ids(table, found.reads), found.reads))
    entries = resolve(found.reads, taken, report)
    bad = {p.path for p in report.problems}
    plan = _Plan(dict.fromkeys(found.removed), deletes=list(found.removed))
    for rel, kept in entries.items():
        old, read = table.get(rel), found.reads[rel]
        if not kept:
            if old is not None:
                report.kept.append(rel)  # broken now: its last good version stays
            elif cut_short:
                plan.deletes.append(rel)
            continue
        row = FileRow.of(read.digest, found.stat(rel), (p.id for p in kept), rel in bad)
        plan.rows[rel] = row
        lost = lost_ids(rel, old, kept, taken, read)
        if lost and old is not None:  # some entries are broken now: their last good versions stay
            report.kept.append(rel)
            plan.rows[rel], plan.carried[rel] = carry_entries(current, rel, old, kept, lost)
        elif old is not None and (old.digest, old.ids) == (row.digest, row.ids) and not cut_short:
            continue  # indexed as it is (only its problems are reported again)
        plan.deletes.append(rel)
        plan.entries[rel] = kept
    return plan


def _write(current: Path, plan: _Plan, config: Config, progress: Progress | None) -> None:
    """Delete and add the plan's documents in one commit, then merge small segments."""
    from whoosh import index as whoosh_index

    from indexer.analysis import add_entry, recording_vocabulary
    from indexer.documents import vocabulary_document

    ix = whoosh_index.open_dir(str(current))
    writer = ix.writer(limitmb=128)
    document = document_maker(config)  # before recording: the taxonomy's terms are no vocabulary
    with recording_vocabulary() as words:
        for rel in plan.deletes:
            writer.delete_by_term("path", rel)
        total = len(plan.entries)
        for done, (rel, kept) in enumerate(plan.entries.items(), 1):
            for p in kept:
                add_entry(writer, document(p))
            for doc in plan.carried.get(rel, []):
                add_entry(writer, doc)
            if progress:
                progress(done, total)
    if words:
        writer.add_document(**vocabulary_document(words))
    # Whoosh 2.7 can lose a deletion when it merges the segment holding it at commit; merge=False
    # keeps deletions exact, and the small segments are merged by a writer that deletes nothing
    writer.commit(merge=False)
    gens.merge_small(ix)


def _count(
    report: BuildReport, table: FileTable, plan: _Plan, removed: list[str], entries_before: int
) -> None:
    """Count what an incremental run changed, from the files it changed (ids move only between
    them: a file cannot take an id that a file left as it was holds)."""
    old = {i for rel in (*plan.rows, *removed) for i in table.ids_of(rel)}
    new = {i for row in plan.rows.values() if row for i in row.ids}
    report.added, report.removed = len(new - old), len(old - new)
    report.updated = len({p.id for kept in plan.entries.values() for p in kept} & old)
    report.entries = entries_before + report.added - report.removed
