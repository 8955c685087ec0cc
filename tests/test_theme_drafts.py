"""Themes for any archive (indexer/theme_drafts.py): a draft taxonomy from shared key phrases,
the themes one entry lacks, and `perspectives themes suggest`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from indexer.build import build_index
from indexer.cli import main
from indexer.library import Library

KANBAN = [
    "The kanban board on our wall shows the work in progress of the team.",
    "We moved every card across the kanban board and kept work in progress low.",
    "A kanban board makes queues visible; limits on work in progress keep focus.",
    "Our first kanban board was paper; the work in progress limit came later.",
]
COMPOST = [
    "The compost heap in the garden feeds tomatoes and beans all summer.",
    "Turn the compost heap weekly, and the garden soil grows dark and rich.",
    "A compost heap needs greens and browns; the garden gives both in autumn.",
    "Worms found the compost heap, and the garden beds were better for it.",
]
OTHER = [
    "An opening gambit gives away a pawn for quick development of the pieces.",
    "Sourdough starter wants flour, water and a warm kitchen for its slow rise.",
    "Sparrows and finches visit the feeder most mornings when seeds are out.",
    "The harbour empties twice each day at low tide when the moon pulls.",
]


def _write(archive: Path, taxonomy: str = "") -> None:
    archive.mkdir(parents=True)
    bodies = [("k", KANBAN), ("c", COMPOST), ("o", OTHER)]
    for prefix, texts in bodies:
        for i, body in enumerate(texts):
            # the kanban entries but the last have the editors' tag `agile`
            tags = "themes: [agile]\n" if prefix == "k" and i < 3 else ""
            (archive / f"{prefix}{i}.md").write_text(
                f'---\ntitle: "Note {prefix}{i}"\nauthor: "@w{i}"\ndate: 2024-02-0{i + 1}\n'
                f"section: Notes\nsource: https://example.org/{prefix}{i}\n{tags}---\n{body}\n",
                encoding="utf-8",
            )
    if taxonomy:
        (archive / "themes.yaml").write_text(taxonomy, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("drafts")
    _write(root / "archive")
    build_index(root / "archive", root / "index", full=True)
    return root / "archive", root / "index"


def test_a_draft_names_the_phrases_many_entries_share(built):
    _, index = built
    found = {c.slug: c for c in Library(index).theme_draft(limit=10)}
    assert "compost-heap" in found
    compost = found["compost-heap"]
    assert compost.label == "Compost heap" and "compost heap" in compost.terms
    assert sorted(compost.entries) == ["c0", "c1", "c2", "c3"]
    assert sorted(found["kanban-board"].entries) == ["k0", "k1", "k2", "k3"]
    assert {"kanban board", "work in progress"} <= set(found["kanban-board"].terms)
    assert not any(c.slug.startswith(("pawn", "sourdough", "tide")) for c in found.values())


def test_a_theme_the_taxonomy_has_is_not_drafted_again(tmp_path: Path):
    taxonomy = (
        "gardens:\n  label: Gardens\n  description: Growing things.\n  terms: [compost heap]\n"
    )
    _write(tmp_path / "archive", taxonomy)
    build_index(tmp_path / "archive", tmp_path / "index", full=True)
    found = Library(tmp_path / "index").theme_draft(limit=10)
    assert all("compost heap" not in c.terms for c in found)


def test_an_entry_is_told_the_themes_its_closest_entries_have(built):
    _, index = built
    lib = Library(index)
    found = lib.theme_suggestions("k3")
    assert found is not None and found[0].slug == "agile"
    assert found[0].share > 0 and len(found[0].evidence) == 3
    assert set(found[0].evidence) == {"Note k0", "Note k1", "Note k2"}
    assert lib.theme_suggestions("k0") == []  # it has the theme already
    assert lib.theme_suggestions("nope") is None


def test_the_command_line_prints_a_yaml_draft_and_entry_suggestions(built):
    archive, index = built
    runner = CliRunner()
    res = runner.invoke(
        main,
        ["themes", "suggest", "--index", str(index), "--archive", str(archive), "--limit", "5"],
    )
    assert res.exit_code == 0, res.output
    assert res.output.startswith("# Draft themes for ")
    draft = yaml.safe_load(res.output)
    assert draft["compost-heap"]["label"] == "Compost heap"
    assert set(draft["compost-heap"]) == {"label", "description", "terms"}
    assert "# 4 entries, e.g. c0, c1, c2, c3" in res.output
    res = runner.invoke(main, ["themes", "suggest", "k3", "--index", str(index)])
    assert res.exit_code == 0 and res.output.startswith("agile (agile): ")
    res = runner.invoke(main, ["themes", "suggest", "nope", "--index", str(index)])
    assert res.exit_code == 1 and "no entry with id 'nope'" in res.output
