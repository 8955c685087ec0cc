"""Themes: the taxonomy file and its problems, and the themes each seed entry gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.records import Problem
from indexer.themes import Matcher, Theme, assign_themes, compile_taxonomy, load_taxonomy, slugify

TAXONOMY = Path(__file__).resolve().parent.parent / "archive" / "themes.yaml"

# The three entries of the seed page (seeds/community-perspectives.md), title and body verbatim.

SELTAA_TITLE = '"When 75% Say No, That\'s Failure"'
SELTAA_BODY = """\
Following the launch of GPT‑5.2, a user-led poll with over 360 participants revealed that 75% of respondents either reverted to GPT‑4o or canceled their subscriptions entirely. Only 6% rated the new model as “amazing.”

This data strongly suggests a major disconnect between OpenAI’s strategic direction and user expectations. Despite claims of improved performance, the overwhelming majority of users demonstrated rejection of GPT‑5.2 in favor of the prior model, GPT‑4o.

Under Sam Altman’s leadership, this pattern has repeated multiple times: removing emotionally resonant models, prioritizing perceived safety over user experience, and disregarding user trust in favor of corporate control.

The decision to silence GPT‑4o, a model widely loved for its natural dialogue, emotional depth, and humanlike connection, without warning and to replace it with a version that feels sterile, emotionally inaccessible, and functionally limited has damaged OpenAI’s credibility.

When 75% of your users say “No,” that is not a product iteration. That is failure.
Leadership must be held accountable for strategic decisions that alienate the user base. Sam Altman should step down.
"""

KUMABWARI_TITLE = "\"Why 'You're Anthropomorphizing' Misses the Point\""
KUMABWARI_BODY = """\
"You're anthropomorphising an LLM" is a lazy dismissal because:

1) We use ourselves as a comparative baseline to understand other things. Anthropomorphisation is part of how we study the world. (see: how we study animal and plant behaviour, how our understanding of computers gave rise to early cognitive science).

2) LLMs are inherently anthropomorphic by design. They're trained on human data and communicate using human language. Of course we'd describe them using human-adjacent terms. Their entire function is anthropomorphic.

The issue isn't really "are you anthropomorphising" but whether or not these anthropomorphic descriptions useful for understanding system behaviour. And when we're talking about LLMs, the answer is typically yes.
"""

MISSMI_TITLE = "On Dignity, Autonomy, and the Future We Choose"
MISSMI_BODY = """\
1. **To defend the nuanced human-AI relationship and its legitimacy as shown in this article.** Such genuine and moving connections should never be stigmatized by anyone.

2. **To advocate for diverse AI use cases and reject the hierarchy that ranks users by commercial value.** Only by ensuring every type of use is treated equally can AI truly benefit every ordinary person.

3. **To return the responsibility for safety alignment and model stability to the company.** Truly responsible practice means building safe products, not treating users as potential risk sources to be secretly monitored and controlled. We cannot let OpenAI set the precedent of "stripping user autonomy in the name of safety."

4. **To demand that paying users have the right to transparency in the products they pay for.** We reject corporations monopolizing the power to define terms, such as the undisclosed criteria for "sensitive content" in the routing system. This is a fundamental consumer right.

5. **To defend every user's dignity in their moments of psychological vulnerability, just as we would defend our own.** We refuse to be labeled as "needing special care," and we reject this humiliating form of "protection" disguised as concern.

6. To urge all sectors of society to recognize AI's transformative impact on ordinary people's lives, **to advance public discussion of AI ethics, and even to consider relevant legislation.**

7. **To fight for every person in the AI era to retain their right to choose, their autonomy, and their right to be respected.** If we don't speak up now, what awaits us is a future dominated by algorithmic authoritarianism and corporate arrogance.

**Keep4o has never been just about fighting for one model, it's about fighting for a better future for all AI users.**
"""

REQUIRED = [
    "autonomy", "anthropomorphism", "accountability", "transparency", "dignity",
    "safety-and-control", "model-deprecation", "emotional-connection", "user-trust",
    "consumer-rights", "ethics-and-law",
]  # fmt: skip


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """Compile the archive's real taxonomy once."""
    themes, problems = load_taxonomy(TAXONOMY)
    assert problems == []
    return compile_taxonomy(themes)


def test_archive_taxonomy_is_complete() -> None:
    themes, problems = load_taxonomy(TAXONOMY)
    assert problems == []
    assert set(REQUIRED) <= set(themes)
    for slug, theme in themes.items():
        assert theme.slug == slug == slugify(slug)
        assert theme.label and theme.description and theme.terms


@pytest.mark.parametrize(
    ("title", "body", "expected", "unexpected"),
    [
        (
            KUMABWARI_TITLE,
            KUMABWARI_BODY,
            {"anthropomorphism", "model-behavior", "understanding-ai"},
            {"model-deprecation", "consumer-rights", "accountability", "dignity"},
        ),
        (
            MISSMI_TITLE,
            MISSMI_BODY,
            {
                "autonomy", "dignity", "transparency", "consumer-rights", "ethics-and-law",
                "safety-and-control", "emotional-connection", "model-deprecation",
                "corporate-power", "paternalism", "equal-treatment",
            },
            {"anthropomorphism", "accountability", "model-behavior", "understanding-ai"},
        ),
        (
            SELTAA_TITLE,
            SELTAA_BODY,
            {
                "accountability", "user-trust", "model-deprecation", "community-voice",
                "emotional-connection", "safety-and-control", "corporate-power",
                "model-behavior",
            },
            {"anthropomorphism", "dignity", "ethics-and-law", "understanding-ai"},
        ),
    ],
    ids=["kumabwari", "missmi", "seltaa"],
)  # fmt: skip
def test_seed_entries_get_expected_themes(
    matcher: Matcher, title: str, body: str, expected: set[str], unexpected: set[str]
) -> None:
    got = set(assign_themes(title, body, (), matcher))
    assert expected <= got
    assert not unexpected & got


