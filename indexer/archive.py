"""Reading the archive: find its files and turn each into Perspectives or Problems.

Moving parts:
- `list_archive_files` walks the archive folder (hidden names, folder symlink loops,
  non-markdown and excluded files left out; a markdown link that loops or dangles is kept, so
  reading it reports it) in archive-relative path order;
- `read_file` reads one file: size and byte checks, UTF-8 decoding, the frontmatter split,
  YAML loading, then either one entry built from its fields (`entryfields.EntryFields`) or a
  compiled page handed to `compiled.py`;
- `find_duplicates` / `unique_entries` settle ids shared between files, by the rule of
  `ids.py` (the one `perspectives index` follows);
- `read_archive` puts them together.

The frontmatter is split here rather than by python-frontmatter, which strips the text first and
so loses the line numbers every Problem must carry; it is loaded with PyYAML's BaseLoader, so
every scalar stays the text that was written ("2025-02-30", "yes", "1.0") and we judge it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from indexer import compiled
from indexer import ids as id_rule
from indexer.entryfields import EntryFields, Frontmatter
from indexer.fieldmap import DEFAULT_NAME, FieldMap, load_fieldmap
from indexer.records import ArchiveError, FileRead, Perspective, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FRONTMATTER_CHARS = 100_000  # real ones are under 3 KB; pure-Python YAML takes ~5 s per MB
SKIPPED_NAMES = frozenset({DEFAULT_NAME, "themes.yaml"})
_BOM = b"\xef\xbb\xbf"
_FENCES = ("---", "...")


@dataclass(frozen=True)
class ArchiveRead:
    """Everything read from an archive: each file's result, the valid entries and all problems."""

    files: dict[str, FileRead] = field(default_factory=dict)  # by archive-relative path
    entries: list[Perspective] = field(default_factory=list)  # valid, duplicates removed
    problems: list[Problem] = field(default_factory=list)  # sorted


def read_archive(
    root: Path, fieldmap: FieldMap | None = None, indexed: Mapping[str, Iterable[str]] | None = None
) -> ArchiveRead:
    """Read every archive file under root; fieldmap defaults to `<root>/fieldmap.yaml`.
    `indexed` (path -> ids) is what the index holds: its files keep their ids (`ids.py`)."""
    if not root.is_dir():
        raise ArchiveError(f"{root}: archive folder not found")
    fieldmap = fieldmap if fieldmap is not None else load_fieldmap(root)
    reads = [read_file(path, root, fieldmap) for path in list_archive_files(root, fieldmap)]
    entries, duplicates = _settle_ids(reads, indexed or {})
    problems = [problem for read in reads for problem in read.problems] + duplicates
    return ArchiveRead({read.path: read for read in reads}, entries, sorted(problems))


def list_archive_files(root: Path, fieldmap: FieldMap | None = None) -> list[Path]:
    """List the archive's markdown files, sorted by archive-relative path."""
    return [path for _, path in archive_files(root, fieldmap)]


def archive_files(root: Path, fieldmap: FieldMap | None = None) -> list[tuple[str, Path]]:
    """List the archive's markdown files with their archive-relative paths, sorted by them."""
    return sorted((relative, root / relative) for relative in archive_stats(root, fieldmap).paths)


@dataclass
class ArchiveStats:
    """The archive's markdown files in walk order (each folder's names sorted) with the size and
    modification time (ns) of each; -1 for both when a link loops or dangles."""

    paths: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    mtimes: list[int] = field(default_factory=list)
    # the only positions that can differ from the manifest's table, when the other files were
    # copied from it (files named to a run, changed in place); None: any
    only: list[int] | None = None


def archive_stats(root: Path, fieldmap: FieldMap | None = None) -> ArchiveStats:
    """Walk the archive once, with one stat call per entry and no Path objects (an incremental
    run of a large archive spends most of its time here)."""
    fieldmap = fieldmap if fieldmap is not None else load_fieldmap(root)
    found = ArchiveStats()
    _walk(os.fspath(root), "", set(), found)
    if not fieldmap.exclude:
        return found
    kept = [k for k, relative in enumerate(found.paths) if not fieldmap.excludes(relative)]
    return ArchiveStats(
        [found.paths[k] for k in kept],
        [found.sizes[k] for k in kept],
        [found.mtimes[k] for k in kept],
    )


def read_file(path: Path, root: Path, fieldmap: FieldMap | None = None) -> FileRead:
    """Read one archive file into its entries and problems; never raises on bad content."""
    fieldmap = fieldmap if fieldmap is not None else load_fieldmap(root)
    relative = relative_path(path, root)
    raw, digest, problem = _read_bytes(path, relative)
    if problem is None:
        text_or_problem = _decode(raw, relative)
        if isinstance(text_or_problem, Problem):
            problem = text_or_problem
        else:
            return _read_text(text_or_problem, relative, path.name, fieldmap, digest)
    return FileRead(path=relative, digest=digest, problems=[problem])


