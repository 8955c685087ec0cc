"""Build the index from the archive: full (a new generation, switched atomically) or incremental.

Moving parts: `writer_lock` (one writer at a time), `Config` (field map and taxonomy, whose
digest decides when an incremental run must become a full one), `build_index` (which run, under
the lock), `is_stale`; and in modules of their own, by concept: `scanning.py` (which files are
new, changed, touched or gone, by size+mtime then content hash), `resolution.py` (valid entries,
duplicate ids, files whose last good version is kept), `fullbuild.py` and `incremental.py` (the
two writers; `generations.merge_small` merges the small segments incremental runs leave).

An incremental run of a large archive is mostly its scan: one stat per file, compared with the
manifest's columns (`manifest.FileTable`). It reads the taxonomy, opens the index and
analyzes only when there is something to index; the modules for that are imported there.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer import generations as gens
from indexer import near_copies
from indexer.archive import archive_stats
from indexer.fieldmap import FieldMap, load_fieldmap
from indexer.manifest import Manifest, read_manifest
from indexer.records import ArchiveError, Perspective, Problem
from indexer.scanning import archive_relative
from indexer.site import publish as publish_site
from indexer.wording import plural

if TYPE_CHECKING:
    from indexer.facetdefs import Facet
    from indexer.themes import Matcher, Theme

Progress = Callable[[int, int], None]
THEMES_FILE = "themes.yaml"


class IndexBusy(Exception):
    """Another index run holds the lock."""


@dataclass
class BuildReport:
    """What a build did, counted in entries; rejected counts files with problems."""

    full: bool = False
    added: int = 0
    updated: int = 0
    removed: int = 0
    rejected: int = 0
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # near-duplicates: exit status unchanged
    kept: list[str] = field(default_factory=list)  # broken files whose last good version stays
    seconds: float = 0.0
    generation: str = ""
    side: bool = False  # only the warnings of side files made after the run (watching.py)

    def summary(self) -> str:
        """Return the one-line summary a terminal or a log shows."""
        kind = "full build" if self.full else "incremental"
        return (
            f"{kind}: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.rejected} rejected; {plural(self.entries, 'entry', 'entries')} in the index "
            f"({self.seconds:.1f} s)"
        )


@dataclass
class Config:
    """The archive's field map and taxonomy, with a digest of both and of the schema version.

    The taxonomy is read (and compiled) when first asked for: a run that indexes nothing needs
    only the digest, and reading it imports the analyzer.
    """

    fieldmap: FieldMap
    digest: str
    themes_path: Path

    @cached_property
    def _loaded(self) -> tuple[dict[str, Theme], list[Problem]]:
        from indexer.themes import load_taxonomy

        taxonomy, problems = load_taxonomy(self.themes_path)
        return taxonomy, list(problems)

    @property
    def taxonomy(self) -> dict[str, Theme]:
        """Return the theme taxonomy."""
        return self._loaded[0]

    @property
    def problems(self) -> list[Problem]:
        """Return the taxonomy's problems."""
        return self._loaded[1]

    @property
    def taxonomy_read(self) -> bool:
        """Tell whether the taxonomy has been read."""
        return "_loaded" in self.__dict__

    @property
    def facets(self) -> tuple[Facet, ...]:
        """Return the facets to index: the built-in ones, then those the field map adds."""
        from indexer.facetdefs import FACETS

        return FACETS + tuple(f.facet for f in self.fieldmap.facets)

    @cached_property
    def matcher(self) -> Matcher:
        """Return the taxonomy compiled for assigning themes."""
        from indexer.themes import compile_taxonomy

        return compile_taxonomy(self.taxonomy)


@contextmanager
def writer_lock(
    index_dir: Path, wait: bool = True, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the index's writer lock; wait for it (telling on_wait) or raise IndexBusy."""
    import filelock

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(index_dir / ".lock"))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        if not wait:
            raise IndexBusy(f"another 'perspectives index' is running on {index_dir}") from None
        if on_wait:
            on_wait()
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def load_config(archive: Path, fieldmap_path: Path | None = None) -> Config:
    """Read the field map, and make the digest of all that shapes how the archive is indexed."""
    themes_path = archive / THEMES_FILE
    fieldmap = load_fieldmap(archive, fieldmap_path)
    h = hashlib.sha256(f"schema {schema_version()}\nfieldmap {fieldmap.digest}\n".encode())
    if themes_path.is_file():
        h.update(themes_path.read_bytes())
    return Config(fieldmap, h.hexdigest(), themes_path)


def schema_version() -> int:
    from indexer.schema import SCHEMA_VERSION  # local: the schema module imports Whoosh

    return SCHEMA_VERSION


def document_maker(config: Config) -> Callable[[Perspective], dict[str, Any]]:
    """Return the function that makes an entry's document, themes assigned."""
    from indexer.documents import make_document
    from indexer.markup import plain_text
    from indexer.themes import assign_themes

    matcher, facets = config.matcher, config.facets

    def document(p: Perspective) -> dict[str, Any]:
        body = plain_text(p.body)  # themes from the text, not from link addresses in the markdown
        return make_document(p, assign_themes(p.title, body, p.themes, matcher), body, facets)

    return document


