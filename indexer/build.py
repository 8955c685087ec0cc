"""Build the index from the archive: full (a new generation, switched atomically) or incremental.

Moving parts: `writer_lock` (one writer at a time), `Config` (field map and taxonomy, whose
digest decides when an incremental run must become a full one), `scan` (which files are new,
changed, touched or gone, by size+mtime then content hash), `resolve` (valid entries, duplicate
ids, files whose last good version is kept), the two writers `_full` and `_incremental`, and
`_merge_small` (the small segments incremental runs leave, merged before they pile up).

An incremental run of a large archive is mostly its scan: one stat per file, compared with the
manifest's columns (`generations.FileTable`). It reads the taxonomy, opens the index and
analyzes only when there is something to index; the modules for that are imported there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import generations as gens
from indexer import ids as id_rule
from indexer.archive import SKIPPED_NAMES, ArchiveStats, archive_stats, read_file
from indexer.fieldmap import FieldMap, load_fieldmap
from indexer.records import ArchiveError, FileRead, Perspective, Problem
from indexer.site import publish as publish_site

if TYPE_CHECKING:

    from indexer.themes import Matcher, Theme

Progress = Callable[[int, int], None]
THEMES_FILE = "themes.yaml"
POOL_MIN = 100  # fewer files than this are read here, without the process pool's imports


class IndexBusy(Exception):
    """Another index run holds the lock."""


@dataclass
class BuildReport:
    """What a build did, counted in entries; rejected counts files with problems."""

    full: bool = False
    added: int = 0
    updated: int = 0
    removed: int = 0
    rejected: int = 0
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # broken files whose last good version stays
    seconds: float = 0.0
    generation: str = ""

    def summary(self) -> str:
        """Return the one-line summary a terminal or a log shows."""
        kind = "full build" if self.full else "incremental"
        return (
            f"{kind}: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.rejected} rejected; {self.entries} entries in the index ({self.seconds:.1f} s)"
        )


@dataclass
class Config:
    """The archive's field map and taxonomy, with a digest of both and of the schema version.

    The taxonomy is read (and compiled) when first asked for: a run that indexes nothing needs
    only the digest, and reading it imports the analyzer.
    """

    fieldmap: FieldMap
    digest: str
    themes_path: Path

    @cached_property
    def _loaded(self) -> tuple[dict[str, Theme], list[Problem]]:
        from indexer.themes import load_taxonomy

        taxonomy, problems = load_taxonomy(self.themes_path)
        return taxonomy, list(problems)

    @property
    def taxonomy(self) -> dict[str, Theme]:
        """Return the theme taxonomy."""
        return self._loaded[0]

    @property
    def problems(self) -> list[Problem]:
        """Return the taxonomy's problems."""
        return self._loaded[1]

    @property
    def taxonomy_read(self) -> bool:
        """Tell whether the taxonomy has been read."""
        return "_loaded" in self.__dict__

    @cached_property
    def matcher(self) -> Matcher:
        """Return the taxonomy compiled for assigning themes."""
        from indexer.themes import compile_taxonomy

        return compile_taxonomy(self.taxonomy)


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


@contextmanager
def writer_lock(index_dir: Path, wait: bool = True, on_wait: Callable[[], None] | None = None
                ) -> Iterator[None]:
    """Hold the index's writer lock; wait for it (telling on_wait) or raise IndexBusy."""
    import filelock

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(index_dir / ".lock"))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if not wait:
            raise IndexBusy(f"another 'perspectives index' is running on {index_dir}") from None
        if on_wait:
            on_wait()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def load_config(archive: Path, fieldmap_path: Path | None = None) -> Config:
    """Read the field map, and make the digest of all that shapes how the archive is indexed."""
    themes_path = archive / THEMES_FILE
    fieldmap = load_fieldmap(archive, fieldmap_path)
    h = hashlib.sha256(f"schema {_schema_version()}\nfieldmap {fieldmap.digest}\n".encode())
    if themes_path.is_file():
        h.update(themes_path.read_bytes())
    return Config(fieldmap, h.hexdigest(), themes_path)


def _schema_version() -> int:
    from indexer.schema import SCHEMA_VERSION  # local: the schema module imports Whoosh

    return SCHEMA_VERSION


