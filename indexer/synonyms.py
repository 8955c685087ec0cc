"""Synonyms the editors own (archive/synonyms.yaml), applied when a plain query is matched.

```yaml
- [AI, artificial intelligence]          # a group: each finds every other
- [telework, remote work]
- llm => large language model            # one way: llm finds large language model, not back
- gpt4, gpt 4 => GPT-4                   # several words on the left, several on the right
```

Moving parts:
- `load_synonyms`: reads the file into `Synonyms` and reports each problem as `path:line:
  reason` (`perspectives check`, `perspectives index`); what is valid of a broken file is kept,
  and a file that cannot be read gives no synonyms: search never stops for it.
- `Synonyms.expand`: finds the rules' left sides among a plain query's words (analyzed, so any
  spelling or plural meets, longest first) and lets each of those words also match the other
  side, as its stem does: entries holding the words as typed still rank first (matching.py).
  The snippets mark what matched, and the result names it ("remote work for telework").
`perspectives index` copies the file into the index; the search core reads that copy, so an
edit shows after the next index run, with no entry reindexed (like site.yaml).
Themes may name synonyms too (`synonyms:` in themes.yaml): each is one group with the theme's
label.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from whoosh import query as wq
from yaml.nodes import Node, ScalarNode, SequenceNode

from indexer.analysis import query_stems
from indexer.highlight import Group
from indexer.japanese import spaced, word_count
from indexer.languages import has_kana
from indexer.matching import TITLE_BOOST, Clause
from indexer.records import Problem
from indexer.results import SynonymUse

SYNONYMS_FILE = "synonyms.yaml"
ONE_WAY = "=>"
MAX_RULES = 5000
MAX_TERM_CHARS = 100
MAX_WORDS = 6  # words of one side's phrase
SYNONYM_WEIGHT = 0.5  # a synonym scores this much beside the words as typed


Key = tuple[str, ...]  # the stem terms of a phrase


@dataclass(frozen=True)
class Expansion:
    """Words of a query, what they match as typed, and what the synonyms added."""

    use: SynonymUse
    typed: wq.Query
    added: wq.Query


@dataclass(frozen=True)
class Synonyms:
    """What each phrase (by its stems) also finds: phrases as the editors wrote them."""

    rules: dict[Key, tuple[str, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.rules)

    @property
    def longest(self) -> int:
        return max((len(k) for k in self.rules), default=0)

    def merged(self, other: Synonyms) -> Synonyms:
        """Return the rules of both (another's alternatives added to this one's)."""
        rules = dict(self.rules)
        for key, alternatives in other.rules.items():
            rules[key] = tuple(dict.fromkeys(rules.get(key, ()) + alternatives))
        return Synonyms(rules)

    def expand(self, clauses: list[Clause]) -> tuple[list[Clause], tuple[Expansion, ...]]:
        """Return the clauses with each run of words that a rule names also matching the rule's
        other side, and what was added for which words."""
        if not self.rules or not clauses:
            return clauses, ()
        keys = [tuple(query_stems(c.text)) for c in clauses]
        out = list(clauses)
        used: list[Expansion] = []
        i = 0
        while i < len(clauses):
            for j in range(min(len(clauses), i + self.longest), i, -1):
                joined = tuple(t for k in keys[i:j] for t in k)
                alternatives = self.rules.get(joined)
                if alternatives:
                    # each word of the run gets its share: together they score one match,
                    # at half the weight of the words as typed (bench/RESULTS.md, Synonyms)
                    extra, group = _alternatives(alternatives, SYNONYM_WEIGHT / (j - i))
                    for n in range(i, j):
                        out[n] = _with(out[n], extra, group)
                    typed = " ".join(c.text for c in clauses[i:j])
                    own = [c.stem for c in clauses[i:j]]
                    used.append(
                        Expansion(
                            SynonymUse(typed, alternatives),
                            own[0] if len(own) == 1 else wq.And(own),
                            wq.Or(extra),
                        )
                    )
                    i = j - 1
                    break
            i += 1
        return out, tuple(used)


def _alternatives(phrases: tuple[str, ...], weight: float) -> tuple[list[wq.Query], Group]:
    """Return the queries that match the phrases (in the title or the body, each one's words
    side by side), their scores weighed, and what snippets mark for them."""
    queries: list[wq.Query] = []
    seqs: list[tuple[str, ...]] = []
    for phrase in phrases:
        stems = query_stems(phrase)  # a CJK phrase: its bigrams
        if not stems:
            continue
        make, value = (wq.Term, stems[0]) if len(stems) == 1 else (wq.Phrase, stems)
        queries.append(
            wq.Or(
                [
                    make("title", value, boost=TITLE_BOOST * weight),
                    make("body", value, boost=weight),
                ]
            )
        )
        seqs.append(tuple(stems))
    return queries, Group((), tuple(seqs))


def _with(clause: Clause, extra: list[wq.Query], group: Group) -> Clause:
    """Return a clause that also matches other queries, as its stem does."""
    if not extra:
        return clause
    return Clause(
        clause.text,
        wq.Or([clause.stem, *extra]),
        clause.exact,
        Group(clause.group.exact, clause.group.stem + group.stem),
    )


# -- the file ------------------------------------------------------------------------------


def load_synonyms(path: Path) -> tuple[Synonyms, list[Problem]]:
    """Read synonyms.yaml: a missing file is no synonyms; each problem names path:line."""
    name = path.as_posix()
    if not path.is_file():
        return Synonyms(), []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        return Synonyms(), [Problem(name, 1, f"cannot read the synonyms file: {error}")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        return Synonyms(), [
            Problem(name, mark.line + 1 if mark is not None else 1, f"bad YAML: {reason}")
        ]
    if root is None:
        return Synonyms(), []
    if not isinstance(root, SequenceNode):
        return Synonyms(), [
            Problem(
                name,
                _line(root),
                "expected a list of groups "
                "([AI, artificial intelligence]) and rules (llm => large "
                "language model)",
            )
        ]
    rules: dict[Key, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for item in root.value[:MAX_RULES]:
        for left, right in _rule(name, item, problems):
            rules[left] = tuple(dict.fromkeys(rules.get(left, ()) + right))
    if len(root.value) > MAX_RULES:
        problems.append(Problem(name, _line(root.value[MAX_RULES]), f"at most {MAX_RULES} rules"))
    return Synonyms(rules), problems


def keys_of(phrase: str) -> list[Key]:
    """Return the keys a phrase is typed as: its stems, and a hyphenated compound's joined form
    too (GPT-4o is typed gpt4o as well, as the index has it)."""
    # a Japanese phrase is keyed as a query's clauses are: by the words it is split into
    keys = [tuple(query_stems(spaced(phrase) if has_kana(phrase) else phrase))]
    if "-" in phrase:
        joined = tuple(query_stems(phrase.replace("-", "")))
        if joined and joined not in keys:
            keys.append(joined)
    return [k for k in keys if k]


def group_rules(phrases: list[str]) -> dict[Key, tuple[str, ...]]:
    """Return the rules of a group: each phrase finds every other one."""
    out: dict[Key, tuple[str, ...]] = {}
    for phrase in phrases:
        own = keys_of(phrase)
        others = tuple(p for p in phrases if not set(keys_of(p)) & set(own))
        for key in own:
            if others:
                out[key] = tuple(dict.fromkeys(out.get(key, ()) + others))
    return out


def _rule(name: str, item: Node, problems: list[Problem]) -> list[tuple[Key, tuple[str, ...]]]:
    """Return the (left side, right side) pairs of one item, reporting what is wrong with it."""
    if isinstance(item, SequenceNode):
        phrases = [p for p in (_phrase(name, n, problems) for n in item.value) if p is not None]
        if len(phrases) < len(item.value):
            return []  # reported already: the group is left out whole
        if len({tuple(query_stems(p)) for p in phrases}) < 2:
            problems.append(
                Problem(name, _line(item), "a group needs two or more different words or phrases")
            )
            return []
        return list(group_rules(phrases).items())
    if isinstance(item, ScalarNode) and item.tag != "tag:yaml.org,2002:null":
        text = str(item.value)
        if ONE_WAY not in text:
            problems.append(
                Problem(
                    name,
                    _line(item),
                    f"'{text[:60]}' is neither a group ([a, b]) nor a rule (a => b)",
                )
            )
            return []
        before, _, after = text.partition(ONE_WAY)
        lefts = _side(name, item, before, "left", problems)
        rights = _side(name, item, after, "right", problems)
        return [(key, tuple(rights)) for left in lefts for key in keys_of(left)] if rights else []
    problems.append(Problem(name, _line(item), "expected a group ([a, b]) or a rule (a => b)"))
    return []


def _side(name: str, item: Node, text: str, which: str, problems: list[Problem]) -> list[str]:
    phrases = [p.strip() for p in text.split(",") if p.strip()]
    if not phrases:
        problems.append(Problem(name, _line(item), f"the {which} side of '=>' is empty"))
    kept = [p for p in phrases if _usable(name, item, p, problems)]
    return kept if len(kept) == len(phrases) else []


def _phrase(name: str, node: Node, problems: list[Problem]) -> str | None:
    if not isinstance(node, ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        problems.append(Problem(name, _line(node), "each synonym must be text"))
        return None
    text = " ".join(str(node.value).split())
    return text if _usable(name, node, text, problems) else None


def _usable(name: str, node: Node, text: str, problems: list[Problem]) -> bool:
    """Tell whether a phrase can be searched, reporting why not."""
    if ONE_WAY in text:
        problems.append(Problem(name, _line(node), f"'{text[:60]}': '=>' inside a group"))
        return False
    if len(text) > MAX_TERM_CHARS:
        problems.append(
            Problem(
                name,
                _line(node),
                f"'{text[:40]}…' is {len(text)} characters; at most {MAX_TERM_CHARS}",
            )
        )
        return False
    words = query_stems(text)
    if not words:
        problems.append(
            Problem(
                name,
                _line(node),
                f"'{text}' has no word that is searched (only stop words or signs)",
            )
        )
        return False
    count = word_count(text)  # a CJK run counts its words, not its bigrams
    if count > MAX_WORDS:
        problems.append(
            Problem(name, _line(node), f"'{text[:60]}' has {count} words; at most {MAX_WORDS}")
        )
        return False
    return True


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def publish(source: Path, generation: Path) -> list[Problem]:
    """Copy a synonyms file (the archive's synonyms.yaml, or one named) into an index
    generation, replacing the old one at once, or take it away if there is none; return the
    file's problems."""
    target = generation / SYNONYMS_FILE
    if not source.is_file():
        target.unlink(missing_ok=True)
        return []
    staged = generation / f".{SYNONYMS_FILE}.new"
    shutil.copyfile(source, staged)
    os.replace(staged, target)
    return load_synonyms(source)[1]
