"""Near-duplicates in the index: signatures kept beside it, the warnings of `index` and
`check` (`path:line: nearly the same text as other.md (93%)`), and the pairs a reader asks
for (duplicates.py does the finding).

After a build, `refresh` brings the generation's signature file up to date from its manifest:
only entries whose file is new or changed are read (their stored plain text) and hashed, and
only they are warned about. `check` compares every entry of the archive with every other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import generations as gens
from indexer.manifest import read_manifest
from indexer.records import Perspective, Problem

if TYPE_CHECKING:  # NumPy and the search core load only when there is something to hash
    from indexer import duplicates as dup
    from indexer.results import Duplicate, DuplicatePair

FILE = "duplicates.npz"  # the signatures, beside the index of each generation
THRESHOLD = 0.8  # least similarity of a near-duplicate, unless asked for another

READ_ALL = 1000  # more fresh entries than this: read every stored document once, in order


def after_build(index_dir: Path, changed: bool, previous: Path | None) -> list[Problem]:
    """Bring the current generation's signatures up to date when a build changed something (or
    they are missing); return the warnings for its new and changed entries."""
    current = gens.current_path(index_dir)
    if current is None or not (changed or not (current / FILE).is_file()):
        return []
    try:
        return refresh(current, previous if previous != current else None)
    except OSError as e:  # a full disk: the index is whole, only the advice is missing
        return [Problem(FILE, 1, f"near-duplicates not checked: {e.strerror or e}")]


def refresh(generation: Path, previous: Path | None = None) -> list[Problem]:
    """Update the signatures of a generation; return a warning for each new or changed entry
    that nearly duplicates another. `previous` lends the signatures of unchanged files to a
    full build."""
    from whoosh import index as whoosh_index

    from indexer import duplicates as dup

    want = read_manifest(generation).table.digests_by_id()
    old = dup.Signatures.load(generation)
    if not old.ids and previous is not None:
        old = dup.Signatures.load(previous)
    fresh = dup.stale(old, want)
    if not fresh and len(old.ids) == len(want) and (generation / FILE).is_file():
        return []  # every entry's signature is there already (want holds no id twice)
    with whoosh_index.open_dir(str(generation)).searcher() as searcher:
        if len(fresh) <= READ_ALL:  # an incremental run: the few entries it changed, by id
            stored = _stored(searcher, set(fresh))
            shingled = dup.remembered(_texts(searcher, stored))
            sigs, fresh = dup.updated(old, want, shingled, fresh)
        else:
            # a full build: every stored document read once, in order, each text signed as it
            # is read and dropped (at 1,000,000 entries, keeping them and their shingles took
            # 10 GB). The few entries a candidate pair compares, or a warning names, are read
            # again by id.
            stored = {}
            shingled = dup.remembered(_texts(searcher, {}))
            sigs, fresh = dup.updated(old, want, shingled, fresh, _streamed(searcher))
        sigs.save(generation)
        pairs = dup.fresh_pairs(sigs, fresh, shingled, THRESHOLD)
        return warnings(pairs, set(fresh), lambda i: stored.get(i) or _fields(searcher, i))


def _streamed(searcher: Any) -> Iterator[tuple[str, str]]:
    """Yield each entry's id and text, in stored order."""
    for f in searcher.all_stored_fields():
        entry_id = f.get("id")
        if entry_id:
            yield entry_id, f.get("body", "") or ""


def check_pairs(entries: Iterable[tuple[Perspective, str]]) -> list[Problem]:
    """Return a warning for each pair of entries (with their plain text) nearly the same."""
    from indexer import duplicates as dup

    by_id = {p.id: (p, text) for p, text in entries}
    pairs = dup.pairs_among({i: t for i, (_, t) in by_id.items()}, THRESHOLD)
    where = {i: {"path": p.path, "line": p.line} for i, (p, _) in by_id.items()}
    return warnings(pairs, set(by_id), where.__getitem__)


def warnings(
    pairs: list[dup.Pair], fresh: set[str], fields: Callable[[str], dict[str, Any]]
) -> list[Problem]:
    """Return one warning per pair, on its new entry (the later path when both are new)."""
    out = set()
    for pair in pairs:
        a, b = fields(pair.a), fields(pair.b)
        if pair.b in fresh and (
            pair.a not in fresh or (b["path"], b["line"]) > (a["path"], a["line"])
        ):
            a, b = b, a
        out.add(Problem(a["path"], int(a.get("line") or 1), message(b["path"], pair.similarity)))
    return sorted(out)


def message(other: str, similarity: float) -> str:
    """Return the reason of a near-duplicate warning."""
    return f"nearly the same text as {other} ({int(similarity * 100)}%)"


def _stored(searcher: Any, wanted: set[str] | None) -> dict[str, dict[str, Any]]:
    """Return the stored fields of the wanted ids (of every entry when `wanted` is None)."""
    if wanted is None:
        return {f["id"]: f for f in searcher.all_stored_fields() if f.get("id")}
    return {i: f for i in wanted if (f := _fields(searcher, i))}


def _fields(searcher: Any, entry_id: str) -> dict[str, Any]:
    n = searcher.document_number(id=entry_id)
    return searcher.stored_fields(n) if n is not None else {}


def _texts(searcher: Any, stored: dict[str, dict[str, Any]]) -> Callable[[str], str]:
    def text(entry_id: str) -> str:
        f = stored.get(entry_id) or _fields(searcher, entry_id)
        return f.get("body", "") or ""

    return text


def of_entry(
    searcher: Any, sigs: dup.Signatures, entry_id: str, threshold: float = THRESHOLD
) -> tuple[Duplicate, ...]:
    """Return the entries whose text is nearly the same as this one's, most similar first."""
    from indexer import duplicates as dup

    shingled = dup.remembered(_texts(searcher, {}))
    pairs = dup.near(sigs, entry_id, shingled, threshold)
    return tuple(_duplicate(_fields(searcher, p.b), p.similarity) for p in pairs)


def every_pair(
    searcher: Any, sigs: dup.Signatures, threshold: float = THRESHOLD
) -> list[DuplicatePair]:
    """Return every pair of entries whose text is nearly the same, most similar first."""
    from indexer import duplicates as dup
    from indexer.results import DuplicatePair

    shingled = dup.remembered(_texts(searcher, {}))
    out = []
    for p in dup.all_pairs(sigs, shingled, threshold):
        a, b = _fields(searcher, p.a), _fields(searcher, p.b)
        if a and b:
            out.append(
                DuplicatePair(
                    _duplicate(a, p.similarity), _duplicate(b, p.similarity), p.similarity
                )
            )
    return out


def _duplicate(f: dict[str, Any], similarity: float) -> Duplicate:
    from indexer.documents import brief
    from indexer.results import Duplicate

    return Duplicate(
        **brief(f),
        path=f.get("path", ""),
        similarity=similarity,
    )