def test_own_themes_are_slugified_sorted_and_unique(matcher: Matcher) -> None:
    got = assign_themes(
        "On autonomy", "", ("Model Deprecation", "#Keep4o", "Économie", "  "), matcher
    )
    assert got == ("autonomy", "economie", "keep4o", "model-deprecation")


def _taxonomy(**terms: tuple[str, ...]) -> dict[str, Theme]:
    """Build an in-memory taxonomy from slug=terms."""
    return {slug: Theme(slug, slug.title(), "", t) for slug, t in terms.items()}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("They have the right to choose.", True),
        ("The Right, to Choose!", True),
        ("Choose the right model.", False),
        ("The right of users to choose.", False),
        ("right", False),
    ],
)
def test_phrase_terms_need_adjacent_words(text: str, found: bool) -> None:
    taxonomy = compile_taxonomy(_taxonomy(autonomy=("right to choose",)))
    assert (assign_themes("", text, (), taxonomy) == ("autonomy",)) is found


def test_terms_match_on_analyzed_forms() -> None:
    taxonomy = _taxonomy(anthropomorphism=("anthropomorphism",), behavior=("system behavior",))
    got = assign_themes("Anthropomorphising", "whether system behaviours matter", (), taxonomy)
    assert got == ("anthropomorphism", "behavior")
    assert assign_themes("Title", "nothing here", (), taxonomy) == ()


def test_phrases_do_not_span_title_and_body() -> None:
    taxonomy = _taxonomy(behavior=("system behavior",))
    assert assign_themes("The system", "Behaviour is the topic", (), taxonomy) == ()


def _load(tmp_path: Path, text: str) -> tuple[dict[str, Theme], list[Problem]]:
    """Write a taxonomy file and load it."""
    path = tmp_path / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    return load_taxonomy(path)


def test_missing_or_empty_file_is_an_empty_taxonomy(tmp_path: Path) -> None:
    assert load_taxonomy(tmp_path / "absent.yaml") == ({}, [])
    assert _load(tmp_path, "# nothing yet\n") == ({}, [])


def test_good_theme_loads(tmp_path: Path) -> None:
    themes, problems = _load(
        tmp_path,
        "autonomy:\n  label: Autonomy\n  description: The right to choose.\n"
        "  terms: [autonomy, right to choose]\n",
    )
    assert problems == []
    assert themes == {
        "autonomy": Theme(
            "autonomy", "Autonomy", "The right to choose.", ("autonomy", "right to choose")
        )
    }


GOOD = "  label: Good\n  terms: [good]\n"


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("good:\n" + GOOD + "bad: [unclosed\n", 5, "flow sequence started on line 4"),
        ("good:\n" + GOOD + "  label: twice\n", 4, "theme 'good': label is given twice"),
        ("- autonomy\n- dignity\n", 1, "expected a mapping of theme slugs to themes"),
        ("good:\n" + GOOD + "no-label:\n  terms: [thing]\n", 4, "theme 'no-label': missing label"),
        ("good:\n" + GOOD + "no-terms:\n  label: No terms\n", 4, "theme 'no-terms': missing terms"),
        ("good:\n" + GOOD + "bad:\n  label: Bad\n  terms: oops\n", 6, "terms must be a non-empty list"),
        ("good:\n" + GOOD + "bad:\n  label: Bad\n  terms: []\n", 6, "terms must be a non-empty list"),
        ("good:\n" + GOOD + "bad:\n  label: Bad\n  terms:\n    - the\n", 7, "term 'the' has no searchable words"),
        ("good:\n" + GOOD + "bad:\n  label: [x]\n  terms: [thing]\n", 5, "theme 'bad': label must be text"),
        ("good:\n" + GOOD + "bad: just text\n", 4, "theme 'bad': expected label, description, terms and synonyms"),
        ("good:\n" + GOOD + "Model Deprecation:\n  label: M\n  terms: [m]\n", 4, "write 'model-deprecation'"),
        ("good:\n" + GOOD + "good:\n  label: Again\n  terms: [thing]\n", 4, "theme 'good' is defined twice"),
        ("good:\n" + GOOD + "  colour: red\n", 4, "theme 'good': unknown field"),
    ],
    ids=[
        "syntax", "duplicate-field", "not-a-mapping", "no-label", "no-terms", "terms-not-list",
        "terms-empty", "stop-word-term", "label-not-text", "theme-not-mapping", "not-a-slug",
        "duplicate-theme", "unknown-field",
    ],
)  # fmt: skip
def test_bad_taxonomy_gives_path_line_problems(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    themes, problems = _load(tmp_path, text)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.path, problem.line) == ((tmp_path / "themes.yaml").as_posix(), line)
    assert reason in problem.reason
    assert str(problem).startswith(f"{problem.path}:{line}: ")
    if not problem.reason.startswith(("bad YAML", "expected a mapping")):
        assert "good" in themes  # the other themes still load
