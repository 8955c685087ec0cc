"""Build the index from the archive: full (a new generation, switched atomically) or incremental.

Moving parts: `writer_lock` (one writer at a time), `Config` (taxonomy and field map, whose
digest decides when an incremental run must become a full one), `scan` (which files are new,
changed, unchanged or gone, by size+mtime then content hash), `resolve` (valid entries, duplicate
ids, files whose last good version is kept) and the two writers `_full` and `_incremental`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import filelock
from whoosh import index as whoosh_index

from indexer import generations as gens
from indexer.analysis import start_vocabulary, take_vocabulary
from indexer.archive import archive_files
from indexer.documents import make_document, plain_text, vocabulary_document
from indexer.fieldmap import FieldMap, load_fieldmap
from indexer.parallel import commit_segments, read_files, write_segments
from indexer.records import ArchiveError, FileRead, Perspective, Problem
from indexer.schema import SCHEMA_VERSION, make_schema
from indexer.themes import Matcher, assign_themes, compile_taxonomy, load_taxonomy

Progress = Callable[[int, int], None]
THEMES_FILE = "themes.yaml"


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
    """The archive's taxonomy and field map, with a digest of both and of the schema version."""

    taxonomy: dict[str, Any]
    fieldmap: FieldMap
    digest: str
    problems: list[Problem]
    matcher: Matcher


@dataclass
class Scan:
    """The archive's files compared with what a generation holds."""

    reads: dict[str, FileRead]  # new or changed files, read
    unchanged: dict[str, dict[str, Any]]  # path -> manifest info
    removed: list[str]
    stats: dict[str, tuple[int, int]]  # path -> (size, mtime_ns)


@contextmanager
def writer_lock(index_dir: Path, wait: bool = True, on_wait: Callable[[], None] | None = None
                ) -> Iterator[None]:
    """Hold the index's writer lock; wait for it (telling on_wait) or raise IndexBusy."""
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
    """Read the taxonomy and the field map that shape how the archive is indexed."""
    themes_path = archive / THEMES_FILE
    taxonomy, problems = load_taxonomy(themes_path)
    fieldmap = load_fieldmap(archive, fieldmap_path)
    h = hashlib.sha256(f"schema {SCHEMA_VERSION}\nfieldmap {fieldmap.digest}\n".encode())
    if themes_path.is_file():
        h.update(themes_path.read_bytes())
    return Config(taxonomy, fieldmap, h.hexdigest(), list(problems), compile_taxonomy(taxonomy))


def scan(archive: Path, config: Config, known: dict[str, dict[str, Any]]) -> Scan:
    """Read the files that are new or changed since `known` (a manifest's files)."""
    result = Scan({}, {}, [], {})
    seen, to_read = set(), []
    for rel, path in archive_files(archive, config.fieldmap):
        seen.add(rel)
        try:
            st = path.stat()
        except OSError:  # a link that loops or dangles: reading it reports it
            to_read.append((rel, path))
            continue
        result.stats[rel] = (st.st_size, st.st_mtime_ns)
        info = known.get(rel)
        same = info is not None and (info.get("size"), info.get("mtime_ns")) == (
            st.st_size, st.st_mtime_ns)
        if info is not None and same and not info.get("problems"):
            # a file with problems is read (and reported) again
            result.unchanged[rel] = info
        else:
            to_read.append((rel, path))
    reads = read_files([path for _, path in to_read], archive, config.fieldmap)
    for (rel, _), read in zip(to_read, reads):
        info = known.get(rel)
        if info and info.get("digest") == read.digest and not read.problems:
            result.unchanged[rel] = info
        else:
            result.reads[rel] = read
    result.removed = sorted(set(known) - seen)
    return result


def resolve(reads: dict[str, FileRead], taken: dict[str, str], report: BuildReport
            ) -> dict[str, list[Perspective]]:
    """Return each read file's entries to index, dropping duplicate ids (`taken`: id -> path)."""
    out: dict[str, list[Perspective]] = {}
    for rel in sorted(reads):
        read = reads[rel]
        problems = list(read.problems)
        kept: list[Perspective] = []
        for p in read.entries:
            holder = taken.get(p.id)
            if holder is not None and (holder != rel or any(k.id == p.id for k in kept)):
                problems.append(Problem(rel, p.line, f"duplicate id {p.id!r}: already used by {holder}"))
                continue
            taken[p.id] = rel
            kept.append(p)
        if problems:
            report.rejected += 1
            report.problems.extend(problems)
        out[rel] = kept
    return out