def find_duplicates(files: Iterable[FileRead]) -> list[Problem]:
    """Report every entry whose id an earlier entry (in path order) already has (no index)."""
    return _settle_ids(files)[1]


def unique_entries(files: Iterable[FileRead]) -> list[Perspective]:
    """Return the entries of files, keeping only the first (in path order) of each id (no
    index)."""
    return _settle_ids(files)[0]


def relative_path(path: Path, root: Path) -> str:
    """Return path relative to the archive root, with '/' separators."""
    text, base = os.fspath(path), os.fspath(root).rstrip("/")
    if os.sep == "/" and text.startswith(base + "/") and "/." not in text and "//" not in text:
        return text[len(base) + 1 :]  # the common case, as the walk joined it: no path work
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError as error:
        raise ArchiveError(f"{path}: not inside the archive folder {root}") from error


def _settle_ids(
    files: Iterable[FileRead], indexed: Mapping[str, Iterable[str]] | None = None
) -> tuple[list[Perspective], list[Problem]]:
    """Split the entries of files into the ones kept and problems for the repeats."""
    reads = {read.path: read for read in files}
    settled = id_rule.settle(reads, id_rule.holders(indexed or {}, reads))
    return [p for rel in sorted(settled.entries) for p in settled.entries[rel]], settled.problems


def _walk(folder: str, prefix: str, seen: set[tuple[int, int]], found: ArchiveStats) -> None:
    """Add the markdown files under folder to found, in walk order (names sorted, subfolders
    where their names fall), visiting each real folder once (hidden names left out). One stat
    per entry, from the open folder, tells a folder from a file and gives size and mtime."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        status = os.fstat(fd)
        if (status.st_dev, status.st_ino) in seen:  # a symlink back into the tree
            return
        seen.add((status.st_dev, status.st_ino))
        for name in sorted(os.listdir(fd)):
            if name.startswith(".") or name in SKIPPED_NAMES:
                continue
            try:
                status = os.stat(name, dir_fd=fd)
            except OSError:  # a link that loops or dangles: a markdown one is read, and reported
                if name.endswith(".md") and os.path.islink(os.path.join(folder, name)):
                    _add(found, prefix + name, -1, -1)
                continue
            if stat.S_ISDIR(status.st_mode):
                _walk(os.path.join(folder, name), f"{prefix}{name}/", seen, found)
            elif name.endswith(".md") and (
                stat.S_ISREG(status.st_mode) or os.path.islink(os.path.join(folder, name))
            ):
                _add(found, prefix + name, status.st_size, status.st_mtime_ns)
    finally:
        os.close(fd)


def _add(found: ArchiveStats, relative: str, size: int, mtime: int) -> None:
    found.paths.append(relative)
    found.sizes.append(size)
    found.mtimes.append(mtime)


def _read_bytes(path: Path, relative: str) -> tuple[bytes, str, Problem | None]:
    """Read a file's bytes and digest, or a problem if it is unreadable or too large."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 2**20
            reason = f"file too large: {size / 2**20:.1f} MB (the limit is {limit} MB)"
            return b"", _stream_digest(path), Problem(relative, 1, reason)
        raw = path.read_bytes()
    except OSError as error:
        return b"", "", Problem(relative, 1, f"cannot read the file: {error.strerror}")
    return raw, hashlib.sha256(raw).hexdigest(), None