def scan(archive: Path, config: Config, known: Mapping[str, dict[str, Any]],
         named: list[str] | None = None) -> Scan:
    """Read the files that are new or changed since `known` (a manifest's files): of the whole
    archive, or of the `named` archive-relative paths only (every other file as known)."""
    table = known if isinstance(known, gens.FileTable) else gens.FileTable.from_files(known)
    stats = archive_stats(archive, config.fieldmap) if named is None else _named_stats(
        archive, config.fieldmap, table, named)
    result = Scan(stats, {}, [], table.missing(stats.paths))
    result.read_at = {stats.paths[k]: k for k in table.stale(stats.paths, stats.sizes, stats.mtimes)}
    to_read = list(result.read_at)
    for rel, read in zip(to_read, _read(archive, to_read, config.fieldmap)):
        info = table.get(rel)
        if info and not info.get("problems") and info["digest"] == read.digest and not read.problems:
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
        raise ArchiveError(f"{path}: not an archive file (a markdown file, not hidden, is expected)")
    return rel


def _named_stats(archive: Path, fieldmap: FieldMap, table: gens.FileTable,
                 named: list[str]) -> ArchiveStats:
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


def resolve(reads: dict[str, FileRead], taken: dict[str, str], report: BuildReport
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


def _ids(files: Mapping[str, dict[str, Any]], reads: Iterable[str]) -> dict[str, list[str]]:
    """Return path -> the ids the manifest's files say it holds, for the files read."""
    return {rel: files.get(rel, {}).get("ids", []) for rel in reads}


def _lost(rel: str, info: dict[str, Any], kept: list[Perspective], taken: dict[str, str],
          read: FileRead) -> list[str]:
    """Return the ids a file that is broken now held before and none of its valid entries has."""
    if not read.problems:
        return []
    have = {p.id for p in kept}
    return [i for i in info.get("ids", []) if taken.get(i) == rel and i not in have]


def _documents(config: Config) -> Callable[[Perspective], dict[str, Any]]:
    """Return the function that makes an entry's document, themes assigned."""
    from indexer.documents import make_document
    from indexer.markup import plain_text
    from indexer.themes import assign_themes

    matcher = config.matcher

    def document(p: Perspective) -> dict[str, Any]:
        body = plain_text(p.body)  # themes from the text, not from link addresses in the markdown
        return make_document(p, assign_themes(p.title, body, p.themes, matcher), body)

    return document


def _file_info(read_digest: str, stat: tuple[int, int], ids: Iterable[str],
               problems: bool = False) -> dict[str, Any]:
    info = {"digest": read_digest, "size": stat[0], "mtime_ns": stat[1], "ids": sorted(ids)}
    return {**info, "problems": True} if problems else info


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def build_index(
    archive: Path,
    index_dir: Path,
    full: bool = False,
    fieldmap: Path | None = None,
    progress: Progress | None = None,
    wait: bool = True,
    on_wait: Callable[[], None] | None = None,
    only: Sequence[Path] | None = None,
) -> BuildReport:
    """Bring the index up to date with the archive; readers never see a half-built index.

    `only` names the files an editor added, changed or deleted: an incremental run then looks
    at those alone instead of every file of the archive (a full build ignores it)."""
    if not archive.is_dir():
        raise ArchiveError(f"{archive}: no archive folder here (set --archive or PERSPECTIVES_ARCHIVE)")
    named = [archive_relative(archive, path) for path in only] if only else None
    started = time.perf_counter()
    with writer_lock(index_dir, wait, on_wait):
        gens.discard_unfinished(index_dir)  # left by a run that was killed
        config = load_config(archive, fieldmap)
        current = gens.current_path(index_dir)
        manifest = gens.read_manifest(current) if current else gens.Manifest()
        stale = manifest.config_digest != config.digest or manifest.schema_version != _schema_version()
        if full or current is None or stale:
            before = {p.name for p in index_dir.glob("gen-*")}
            try:
                report = _full(archive, index_dir, config, current, manifest, progress)
            except BaseException:  # a full disk, an interrupt: free the space it took at once
                gens.discard_unfinished(index_dir, keep=before)
                raise
        else:
            report = _incremental(archive, current, config, manifest, progress, named)
        site_problems = publish_site(archive, gens.current_path(index_dir) or index_dir)
    # the same taxonomy as when the manifest was written: its problems then were none
    unread = not config.taxonomy_read and not report.full and manifest.taxonomy_ok
    report.problems = sorted(set(report.problems + ([] if unread else config.problems)
                                 + site_problems))
    report.seconds = time.perf_counter() - started
    return report


def _full(archive: Path, index_dir: Path, config: Config, previous: Path | None,
          old: gens.Manifest, progress: Progress | None) -> BuildReport:
    import shutil

    from whoosh import index as whoosh_index

    from indexer.analysis import start_vocabulary
    from indexer.parallel import commit_segments, read_and_write
    from indexer.schema import make_schema

    report = BuildReport(full=True)
    stats = archive_stats(archive, config.fieldmap)
    found = Scan(stats, {}, [], [], {rel: k for k, rel in enumerate(stats.paths)})
    generation = gens.new_generation(index_dir)
    if (archive / THEMES_FILE).is_file():
        shutil.copyfile(archive / THEMES_FILE, generation / THEMES_FILE)
    ix = whoosh_index.create_in(str(generation), make_schema())
    document = _documents(config)  # before recording: the taxonomy's terms are no vocabulary
    settled: dict[str, Any] = {}

    def settle(reads: list[FileRead]) -> dict[str, set[str]]:
        found.reads.update((read.path, read) for read in reads)
        taken = id_rule.holders(_ids(old.files, found.reads), found.reads)
        entries = resolve(found.reads, taken, report)
        settled.update(entries=entries,
                       carried=_carry_broken(previous, old, found, entries, taken, report))
        return {rel: {p.id for p in kept} for rel, kept in entries.items()}

    start_vocabulary()
    # in path order, so that documents number (and ties rank) the same in every build
    paths = [archive / rel for rel in sorted(stats.paths)]
    _, segments, words = read_and_write(ix, paths, archive, config.fieldmap, settle, document,
                                        progress)
    entries, carried = settled["entries"], settled["carried"]
    commit_segments(ix, segments, [doc for _, docs in carried.values() for doc in docs], words)
    bad = {p.path for p in report.problems}
    files = {rel: _file_info(found.reads[rel].digest, found.stat(rel), (p.id for p in kept),
                             rel in bad)
             for rel, kept in entries.items() if kept}
    files.update({rel: info for rel, (info, _) in carried.items()})
    manifest = gens.Manifest(gens.FileTable.from_files(files, found.stats.paths), config.digest,
                             _schema_version(), _now(), not config.problems)
    manifest.toc = gens.toc_generation(generation)
    gens.write_manifest(generation, manifest)
    gens.switch_to(index_dir, generation)
    ids, old_ids = set(manifest.ids()), set(old.ids())
    report.added, report.updated = len(ids - old_ids), len(ids & old_ids)
    report.removed = len(old_ids - ids)
    report.entries = len(ids)
    report.generation = generation.name
    return report


def _carry_broken(previous: Path | None, old: gens.Manifest, found: Scan,
                  entries: dict[str, list[Perspective]], taken: dict[str, str],
                  report: BuildReport) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Return the old documents of entries that are broken now, so a full build keeps them."""
    lost = {rel: _lost(rel, old.files.get(rel, {}), kept, taken, found.reads[rel])
            for rel, kept in entries.items()}
    broken = [rel for rel, ids in lost.items() if ids]
    if not broken or previous is None:
        return {}
    from indexer.stored import documents_for_paths  # local: only needed in this rare case

    carried = documents_for_paths(previous, broken)
    report.kept.extend(sorted(carried))
    return {rel: _kept_version(old.files[rel], entries[rel], docs, lost[rel])
            for rel, docs in carried.items()}


def _kept_version(info: dict[str, Any], kept: list[Perspective], docs: list[dict[str, Any]],
                  lost: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return a broken file's manifest info (its last good one, so it is read again) and the
    old documents of its lost ids."""
    docs = [doc for doc in docs if doc["id"] in lost]
    ids = {p.id for p in kept} | {doc["id"] for doc in docs}
    return {**info, "ids": sorted(ids), "problems": True}, docs


@dataclass
class _Plan:
    """What an incremental run changes: files' manifest infos, and documents."""

    infos: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # None: drop the file
    deletes: list[str] = field(default_factory=list)  # paths whose documents go
    entries: dict[str, list[Perspective]] = field(default_factory=dict)  # to add, by path
    carried: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # old documents kept


def _incremental(archive: Path, current: Path, config: Config, manifest: gens.Manifest,
                 progress: Progress | None, named: list[str] | None = None) -> BuildReport:
    report = BuildReport(full=False, generation=current.name)
    table = manifest.table
    found = scan(archive, config, table, named)
    # a run killed between its commit and its manifest may have indexed files the manifest
    # does not list: then whatever is read again is deleted by path first
    cut_short = manifest.toc is not None and manifest.toc != gens.toc_generation(current)
    before = table.holders() if found.reads or found.removed else {}
    plan = _plan(current, table, found, before, report, cut_short)
    wrote = bool(plan.deletes or plan.entries)
    if wrote:
        _write(current, plan, config, progress)
        manifest.toc = gens.toc_generation(current)
    if wrote or plan.infos or found.touched:
        touched = {rel: found.stat(rel) for rel in found.touched}
        manifest.table = table.updated(found.stats.paths, plan.infos, touched)
        if config.taxonomy_read:
            manifest.taxonomy_ok = not config.problems
        gens.write_manifest(current, manifest)
    _count(report, table, plan, found.removed, len(before) if before else table.count_ids())
    return report


def _plan(current: Path, table: gens.FileTable, found: Scan, before: dict[str, str],
          report: BuildReport, cut_short: bool) -> _Plan:
    """Settle what an incremental run writes for the files it read and the files gone."""
    taken = dict(before)
    for rel in (*found.reads, *found.removed):  # a file read again or gone holds nothing yet
        for i in table.get(rel, {}).get("ids", []):
            taken.pop(i, None)
    taken.update(id_rule.holders(_ids(table, found.reads), found.reads))
    entries = resolve(found.reads, taken, report)
    bad = {p.path for p in report.problems}
    plan = _Plan(dict.fromkeys(found.removed), deletes=list(found.removed))
    for rel, kept in entries.items():
        info, read = table.get(rel), found.reads[rel]
        if not kept:
            if info is not None:
                report.kept.append(rel)  # broken now: its last good version stays
            elif cut_short:
                plan.deletes.append(rel)
            continue
        lost = _lost(rel, info or {}, kept, taken, read)
        ids = sorted(p.id for p in kept)
        plan.infos[rel] = _file_info(read.digest, found.stat(rel), ids, rel in bad)
        if lost:  # some entries are broken now: their last good versions stay
            report.kept.append(rel)
            plan.infos[rel], plan.carried[rel] = _carry_entries(current, rel, info or {}, kept, lost)
        elif info is not None and info["digest"] == read.digest and info["ids"] == ids and (
                not cut_short):
            continue  # indexed as it is (only its problems are reported again)
        plan.deletes.append(rel)
        plan.entries[rel] = kept
    return plan


def _write(current: Path, plan: _Plan, config: Config, progress: Progress | None) -> None:
    """Delete and add the plan's documents in one commit, then merge small segments."""
    from whoosh import index as whoosh_index

    from indexer.analysis import start_vocabulary, take_vocabulary
    from indexer.documents import vocabulary_document

    ix = whoosh_index.open_dir(str(current))
    writer = ix.writer(limitmb=128)
    document = _documents(config)  # before recording: the taxonomy's terms are no vocabulary
    start_vocabulary()
    for rel in plan.deletes:
        writer.delete_by_term("path", rel)
    total = len(plan.entries)
    for done, (rel, kept) in enumerate(plan.entries.items(), 1):
        for p in kept:
            writer.add_document(**document(p))
        for doc in plan.carried.get(rel, []):
            writer.add_document(**doc)
        if progress:
            progress(done, total)
    words = take_vocabulary()
    if words:
        writer.add_document(**vocabulary_document(words))
    # Whoosh 2.7 can lose a deletion when it merges the segment holding it at commit; merge=False
    # keeps deletions exact, and the small segments are merged by a writer that deletes nothing
    writer.commit(merge=False)
    gens.merge_small(ix)


def _count(report: BuildReport, table: gens.FileTable, plan: _Plan, removed: list[str],
           entries_before: int) -> None:
    """Count what an incremental run changed, from the files it changed (ids move only between
    them: a file cannot take an id that a file left as it was holds)."""
    old = {i for rel in (*plan.infos, *removed) for i in table.get(rel, {}).get("ids", [])}
    new = {i for info in plan.infos.values() if info for i in info["ids"]}
    report.added, report.removed = len(new - old), len(old - new)
    report.updated = len({p.id for kept in plan.entries.values() for p in kept} & old)
    report.entries = entries_before + report.added - report.removed


def _carry_entries(current: Path, rel: str, info: dict[str, Any], kept: list[Perspective],
                   lost: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return a partly broken file's manifest info and the stored documents of its lost ids."""
    from indexer.stored import documents_for_paths  # local: only needed in this rare case

    return _kept_version(info, kept, documents_for_paths(current, [rel]).get(rel, []), lost)


def is_stale(archive: Path, index_dir: Path, fieldmap: Path | None = None) -> bool:
    """Tell whether the index is missing or behind the archive (cheap: sizes and mtimes)."""
    current = gens.current_path(index_dir)
    if current is None:
        return True
    manifest = gens.read_manifest(current)
    config = load_config(archive, fieldmap)
    if manifest.config_digest != config.digest:
        return True
    stats = archive_stats(archive, config.fieldmap)
    return not manifest.table.matches(stats.paths, stats.sizes, stats.mtimes)
