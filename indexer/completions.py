"""Suggestions while typing: the last word completed from the archive's vocabulary, and the
titles, authors and themes that match what is typed.

Moving parts:
- `Completions`: the archive's folded words (the `words` field: organise and organize are one
  word), sorted, each with how many entries hold it (its exact term's entries in the title or
  the body, so "design" and "designs" count together) and the word shown for its family (the
  singular where the archive has it). `perspectives index` writes it into the generation
  (`COMPLETIONS_FILE`), tagged with the Whoosh generation it was read from; the search core
  loads it when it opens a generation. It is never built on a reader's request unless the file
  is missing or stale (an index built before it existed): then the open builds it once.
- `Completions.complete`: the words starting with a folded prefix, a bisection in the sorted
  list, the most held first.
- `Named`: authors' and themes' names folded once per generation, matched by word prefixes.
- `suggest`: the completions, then the themes, authors and titles (a bounded title query:
  the typed words, the last one as its most held completions), every kind represented.
"""

from __future__ import annotations

import fnmatch
import os
import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from indexer import completion_parts as parts
from indexer.analysis import EXACT, WORD_PATTERN, fold_prefix, light_stem, query_terms
from indexer.facets import FacetTable
from indexer.facetsearch import fold
from indexer.postings import Postings, evaluate

COMPLETIONS_FILE = "completions.npz"
MAX_WORD = 30  # longer vocabulary words (URLs run together, hashes) are never offered
MIN_TITLE_PREFIX = 2  # titles are looked for once the last word has this many letters
MAX_FILTERED = 20_000  # words a spelling pattern is checked against (past it, the literal start)
MAX_TITLE_WORDS = 4  # completions of the last word looked for in titles (each costs a
# posting read per segment: 32 at 100,000 entries; 8 made the suggestions' p95 37 ms there)


@dataclass(frozen=True)
class Completion:
    """A word the archive holds that completes a prefix, and its entries."""

    word: str
    entries: int


class Completions:
    """The archive's folded words, sorted, with their entry counts, for completing a prefix."""

    def __init__(
        self, words: list[str], counts: np.ndarray, shown: np.ndarray, generation: int = -1
    ) -> None:
        self.words = words  # sorted
        self.counts = counts  # entries holding each word's family
        self.shown = shown  # per word, the index of the word shown for its family
        self.generation = generation  # the Whoosh generation it was read from

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def from_reader(cls, reader: IndexReader) -> Completions:
        """Read the vocabulary and its entry counts from every segment of an index (a second at
        100,000 entries: `perspectives index` keeps them per segment instead, `publish`)."""
        return cls.from_totals(parts.totals(reader), reader.generation())

    @classmethod
    def from_totals(cls, totals: parts.Totals, generation: int) -> Completions:
        """Make the lists from the counts of an index's segments (completion_parts.py)."""
        words: list[str] = []
        counts: list[int] = []
        families: dict[str, list[int]] = {}
        for word in sorted(w for w in totals.words if len(w) <= MAX_WORD):
            family = light_stem(word)
            entries = totals.entries(EXACT + family)
            if entries:
                families.setdefault(family, []).append(len(words))
                words.append(word)
                counts.append(entries)
        shown = np.arange(len(words), dtype=np.int32)
        for family, members in families.items():
            best = min(members, key=lambda i: (words[i] != family, len(words[i]), words[i]))
            shown[members] = best
        return cls(words, np.array(counts, dtype=np.int32), shown, generation)

    def save(self, path: Path) -> None:
        """Write the lists beside the index (replacing the old file at once)."""
        staged = path.with_name(f".{path.name}.new")
        with open(staged, "wb") as f:
            np.savez(
                f,
                words=np.frombuffer("\n".join(self.words).encode("utf-8"), dtype=np.uint8),
                counts=self.counts,
                shown=self.shown,
                generation=np.array([self.generation], dtype=np.int64),
            )
        os.replace(staged, path)

    @classmethod
    def load(cls, path: Path) -> Completions | None:
        """Read lists written by `save`, or None when there are none (or they are unreadable)."""
        try:
            with np.load(path) as data:
                text = data["words"].tobytes().decode("utf-8")
                return cls(
                    text.split("\n") if text else [],
                    data["counts"],
                    data["shown"],
                    int(data["generation"][0]),
                )
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            return None

    @staticmethod
    def generation_of(path: Path) -> int | None:
        """Return the Whoosh generation the lists in a file were made from (None: no file)."""
        try:
            with np.load(path) as data:
                return int(data["generation"][0])
        except (OSError, ValueError, KeyError, IndexError):
            return None

    def complete(self, prefix: str, limit: int = 6) -> list[Completion]:
        """Return the words (one per family) that start with a typed prefix in any spelling
        (organis: organization; colou: color), most held first."""
        pattern = fold_prefix(prefix + "*")
        literal = re.split(r"[*?]", pattern, maxsplit=1)[0]
        if not literal:
            return []
        lo = bisect_left(self.words, literal)
        hi = bisect_left(self.words, literal + "\uffff", lo)
        if lo == hi:
            return []
        members = np.arange(lo, hi)
        if pattern.rstrip("*") != literal and hi - lo <= MAX_FILTERED:
            rx = re.compile(fnmatch.translate(pattern))
            members = members[[bool(rx.match(self.words[i])) for i in range(lo, hi)]]
        families = np.unique(self.shown[members])
        counts = self.counts[families]
        order = np.lexsort((families, -counts))[:limit]
        return [Completion(self.words[int(families[i])], int(counts[i])) for i in order]


