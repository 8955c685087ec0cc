"""The corpora measured (synthetic ones of N entries, multilingual ones, the real shared ones),
our index of each (a full build, measured), and the dump of its entries the peers index."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness import REPO, corpora_dir, index_command, log, make_corpus
from measuring import dir_size, run_measured
from places import BENCH, WORK

from indexer.generations import current_path

_SUMMARY = re.compile(
    r"([\d,]+) added, ([\d,]+) updated, ([\d,]+) removed, ([\d,]+) rejected; ([\d,]+) entr"
)


@dataclass(frozen=True)
class Corpus:
    """One archive to measure, its field map, and where its index, dump and queries go."""

    name: str
    archive: Path
    fieldmap: Path | None
    synthetic: bool

    @property
    def index(self) -> Path:
        return WORK / "indexes" / self.name

    @property
    def dump(self) -> Path:
        return WORK / "dumps" / f"{self.name}.jsonl"

    @property
    def queries_path(self) -> Path:
        return WORK / "dumps" / f"{self.name}.queries.json"

    def index_command(
        self, *args: str, archive: Path | None = None, index: Path | None = None
    ) -> list[str]:
        """Return the `perspectives index` command over this corpus (or a copy of it)."""
        fieldmap = ["--fieldmap", str(self.fieldmap)] if self.fieldmap else []
        return index_command(archive or self.archive, index or self.index, *fieldmap, *args)


def make_synthetic(n: int) -> Corpus:
    """Return the synthetic corpus of n entries, written once by the shared make_corpus.py."""
    out = WORK / "corpora" / f"synth-{n}"
    if not (out / "manifest.json").is_file():  # written last: a cut run leaves none
        log(f"making synthetic corpus of {n} entries in {out}")
        shutil.rmtree(out, ignore_errors=True)
        make_corpus(out, n, builtin=False)
    return Corpus(f"synth-{n}", out / "archive", None, True)


def make_multilingual(n: int) -> Corpus:
    """Return the multilingual synthetic corpus of n entries (issue 14): 60% the synthetic
    corpus's English entries, the rest Japanese, Chinese, German and French drawn from Debian's
    manpages (bench/multilingual_corpus.py)."""
    english = make_synthetic(n)
    out = WORK / "corpora" / f"multi-{n}"
    if not (out / "archive").is_dir():
        log(f"making multilingual corpus of {n} entries in {out}")
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "multilingual_corpus.py"),
                str(out / "archive"),
                "--english",
                str(english.archive),
                "--entries",
                str(n),
            ],
            check=True,
        )
    return Corpus(f"multi-{n}", out / "archive", None, True)


def real_corpus(name: str) -> Corpus:
    """Return a real shared corpus, with its field map when fieldmaps/ has one."""
    archive = corpora_dir() / name
    fieldmap = REPO / "fieldmaps" / f"{name}.yaml"
    if not archive.is_dir():
        raise SystemExit(f"no corpus at {archive} (set PERSPECTIVES_CORPORA)")
    return Corpus(name, archive, fieldmap if fieldmap.is_file() else None, False)


def parse_summary(text: str) -> dict[str, int]:
    """Return the counts of the summary line `perspectives index` ends with ({} if none)."""
    m = _SUMMARY.search(text)
    if not m:
        return {}
    keys = ("added", "updated", "removed", "rejected", "entries")
    return {key: int(value.replace(",", "")) for key, value in zip(keys, m.groups())}


def full_build(c: Corpus, index: Path, name: str) -> dict[str, Any]:
    """Build the index afresh with `perspectives index --full`; return what it took."""
    if index.exists():
        shutil.rmtree(index)
    r = run_measured(c.index_command("--full", index=index), name=name)
    summary = parse_summary(r["stdout"] + r["stderr"])
    gen = current_path(index)
    if r["rc"] not in (0, 1) or gen is None or not summary:
        raise RuntimeError(f"full build failed (rc {r['rc']}): {r['stderr'][-2000:]}")
    entries = summary["entries"]
    return {
        "wall": r["wall"],
        "cpu": r["cpu"],
        "cores_used": r["cpu"] / r["wall"],
        "entries": entries,
        "rejected": summary["rejected"],
        "entries_per_s": entries / r["wall"],
        "index_bytes": dir_size(gen),
        "maxrss_bytes": r["maxrss_bytes"],
        "tree_peak_bytes": r["tree_peak_bytes"],
        "tree_pss_bytes": r["tree_pss_bytes"],
        "rc": r["rc"],
    }


def ensure_index(c: Corpus) -> None:
    """Build the corpus's index if it has none (not measured)."""
    if current_path(c.index) is None:
        log(f"[{c.name}] no index yet: building one (not measured)")
        full_build(c, c.index, f"{c.name}-build-unmeasured")


def ensure_dump(c: Corpus) -> None:
    """Dump the entries of our current generation for the peers, once per generation."""
    gen = current_path(c.index)
    stamp = c.dump.with_suffix(".gen")
    if c.dump.is_file() and stamp.is_file() and stamp.read_text() == str(gen):
        return
    c.dump.parent.mkdir(parents=True, exist_ok=True)
    log(f"[{c.name}] dumping our index's entries for the peers")
    subprocess.run(
        [sys.executable, str(BENCH / "dump_entries.py"), str(c.index), str(c.dump)],
        check=True,
        cwd=str(REPO),
        stdout=subprocess.DEVNULL,
    )
    stamp.write_text(str(gen))
    if c.queries_path.exists():
        c.queries_path.unlink()
