"""Changes made to an archive while our server serves its index, and when a search first finds
them: a made-up word appended to a file, or new files holding it, then /api/search polled."""

from __future__ import annotations

import json
import os
import random
import re
import time
import urllib.parse
from pathlib import Path
from typing import Any

from systems import Client

NONCE_LETTERS = "bcdfghjkmnpqrstvwxz"


def nonce() -> str:
    """Return a made-up word no archive holds."""
    return "zq" + "".join(random.choice(NONCE_LETTERS) for _ in range(10))


def edit_file(path: Path, word: str, atomic: bool = False) -> None:
    """Append a sentence holding `word` to an entry: in place, or (`atomic`) as many editors
    save, a new file renamed over the old one (a hard-linked copy's source stays as it was)."""
    text = path.read_text(encoding="utf-8")
    edited = text.rstrip("\n") + f"\n\nEdited for the benchmark: {word}.\n"
    if not atomic:
        path.write_text(edited, encoding="utf-8")
        return
    staged = path.with_name(f".{path.name}.saving")
    staged.write_text(edited, encoding="utf-8")
    os.replace(staged, path)


def _retag(head: str, tag: str) -> str:
    """Put the tag before the id or slug of a frontmatter."""
    return re.sub(
        r"^(id|slug): *(.+)$", lambda m: f"{m[1]}: {tag}-{m[2].strip()}", head, count=2, flags=re.M
    )


def add_files(archive: Path, sources: list[Path], word: str, k0: int) -> list[Path]:
    """Copy existing entries under new names and ids (or slugs), each with `word` in its body."""
    written = []
    for k, src in enumerate(sources):
        # The tag goes first (ids may be cut to a maximum length), after a leading date if any.
        tag = f"bench{k0 + k}{word[-4:]}"
        text = src.read_text(encoding="utf-8")
        head, sep, rest = text.partition("\n---")  # only the frontmatter's id or slug
        text = _retag(head, tag) + sep + rest
        m = re.match(r"(\d{4}-\d{2}-\d{2}-)(.*)", src.stem)
        stem = f"{m[1]}{tag}-{m[2]}" if m else f"{tag}-{src.stem}"
        dest = src.with_name(f"{stem}{src.suffix}")
        dest.write_text(
            text.rstrip("\n") + f"\n\nAdded for the benchmark: {word}.\n", encoding="utf-8"
        )
        written.append(dest)
    return written


def poll_visible(
    client: Client, word: str, want: int, t0: float, timeout: float = 30, pause: float = 0.01
) -> dict[str, Any]:
    """Poll /api/search until `want` hits show; return when it first did and when it had shown on
    6 polls in a row (with 2 workers that is, with high probability, on both)."""
    first = stable = stable_start = None
    streak = polls = failures = 0
    error = None
    # the word alone: entries on the same subject or near spellings would change the total
    query = {"q": word, "per_page": 1, "subject": 0, "typos": 0}
    path = "/api/search?" + urllib.parse.urlencode(query)
    while time.perf_counter() - t0 < timeout:
        status, body, _ = client.get(path)
        polls += 1
        if status != 200:
            failures += 1
            error = f"HTTP {status}: {body[:200]!r}"
            if failures >= 20:
                break
        ok = status == 200 and json.loads(body).get("total") == want
        now = time.perf_counter() - t0
        streak = streak + 1 if ok else 0
        if ok and first is None:
            first = now
        if streak == 1:
            stable_start = now
        if streak >= 6:
            stable = stable_start
            break
        time.sleep(pause)
    return {"first": first, "stable": stable, "polls": polls, "errors": failures, "error": error}