def publish(reader: IndexReader, generation: Path) -> Completions:
    """Build the completion lists of an index and write them into its generation folder, from
    the counts kept there per segment (only the segments not seen before are read)."""
    found = Completions.from_totals(parts.totals(reader, generation), reader.generation())
    found.save(generation / COMPLETIONS_FILE)
    return found


def opened(reader: IndexReader, generation: Path) -> Completions:
    """Return the lists of the generation being opened, from the file `perspectives index`
    writes. A file made from an earlier state of the index (an incremental run has committed
    and is writing it now) serves until the new one is there (`refreshed`); only an index with
    no file at all (built before it existed) has its lists built here, once."""
    found = Completions.load(generation / COMPLETIONS_FILE)
    return found if found is not None else Completions.from_reader(reader)


def refreshed(held: Completions, reader: IndexReader, generation: Path) -> Completions:
    """Return lists made from the reader's state of the index when the file now holds them,
    else those held."""
    if held.generation == reader.generation():
        return held
    found = Completions.load(generation / COMPLETIONS_FILE)
    return found if found is not None and found.generation == reader.generation() else held


class Named:
    """A facet's values and labels folded once per generation, each word of them sorted with
    the values holding it, for matching typed word starts by bisection."""

    def __init__(self, words: list[tuple[str, ...]]) -> None:
        pairs = sorted({(w, code) for code, held in enumerate(words) for w in held})
        self.keys = [w for w, _ in pairs]
        self.codes = np.array([code for _, code in pairs], dtype=np.int32)

    @classmethod
    def of(cls, values: list[str], labels: dict[str, str]) -> Named:
        return cls([tuple(typed_words(v + " " + labels.get(v, ""))) for v in values])

    def matching(self, typed: list[str]) -> list[int]:
        """Return the codes of values in which every typed word starts a word (the last one may
        be partial)."""
        found: np.ndarray | None = None
        for word in typed:
            lo = bisect_left(self.keys, word)
            hi = bisect_left(self.keys, word + "\uffff", lo)
            codes = np.unique(self.codes[lo:hi])
            found = codes if found is None else np.intersect1d(found, codes, assume_unique=True)
            if not len(found):
                return []
        return [] if found is None else [int(c) for c in found]


def typed_words(q: str) -> list[str]:
    """Return the words of typed text, folded as names are (case, accents, sigils)."""
    return fold(q).replace("@", " ").replace("#", " ").split()


# -- one suggestion list ----------------------------------------------------------------------

KINDS = ("word", "title", "author", "theme")
MAX_SUGGEST_CHARS = 200
_LAST_WORD = re.compile(r"[#@]?[^\W_][\w'’\-.]*$")


@dataclass(frozen=True)
class Suggestion:
    """One suggestion for typed text: its kind, what is shown, what picking it means (the whole
    query with its last word completed, an entry id, an author, a theme slug) and its entries."""

    kind: str
    text: str
    value: str
    count: int

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "text": self.text, "value": self.value, "count": self.count}


