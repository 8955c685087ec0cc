"""Who else writes on this (indexer/people.py): authors close to an entry or an author, and an
author's themes over time."""

from __future__ import annotations

import pytest
from fixture_archive import built_library, entry_text

from indexer.library import Library
from indexer.results import ThemeTimeline

ENTRIES = [
    # (id, author, date, themes, body)
    ("k1", "@ana", "2024-01-05", "agile", "A kanban board keeps work in progress visible."),
    ("k2", "@ana", "2024-01-20", "agile", "Our kanban board limits work in progress each week."),
    ("k3", "@ana", "2024-03-02", "agile, hiring", "Hiring for agile teams and a kanban board."),
    ("b1", "@ben", "2024-02-11", "agile", "The kanban board of the office shows work in progress."),
    ("b2", "@ben", "2024-04-01", "gardens", "Tomatoes want sun and patient watering."),
    ("c1", "@cy", "2024-02-15", "gardens", "Compost and sun make tomatoes grow in the summer."),
    ("c2", "@cy", "2024-05-15", "gardens", "A garden bed of tomatoes wants compost."),
    ("d1", "@dee", "2024-06-01", "chess", "An opening gambit gives a pawn for development."),
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    files = {entry[0]: entry_text(*entry) for entry in ENTRIES}
    return built_library(tmp_path_factory.mktemp("people"), files)


def test_the_authors_closest_to_an_entry_share_its_themes_and_phrases(library: Library):
    entry = library.entry("k1", related=5, authors=5)
    assert entry is not None
    names = [a.name for a in entry.related_authors]
    assert names[0] == "@ben" and "@ana" not in names and "@dee" not in names
    ben = entry.related_authors[0]
    assert ben.themes == ("agile",) and ben.count == 1 and ben.entries == 2
    assert "kanban board" in ben.phrases
    # none asked, none computed
    assert library.entry("k1").related_authors == ()  # type: ignore[union-attr]


def test_the_authors_closest_to_an_author(library: Library):
    near_ana = library.related_authors("@ana")
    assert [a.name for a in near_ana] == ["@ben"]
    assert near_ana[0].themes == ("agile",) and near_ana[0].count == 1
    near_cy = library.related_authors("@cy")
    assert near_cy[0].name == "@ben" and near_cy[0].themes == ("gardens",)
    assert library.related_authors("@dee") == ()
    assert library.related_authors("@nobody") == ()


def test_an_authors_themes_over_time(library: Library):
    months, themes = library.author_timeline("@ana")
    assert months == ("2024-01", "2024-02", "2024-03")
    assert themes == (
        ThemeTimeline("agile", "agile", 3, (2, 0, 1)),
        ThemeTimeline("hiring", "hiring", 1, (0, 0, 1)),
    )
    assert library.author_timeline("@nobody") == ((), ())
