"""Themes for any archive: a draft taxonomy, or the themes one entry may lack, never applied.

Moving parts:
- `draft`: the key phrases (keyphrases.py) that many entries have among their own, each
  matched as a phrase over the whole index; phrases whose entries mostly overlap are one
  candidate, labelled by its most common phrase; candidates the taxonomy already covers (a
  term of it, or entries that mostly have one of its themes) are left out;
- `to_yaml`: the candidates as a `themes.yaml` draft for an editor to edit;
- `for_entry`: the themes an entry lacks that its closest entries have (related.py), with the
  evidence: how many of them have it, and which.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import yaml
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.analysis import stems, stems_and_words
from indexer.keyphrases import key_phrases, reader_word, wordlike
from indexer.postings import Postings, evaluate
from indexer.related import phrase_ids, profile
from indexer.slugs import theme_slug
from indexer.themes import Theme

READ = 5000  # entries read for their key phrases, evenly spread over a larger archive
PER_ENTRY = 6  # key phrases taken from each entry
LEAST_SHARE = 0.01  # a candidate covers at least this share of the entries (and LEAST of them)
LEAST = 3
MOST_SHARE = 0.12  # a word or phrase in more entries than this is too general for a theme
SAME = 0.3  # words and phrases whose entries overlap this much (Jaccard) make one candidate
TERMS = 6  # terms a candidate names
COVERED = 0.8  # a candidate whose entries have one existing theme this often is not missing
CLOSEST = 10  # an entry's closest entries asked for the themes it lacks
EXAMPLES = 5


@dataclass(frozen=True)
class Candidate:
    """A theme an editor might add: its slug, label, terms and the entries it would tag."""

    slug: str
    label: str
    terms: tuple[str, ...]
    entries: tuple[str, ...]  # ids, most telling first


@dataclass(frozen=True)
class Suggestion:
    """A theme one entry lacks: how many of its closest entries have it, and which."""

    slug: str
    label: str
    share: float  # of the closest entries with it
    evidence: tuple[str, ...]  # their titles


def draft(
    searcher: Searcher,
    ctx: Postings,
    taxonomy: Mapping[str, Theme],
    themes_of: Mapping[int, tuple[str, ...]],
    limit: int = 20,
) -> list[Candidate]:
    """Return up to `limit` candidate themes, the most entries first."""
    docs = [n for n in range(searcher.doc_count_all()) if n in themes_of]
    step = max(1, len(docs) // READ)
    counts: Counter[tuple[str, ...]] = Counter()
    words: dict[tuple[str, ...], Counter[str]] = {}
    total = len(docs)
    least, most = max(LEAST, LEAST_SHARE * total), max(MOST_SHARE * total, 2 * LEAST)
    for n in docs[::step]:
        f = searcher.stored_fields(n)
        text = f.get("title", "") + "\n" + f.get("body", "")
        for p in key_phrases(text)[:PER_ENTRY]:
            counts[p.terms] += 1
            words.setdefault(p.terms, Counter())[p.words] += 1
        for term, word in _key_words(searcher, text, total, most):
            counts[(term,)] += 1
            words.setdefault((term,), Counter())[word] += 1
    known = _taxonomy_terms(taxonomy)
    found = []
    keyness: dict[tuple[str, ...], float] = {}
    for terms, k in counts.most_common(limit * 30):
        if k < 2 or terms in known:
            continue
        if len(terms) == 2:
            ids = phrase_ids((terms[0], terms[1]), ctx, most)
        else:
            ids = np.sort(evaluate(wq.Term("body", terms[0]), ctx)[0])
        if least <= len(ids) <= most:
            found.append((terms, words[terms].most_common(1)[0][0], ids))
            keyness[terms] = k * math.log(1 + total / len(ids))
    out = []
    for group in _groups(sorted(found, key=lambda f: (-keyness[f[0]], f[0]))):
        ids = np.unique(np.concatenate([g[2] for g in group]))
        if (len(group) == 1 and len(group[0][0]) == 1) or _covered(ids, themes_of, taxonomy):
            continue  # a lone word is too vague to be a theme: it needs a phrase or company
        label = next((g[1] for g in group if len(g[0]) == 2), group[0][1])  # a phrase names best
        out.append(
            Candidate(
                theme_slug(label),
                label[:1].upper() + label[1:],
                tuple(dict.fromkeys(g[1] for g in group))[:TERMS],
                _ids(searcher, ids, group[0][2]),
            )
        )
    return out[:limit]


Found = tuple[tuple[str, ...], str, np.ndarray]  # terms, as written, entries


def _key_words(searcher: Searcher, text: str, total: int, most: float) -> list[tuple[str, str]]:
    """Return a text's key words (tf-idf), each with its first form as written."""
    times: Counter[str] = Counter()
    written: dict[str, str] = {}
    for term, word in stems_and_words(text):
        if wordlike(term, word):
            times[term] += 1
            written.setdefault(term, reader_word(word))
    weights = {}
    for t, k in times.items():
        df = searcher.doc_frequency("body", t)
        if 2 <= df <= most:
            weights[t] = k * math.log(1 + total / df)
    best = sorted(weights, key=lambda t: (-weights[t], t))[:PER_ENTRY]
    return [(t, written[t]) for t in best]


