"""Index generations: each full build writes a new folder beside the old one and switches atomically.

Layout of the index folder:
    CURRENT            the name of the generation readers use (replaced atomically)
    gen-YYYYmmdd-HHMMSS-xxxxxx/   a Whoosh index plus manifest.json
    .lock              held by the one writer at a time

Each generation's Whoosh index grows a segment per incremental run; `merge_small` merges
small ones before they pile up, never the large ones a full build writes.

The manifest says per archive file its size, mtime, content digest and entry ids, and whether
it had problems (then every run reads it again). It is stored as columns, one list per field
in the archive's walk order (`FileTable`): an incremental run of a large archive compares its
scan with two lists of numbers, and builds nothing per file unless files changed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from whoosh.index import Index
    from whoosh.writing import SegmentWriter

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 2  # columns; format 1 (a mapping per file) is still read

Info = dict[str, Any]  # digest, size, mtime_ns, ids and, when set, problems

# Incremental runs leave a small segment each; past MAX_SMALL of them some are merged.
MAX_SMALL = 8
SMALL_BYTES = 4 * 2**20  # larger segments (a full build's) are never rewritten by a merge here
MERGE_BYTES = 8 * 2**20  # the most one merge writes (Whoosh merges about 2 MB a second)
TIER_BYTES = 256 * 1024  # segments merge with others of their size tier: < 256 KB, < 2 MB, ...
_TOC = re.compile(r"_MAIN_(\d+)\.toc")


class FileTable(Mapping[str, Info]):
    """A manifest's files as parallel columns; it reads as a mapping of path -> info."""

    def __init__(self, paths: list[str] | None = None, sizes: list[int] | None = None,
                 mtimes: list[int] | None = None, digests: list[str] | None = None,
                 ids: list[str] | None = None, problems: Iterable[str] = ()) -> None:
        self.paths = paths or []
        self.sizes = sizes or []
        self.mtimes = mtimes or []
        self.digests = digests or []
        self.ids = ids or []  # each file's ids, space-separated (ids are slugs)
        self.problems = set(problems)
        if any(len(c) != len(self.paths) for c in (self.sizes, self.mtimes, self.digests, self.ids)):
            raise ValueError("manifest columns of different lengths")
        self._where: dict[str, int] | None = None

    @classmethod
    def from_files(cls, files: Mapping[str, Info], order: Iterable[str] | None = None
                   ) -> FileTable:
        """Return the table of a mapping of path -> info, in the given order of its paths."""
        paths = [rel for rel in order if rel in files] if order is not None else list(files)
        infos = [files[rel] for rel in paths]
        return cls(paths, [i["size"] for i in infos], [i["mtime_ns"] for i in infos],
                   [i["digest"] for i in infos], [" ".join(i["ids"]) for i in infos],
                   [rel for rel, i in zip(paths, infos) if i.get("problems")])

    def __getitem__(self, rel: str) -> Info:
        i = self._index()[rel]
        info = {"digest": self.digests[i], "size": self.sizes[i], "mtime_ns": self.mtimes[i],
                "ids": self.ids[i].split()}
        return {**info, "problems": True} if rel in self.problems else info

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

    def holders(self) -> dict[str, str]:
        """Return id -> path for every id the files hold."""
        out = dict(zip(self.ids, self.paths))  # most files hold one id
        for rel, ids in zip(self.paths, self.ids):
            if " " in ids or not ids:
                out.pop(ids, None)
                out.update(dict.fromkeys(ids.split(), rel))
        return out

    def digests_by_id(self) -> dict[str, str]:
        """Return id -> digest of the file that holds it, for every id the files hold."""
        digests = dict(zip(self.paths, self.digests))
        return {i: digests[rel] for i, rel in self.holders().items()}

    def count_ids(self) -> int:
        """Return how many ids the files hold."""
        return " ".join(self.ids).count(" ") + 1 - self.ids.count("") if self.ids else 0

    def stale(self, paths: list[str], sizes: list[int], mtimes: list[int]) -> list[int]:
        """Return the positions, in a scan of the archive (paths, sizes and mtimes in walk
        order), of the files to read: new ones, changed ones (by size or mtime) and ones that
        had problems."""
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

    def updated(self, order: list[str], changes: Mapping[str, Info | None],
                stats: Mapping[str, tuple[int, int]]) -> FileTable:
        """Return the table after a run: `changes` replace or add files (None drops one),
        `stats` give files left as they were a new size and mtime, and the files are put in
        the given order (a scan's paths; files not among them are dropped)."""
        where = self._index()
        new = {rel: info for rel, info in changes.items() if info is not None}
        new.update({rel: {**self[rel], "size": s, "mtime_ns": m} for rel, (s, m) in stats.items()})
        if order == self.paths and len(new) == len(changes) + len(stats) and all(
                rel in where for rel in new):
            at = where  # no file added or dropped: rows are replaced in place
            table = FileTable(list(self.paths), list(self.sizes), list(self.mtimes),
                              list(self.digests), list(self.ids), self.problems)
        else:
            paths = [rel for rel in order if rel in new or (rel in where and rel not in changes)]
            rows = [where.get(rel, 0) for rel in paths]  # a new file's row is set below
            table = FileTable(paths, [self.sizes[i] for i in rows],
                              [self.mtimes[i] for i in rows], [self.digests[i] for i in rows],
                              [self.ids[i] for i in rows], self.problems.intersection(paths))
            at = {rel: k for k, rel in enumerate(paths) if rel in new}
        for rel, info in new.items():
            table._set(at[rel], rel, info)
        return table

    def _set(self, i: int, rel: str, info: Info) -> None:
        self.sizes[i], self.mtimes[i] = info["size"], info["mtime_ns"]
        self.digests[i], self.ids[i] = info["digest"], " ".join(info["ids"])
        if info.get("problems"):
            self.problems.add(rel)
        else:
            self.problems.discard(rel)


