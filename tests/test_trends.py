"""Theme trends (indexer/trends.py): each theme's entries and share of all entries per month."""

from __future__ import annotations

import pytest
from fixture_archive import built_library, entry_text

from indexer.library import Library
from indexer.results import BadParameter, ThemeSeries, ThemeTrends
from indexer.trends import MAX_THEMES, UnknownTheme, chosen, month_range

ENTRIES = [
    # (id, date, themes); no entry in February 2024
    ("a1", "2024-01-05", "agile"),
    ("a2", "2024-01-20", "agile, hiring"),
    ("a3", "2024-01-25", "gardens"),
    ("b1", "2024-03-02", "gardens"),
    ("b2", "2024-04-01", "agile"),
]
TAXONOMY = """\
chess:
  label: Chess
  description: Openings and endgames.
  terms: [gambit]
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    files = {i: entry_text(i, "@ana", day, themes, "A note on work.") for i, day, themes in ENTRIES}
    return built_library(tmp_path_factory.mktemp("trends"), files, TAXONOMY)


def test_a_themes_share_of_every_month(library: Library):
    assert library.theme_trends(["agile"]) == ThemeTrends(
        months=("2024-01", "2024-02", "2024-03", "2024-04"),
        entries=(3, 0, 1, 1),
        themes=(ThemeSeries("agile", "agile", 3, (2, 0, 0, 1), (2 / 3, None, 0.0, 1.0)),),
    )


def test_themes_compared_keep_their_order_once_each(library: Library):
    found = library.theme_trends(["gardens", "hiring", "gardens"])
    assert [t.slug for t in found.themes] == ["gardens", "hiring"]
    assert found.themes[0].counts == (1, 0, 1, 0)
    assert found.themes[0].shares == (1 / 3, None, 1.0, 0.0)
    assert found.themes[1] == ThemeSeries(
        "hiring", "hiring", 1, (1, 0, 0, 0), (1 / 3, None, 0.0, 0.0)
    )


def test_a_taxonomy_theme_without_entries_is_all_zeros(library: Library):
    chess = library.theme_trends(["chess"]).themes[0]
    assert chess == ThemeSeries("chess", "Chess", 0, (0, 0, 0, 0), (0.0, None, 0.0, 0.0))


def test_the_json_shape(library: Library):
    assert library.theme_trends(["hiring"]).to_dict() == {
        "months": ["2024-01", "2024-02", "2024-03", "2024-04"],
        "entries": [3, 0, 1, 1],
        "themes": [
            {
                "slug": "hiring",
                "label": "hiring",
                "total": 1,
                "counts": [1, 0, 0, 0],
                "shares": [1 / 3, None, 0.0, 0.0],
            }
        ],
    }


def test_an_unknown_theme_is_named(library: Library):
    with pytest.raises(UnknownTheme) as e:
        library.theme_trends(["agile", "nope"])
    assert e.value.slug == "nope" and "no theme 'nope'" in str(e.value)


@pytest.mark.parametrize(
    ("slugs", "message"),
    [
        ([], "expected at least one theme, got none"),
        (
            [f"t{i}" for i in range(MAX_THEMES + 1)],
            f"at most {MAX_THEMES} themes are compared, got 7",
        ),
    ],
)
def test_too_few_or_too_many_themes(slugs: list[str], message: str):
    with pytest.raises(BadParameter) as e:
        chosen(slugs)
    assert e.value.name == "theme" and e.value.message == message


def test_month_range_crosses_years():
    assert month_range(202411, 202502) == [202411, 202412, 202501, 202502]
    assert month_range(202403, 202403) == [202403]
