"""A generation's manifest: what it holds and how it was built.

Moving parts: `Manifest` (its files, a `FileTable` of `FileRow`s from filetable.py, and how it
was built), and the one reader and writer of manifest.json and its journal (journal.py):
`read_manifest` and `write_manifest`.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from indexer import journal
from indexer.filetable import FileRow, FileTable
from indexer.generations import JOURNAL, MANIFEST, write_atomic

__all__ = ["FileRow", "FileTable", "Manifest", "read_manifest", "write_manifest"]

MANIFEST_FORMAT = 2  # columns; format 1 (a mapping per file) is still read


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
        """Return the files, read as a mapping of path -> FileRow."""
        return self.table

    def ids(self) -> dict[str, str]:
        """Return every indexed id with the path of the file that holds it."""
        return self.table.holders()


# -- manifest.json and its journal: the one place that reads and writes them -------------------


# A journal longer than this share of manifest.json (and than JOURNAL_MIN) is folded into a
# new manifest.json: reading it costs a little more than reading that much of manifest.json.
JOURNAL_SHARE = 1 / 8
JOURNAL_MIN = 64 * 1024


@dataclass
class _Known:
    """The manifest this process last read or wrote, with what it knows of the files."""

    identity: tuple[object, ...]  # manifest.json's and the journal's (see _identity)
    manifest: Manifest
    token: str  # the token of manifest.json, which the journal's lines name ("" for none)
    appendable: bool  # the journal ended cleanly, and a delta may be appended to it
    size: int  # manifest.json's size


# The manifest this process last read or wrote: a long-running `perspectives index --watch`
# parses a large archive's manifest (130 MB of JSON at 1,000,000 entries, seconds) once, not
# before every batch, and appends each batch's changes to the journal. A table is never changed
# once made (`FileTable.updated` makes a new one), so each read hands out a new Manifest around it.
_LAST: list[_Known] = []


def _identity(generation: Path) -> tuple[object, ...] | None:
    """Return what tells one version of the manifest from another: manifest.json's place,
    inode, size and mtime, and the journal's (None if there is no manifest.json)."""
    out: list[object] = []
    for name in (MANIFEST, JOURNAL):
        try:
            st = (generation / name).stat()
        except OSError:
            if name == MANIFEST:
                return None
            out.append(None)
            continue
        out += [os.fspath((generation / name).resolve()), st.st_dev, st.st_ino, st.st_size]
        out.append(st.st_mtime_ns)
    return tuple(out)


def read_manifest(generation: Path) -> Manifest:
    """Read a generation's manifest (empty if it has none, or one that cannot be read)."""
    known = _identity(generation)
    if known is not None and _LAST and _LAST[0].identity == known:
        return replace(_LAST[0].manifest)
    try:
        text = (generation / MANIFEST).read_text(encoding="utf-8")
        data = json.loads(text)
        table = _table(data)
    except (FileNotFoundError, ValueError, KeyError, TypeError, AttributeError):
        return Manifest()
    token, appendable = data.get("journal", ""), False
    if token:
        try:
            logged = (generation / JOURNAL).read_text(encoding="utf-8")
        except FileNotFoundError:
            logged = ""
        table, header, appendable = journal.replay(table, logged, token)
        data.update(header or {})
    found = Manifest(
        table,
        data.get("config_digest", ""),
        data.get("schema_version", 0),
        data.get("built", ""),
        data.get("taxonomy_ok", False),
        data.get("toc"),
    )
    _remember(known, found, token, appendable)
    return replace(found)


def _remember(
    identity: tuple[object, ...] | None, manifest: Manifest, token: str, appendable: bool
) -> None:
    if identity is None:
        _LAST.clear()
    else:  # identity[3]: manifest.json's size
        size = identity[3]
        assert isinstance(size, int)
        _LAST[:] = [_Known(identity, replace(manifest), token, appendable, size)]


def write_manifest(generation: Path, manifest: Manifest) -> None:
    """Write a generation's manifest: append the run's changes to the journal when the table
    was updated from the one on disk and the journal is short, else write it whole."""
    known = _LAST[0] if _LAST else None
    parent = manifest.table._parent() if manifest.table._parent else None
    if (
        known is not None
        and known.appendable
        and parent is known.manifest.table
        and known.identity == _identity(generation)
    ):
        delta = journal.delta_of(parent, manifest.table, manifest.table._touched)
        journal_path = generation / JOURNAL
        size = journal_path.stat().st_size if journal_path.exists() else 0
        if delta is not None and size < max(known.size * JOURNAL_SHARE, JOURNAL_MIN):
            _append(generation, manifest, known, delta)
            return
    _write_whole(generation, manifest)


def _header(manifest: Manifest) -> dict[str, Any]:
    return {
        "config_digest": manifest.config_digest,
        "schema_version": manifest.schema_version,
        "built": manifest.built,
        "taxonomy_ok": manifest.taxonomy_ok,
        "toc": manifest.toc,
    }


def _append(generation: Path, manifest: Manifest, known: _Known, delta: journal.Delta) -> None:
    """Append a delta to the journal, durably; a failure leaves the journal to be rewritten."""
    _LAST.clear()  # until the line is written whole: a line cut short is never appended to
    line = journal.entry(known.token, _header(manifest), delta)
    with open(generation / JOURNAL, "a", encoding="utf-8") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())
    _remember(_identity(generation), manifest, known.token, True)


def _write_whole(generation: Path, manifest: Manifest) -> None:
    """Write manifest.json atomically under a new token, which leaves the journal behind."""
    table, token = manifest.table, secrets.token_hex(6)
    data = {
        "format": MANIFEST_FORMAT,
        **_header(manifest),
        "paths": table.paths,
        "sizes": table.sizes,
        "mtimes": table.mtimes,
        "digests": table.digests,
        "ids": table.ids,
        "problems": sorted(table.problems),
        "journal": token,
    }
    text = json.dumps(data, separators=(",", ":"))
    _LAST.clear()
    write_atomic(generation / MANIFEST, text)
    (generation / JOURNAL).unlink(missing_ok=True)  # its lines name the earlier manifest.json
    _remember(_identity(generation), manifest, token, True)


def _table(data: dict[str, Any]) -> FileTable:
    """Return the file table of a manifest's JSON, of either format."""
    if data.get("format") == MANIFEST_FORMAT:
        return FileTable(
            data["paths"],
            data["sizes"],
            data["mtimes"],
            data["digests"],
            data["ids"],
            data["problems"],
        )
    files = data.get("files", {})  # format 1: path -> {digest, size, mtime_ns, ids, problems?}
    return FileTable.from_files({rel: _format_1_row(info) for rel, info in files.items()})


def _format_1_row(info: dict[str, Any]) -> FileRow:
    return FileRow(
        info["digest"],
        info["size"],
        info["mtime_ns"],
        tuple(info["ids"]),
        bool(info.get("problems")),
    )
