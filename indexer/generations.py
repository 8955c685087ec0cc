"""Index generations: each full build writes a new folder beside the old one and switches atomically.

Layout of the index folder:
    CURRENT            the name of the generation readers use (replaced atomically)
    gen-YYYYmmdd-HHMMSS-xxxxxx/   a Whoosh index plus manifest.json
    .lock              held by the one writer at a time
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CURRENT = "CURRENT"
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    """What a generation holds: per file its digest, size, mtime and entry ids; how it was built."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    config_digest: str = ""
    schema_version: int = 0
    built: str = ""

    def ids(self) -> dict[str, str]:
        """Return every indexed id with the path of the file that holds it."""
        return {i: path for path, info in self.files.items() for i in info.get("ids", [])}


def current_name(index_dir: Path) -> str | None:
    """Return the name of the current generation, or None if there is none."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return name if name and (index_dir / name).is_dir() else None


def current_path(index_dir: Path) -> Path | None:
    """Return the folder of the current generation, or None."""
    name = current_name(index_dir)
    return index_dir / name if name else None


def new_generation(index_dir: Path) -> Path:
    """Create and return an empty folder for a new generation."""
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    path = index_dir / f"gen-{stamp}-{secrets.token_hex(3)}"
    path.mkdir()
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk: leave neither a torn file nor the temporary one
        tmp.unlink(missing_ok=True)
        raise


def switch_to(index_dir: Path, generation: Path) -> None:
    """Make generation the current one, then remove generations older than the previous one."""
    previous = current_name(index_dir)
    write_atomic(index_dir / CURRENT, generation.name + "\n")
    keep = {generation.name, previous}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def discard_unfinished(index_dir: Path, keep: set[str] | None = None) -> None:
    """Remove generation folders no reader uses: those without a manifest (builds that were
    killed) or, given keep, every one neither kept nor current (a build that just failed)."""
    current = current_name(index_dir)
    for path in index_dir.glob("gen-*"):
        unused = path.name not in keep if keep is not None else not (path / MANIFEST).exists()
        if path.name != current and unused:
            shutil.rmtree(path, ignore_errors=True)


def read_manifest(generation: Path) -> Manifest:
    """Read a generation's manifest (empty if it has none)."""
    try:
        data = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return Manifest()
    return Manifest(
        files=data.get("files", {}),
        config_digest=data.get("config_digest", ""),
        schema_version=data.get("schema_version", 0),
        built=data.get("built", ""),
    )


def write_manifest(generation: Path, manifest: Manifest) -> None:
    """Write a generation's manifest atomically."""
    data = {
        "files": manifest.files,
        "config_digest": manifest.config_digest,
        "schema_version": manifest.schema_version,
        "built": manifest.built,
    }
    write_atomic(generation / MANIFEST, json.dumps(data, sort_keys=True))
