"""The one fixture archive the tests share: the seed page's three entries (split into files, or
kept as the compiled page) plus the purpose-made ENTRIES, with the bundled taxonomy.

The web tests layer their own entries on it (tests/web_fixtures.py: a hostile one, a formula, a
repost, ...). Other archives are purpose-built and stay separate: people_archive (one person
under many spellings), near_copies_archive (near-duplicates), manpages_archive (man pages),
tests/fixtures/archive (the reader's edge cases: hidden files, date and theme spellings) and
tests/fixtures/languages (entries in five languages).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from indexer.build import build_index
from indexer.importer import split_page
from indexer.library import Library

ROOT = Path(__file__).resolve().parent.parent
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SEED_PAGE = PAGES / "community-perspectives.md"  # the seed page, the one copy the tests read
SEED_ENTRIES = 3  # entries on the seed page
TAXONOMY = ROOT / "archive" / "themes.yaml"  # the bundled taxonomy

# Purpose-made entries: more authors, sections, years, spelling variants and a phrase.
ENTRIES = {
    "the-research/organising-the-evidence.md": """---
title: "Organising the Evidence"
author: "@datawren"
date: 2024-03-05
section: "The Research: What the Numbers Say"
source: https://example.org/datawren/organising
themes: [transparency]
---
How a community organization can audit model behavior: we organised three surveys of user
autonomy and published every figure, because transparent methods build trust.
""",
    "the-research/colour-of-data.md": """---
title: "The Colour of the Data"
author: "@datawren"
date: 2025-06-30
section: "The Research: What the Numbers Say"
source: https://example.org/datawren/colour
---
Charts are never neutral; the colour of a chart is a choice. Our behaviour as analysts shapes
what readers believe. We analysed retention after the deprecation of a beloved model.
""",
    "the-stories/living-with-a-model.md": """---
title: "Living With a Model"
author: "@quietharbor"
date: 2026-02-13
section: "The Stories: Living With a Model"
source: https://example.org/quietharbor/living
note: "Written on the last day before the model was retired."
---
For a year the model helped me write letters to my sister. Emotional connection is not a
malfunction. When they deprecated it, nobody asked the people who relied on it.
""",
}


def write_archive(
    root: Path,
    extra: dict[str, str] | None = None,
    *,
    taxonomy: str | None = None,
    seed_as_page: bool = False,
) -> Path:
    """Write the fixture archive (and any extra files) into root and return it."""
    root.mkdir(parents=True, exist_ok=True)
    if seed_as_page:
        shutil.copyfile(SEED_PAGE, root / SEED_PAGE.name)
    else:
        split_page(SEED_PAGE, root)
    for rel, text in {**ENTRIES, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if taxonomy is None:
        shutil.copyfile(TAXONOMY, root / "themes.yaml")
    else:
        (root / "themes.yaml").write_text(taxonomy, encoding="utf-8")
    return root


def built_library(root: Path, files: dict[str, str], taxonomy: str | None = None) -> Library:
    """Write entry files (id -> frontmatter and body) and a taxonomy into root/archive, build
    its index and return a library over it."""
    archive = root / "archive"
    archive.mkdir()
    if taxonomy is not None:
        (archive / "themes.yaml").write_text(taxonomy, encoding="utf-8")
    for i, text in files.items():
        (archive / f"{i}.md").write_text(text, encoding="utf-8")
    build_index(archive, root / "index", full=True)
    return Library(root / "index")


def entry_text(i: str, author: str, day: str, themes: str, body: str) -> str:
    """Return an entry file of section Notes with a generated title and source."""
    return (
        f'---\ntitle: "Entry {i}"\nauthor: "{author}"\ndate: {day}\nsection: Notes\n'
        f"source: https://example.org/{i}\nthemes: [{themes}]\n---\n{body}\n"
    )
