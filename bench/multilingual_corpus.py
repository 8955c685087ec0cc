"""Write a multilingual synthetic archive (issue 14): the English entries of a synthetic corpus
(make_corpus.py) for 60% of it, and entries in Japanese, Chinese, German and French for the rest,
each a title and a few paragraphs drawn (deterministically) from Debian's manpages in that
language (tests/manpages_archive.py reads them; they must be installed: scripts/system-packages.sh).

    .venv/bin/python bench/multilingual_corpus.py OUT --english SYNTH_ARCHIVE --entries 10000
"""

from __future__ import annotations

import argparse
import gzip
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from manpages_archive import FOLDERS, MAN, _decoded, plain  # noqa: E402

ENGLISH_SHARE = 0.6


def pages(folder: str) -> list[tuple[str, list[str]]]:
    """Return each section-1 page of a language as its NAME line and its paragraphs."""
    out = []
    for path in sorted((MAN / folder / "man1").glob("*.1.gz")):
        try:
            name, body = plain(_decoded(gzip.decompress(path.read_bytes())))
        except (OSError, EOFError):
            continue
        paragraphs = [p for p in body.split("\n\n") if len(p) > 40]
        if name and paragraphs:
            out.append((name, paragraphs))
    return out


def write(out: Path, english: Path, entries: int, seed: int = 14) -> dict[str, int]:
    """Write the archive under out; return how many entries each language has."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    counts: dict[str, int] = {}
    files = sorted(p for p in english.rglob("*.md"))[: int(entries * ENGLISH_SHARE)]
    for path in files:
        target = out / "en" / path.relative_to(english)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    counts["en"] = len(files)
    for extra in ("themes.yaml",):
        if (english / extra).is_file():
            shutil.copyfile(english / extra, out / extra)
    each = (entries - len(files)) // len(FOLDERS)
    for code, folder in FOLDERS.items():
        pool = pages(folder)
        (out / code).mkdir()
        for i in range(each):
            name, paragraphs = rng.choice(pool)
            body = "\n\n".join(rng.sample(paragraphs, min(len(paragraphs), rng.randint(2, 6))))
            title = name.replace("'", "''")
            day = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            front = (
                f"title: '{title}'\nauthor: '@{code}{rng.randint(1, 300)}'\ndate: {day}\n"
                f"section: Voices {code}\n"
            )
            (out / code / f"{code}-{i:05d}.md").write_text(
                f"---\n{front}---\n{body}\n", encoding="utf-8"
            )
        counts[code] = each
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--english", type=Path, required=True, help="a synthetic corpus's archive")
    ap.add_argument("--entries", type=int, default=10_000)
    cfg = ap.parse_args()
    print(write(cfg.out, cfg.english, cfg.entries))


if __name__ == "__main__":
    main()