def _stream_digest(path: Path) -> str:
    """Hash a large file without holding it in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _decode(raw: bytes, relative: str) -> str | Problem:
    """Decode UTF-8 text (a BOM allowed), or name the empty, binary or badly encoded file."""
    raw = raw.removeprefix(_BOM)
    if not raw.strip():
        return Problem(relative, 1, "empty file")
    if b"\x00" in raw:
        return Problem(relative, 1, "binary file: markdown text was expected")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        byte = raw[error.start]
        reason = f"not UTF-8: byte 0x{byte:02x} cannot be decoded (save the file as UTF-8)"
        return Problem(relative, line, reason)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_text(text: str, relative: str, name: str, fieldmap: FieldMap, digest: str) -> FileRead:
    """Split the frontmatter and read the entry or compiled page it introduces."""
    front = _split_frontmatter(text, relative)
    if isinstance(front, Problem):
        return FileRead(path=relative, digest=digest, problems=[front])
    if _is_compiled_page(front, fieldmap):
        entries, problems = compiled.parse_page(front.body, front.body_line, relative)
    else:
        entries, problems = EntryFields(front, relative, name, fieldmap).build()
    return FileRead(path=relative, digest=digest, entries=entries, problems=problems)


def _split_frontmatter(text: str, relative: str) -> Frontmatter | Problem:
    """Find the frontmatter between '---' lines and load it as a YAML mapping."""
    lines = text.split("\n")
    opening = next((index for index, line in enumerate(lines) if line.strip()), None)
    if opening is None:
        return Problem(relative, 1, "empty file")
    if lines[opening].rstrip() != "---":
        return Problem(relative, opening + 1, "no frontmatter: the file must start with '---'")
    closing = next((i for i in range(opening + 1, len(lines)) if lines[i].rstrip() in _FENCES), 0)
    if not closing:
        reason = "unterminated frontmatter: the '---' opened here is never closed"
        return Problem(relative, opening + 1, reason)
    return _frontmatter(lines, opening, closing, relative)


def _frontmatter(
    lines: list[str], opening: int, closing: int, relative: str
) -> Frontmatter | Problem:
    """Load the lines between the fences (0-based indexes) as the frontmatter of the body after."""
    source = "\n".join(lines[opening + 1 : closing])
    if len(source) > MAX_FRONTMATTER_CHARS:
        limit = f"{MAX_FRONTMATTER_CHARS:,}"
        reason = f"frontmatter too long: {len(source):,} characters (the limit is {limit})"
        return Problem(relative, opening + 1, reason)
    loaded = _load_yaml(source, opening + 2, relative)
    if isinstance(loaded, Problem):
        return loaded
    return Frontmatter(
        data=loaded[0],
        key_lines=loaded[1],
        opening_line=opening + 1,
        closing_line=closing + 1,
        body="\n".join(lines[closing + 1 :]),
        body_line=closing + 2,
    )


def _load_yaml(
    source: str, first_line: int, relative: str
) -> tuple[dict[str, object], dict[str, int]] | Problem:
    """Load frontmatter YAML into a mapping and the line of each top-level key."""
    if _FAST_LOADER is not None and _fast_enough(source):
        fast = _load_yaml_with(_FAST_LOADER, source, first_line, relative)
        if not isinstance(fast, Problem):
            return fast
    # the pure-Python loader words every problem the same way on every machine
    return _load_yaml_with(yaml.BaseLoader, source, first_line, relative)


# libyaml's loader (in PyYAML's wheels) reads a frontmatter ~15x faster; a frontmatter it
# rejects is read again by the pure-Python one, whose messages and lines we report.
_FAST_LOADER = getattr(yaml, "CBaseLoader", None)
# Its composer recurses in C: a frontmatter nested thousands deep would crash the process
# rather than raise, so only shallow ones go to it (depth grows by a bracket, or by an
# indentation or block indicator at the start of a line).
_LINE_LEAD = re.compile(r"^[ \t?:-]*", re.MULTILINE)
FAST_DEPTH = 64
_UNPRINTABLE = yaml.reader.Reader.NON_PRINTABLE


def _fast_enough(source: str) -> bool:
    """Tell that libyaml may read the source: it cannot nest deeper than FAST_DEPTH, and has
    no tab or unprintable character (libyaml accepts some that PyYAML rejects)."""
    if "\t" in source or _UNPRINTABLE.search(source):
        return False
    if source.count("[") + source.count("{") > FAST_DEPTH:
        return False
    return all(m.end() - m.start() <= FAST_DEPTH for m in _LINE_LEAD.finditer(source))


def _load_yaml_with(
    loader_class: type, source: str, first_line: int, relative: str
) -> tuple[dict[str, object], dict[str, int]] | Problem:
    try:
        loader = loader_class(source)  # rejects control characters at once
    except yaml.YAMLError as error:
        return Problem(relative, first_line, f"invalid YAML in the frontmatter: {error}")
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            reason = f"frontmatter is not a mapping of fields: it is {kind}"
            return Problem(relative, first_line + node.start_mark.line, reason)
        data = loader.construct_document(node)  # before key lines: it rejects unhashable keys
        return data, {key.value: first_line + key.start_mark.line for key, _ in node.value}
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = error.problem or error.context
        if error.context_mark is not None and "end of stream" in (error.problem or ""):
            # an unclosed quote or bracket: the fault is where it opened, not the end
            mark = error.context_mark
            detail = f"{error.context} (column {mark.column + 1}): {error.problem}"
        line = first_line + mark.line if mark else first_line - 1
        return Problem(relative, line, f"invalid YAML in the frontmatter: {detail}")
    except yaml.YAMLError as error:
        return Problem(relative, first_line - 1, f"invalid YAML in the frontmatter: {error}")
    except RecursionError:
        return Problem(relative, first_line - 1, "frontmatter nested too deeply to read")
    finally:
        loader.dispose()


def _is_compiled_page(front: Frontmatter, fieldmap: FieldMap) -> bool:
    """Tell a compiled page (title only, '##' and '###' headings) from a single entry."""
    entry_keys = fieldmap.author + fieldmap.date
    if any(key in front.data for key in entry_keys):
        return False
    return compiled.looks_compiled(front.body)
