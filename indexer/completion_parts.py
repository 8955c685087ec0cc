"""The counts behind the completion lists, kept per segment so that an index run reads only the
segments it wrote.

A completion's count is the number of entries whose title or body holds its word's exact term
(completions.py); the index's vocabulary is the `words` field. Both are sums over the index's
segments, and a segment never changes once written (deleting an entry only marks it), so:

- `Part`: one segment's exact terms with their entries in the title and in the body, and its
  vocabulary words, read from its term table once (`whoosh_internals.term_frequencies`) and kept
  in the generation's `completion-parts/` folder under the segment's id;
- `Totals`: the sums over the segments it names, kept beside the parts. An incremental run
  takes away the parts of the segments a merge removed and adds those of the new ones: a
  100,000-entry index with one file edited reads one small segment instead of 33 (5 s);
- `totals`: bring the totals up to date with an open reader, by that difference where the
  kept parts allow it, else from every segment's part (reading those not kept);
- `BodyStems`: a reader process's body stem counts of the index state it last read, grown to
  the next by the same difference: after an edit, before any totals are written for it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.reading import IndexReader

from indexer.analysis import EXACT
from indexer.whoosh_internals import term_frequencies

PARTS_DIR = "completion-parts"
TOTALS_FILE = "totals.npz"
_EXACT = EXACT.encode("utf-8")


def _text(values: Iterable[str]) -> np.ndarray:
    return np.frombuffer("\n".join(values).encode("utf-8"), dtype=np.uint8)


def _strings(data: np.ndarray) -> list[str]:
    text = data.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def _write(path: Path, **arrays: np.ndarray) -> None:
    """Write arrays to an .npz file, replacing the old one at once."""
    staged = path.with_name(f".{path.name}.new")
    with open(staged, "wb") as f:
        np.savez(f, **arrays)  # type: ignore[arg-type]
    os.replace(staged, path)


@dataclass(frozen=True)
class Part:
    """One segment's exact terms, with their entries in the title and in the body, and its
    vocabulary words."""

    terms: dict[str, tuple[int, int]]
    words: list[str]
    stems: dict[str, int]  # the body's other terms (stems), with their entries

    @classmethod
    def read(cls, leaf: IndexReader) -> Part:
        """Read a segment's part from its term table."""
        terms: dict[str, tuple[int, int]] = {}
        for raw, n in term_frequencies(leaf, "title", _EXACT):
            terms[raw.decode("utf-8")] = (n, 0)
        for raw, n in term_frequencies(leaf, "body", _EXACT):
            term = raw.decode("utf-8")
            terms[term] = (terms.get(term, (0, 0))[0], n)
        words = [raw.decode("utf-8") for raw, _ in term_frequencies(leaf, "words")]
        stems = {}
        for raw, n in term_frequencies(leaf, "body"):
            if not raw.startswith(_EXACT):
                stems[raw.decode("utf-8")] = n
        return cls(terms, words, stems)

    def save(self, path: Path) -> None:
        counts = np.array(list(self.terms.values()), dtype=np.int32).reshape(-1, 2)
        _write(
            path,
            terms=_text(self.terms),
            counts=counts,
            words=_text(self.words),
            stems=_text(self.stems),
            stem_counts=np.array(list(self.stems.values()), dtype=np.int32),
        )

    @classmethod
    def load(cls, path: Path) -> Part | None:
        """Read a part written by `save`, or None when it is missing or unreadable."""
        try:
            with np.load(path) as data:
                terms = _strings(data["terms"])
                counts = data["counts"].tolist()
                words = _strings(data["words"])
                stems = dict(
                    zip(_strings(data["stems"]), data["stem_counts"].tolist(), strict=True)
                )
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            return None
        if len(terms) != len(counts):
            return None
        return cls({t: (a, b) for t, (a, b) in zip(terms, counts, strict=True)}, words, stems)


@dataclass
class Totals:
    """The parts of the segments it names, summed: per exact term its entries in the title and
    in the body, per vocabulary word how many of the segments hold it."""

    segments: frozenset[str]
    title: dict[str, int]
    body: dict[str, int]
    words: dict[str, int]
    stems: dict[str, int]  # per body stem, its entries

    @classmethod
    def empty(cls) -> Totals:
        return cls(frozenset(), {}, {}, {}, {})

    def entries(self, term: str) -> int:
        """Return how many entries hold an exact term in their title or, if more, their body."""
        return max(self.title.get(term, 0), self.body.get(term, 0))

    def add(self, part: Part, sign: int = 1) -> None:
        """Add a segment's part to the sums (sign -1: take it away)."""
        for term, (title, body) in part.terms.items():
            _bump(self.title, term, sign * title)
            _bump(self.body, term, sign * body)
        for word in part.words:
            _bump(self.words, word, sign)
        for stem, n in part.stems.items():
            _bump(self.stems, stem, sign * n)

    def save(self, path: Path) -> None:
        arrays = {"segments": _text(sorted(self.segments))}
        for name in _COUNTED:
            held: dict[str, int] = getattr(self, name)
            arrays[name] = _text(held)
            arrays[f"{name}_counts"] = np.array(list(held.values()), dtype=np.int32)
        _write(path, **arrays)

    @classmethod
    def load(cls, path: Path) -> Totals | None:
        """Read totals written by `save`, or None when they are missing or unreadable."""
        try:
            with np.load(path) as data:
                segments = frozenset(_strings(data["segments"]))
                held = {name: _counts(data, name) for name in _COUNTED}
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            return None
        return cls(segments, held["title"], held["body"], held["words"], held["stems"])


