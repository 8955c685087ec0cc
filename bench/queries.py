"""The query mix, picked from the corpus itself (deterministically) and saved beside its dump:
words of set frequencies (rare, common, two words, a phrase, a prefix, spelling variants), each
alone and with two filter sets, browsing, related entries and a CSV export."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpora import Corpus

SUBJECT = " on subject"  # a kind that also asks for entries on the same subject
STOP = set(["i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now", "d", "ll", "m", "o", "re", "ve", "y", "also", "would", "could", "one", "may", "must", "might", "shall", "use", "used", "using"])  # fmt: skip
_TOKEN = re.compile(r"[a-z]+")


@dataclass
class _Counts:
    """What the dump holds: facet values counted over every entry, words over a sample."""

    ids: list[str] = field(default_factory=list)
    authors: Counter[str] = field(default_factory=Counter)
    sections: Counter[str] = field(default_factory=Counter)
    years: Counter[int] = field(default_factory=Counter)
    themes: Counter[str] = field(default_factory=Counter)
    theme_author: Counter[tuple[str, str]] = field(default_factory=Counter)
    df: Counter[str] = field(default_factory=Counter)  # sampled entries holding each word
    bigrams: Counter[tuple[str, str]] = field(default_factory=Counter)
    sets: list[set[str]] = field(default_factory=list)  # each sampled entry's words

    def add(self, r: dict[str, Any], sampled: bool) -> None:
        self.ids.append(r["id"])
        self.authors[r["author"]] += 1
        self.sections[r["section"]] += 1
        self.years[r["year"]] += 1
        for t in r["themes"]:
            self.themes[t] += 1
            self.theme_author[(t, r["author"])] += 1
        if sampled:
            toks = _TOKEN.findall((r["title"] + " " + r["body"]).lower())
            words = {t for t in toks if len(t) >= 4 and t not in STOP}
            self.df.update(words)
            self.sets.append(words)
            self.bigrams.update({(a, b) for a, b in zip(toks, toks[1:]) if _bigram(a, b)})


def _bigram(a: str, b: str) -> bool:
    return len(a) >= 4 and len(b) >= 4 and a not in STOP and b not in STOP and a != b


def _count(dump: Path) -> _Counts:
    with open(dump, encoding="utf-8") as f:
        n = sum(1 for _ in f)
    step = max(1, n // 4000)
    counts = _Counts()
    with open(dump, encoding="utf-8") as f:
        for i, line in enumerate(f):
            counts.add(json.loads(line), i % step == 0)
    return counts


def _two(
    band: list[str], sets: list[set[str]], common: str, frac: dict[str, float]
) -> tuple[str, str]:
    """Two words of the band that occur together in 5-20% of the entries."""
    for a_i, a in enumerate(band[:30]):
        for b in band[a_i + 1 : 30]:
            if 0.05 <= sum(1 for s in sets if a in s and b in s) / len(sets) <= 0.2:
                return a, b
    if len(band) > 1:
        return band[0], band[1]
    return common, sorted(frac, key=lambda w: -frac[w])[1]


def _prefix_variant(df: Counter[str], frac: dict[str, float], common: str) -> tuple[str, str]:
    """A prefix of a long word, and a British spelling to fold (the archive's own if it has one)."""
    if df.get("anthropomorphism", 0) + df.get("anthropomorphising", 0) > 0 or any(
        w.startswith("anthropomorph") for w in df
    ):
        return "anthropomorph*", "anthropomorphising"
    long_words = sorted(
        (w for w in frac if len(w) >= 11 and 0.01 <= frac[w] <= 0.1), key=lambda w: -frac[w]
    )
    return (long_words[0][:8] + "*") if long_words else common[:5] + "*", "organisation"


def _words(c: _Counts) -> tuple[dict[str, str], dict[str, float]]:
    """Pick the query words by their share of the sampled entries; return them and the shares."""
    frac = {w: k / len(c.sets) for w, k in c.df.items()}
    common = max((w for w in frac if frac[w] <= 0.95), key=lambda w: frac[w])
    band = sorted(
        (w for w in frac if 0.2 <= frac[w] <= 0.45 and w != common), key=lambda w: -frac[w]
    )
    pool = [(bg, k / len(c.sets)) for bg, k in c.bigrams.items() if 0.02 <= k / len(c.sets) <= 0.15]
    phrase = max(pool, key=lambda x: x[1])[0] if pool else max(c.bigrams, key=c.bigrams.__getitem__)
    rare = (
        "dignity"
        if c.df.get("dignity")
        else min((w for w in frac if len(w) >= 6), key=lambda w: abs(frac[w] - 0.005))
    )
    prefix, variant = _prefix_variant(c.df, frac, common)
    words = {
        "rare": rare,
        "common": common,
        "two": " ".join(_two(band, c.sets, common, frac)),
        "phrase": '"{}"'.format(" ".join(phrase)),
        "prefix": prefix,
        "variant": variant,
        "variant2": "behaviour",
    }
    return words, frac


def last_day(y: int, m: int) -> int:
    """Return the last day of month m of year y."""
    return ((dt.date(y + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)).day


def _filters(c: _Counts) -> tuple[dict[str, str], dict[str, str]]:
    """Section + the first half of the busiest year; the top theme + its top author."""
    top_sections = [s for s, _ in c.sections.most_common()]
    section = top_sections[1] if len(top_sections) > 1 else top_sections[0]
    year = c.years.most_common(1)[0][0]
    sect_date = {
        "section": section,
        "from": f"{year}-01-01",
        "to": f"{year}-06-{last_day(year, 6):02d}",
    }
    theme = c.themes.most_common(1)[0][0] if c.themes else None
    if not theme:
        return sect_date, {"author": c.authors.most_common(1)[0][0]}
    author = max(
        (a for (t, a) in c.theme_author if t == theme), key=lambda a: c.theme_author[(theme, a)]
    )
    return sect_date, {"theme": theme, "author": author}


def _specs(
    words: dict[str, str], filters: tuple[dict[str, str], dict[str, str]], ids: list[str]
) -> dict[str, Any]:
    """Every kind of request, by name."""
    sd, ta = filters
    specs: dict[str, Any] = {}
    for kind, q in words.items():
        specs[kind] = {"kind": "search", "params": {"q": q}}
        specs[kind + "+sect+date"] = {"kind": "search", "params": {"q": q, **sd}}
        specs[kind + "+theme+author"] = {"kind": "search", "params": {"q": q, **ta}}
    # entries on the same subject (indexer/subject.py) are extra work no peer does: every kind
    # above asks for the words alone (systems.our_path), and these ask for the subject too
    for k in ("rare+sect+date", "prefix+theme+author", "variant+theme+author"):
        specs[k + SUBJECT] = {"kind": "search", "params": {**specs[k]["params"], "subject": "1"}}
    specs["browse"] = {"kind": "search", "params": {"q": ""}}
    specs["browse+sect+date"] = {"kind": "search", "params": {"q": "", **sd}}
    specs["browse+theme+author"] = {"kind": "search", "params": {"q": "", **ta}}
    specs["related"] = {"kind": "related", "ids": ids[:: max(1, len(ids) // 20)][:20]}
    specs["export.csv"] = {"kind": "export", "params": {"q": words["common"]}}
    return specs


def make_queries(c: Corpus) -> dict[str, Any]:
    """Pick the query mix from the corpus's dump (deterministically), and save it."""
    if c.queries_path.is_file():
        return json.loads(c.queries_path.read_text())
    counts = _count(c.dump)
    words, frac = _words(counts)
    filters = _filters(counts)
    meta = {
        "entries": len(counts.ids),
        "sample": len(counts.sets),
        "words": words,
        "df_in_sample": {
            k: round(frac.get(v.strip('"*').split()[0], 0), 3) for k, v in words.items()
        },
        "filters": {"sect+date": filters[0], "theme+author": filters[1]},
    }
    data = {"specs": _specs(words, filters, counts.ids), "meta": meta}
    c.queries_path.write_text(json.dumps(data, indent=1))
    return data