def _holders(files: dict[str, dict[str, Any]], reads: dict[str, FileRead]) -> dict[str, str]:
    """Return id -> path for the ids a file read again held before and still has, or is broken
    now (its last good version keeps them): a file new to an id cannot take it from them."""
    out: dict[str, str] = {}
    for rel, read in reads.items():
        have = {p.id for p in read.entries}
        out.update({i: rel for i in files.get(rel, {}).get("ids", []) if i in have or read.problems})
    return out


def _lost(rel: str, info: dict[str, Any], kept: list[Perspective], taken: dict[str, str],
          read: FileRead) -> list[str]:
    """Return the ids a file that is broken now held before and none of its valid entries has."""
    if not read.problems:
        return []
    have = {p.id for p in kept}
    return [i for i in info.get("ids", []) if taken.get(i) == rel and i not in have]


def _document(p: Perspective, config: Config) -> dict[str, Any]:
    body = plain_text(p.body)  # themes from the text, not from link addresses in the markdown
    return make_document(p, assign_themes(p.title, body, p.themes, config.matcher), body)


def _file_info(rel: str, read_digest: str, stat: tuple[int, int], ids: Iterable[str],
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
) -> BuildReport:
    """Bring the index up to date with the archive; readers never see a half-built index."""
    if not archive.is_dir():
        raise ArchiveError(f"{archive}: no archive folder here (set --archive or PERSPECTIVES_ARCHIVE)")
    started = time.perf_counter()
    with writer_lock(index_dir, wait, on_wait):
        gens.discard_unfinished(index_dir)  # left by a run that was killed
        config = load_config(archive, fieldmap)
        current = gens.current_path(index_dir)
        manifest = gens.read_manifest(current) if current else gens.Manifest()
        stale = manifest.config_digest != config.digest or manifest.schema_version != SCHEMA_VERSION
        if full or current is None or stale:
            before = {p.name for p in index_dir.glob("gen-*")}
            try:
                report = _full(archive, index_dir, config, current, manifest, progress)
            except BaseException:  # a full disk, an interrupt: free the space it took at once
                gens.discard_unfinished(index_dir, keep=before)
                raise
        else:
            report = _incremental(archive, current, config, manifest, progress)
    report.problems = sorted(set(config.problems + report.problems))
    report.seconds = time.perf_counter() - started
    return report


def _full(archive: Path, index_dir: Path, config: Config, previous: Path | None,
          old: gens.Manifest, progress: Progress | None) -> BuildReport:
    report = BuildReport(full=True)
    found = scan(archive, config, {})
    taken = _holders(old.files, found.reads)
    entries = resolve(found.reads, taken, report)
    carried = _carry_broken(previous, old, found, entries, taken, report)
    generation = gens.new_generation(index_dir)
    if (archive / THEMES_FILE).is_file():
        shutil.copyfile(archive / THEMES_FILE, generation / THEMES_FILE)
    ix = whoosh_index.create_in(str(generation), make_schema())
    flat = [p for kept in entries.values() for p in kept]
    start_vocabulary()
    segments, words = write_segments(ix, flat, partial(_document, config=config), progress)
    commit_segments(ix, segments, [doc for _, docs in carried.values() for doc in docs], words)
    manifest = gens.Manifest(config_digest=config.digest, schema_version=SCHEMA_VERSION, built=_now())
    bad = {p.path for p in report.problems}
    for rel, kept in entries.items():
        if kept:
            stat = found.stats[rel]
            manifest.files[rel] = _file_info(rel, found.reads[rel].digest, stat,
                                             (p.id for p in kept), rel in bad)
    for rel, (info, _) in carried.items():
        manifest.files[rel] = info
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