def _groups(found: list[Found]) -> list[list[Found]]:
    """Group words and phrases whose entries overlap, in the order given (the most telling
    first, which names the group)."""
    groups: list[tuple[list[Found], set[int]]] = []
    for item in found:
        mine = set(item[2].tolist())
        for group, ids in groups:
            if len(mine & ids) / len(mine | ids) >= SAME:
                group.append(item)
                ids |= mine
                break
        else:
            groups.append(([item], mine))
    return [g for g, _ in groups]


def _covered(
    ids: np.ndarray, themes_of: Mapping[int, tuple[str, ...]], taxonomy: Mapping[str, Theme]
) -> bool:
    held: Counter[str] = Counter(t for n in ids.tolist() for t in themes_of.get(n, ()))
    return any(k >= COVERED * len(ids) for t, k in held.items() if t in taxonomy or not taxonomy)


def _taxonomy_terms(taxonomy: Mapping[str, Theme]) -> set[tuple[str, ...]]:
    """Return the stems of every term of the taxonomy."""
    return {tuple(stems(term)) for theme in taxonomy.values() for term in theme.terms}


def _ids(searcher: Searcher, ids: np.ndarray, first: np.ndarray) -> tuple[str, ...]:
    ordered = list(dict.fromkeys([*first.tolist(), *ids.tolist()]))
    return tuple(searcher.stored_fields(n)["id"] for n in ordered)


def to_yaml(candidates: list[Candidate], name: str) -> str:
    """Return the candidates as a themes.yaml draft, each with the entries it would tag."""
    lines = [
        f"# Draft themes for {name}, from `perspectives themes suggest`: key phrases that many",
        "# entries share. Nothing is applied: edit the labels, descriptions and terms, keep the",
        "# themes you want, and copy them into archive/themes.yaml.",
    ]
    for c in candidates:
        body = {
            c.slug: {
                "label": c.label,
                "description": f"Entries that speak of {c.label[:1].lower() + c.label[1:]}.",
                "terms": list(c.terms),
            }
        }
        shown = ", ".join(c.entries[:EXAMPLES])
        lines += ["", f"# {len(c.entries)} entries, e.g. {shown}"]
        lines.append(
            yaml.safe_dump(
                body, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
            ).rstrip()
        )
    return "\n".join(lines) + "\n"


def for_entry(
    searcher: Searcher,
    ctx: Postings,
    n: int,
    labels: Mapping[str, str],
    themes_of: Mapping[int, tuple[str, ...]],
) -> list[Suggestion]:
    """Return the themes an entry lacks that most of its closest entries have."""
    p = profile(searcher, n, ctx, labels)
    top = [int(d) for d in np.argsort(-p.scores, kind="stable")[:CLOSEST] if p.scores[d] > 0]
    if not top:
        return []
    mine = set(themes_of.get(n, ()))
    held: Counter[str] = Counter(t for d in top for t in themes_of.get(d, ()) if t not in mine)
    least = max(2, math.ceil(len(top) / 3))
    out = []
    for slug, k in held.most_common():
        if k < least:
            break
        titles = tuple(
            searcher.stored_fields(d)["title"] for d in top if slug in themes_of.get(d, ())
        )
        out.append(
            Suggestion(slug, labels.get(slug) or slug, round(k / len(top), 2), titles[:EXAMPLES])
        )
    return out