def last_word(q: str) -> tuple[int, str]:
    """Return where the word being typed starts and the word ("" when the text ends in a space)."""
    found = _LAST_WORD.search(q)
    if found is None:
        return len(q), ""
    return found.start(), found.group()


def title_query(q: str, start: int, last: str, completions: Completions) -> wq.Query | None:
    """Return the query for titles holding the typed words, the last one as any of its
    most held completions (bounded: a one-letter prefix must not read thousands of terms)."""
    parts: list[wq.Query] = []
    for raw in WORD_PATTERN.findall(q[:start]):
        exact = query_terms(raw)[1]
        if exact is not None:
            parts.append(wq.Term("title", exact))
    if last:
        words = (
            completions.complete(last, limit=MAX_TITLE_WORDS)
            if len(last) >= MIN_TITLE_PREFIX
            else []
        )
        terms = sorted({EXACT + light_stem(c.word) for c in words})
        if terms:
            parts.append(wq.Or([wq.Term("title", t) for t in terms]))
        elif not parts or len(last) >= MIN_TITLE_PREFIX + 2:
            return None  # a word the archive has no completion for (a stop word's start is let by)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


@dataclass(frozen=True)
class Sources:
    """What one open generation draws suggestions from."""

    completions: Completions | None
    named: dict[str, Named]  # author, theme
    table: FacetTable
    labels: dict[str, dict[str, str]]  # per facet, the labels of its values
    searcher: Searcher
    ctx: Postings


def suggest(q: str, limit: int, src: Sources) -> tuple[Suggestion, ...]:
    """Return completions of the last word of typed text (most held first), then the themes,
    authors and titles that match it, at most `limit` in all, every kind represented."""
    start, last = last_word(q)
    found: list[Suggestion] = []
    if last and src.completions is not None and not last.startswith(("@", "#")):
        found += [
            Suggestion("word", c.word, q[:start] + c.word, c.entries)
            for c in src.completions.complete(last, limit=max(limit // 2, 1))
        ]
    typed = typed_words(q)
    for facet in ("theme", "author"):
        found += _named(src, facet, typed)
    found += _titles(src, q, start, last)
    return tuple(found) if len(found) <= limit else _balanced(found, limit)


def _named(src: Sources, facet: str, typed: list[str], most: int = 3) -> list[Suggestion]:
    """Return the values of a facet whose words start with the typed ones, most entries first."""
    column = src.table.columns[facet]
    codes = src.named[facet].matching(typed)
    if not codes:
        return []
    counts = column.tally(src.table.live)
    labels = src.labels.get(facet, {})
    codes = sorted((c for c in codes if counts[c] > 0), key=lambda c: (-int(counts[c]), c))
    return [
        Suggestion(
            facet,
            labels.get(column.coded.values[c]) or column.coded.values[c],
            column.coded.values[c],
            int(counts[c]),
        )
        for c in codes[:most]
    ]


def _titles(src: Sources, q: str, start: int, last: str, most: int = 3) -> list[Suggestion]:
    """Return the best-scored titles holding the typed words (the last one completed)."""
    if src.completions is None:
        return []
    query = title_query(q, start, last, src.completions)
    if query is None:
        return []
    ids, scores = evaluate(query, src.ctx)
    if not len(ids):
        return []
    out = []
    for n in ids[np.lexsort((ids, -scores))[:most]]:
        f = src.searcher.stored_fields(int(n))
        out.append(Suggestion("title", f["title"], f["id"], 1))
    return out


def _balanced(found: list[Suggestion], limit: int) -> tuple[Suggestion, ...]:
    """Return `limit` suggestions, in their order, taking from each kind in turn so that words
    never crowd out the one title or theme that matches."""
    kinds: dict[str, list[int]] = {}
    for i, s in enumerate(found):
        kinds.setdefault(s.kind, []).append(i)
    taken: set[int] = set()
    while len(taken) < limit and any(kinds.values()):
        for indexes in kinds.values():
            if indexes and len(taken) < limit:
                taken.add(indexes.pop(0))
    return tuple(s for i, s in enumerate(found) if i in taken)
