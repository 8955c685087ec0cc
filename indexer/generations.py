"""Index generations: each full build writes a new folder beside the old one and switches atomically.

Layout of the index folder:
    CURRENT            the name of the generation readers use (replaced atomically)
    gen-YYYYmmdd-HHMMSS-xxxxxx/   a Whoosh index plus manifest.json
    .lock              held by the one writer at a time

Each generation's Whoosh index grows a segment per incremental run; `merge_small` merges
small ones before they pile up, never the large ones a full build writes.

What a generation holds and how it was built is its manifest (manifest.py).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from whoosh.index import Index
    from whoosh.writing import SegmentWriter

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
JOURNAL = "manifest.log"  # what runs changed since manifest.json was written (journal.py)

# Incremental runs leave a small segment each; past MAX_SMALL of them some are merged.
MAX_SMALL = 8
SMALL_BYTES = 4 * 2**20  # larger segments (a full build's) are never rewritten by a merge here
MERGE_BYTES = 8 * 2**20  # the most one merge writes (Whoosh merges about 2 MB a second)
TIER_BYTES = 256 * 1024  # segments merge with others of their size tier: < 256 KB, < 2 MB, ...
_TOC = re.compile(r"_MAIN_(\d+)\.toc")


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


def merge_small(ix: Index) -> None:
    """Merge small segments (`segments_to_merge`) in a writer with no deletions pending:
    Whoosh 2.7 can lose a deletion when it merges the segment holding it in the same commit."""
    from indexer.whoosh_internals import index_segments  # local: this module loads no Whoosh

    sizes = _segment_bytes(ix, [seg.segment_id() for seg in index_segments(ix)])
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


def _segment_bytes(ix: Index, segments: list[str]) -> dict[str, int]:
    """Return the bytes of each segment's files (named "<segment id>.<ext>"), from one listing
    of the folder (Whoosh lists it once per segment: 300 listings at 1,000,000 entries)."""
    sizes = dict.fromkeys(segments, 0)
    for name in ix.storage.list():
        segment = name.split(".", 1)[0]
        if segment in sizes:
            sizes[segment] += ix.storage.file_length(name)
    return sizes


def _tier(size: int) -> int:
    tier, bound = 0, TIER_BYTES
    while size >= bound:
        tier, bound = tier + 1, bound * 8
    return tier


def toc_generation(generation: Path) -> int:
    """Return the number of the Whoosh index's latest table of contents (-1 if none)."""
    found = (_TOC.fullmatch(name) for name in os.listdir(generation))
    return max((int(m.group(1)) for m in found if m), default=-1)
