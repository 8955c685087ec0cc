"""Texts for near-duplicate tests: prose from a word-bigram model over Python's own help topics
(so texts share the common phrases real prose shares), and near copies of some of them made
the four ways an archive gets them: a word changed, a paragraph added, whitespace changed and
markup changed."""

from __future__ import annotations

import itertools
import pydoc_data.topics
import random
import re
from collections import defaultdict
from pathlib import Path

KINDS = ("word", "paragraph", "whitespace", "markup")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]")


class Prose:
    """Sentences from a bigram model; about one word in five swapped for a random one."""

    def __init__(self, seed: int) -> None:
        words = [w.lower() for w in _WORD.findall(" ".join(pydoc_data.topics.topics.values()))]
        self.follow: dict[str, list[str]] = defaultdict(list)
        for a, b in itertools.pairwise(words):
            self.follow[a].append(b)
        self.starts = [w for w, nxt in self.follow.items() if len(nxt) > 3]
        self.words = sorted(set(words))
        self.rng = random.Random(seed)

    def sentence(self) -> str:
        w = self.rng.choice(self.starts)
        out = [w]
        for _ in range(self.rng.randint(6, 20)):
            nxt = self.follow.get(w)
            w = self.rng.choice(nxt) if nxt else self.rng.choice(self.starts)
            out.append(self.rng.choice(self.words) if self.rng.random() < 0.2 else w)
        return " ".join(out).capitalize() + "."

    def paragraphs(self, n: int) -> list[str]:
        return [" ".join(self.sentence() for _ in range(self.rng.randint(2, 5))) for _ in range(n)]


def near_copy(paragraphs: list[str], kind: str, prose: Prose) -> str:
    """Return a near copy of the text, made one of the four ways (markdown)."""
    rng = prose.rng
    if kind == "word":
        i = rng.randrange(len(paragraphs))
        words = paragraphs[i].split(" ")
        j = rng.randrange(len(words))
        words[j] = "changed" if words[j] != "changed" else "altered"
        return "\n\n".join([*paragraphs[:i], " ".join(words), *paragraphs[i + 1 :]])
    if kind == "paragraph":
        return "\n\n".join([*paragraphs, prose.paragraphs(1)[0]])
    if kind == "whitespace":
        return "\n\n\n".join(p.replace(" ", "  ").replace(". ", ".\n") for p in paragraphs)
    # markup: emphasis, a heading, a link and a list around the same words
    first, *rest = paragraphs
    words = first.split(" ")
    words[1] = f"**{words[1]}**"
    words[3] = f"[{words[3]}](https://example.org/x)"
    return "\n\n".join(
        ["## " + " ".join(words[:4]), " ".join(words[4:]), *("- " + p for p in rest)]
    )


def texts(n: int, planted: int, seed: int = 11) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Return n texts by id (markdown) and the planted pairs, `planted` of each kind."""
    prose = Prose(seed)
    out = {f"e{i:05d}": "\n\n".join(prose.paragraphs(prose.rng.randint(2, 6))) for i in range(n)}
    pairs = set()
    ids = sorted(out)
    for k, kind in enumerate(KINDS):
        for j in range(planted):
            original = ids[(k * planted + j) * 7 + 3]
            copy = f"{original}-{kind}"
            out[copy] = near_copy(out[original].split("\n\n"), kind, prose)
            pairs.add((original, copy))
    return out, pairs


def write_archive(folder: Path, bodies: dict[str, str]) -> None:
    """Write one entry file per text."""
    folder.mkdir(parents=True, exist_ok=True)
    for k, (i, body) in enumerate(sorted(bodies.items())):
        day = 1 + k % 28
        (folder / f"{i}.md").write_text(
            f'---\ntitle: "Entry {i}"\nauthor: "@a{k % 50}"\ndate: 2025-03-{day:02d}\n'
            f"section: Notes\nsource: https://example.org/{i}\n---\n{body}\n",
            encoding="utf-8",
        )