_COUNTED = ("title", "body", "words", "stems")


def _counts(data: Any, name: str) -> dict[str, int]:
    return dict(zip(_strings(data[name]), data[f"{name}_counts"].tolist(), strict=True))


def stem_entries(generation: Path, segments: frozenset[str]) -> dict[str, int] | None:
    """Return the body stems' entry counts kept for these segments (deleted entries included,
    as Whoosh's doc_frequency counts them), or None when the totals kept are of other segments
    or unreadable."""
    try:
        with np.load(generation / PARTS_DIR / TOTALS_FILE) as data:
            if frozenset(_strings(data["segments"])) != segments:
                return None
            return _counts(data, "stems")
    except (OSError, ValueError, KeyError, UnicodeDecodeError):
        return None


def _bump(held: dict[str, int], key: str, by: int) -> None:
    if by:
        value = held.get(key, 0) + by
        if value > 0:
            held[key] = value
        else:
            held.pop(key, None)


def segment_ids(reader: IndexReader) -> dict[str, IndexReader]:
    """Return the reader's segments by id."""
    return {
        leaf.segment().segment_id(): leaf
        for leaf, _ in reader.leaf_readers()
        if leaf.segment() is not None
    }


def totals(reader: IndexReader, generation: Path | None = None) -> Totals:
    """Return the totals of an open reader's segments; with a generation folder, from the
    totals and parts kept there, which are then brought up to date."""
    leaves = segment_ids(reader)
    if generation is None:
        found = Totals.empty()
        for leaf in leaves.values():
            found.add(Part.read(leaf))
        return Totals(frozenset(leaves), found.title, found.body, found.words, found.stems)
    folder = generation / PARTS_DIR
    folder.mkdir(exist_ok=True)
    kept = Totals.load(folder / TOTALS_FILE)
    if kept is not None and kept.segments == frozenset(leaves):
        return kept
    found = _updated(kept, leaves, folder)
    found.save(folder / TOTALS_FILE)
    for path in folder.glob("*.npz"):  # parts of segments merged away
        if path.name != TOTALS_FILE and path.stem not in leaves:
            path.unlink(missing_ok=True)
    return found


def _updated(kept: Totals | None, leaves: dict[str, IndexReader], folder: Path) -> Totals:
    """Return the kept totals less the segments gone and plus the new ones, or, when a gone
    segment's part is not kept, the sum of every segment's part."""
    gone = (
        []
        if kept is None
        else [Part.load(folder / f"{s}.npz") for s in kept.segments if s not in leaves]
    )
    if kept is None or any(part is None for part in gone):
        found, new = Totals.empty(), list(leaves)
    else:
        found, new = kept, [s for s in leaves if s not in kept.segments]
        for part in gone:
            if part is not None:
                found.add(part, -1)
    for segment in new:
        part = Part.load(folder / f"{segment}.npz")
        if part is None:
            part = Part.read(leaves[segment])
            part.save(folder / f"{segment}.npz")
        found.add(part)
    found.segments = frozenset(leaves)
    return found


# A reader grows its last counts to the next state when the new segments hold at most this
# share of the entries (or this many), and the parts of the segments gone are at hand; else it
# reads the totals kept (a new generation).
GROW_SHARE = 0.25
GROW_ENTRIES = 20_000


class BodyStems:
    """The body stems' entry counts of the index state a process last read, by its segments;
    the next state's are grown from them (the parts of the segments gone taken away, those of
    the new ones added) rather than read again, or left unknown until its totals are written
    (an edit at 1,000,000 entries: 300 term lookups per stem otherwise)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: tuple[frozenset[str], dict[str, int]] | None = None
        self._parts: dict[str, Part] = {}  # of segments added by growing: small ones

    def of(self, reader: IndexReader, generation: Path) -> dict[str, int] | None:
        """Return the body stems' entry counts of a reader's segments (deleted entries
        included), or None when they are not known and cannot be grown."""
        leaves = segment_ids(reader)
        segments = frozenset(leaves)
        with self._lock:
            known, parts = self._known, dict(self._parts)
        if known is not None and known[0] == segments:
            return known[1]
        counts = _grown(known, leaves, parts, generation / PARTS_DIR) if known else None
        if counts is None:
            counts = stem_entries(generation, segments)
        if counts is not None:
            with self._lock:
                self._known = (segments, counts)
                self._parts = {s: part for s, part in parts.items() if s in leaves}
        return counts


def _grown(
    known: tuple[frozenset[str], dict[str, int]],
    leaves: dict[str, IndexReader],
    parts: dict[str, Part],
    folder: Path,
) -> dict[str, int] | None:
    """Return the known counts less the segments gone and plus the new ones (their parts
    added to `parts`), or None when they are too many or a gone one's part is not at hand."""
    segments, counts = known
    new = [s for s in leaves if s not in segments]
    gone = [s for s in segments if s not in leaves]
    entries = sum(leaf.doc_count_all() for leaf in leaves.values())
    if sum(leaves[s].doc_count_all() for s in new) > max(GROW_SHARE * entries, GROW_ENTRIES):
        return None
    for segment in gone:
        if segment not in parts:
            part = Part.load(folder / f"{segment}.npz")
            if part is None:
                return None
            parts[segment] = part
    for segment in new:
        parts[segment] = Part.load(folder / f"{segment}.npz") or Part.read(leaves[segment])
    out = dict(counts)
    for segment, sign in [*((s, -1) for s in gone), *((s, 1) for s in new)]:
        for stem, n in parts[segment].stems.items():
            _bump(out, stem, sign * n)
    return out
