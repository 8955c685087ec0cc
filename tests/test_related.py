"""Related entries (indexer/related.py): themes, key phrases and key words in one ranked list."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from indexer.library import Library

TOPICS = [
    ("garden", "Tomatoes need sun, compost and patient watering through the summer months."),
    ("bread", "Sourdough starter wants flour, water and a warm kitchen for its slow rise."),
    ("cycling", "A bicycle chain needs oil, and the gears need a tune before a long ride."),
    ("birds", "Sparrows and finches visit the feeder most mornings when seeds are out."),
    ("chess", "An opening gambit gives away a pawn for quick development of the pieces."),
    ("tides", "The moon pulls the oceans, and the harbour empties twice each day at low tide."),
    ("knitting", "Wool yarn and wooden needles make a scarf in a few quiet evenings."),
    ("coffee", "Espresso wants finely ground beans and hot water pushed through at pressure."),
]


def _entry(title: str, body: str, themes: str = "", day: int = 1) -> str:
    tags = f"themes: [{themes}]\n" if themes else ""
    return (
        f'---\ntitle: "{title}"\nauthor: "@writer{day}"\ndate: 2024-01-{day:02d}\n'
        f"section: Notes\nsource: https://example.org/{day}\n{tags}---\n{body}\n"
    )


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("related")
    archive = root / "archive"
    archive.mkdir()
    files = {
        "kanban.md": _entry(
            "Kanban for the team",
            "We put a kanban board on the wall. The kanban board shows work in progress, "
            "and a limit on work in progress keeps the team calm. Kanban helps the team.",
            "agile",
            1,
        ),
        "board.md": _entry(
            "Our first board",
            "A kanban board for the office: cards move across the kanban board as work "
            "in progress finishes.",
            "agile",
            2,
        ),
        "sprint.md": _entry(
            "Sprints",
            "Two week sprints and a retrospective keep an agile team honest.",
            "agile",
            3,
        ),
        "odd.md": _entry(
            "Drowning in paper",
            "The office was drowning in forms; nobody had a board for them. Team lunch.",
            "",
            4,
        ),
    }
    for i, (name, body) in enumerate(TOPICS, start=5):
        files[f"{name}.md"] = _entry(name.title(), body, "", i)
    for name, text in files.items():
        (archive / name).write_text(text, encoding="utf-8")
    report = build_index(archive, root / "index", full=True)
    assert report.problems == []
    return Library(root / "index")


def test_entries_with_the_same_themes_and_phrases_come_first(library: Library):
    entry = library.entry("kanban", related=5)
    assert entry is not None
    ids = [r.id for r in entry.related]
    assert ids[:2] == ["board", "sprint"]
    board = entry.related[0]
    assert board.themes == ("agile",)
    assert "kanban board" in board.phrases and "work progress" not in board.shared
    assert board.shared[0] == "agile" and board.shared[1] in board.phrases
    # a shared theme alone still relates; an entry sharing only plain words comes after
    assert entry.related[1].themes == ("agile",) and entry.related[1].shared[0] == "agile"
    assert "odd" not in ids[:2]
    assert all(r.score > 0 for r in entry.related)
    assert [r.score for r in entry.related] == sorted(
        (r.score for r in entry.related), reverse=True
    )


def test_reasons_are_never_common_words_or_numbers(library: Library):
    for name in ["kanban", "board", "odd", "garden"]:
        entry = library.entry(name, related=5)
        assert entry is not None
        for rel in entry.related:
            for reason in rel.shared:
                assert not any(ch.isdigit() for ch in reason)
                assert reason.lower() not in {"the", "in", "a", "and", "on"}


def test_an_entry_sharing_nothing_has_no_related_entries(library: Library):
    entry = library.entry("chess", related=5)
    assert entry is not None and entry.related == ()


def test_to_dict_lists_themes_and_phrases(library: Library):
    entry = library.entry("kanban", related=1)
    assert entry is not None
    d = entry.related[0].to_dict()
    assert d["themes"] == ["agile"] and isinstance(d["phrases"], list)
    assert set(d) == {"id", "title", "author", "date", "shared", "score", "themes", "phrases"}


def test_a_related_entry_shows_the_brief_of_the_entry_summary(library: Library):
    """Related records come from the same summary as hits and entries (documents.brief):
    the same id, title, author line and date as the entry's own page."""
    entry = library.entry("kanban", related=3)
    assert entry is not None and entry.related
    for rel in entry.related:
        own = library.entry(rel.id)
        assert own is not None
        assert (rel.id, rel.title, rel.author, rel.date) == (
            own.id,
            own.title,
            own.author,
            own.date,
        )
    assert (entry.related[0].title, entry.related[0].author, entry.related[0].date) == (
        "Our first board",
        "@writer2",
        "2024-01-02",
    )


def test_a_phrase_of_a_word_in_too_many_entries_is_not_read(library: Library, monkeypatch):
    # "kanban" is in two entries: with the bound below that, the phrase "kanban board" is
    # not matched (its word's positions are never read), and the key words still relate them
    from indexer import related

    entry = library.entry("kanban", related=5)
    assert entry is not None and "kanban board" in entry.related[0].phrases
    monkeypatch.setattr(related, "PHRASE_WORD_DOCS", 1)
    bounded = related.related_entries(
        library._view().searcher,
        library._view().searcher.document_number(id="kanban"),
        5,
        library._postings(library._view()),
    )
    assert bounded[0].id == "board" and bounded[0].phrases == ()


def test_key_words_count_up_to_a_share_of_the_archive_and_at_most_most_docs():
    from indexer.related import FEW_DOCS, MOST_DOCS, _most

    assert _most(10) == FEW_DOCS
    assert _most(2_000) == 300
    assert _most(1_000_000) == MOST_DOCS