def build_index(
    archive: Path,
    index_dir: Path,
    full: bool = False,
    fieldmap: Path | None = None,
    progress: Progress | None = None,
    wait: bool = True,
    on_wait: Callable[[], None] | None = None,
    only: Sequence[Path] | None = None,
    synonyms: Path | None = None,
    side_files: bool = True,
) -> BuildReport:
    """Bring the index up to date with the archive; readers never see a half-built index.

    `only` names the files an editor added, changed or deleted: an incremental run then looks
    at those alone instead of every file of the archive (a full build ignores it). `synonyms`
    names the synonyms file to publish (by default the archive's synonyms.yaml). Without
    `side_files`, an incremental run leaves the near-duplicate signatures and the suggestion
    lists to `publish_side_files` (the watcher makes them after the edit is searchable; their
    cost grows with the archive, not with the change)."""
    if not archive.is_dir():
        raise ArchiveError(
            f"{archive}: no archive folder here (set --archive or PERSPECTIVES_ARCHIVE)"
        )
    named = [archive_relative(archive, path) for path in only] if only else None
    started = time.perf_counter()
    with writer_lock(index_dir, wait, on_wait):
        gens.discard_unfinished(index_dir)  # left by a run that was killed
        config = load_config(archive, fieldmap)
        current = gens.current_path(index_dir)
        manifest = read_manifest(current) if current else Manifest()
        stale = (
            manifest.config_digest != config.digest or manifest.schema_version != schema_version()
        )
        if full or current is None or stale:
            before = {p.name for p in index_dir.glob("gen-*")}
            try:
                from indexer.fullbuild import full_build  # local: most runs are incremental

                report = full_build(archive, index_dir, config, current, manifest, progress)
            except BaseException:  # a full disk, an interrupt: free the space it took at once
                gens.discard_unfinished(index_dir, keep=before)
                raise
        else:
            from indexer.incremental import incremental_build

            report = incremental_build(archive, current, config, manifest, progress, named)
        changed = report.full or bool(report.added or report.updated or report.removed)
        if side_files or report.full:
            report.warnings = near_copies.after_build(index_dir, changed, current)
        site_problems = publish_site(archive, gens.current_path(index_dir) or index_dir)
        site_problems += _publish_synonyms(
            synonyms or archive / "synonyms.yaml", gens.current_path(index_dir) or index_dir
        )
        if side_files or report.full:
            _publish_completions(gens.current_path(index_dir))
    # the same taxonomy as when the manifest was written: its problems then were none
    unread = not config.taxonomy_read and not report.full and manifest.taxonomy_ok
    report.problems = sorted(
        set(report.problems + ([] if unread else config.problems) + site_problems)
    )
    report.seconds = time.perf_counter() - started
    return report


def publish_side_files(index_dir: Path) -> list[Problem]:
    """Bring the current generation's near-duplicate signatures and suggestion lists up to
    date with its index (what `build_index` left to this with `side_files=False`); return the
    near-duplicate warnings of the entries changed since they were last made. No lock is taken:
    each file is replaced whole, and one made from a state the index has since left is made
    again on the next call (the signatures know their entries' digests, the lists their
    generation)."""
    warnings = near_copies.after_build(index_dir, True, None)
    _publish_completions(gens.current_path(index_dir))
    return warnings


def _publish_synonyms(source: Path, generation: Path) -> list[Problem]:
    """Copy the synonyms file into the index and return its problems (synonyms.py)."""
    # synonyms.py is imported only when there is a file: it loads the analyzer, which a run
    # that finds nothing changed does without
    if not source.is_file() and not (generation / "synonyms.yaml").is_file():
        return []
    from indexer.synonyms import publish

    return publish(source, generation)


def _publish_completions(generation: Path | None) -> None:
    """Write the suggestion lists of the index as it now is (completions.py), so no reader's
    request ever builds them."""
    if generation is None:
        return
    from whoosh import index as whoosh_index

    from indexer.completions import COMPLETIONS_FILE, Completions, publish

    if Completions.generation_of(generation / COMPLETIONS_FILE) == gens.toc_generation(generation):
        return  # nothing was written since they were made
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        publish(reader, generation)


def is_stale(archive: Path, index_dir: Path, fieldmap: Path | None = None) -> bool:
    """Tell whether the index is missing or behind the archive (cheap: sizes and mtimes)."""
    current = gens.current_path(index_dir)
    if current is None:
        return True
    manifest = read_manifest(current)
    config = load_config(archive, fieldmap)
    if manifest.config_digest != config.digest:
        return True
    stats = archive_stats(archive, config.fieldmap)
    return not manifest.table.matches(stats.paths, stats.sizes, stats.mtimes)
