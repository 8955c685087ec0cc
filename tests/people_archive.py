"""A small archive where entries have co-authors and tags of several words (shared by the
facet, web and command-line tests of people and theme labels)."""

from __future__ import annotations

from pathlib import Path

ENTRIES = {
    "three.md": 'title: "Three of us"\nauthors: ["melody", "kate", "erica"]\ndate: 2024-01-02\n'
    "themes: [open source, Agile]\n",
    "two.md": 'title: "Two of us"\nauthors: [kate, "Smith, Jo"]\ndate: 2024-02-03\n'
    "themes: [Open Source]\n",
    "one.md": 'title: "Alone"\nauthor: "melody"\ndate: 2024-03-04\nthemes: [how we work]\n',
    "other.md": 'title: "Someone else"\nauthor: "@zed"\ndate: 2024-04-05\n',
}
THEMES = """\
agile:
  label: Agile delivery
  description: Shipping in small steps.
  terms: [iteration]
"""


def write_people_archive(root: Path) -> Path:
    """Write the archive under root and return it."""
    root.mkdir(parents=True, exist_ok=True)
    for name, front in ENTRIES.items():
        (root / name).write_text(
            f"---\n{front}---\nA body about {name[:-3]} and iteration.\n", encoding="utf-8"
        )
    (root / "themes.yaml").write_text(THEMES, encoding="utf-8")
    return root
