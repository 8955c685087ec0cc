"""Near-duplicates: entries whose text is nearly the same, found by MinHash and LSH.

Moving parts:
- `shingles`: an entry's plain text (what a reader sees: markup, spacing and case gone) as the
  hashes of its runs of SHINGLE words;
- `signature`: PERMS MinHash values of those shingles (one permutation hashing, in NumPy);
- `Signatures`: every entry's signature, shingle count and the manifest digest of its file,
  kept in one NumPy file beside the index (`duplicates.npz`, 268 bytes an entry and its id), brought up to
  date after each build by computing only the entries whose file changed;
- LSH: BANDS bands of ROWS values; two entries that agree on a whole band are candidates;
- the exact check: the share of the shorter text's shingles that the other holds (a copy with
  a paragraph added is still a copy), for pairs whose shorter text is at least half the other
  (a quotation is not a copy).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.near_copies import FILE, THRESHOLD

SHINGLE = 4  # words per shingle
PERMS = 64
ROWS = 2  # a band's two uint32 values are one uint64 key (Signatures.bands)
BANDS = PERMS // ROWS
MIN_SHINGLES = 8  # shorter texts are not compared: a few words say the same thing too often
SHORTER_SHARE = 0.5  # the shorter text is at least this share of the longer one's shingles
FEW_FRESH = 200  # more new entries than this are paired all at once, by band
ESTIMATE_SLACK = 0.15  # candidates whose estimated similarity is this far below are not checked

_WORD = re.compile(r"\w+")
_MASK32 = np.uint64(0xFFFFFFFF)
_BIN_BITS = (PERMS - 1).bit_length()
_BINS = np.arange(PERMS, dtype=np.int64)
_BIN_FLOORS = _BINS.astype(np.uint64) << np.uint64(64 - _BIN_BITS)
_VALUE_SHIFT = np.uint64(32 - _BIN_BITS)
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)[:SHINGLE]


@dataclass(frozen=True)
class Pair:
    """Two entries whose text is nearly the same, and how much (0 to 1)."""

    a: str
    b: str
    similarity: float


class _Vocabulary:
    """A stable 64-bit hash per word (Python's own is salted per process), numbered once."""

    def __init__(self) -> None:
        self.number: dict[str, int] = {}
        self.hashes = np.zeros(1024, dtype=np.uint64)

    def hash_words(self, words: list[str]) -> np.ndarray:
        if len(self.number) > 1_000_000:  # a bound on memory; hashes do not change
            self.number = {}
        number = self.number
        new = list(set(words).difference(number))  # iterates the words, not the vocabulary
        if new:
            start = len(number)
            number.update(zip(new, range(start, start + len(new))))
            if len(number) > len(self.hashes):
                self.hashes = np.resize(self.hashes, 2 * len(number))
            self.hashes[start : len(number)] = [
                int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                for w in new
            ]
        codes = np.fromiter(map(number.__getitem__, words), dtype=np.int64, count=len(words))
        return self.hashes[codes]


_VOCABULARY = _Vocabulary()


def shingles(text: str) -> np.ndarray:
    """Return the sorted distinct hashes of the text's runs of SHINGLE words."""
    words = _VOCABULARY.hash_words(_WORD.findall(text.lower()))
    if len(words) < SHINGLE:
        return np.zeros(0, dtype=np.uint64)
    n = len(words) - SHINGLE + 1
    with np.errstate(over="ignore"):
        x = words[:n] * _MIX[0]
        for k in range(1, SHINGLE):
            x ^= words[k : k + n] * _MIX[k]
        # splitmix64's finaliser: every bit of the result depends on every word
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return np.unique(x)


def signature(hashes: np.ndarray) -> np.ndarray:
    """Return the MinHash signature (PERMS uint32) of a set of sorted shingle hashes.

    One permutation hashing: the top bits of a hash choose one of PERMS bins, the next 32 are
    its value, and each bin keeps its least value; sorted hashes are sorted by bin and value,
    so each bin's first hash is its least. An empty bin borrows from the next bin that is not
    (rotation densification), shifted by the distance, so two texts still agree on it as
    often as they share hashes.
    """
    if not len(hashes):
        return np.full(PERMS, 0xFFFFFFFF, dtype=np.uint32)
    starts = np.searchsorted(hashes, _BIN_FLOORS)
    present = starts < np.r_[starts[1:], len(hashes)]
    values = (hashes[np.minimum(starts, len(hashes) - 1)] >> _VALUE_SHIFT) & _MASK32
    have = np.flatnonzero(present)
    take = have[np.searchsorted(have, _BINS) % len(have)]
    distance = (take - _BINS) % PERMS
    with np.errstate(over="ignore"):
        out = (values[take] + distance.astype(np.uint64) * np.uint64(0x9E3779B1)) & _MASK32
    return out.astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Return the share of the shorter text's shingles the other holds (0 when not comparable)."""
    small, large = sorted((len(a), len(b)))
    if small < MIN_SHINGLES or small < SHORTER_SHARE * large:
        return 0.0
    return len(np.intersect1d(a, b, assume_unique=True)) / small


def _estimate(
    sig_a: np.ndarray, sig_b: np.ndarray, size_a: np.ndarray, size_b: np.ndarray
) -> np.ndarray:
    """Estimate `similarity` from signatures: Jaccard, turned into the shorter one's share."""
    j = (sig_a == sig_b).mean(axis=-1)
    small = np.minimum(size_a, size_b).astype(np.float64)
    large = np.maximum(size_a, size_b).astype(np.float64)
    shared = j * (small + large) / (1 + j)
    ok = (small >= MIN_SHINGLES) & (small >= SHORTER_SHARE * large)
    return np.where(ok, shared / np.maximum(small, 1), 0.0)


class Signatures:
    """Every entry's signature, shingle count and file digest, by row."""

    def __init__(
        self, ids: list[str], digests: list[int], sigs: np.ndarray, sizes: np.ndarray
    ) -> None:
        self.ids, self.digests, self.sigs, self.sizes = ids, digests, sigs, sizes
        self.row = dict(zip(ids, range(len(ids))))
        self._bands: np.ndarray | None = None

    @classmethod
    def empty(cls) -> Signatures:
        return cls([], [], np.zeros((0, PERMS), dtype=np.uint32), np.zeros(0, dtype=np.uint32))

    @classmethod
    def load(cls, folder: Path) -> Signatures:
        """Read the signatures beside an index (none when the file is missing or unreadable)."""
        try:
            with np.load(folder / FILE, allow_pickle=False) as f:
                if f["ids"].dtype != np.uint8 or f["sigs"].dtype != np.uint32:
                    return cls.empty()  # another layout (an older build): hashed again
                ids = bytes(f["ids"]).decode("utf-8").split("\n") if len(f["ids"]) else []
                sigs, sizes, digests = f["sigs"], f["sizes"], f["digests"]
                if not (sigs.shape == (len(ids), PERMS) and len(sizes) == len(digests) == len(ids)):
                    return cls.empty()
                return cls(ids, digests.tolist(), sigs, sizes)
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            return cls.empty()

    def save(self, folder: Path) -> None:
        """Write the file beside the index atomically: a reader sees the old one or the new."""
        tmp = folder / (FILE + ".tmp")
        try:
            with open(tmp, "wb") as f:
                ids = np.frombuffer("\n".join(self.ids).encode("utf-8"), dtype=np.uint8)
                np.savez(
                    f,
                    ids=ids,
                    digests=np.array(self.digests, dtype=np.uint64),
                    sigs=self.sigs,
                    sizes=self.sizes,
                )
            os.replace(tmp, folder / FILE)
        finally:
            tmp.unlink(missing_ok=True)

    def bands(self) -> np.ndarray:
        """Return each entry's band keys (BANDS uint64), computed once: a band's two uint32
        values read as one uint64, without a copy (keys are only compared)."""
        if self._bands is None:
            sigs = np.ascontiguousarray(self.sigs, dtype=np.uint32)
            self._bands = sigs.view(np.uint64).reshape(len(self.ids), BANDS)
        return self._bands

    def candidates_of(
        self, row: int, bands: np.ndarray | None = None, threshold: float = THRESHOLD
    ) -> np.ndarray:
        """Return the rows that share a band with this row and may be near it."""
        bands = self.bands() if bands is None else bands
        hit = np.flatnonzero((bands == bands[row]).any(axis=1))
        hit = hit[hit != row]
        est = _estimate(self.sigs[hit], self.sigs[row], self.sizes[hit], self.sizes[row])
        return hit[est >= threshold - ESTIMATE_SLACK] if len(hit) else hit

    def candidate_pairs(self, threshold: float) -> list[tuple[int, int]]:
        """Return every pair of rows that shares a band and may be above the threshold."""
        bands = self.bands()
        pairs: set[tuple[int, int]] = set()
        for b in range(BANDS):
            keys = bands[:, b]
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
            ends = np.r_[starts[1:], len(keys)]
            for s, e in zip(starts[(ends - starts) > 1], ends[(ends - starts) > 1]):
                rows = sorted(order[s:e].tolist())
                pairs.update((x, y) for i, x in enumerate(rows) for y in rows[i + 1 :])
        if not pairs:
            return []
        arr = np.array(sorted(pairs), dtype=np.int64)
        est = _estimate(
            self.sigs[arr[:, 0]], self.sigs[arr[:, 1]], self.sizes[arr[:, 0]], self.sizes[arr[:, 1]]
        )
        return [tuple(p) for p in arr[est >= threshold - ESTIMATE_SLACK].tolist()]


def updated(
    old: Signatures,
    want: Mapping[str, str],
    shingled: Callable[[str], np.ndarray],
    fresh: list[str] | None = None,
    texts: Iterable[tuple[str, str]] | None = None,
) -> tuple[Signatures, list[str]]:
    """Return signatures for the entries `want` names (id -> file digest), computing only those
    that are new or whose file changed (`fresh`, when the caller knows them), and the ids
    computed. `texts`, (id, text) in any order, are signed as they come and never kept (a full
    build reads every entry once: at 1,000,000 entries keeping their texts or shingles took
    gigabytes); an entry to compute that they do not give is read through `shingled`."""
    ids = sorted(want)
    fresh = stale(old, want) if fresh is None else fresh
    new = set(fresh)
    rows = np.array([-1 if i in new else old.row.get(i, -1) for i in ids], dtype=np.int64)
    kept = rows >= 0
    sigs = np.zeros((len(ids), PERMS), dtype=np.uint32)
    sizes = np.zeros(len(ids), dtype=np.uint32)
    sigs[kept], sizes[kept] = old.sigs[rows[kept]], old.sizes[rows[kept]]
    signed = kept.copy()
    if texts is not None:
        where = {i: k for k, i in enumerate(ids) if i in new}
        for entry_id, text in texts:
            k = where.get(entry_id)
            if k is not None and not signed[k]:
                h = shingles(text)
                sigs[k], sizes[k], signed[k] = signature(h), len(h), True
    for k in np.flatnonzero(~signed).tolist():
        h = shingled(ids[k])
        sigs[k], sizes[k] = signature(h), len(h)
    return Signatures(ids, [digest_key(want[i]) for i in ids], sigs, sizes), fresh


def digest_key(digest: str) -> int:
    """Return a file digest as the 64-bit number the signature file keeps."""
    try:
        return int(digest[:16], 16) if digest else 0
    except ValueError:
        return int.from_bytes(hashlib.blake2b(digest.encode(), digest_size=8).digest(), "little")


def stale(old: Signatures, want: Mapping[str, str]) -> list[str]:
    """Return the ids of `want` (id -> file digest) that are new or whose file changed."""
    return [
        i
        for i in sorted(want)
        if (k := old.row.get(i)) is None or old.digests[k] != digest_key(want[i])
    ]


def near(
    sigs: Signatures,
    entry_id: str,
    shingled: Callable[[str], np.ndarray],
    threshold: float = THRESHOLD,
    bands: np.ndarray | None = None,
) -> list[Pair]:
    """Return the entries nearly the same as one, most similar first."""
    row = sigs.row.get(entry_id)
    if row is None:
        return []
    out: list[Pair] = []
    candidates = sigs.candidates_of(row, bands, threshold).tolist()
    if not candidates:  # most entries: their own text is not shingled
        return out
    mine = shingled(entry_id)
    for other in candidates:
        s = similarity(mine, shingled(sigs.ids[other]))
        if s >= threshold:
            out.append(Pair(entry_id, sigs.ids[other], round(s, 3)))
    return sorted(out, key=lambda p: (-p.similarity, p.b))


def all_pairs(
    sigs: Signatures, shingled: Callable[[str], np.ndarray], threshold: float = THRESHOLD
) -> list[Pair]:
    """Return every pair of entries nearly the same, most similar first."""
    out = []
    for a, b in sigs.candidate_pairs(threshold):
        s = similarity(shingled(sigs.ids[a]), shingled(sigs.ids[b]))
        if s >= threshold:
            out.append(Pair(sigs.ids[a], sigs.ids[b], round(s, 3)))
    return sorted(out, key=lambda p: (-p.similarity, p.a, p.b))


def pairs_among(texts: Mapping[str, str], threshold: float = THRESHOLD) -> list[Pair]:
    """Return the near-duplicate pairs among texts given by id (no index needed)."""
    shingled = remembered(lambda i: texts[i])
    sigs, _ = updated(Signatures.empty(), dict.fromkeys(texts, ""), shingled)
    return all_pairs(sigs, shingled, threshold)


def fresh_pairs(
    sigs: Signatures,
    fresh: Iterable[str],
    shingled: Callable[[str], np.ndarray],
    threshold: float = THRESHOLD,
) -> list[Pair]:
    """Return the pairs in which a new or changed entry nearly duplicates another."""
    fresh = set(fresh)
    if len(fresh) > FEW_FRESH:  # a full build: every pair at once, by band
        return [p for p in all_pairs(sigs, shingled, threshold) if p.a in fresh or p.b in fresh]
    bands = sigs.bands()
    out: list[Pair] = []
    for i in sorted(fresh):
        out += near(sigs, i, shingled, threshold, bands)
    return out


def remembered(text: Callable[[str], str]) -> Callable[[str], np.ndarray]:
    """Return the shingles of each entry's text, each read and hashed once."""
    seen: dict[str, np.ndarray] = {}

    def shingled(entry_id: str) -> np.ndarray:
        if entry_id not in seen:
            seen[entry_id] = shingles(text(entry_id))
        return seen[entry_id]

    return shingled
