"""The manifest's journal: a run that changes a few files of a large archive appends what it
changed to manifest.log instead of writing manifest.json again (130 MB of JSON at 1,000,000
entries, about 2 s, which `index --watch` would pay for every edit).

Moving parts: `Delta` (what one run changed: rows set, files dropped, files added at the end),
`delta_of` (the delta between a table and the one it was updated from, when a delta can say it),
`entry` (one journal line) and `replay` (a manifest's table with its journal's lines applied).

Each line names the manifest.json it follows by that file's token: a journal left over from an
earlier manifest.json is never applied to a later one. A line cut short (a run killed while
appending) and whatever follows it are ignored, as a run killed before writing its manifest
is: the manifest's `toc` then tells the next run that the index holds more than it lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from indexer.filetable import FileRow, FileTable

HEADER = ("config_digest", "schema_version", "built", "taxonomy_ok", "toc")


@dataclass
class Delta:
    """What one run changed in a table: rows set (new files among them), files dropped, and
    the new files in the order they follow the others."""

    rows: dict[str, FileRow]
    dropped: list[str]
    added: list[str]


def delta_of(parent: FileTable, table: FileTable, touched: Iterable[str]) -> Delta | None:
    """Return how table differs from parent, of which it was made by changing the `touched`
    files; None when it differs otherwise (files put in another order, or dropped unnamed)."""
    rows: dict[str, FileRow] = {}
    dropped, new = [], set()
    for rel in touched:
        if rel in table:
            rows[rel] = table[rel]
            if rel not in parent:
                new.add(rel)
        elif rel in parent:
            dropped.append(rel)
    if len(table) != len(parent) - len(dropped) + len(new):
        return None
    kept = len(table) - len(new)
    added = table.paths[kept:]
    if set(added) != new:
        return None
    if dropped or new:  # the other files must be the parent's, in its order
        gone = set(dropped)
        if table.paths[:kept] != [rel for rel in parent.paths if rel not in gone]:
            return None
    return Delta(rows, dropped, added)


def entry(token: str, header: dict[str, Any], delta: Delta) -> str:
    """Return the journal line of a delta, with the manifest's header after it (one line)."""
    data = {
        "base": token,
        **{key: header[key] for key in HEADER},
        "set": {rel: _row_list(row) for rel, row in delta.rows.items()},
        "drop": delta.dropped,
        "add": delta.added,
    }
    return json.dumps(data, separators=(",", ":")) + "\n"


def _row_list(row: FileRow) -> list[Any]:
    return [row.digest, row.size, row.mtime_ns, " ".join(row.ids), row.problems]


def replay(
    table: FileTable, text: str, token: str
) -> tuple[FileTable, dict[str, Any] | None, bool]:
    """Return the table with the journal's lines for the manifest `token` applied, the header
    of the last one (None if none applied), and whether the journal ended cleanly (a run may
    append to it only then)."""
    rows: dict[str, FileRow] = {}
    dropped: set[str] = set()
    added: dict[str, None] = {}
    lines = text.split("\n")
    header, clean = None, not lines.pop()  # a last line with no newline was cut short
    for line in lines:
        try:
            data = json.loads(line)
            if data["base"] != token:
                continue
            for rel in data["drop"]:
                rows.pop(rel, None)
                if added.pop(rel, 0) is not None:  # was not added here: it was the table's
                    dropped.add(rel)
            added.update(dict.fromkeys(data["add"]))
            for rel, (digest, size, mtime, ids, problems) in data["set"].items():
                rows[rel] = FileRow(digest, size, mtime, tuple(ids.split()), problems)
            header = {key: data[key] for key in HEADER}
        except (ValueError, KeyError, TypeError, AttributeError):
            clean = False
            break
    return _applied(table, rows, dropped, list(added)), header, clean


def _applied(
    table: FileTable, rows: dict[str, FileRow], dropped: set[str], added: list[str]
) -> FileTable:
    """Return the table with rows set, the dropped files left out and the added ones last."""
    if dropped or added:
        keep = [i for i, rel in enumerate(table.paths) if rel not in dropped]
        table = FileTable(
            [table.paths[i] for i in keep] + added,
            [table.sizes[i] for i in keep] + [0] * len(added),
            [table.mtimes[i] for i in keep] + [0] * len(added),
            [table.digests[i] for i in keep] + [""] * len(added),
            [table.ids[i] for i in keep] + [""] * len(added),
            table.problems.difference(dropped),
        )
    for rel, row in rows.items():
        at = table.position(rel)
        if at is not None:
            table._set(at, rel, row)
    return table