def _incremental(archive: Path, current: Path, config: Config, manifest: gens.Manifest,
                 progress: Progress | None) -> BuildReport:
    report = BuildReport(full=False)
    found = scan(archive, config, manifest.files)
    taken = {i: p for p, info in found.unchanged.items() for i in info.get("ids", [])}
    taken.update(_holders(manifest.files, found.reads))
    entries = resolve(found.reads, taken, report)
    bad = {p.path for p in report.problems}
    ix = whoosh_index.open_dir(str(current))
    old_ids = manifest.ids()
    if not found.reads and not found.removed:
        if _refresh_stats(manifest, found):  # a touched file: remember its new mtime
            gens.write_manifest(current, manifest)
        report.entries = len(old_ids)
        report.generation = current.name
        return report
    writer = ix.writer(limitmb=128)
    start_vocabulary()
    for rel in found.removed:
        writer.delete_by_term("path", rel)
        manifest.files.pop(rel, None)
    total = len(entries)
    for done, (rel, kept) in enumerate(entries.items(), 1):
        if not kept and rel in manifest.files:
            report.kept.append(rel)  # broken now: its last good version stays
            continue
        lost = _lost(rel, manifest.files.get(rel, {}), kept, taken, found.reads[rel])
        carried = _carry_entries(current, rel, manifest.files[rel], kept, lost) if lost else None
        writer.delete_by_term("path", rel)
        for p in kept:
            writer.add_document(**_document(p, config))
        if kept:
            stat = found.stats[rel]
            ids = (p.id for p in kept)
            manifest.files[rel] = _file_info(rel, found.reads[rel].digest, stat, ids, rel in bad)
        else:
            manifest.files.pop(rel, None)
        if carried:  # some entries are broken now: their last good versions stay
            report.kept.append(rel)
            manifest.files[rel], docs = carried
            for doc in docs:
                writer.add_document(**doc)
        if progress:
            progress(done, total)
    words = take_vocabulary()
    if words:
        writer.add_document(**vocabulary_document(words))
    # Whoosh 2.7 can lose a deletion when it merges the segment holding it at commit; merge=False
    # keeps deletions exact (segments are merged at the next full build)
    writer.commit(merge=False)
    _refresh_stats(manifest, found)
    gens.write_manifest(current, manifest)
    new_ids = manifest.ids()
    report.added = len(set(new_ids) - set(old_ids))
    report.removed = len(set(old_ids) - set(new_ids))
    changed_ids = {p.id for kept in entries.values() for p in kept}
    report.updated = len(changed_ids & set(old_ids))
    report.entries = len(new_ids)
    report.generation = current.name
    return report


def _carry_entries(current: Path, rel: str, info: dict[str, Any], kept: list[Perspective],
                   lost: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return a partly broken file's manifest info and the stored documents of its lost ids."""
    from indexer.stored import documents_for_paths  # local: only needed in this rare case

    return _kept_version(info, kept, documents_for_paths(current, [rel]).get(rel, []), lost)


def _refresh_stats(manifest: gens.Manifest, found: Scan) -> bool:
    """Record new sizes and mtimes of files whose content did not change; tell if any did."""
    changed = False
    for rel in found.unchanged:
        info = manifest.files.get(rel)
        if info is not None and rel in found.stats:
            size, mtime = found.stats[rel]
            if (info.get("size"), info.get("mtime_ns")) != (size, mtime):
                manifest.files[rel] = {**info, "size": size, "mtime_ns": mtime}
                changed = True
    return changed


def is_stale(archive: Path, index_dir: Path, fieldmap: Path | None = None) -> bool:
    """Tell whether the index is missing or behind the archive (cheap: sizes and mtimes)."""
    current = gens.current_path(index_dir)
    if current is None:
        return True
    manifest = gens.read_manifest(current)
    config = load_config(archive, fieldmap)
    if manifest.config_digest != config.digest:
        return True
    files = dict(archive_files(archive, config.fieldmap))
    if set(files) - set(manifest.files) or set(manifest.files) - set(files):
        return True
    for rel, path in files.items():
        try:
            st = os.stat(path)
        except OSError:  # a link that loops or dangles
            return True
        info = manifest.files[rel]
        if (info.get("size"), info.get("mtime_ns")) != (st.st_size, st.st_mtime_ns):
            return True
    return False
