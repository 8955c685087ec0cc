"""The README's query language, and every request parameter, as one generator with two drivers:
a seeded `random.Random` (thousands of requests a run, the same ones each run) and hypothesis
(`HypothesisDraw`, which shrinks a failing query to a small one).

A query is a sequence of clauses (words, phrases, prefixes and wildcards, `~` and `^`, ranges,
`+`/`-`, fields real and unknown, parenthesised groups) and operators (AND, OR, NOT, in any
position, doubled or dangling), with control and non-Latin characters and SQL-ish junk between.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

WORDS = ["autonomy", "agile", "behaviour", "organisation", "organising", "model", "evidence",
         "colour", "reader", "the", "a", "not", "GPT-4o", "self-determination", "75%",
         "@datawren", "#keep4o", "don't", "zqpayload", "x"]  # fmt: skip
NON_LATIN = ["日本語", "автономия", "مستقل", "ﬁ", "straße", "İstanbul", "e\u0301", "🙂", "Ω≈ç"]
CONTROL = ["\x00", "\x01", "\x07", "\x1b[31m", "\x7f", "\u202e", "\ufeff", "\u200b", "\t", "\n"]
JUNK = ["' OR 1=1 --", "'; DROP TABLE entries; --", "UNION SELECT *", "1=1", "%27", "\\",
        "${jndi:ldap://x}", "<script>", "../../etc/passwd", "{{7*7}}", "%00", "&&", "||", "!"]  # fmt: skip
FIELDS = [
    "title",
    "body",
    "text",
    "author",
    "theme",
    "themes",
    "section",  # real
    "foo",
    "field",
    "id",
    "day",
    "date",
    "path",
    "markdown",
    "words",
    "",
]  # unknown, hidden
OPERATORS = ["AND", "OR", "NOT", "AND NOT", "NOT NOT", "ANDNOT", "ANDMAYBE", "TO", "and", "or"]
STRAY = ['"', "'", "(", ")", "(((", ")))", "[", "]", "{", "}", "*", "?", "~", "^", ":", "+", "-",
         "--", "+-", "/", "“", "”"]  # fmt: skip
SEPARATORS = [" ", " ", " ", "  ", "", "\t"]


class Draw(Protocol):
    """What the grammar asks of a driver: random.Random has both."""

    def choice(self, seq: Sequence[T]) -> T: ...

    def randint(self, a: int, b: int) -> int: ...


class HypothesisDraw:
    """Drive the grammar from hypothesis's `st.data()`, so failures shrink."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def choice(self, seq: Sequence[T]) -> T:
        return self.data.draw(st.sampled_from(seq))

    def randint(self, a: int, b: int) -> int:
        return int(self.data.draw(st.integers(a, b)))


def word(d: Draw) -> str:
    """Return one word: mostly the archive's, sometimes non-Latin, control or junk."""
    return d.choice(d.choice([WORDS] * 6 + [NON_LATIN, CONTROL, JUNK]))


def _term(d: Draw) -> str:
    w = word(d)
    kind = d.randint(0, 10)
    if kind <= 2:
        return w
    forms = [
        lambda: f"{w[: d.randint(0, 4)]}*", lambda: f"*{w[:2]}*", lambda: f"{w[:2]}?{w[3:5]}",
        lambda: f"{w}~", lambda: f"{w}~{d.randint(0, 3)}", lambda: f"{w}^{d.randint(0, 9)}",
        lambda: f"+{w}", lambda: f"-{w}",
    ]  # fmt: skip
    return forms[kind - 3]()


def _phrase(d: Draw) -> str:
    words = " ".join(word(d) for _ in range(d.randint(0, 3)))
    return d.choice([f'"{words}"', f'"{words}', f'{words}"', f'"{words}"~{d.randint(0, 5)}'])


def _range(d: Draw) -> str:
    a, b = d.choice([*WORDS, "2015", "*", ""]), d.choice([*WORDS, "2025", "*", ""])
    return d.choice([f"[{a} TO {b}]", f"{{{a} TO {b}]", f"[{a} TO", f"{a} TO {b}]", f"[{a} {b}]"])


def _fielded(d: Draw, depth: int) -> str:
    kind = d.randint(0, 4 if depth < 2 else 3)
    inner = [str, _term, _phrase, _range, lambda d: f"({expr(d, depth + 1)})"][kind]
    return f"{d.choice(FIELDS)}:{d.choice(['', ' '])}{inner(d) if kind else ''}"


def clause(d: Draw, depth: int = 0) -> str:
    """Return one clause of a query."""
    kind = d.randint(0, 9)
    if kind <= 3:
        return _term(d)
    if kind == 4:
        return _phrase(d)
    if kind == 5:
        return _range(d)
    if kind == 6:
        return _fielded(d, depth)
    if kind == 7 and depth < 2:
        return d.choice(["(", "", "-(", "NOT ("]) + expr(d, depth + 1) + d.choice([")", "", "))"])
    return d.choice(STRAY + JUNK + OPERATORS)


def expr(d: Draw, depth: int = 0) -> str:
    """Return clauses and operators in any order: leading, doubled and dangling ones too."""
    parts = []
    for _ in range(d.randint(0, 6 if depth == 0 else 3)):
        parts.append(clause(d, depth) if d.randint(0, 2) else d.choice(OPERATORS))
        parts.append(d.choice(SEPARATORS))
    return "".join(parts)


def query(d: Draw) -> str:
    """Return one query text."""
    return expr(d)


VALUES: dict[str, list[str]] = {
    "theme": ["autonomy", "transparency", "open-source", "nosuch", "", "Autonomy", "'", "\x00"],
    "author": ["@datawren", "@quietharbor", "Anonymous reader (GPT-4o)", "@nobody", "kate", "%"],
    "section": ["The Research", "The Stories", "the-research", "nosuch", "<script>"],
    "from": ["2024", "2025-03", "2025-06-30", "2025-13-45", "2025-02-30", "abc", "0000", "99999"],
    "to": ["2025", "2024-12", "2016", "2025-06-31", "-1", "2023-1", " "],
    "sort": ["relevance", "newest", "oldest", "random", "", "NEWEST"],
    "page": ["1", "2", "3", "0", "-1", "abc", "100000", "100001", "1e3", "٣"],
    "per_page": ["1", "10", "100", "101", "0", "x", " 5 "],
    "facet_size": ["0", "5", "100000", "-1", "many"],
    "q": [],  # drawn from the grammar
}


def parameters(d: Draw) -> list[tuple[str, str]]:
    """Return a query text and any other parameters, valid and not, some repeated."""
    pairs = [("q", query(d))] if d.randint(0, 9) else []
    for _ in range(d.randint(0, 4)):
        name = d.choice([*VALUES, "x"])
        pairs.append((name, query(d) if name in ("q", "x") else d.choice(VALUES[name])))
    return pairs