@dataclass
class Manifest:
    """What a generation holds (its files) and how it was built."""

    table: FileTable = field(default_factory=FileTable)
    config_digest: str = ""
    schema_version: int = 0
    built: str = ""
    taxonomy_ok: bool = False  # its taxonomy had no problems: the same one need not be read
    toc: int | None = None  # the Whoosh table of contents it describes (None: not known)

    @property
    def files(self) -> FileTable:
        """Return the files, read as a mapping of path -> info."""
        return self.table

    def ids(self) -> dict[str, str]:
        """Return every indexed id with the path of the file that holds it."""
        return self.table.holders()


def current_name(index_dir: Path) -> str | None:
    """Return the name of the current generation, or None if there is none."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name if name and (index_dir / name).is_dir() else None


def current_path(index_dir: Path) -> Path | None:
    """Return the folder of the current generation, or None."""
    name = current_name(index_dir)
    return index_dir / name if name else None


def new_generation(index_dir: Path) -> Path:
    """Create and return an empty folder for a new generation."""
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = index_dir / f"gen-{stamp}-{secrets.token_hex(3)}"
    path.mkdir()
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk: leave neither a torn file nor the temporary one
        tmp.unlink(missing_ok=True)
        raise


def switch_to(index_dir: Path, generation: Path) -> None:
    """Make generation the current one, then remove generations older than the previous one."""
    previous = current_name(index_dir)
    write_atomic(index_dir / CURRENT, generation.name + "\n")
    keep = {generation.name, previous}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def discard_unfinished(index_dir: Path, keep: set[str] | None = None) -> None:
    """Remove generation folders no reader uses: those without a manifest (builds that were
    killed) or, given keep, every one neither kept nor current (a build that just failed)."""
    current = current_name(index_dir)
    for path in index_dir.glob("gen-*"):
        unused = path.name not in keep if keep is not None else not (path / MANIFEST).exists()
        if path.name != current and unused:
            shutil.rmtree(path, ignore_errors=True)


def read_manifest(generation: Path) -> Manifest:
    """Read a generation's manifest (empty if it has none, or one that cannot be read)."""
    try:
        data = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
        if data.get("format") == MANIFEST_FORMAT:
            table = FileTable(data["paths"], data["sizes"], data["mtimes"], data["digests"],
                              data["ids"], data["problems"])
        else:  # format 1: a mapping of path -> info
            table = FileTable.from_files(data.get("files", {}))
    except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest()
    return Manifest(table, data.get("config_digest", ""), data.get("schema_version", 0),
                    data.get("built", ""), data.get("taxonomy_ok", False), data.get("toc"))


def write_manifest(generation: Path, manifest: Manifest) -> None:
    """Write a generation's manifest atomically."""
    table = manifest.table
    data = {
        "format": MANIFEST_FORMAT,
        "config_digest": manifest.config_digest,
        "schema_version": manifest.schema_version,
        "built": manifest.built,
        "taxonomy_ok": manifest.taxonomy_ok,
        "toc": manifest.toc,
        "paths": table.paths,
        "sizes": table.sizes,
        "mtimes": table.mtimes,
        "digests": table.digests,
        "ids": table.ids,
        "problems": sorted(table.problems),
    }
    write_atomic(generation / MANIFEST, json.dumps(data, separators=(",", ":")))


def merge_small(ix: Index) -> None:
    """Merge small segments (`segments_to_merge`) in a writer with no deletions pending:
    Whoosh 2.7 can lose a deletion when it merges the segment holding it in the same commit."""
    from indexer.whoosh_internals import index_segments  # local: this module loads no Whoosh

    sizes = {seg.segment_id(): _segment_bytes(ix, seg) for seg in index_segments(ix)}
    chosen = segments_to_merge(sizes)
    if chosen:
        ix.writer(limitmb=128).commit(mergetype=partial_merge(chosen))


def segments_to_merge(sizes: dict[str, int]) -> set[str]:
    """Return which segments (name -> bytes) to merge: none until more than MAX_SMALL are
    small (under SMALL_BYTES), then the smallest of the lowest size tier that holds several,
    up to MERGE_BYTES: each merge rewrites little, and merged segments grow tier by tier until
    they are no longer small (a full build merges everything again)."""
    small = {name: size for name, size in sizes.items() if size < SMALL_BYTES}
    if len(small) <= MAX_SMALL:
        return set()
    tiers: dict[int, list[tuple[int, str]]] = {}
    for name, size in small.items():
        tiers.setdefault(_tier(size), []).append((size, name))
    group = next((g for _, g in sorted(tiers.items()) if len(g) > 1), [])
    chosen: set[str] = set()
    total = 0
    for size, name in sorted(group):
        if len(chosen) >= 2 and total + size > MERGE_BYTES:
            break
        chosen.add(name)
        total += size
    return chosen


def partial_merge(names: set[str]) -> Callable[[SegmentWriter, list[Any]], list[Any]]:
    """Return a Whoosh merge policy that merges the named segments and keeps the others."""
    from whoosh.reading import SegmentReader

    def policy(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
        for seg in segments:
            if seg.segment_id() in names:
                reader = SegmentReader(writer.storage, writer.schema, seg)
                writer.add_reader(reader)
                reader.close()
        return [seg for seg in segments if seg.segment_id() not in names]

    return policy


def _segment_bytes(ix: Index, seg: Any) -> int:
    return sum(ix.storage.file_length(name) for name in seg.list_files(ix.storage))


def _tier(size: int) -> int:
    tier, bound = 0, TIER_BYTES
    while size >= bound:
        tier, bound = tier + 1, bound * 8
    return tier


def toc_generation(generation: Path) -> int:
    """Return the number of the Whoosh index's latest table of contents (-1 if none)."""
    found = (_TOC.fullmatch(name) for name in os.listdir(generation))
    return max((int(m.group(1)) for m in found if m), default=-1)
