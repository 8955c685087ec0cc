"""Broken archives: every problem is reported as `path:line: reason`, everything valid is
indexed, and nothing that was searchable before disappears.

Hypothesis draws a handful of changes to an indexed archive (new broken files of every kind,
valid files broken in place, a compiled page losing an author line, duplicate ids, symlink
loops, a field map naming keys no file has, valid entries with odd text or 10,000 nested list
items), then a full or an incremental build runs, and again once more.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import broken_files as bf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_fixtures import write_archive

from indexer import generations as gens
from indexer.build import build_index
from indexer.library import Library
from indexer.manifest import read_manifest
from indexer.records import ArchiveError
from indexer.results import SearchRequest
from indexer.validate import check_archive

COMPILED = "community-perspectives.md"
PROBLEM = re.compile(r"(?P<path>[^\s:][^:\n]*):(?P<line>[1-9]\d*): (?P<reason>\S[^\n]*)")
FIELDMAPS = {
    "harmless": "note: [subtitle, note]\nthemes: [tags, themes]\n",  # keys no file has, optional
    "missing_key": "title: headline\n",  # a required field from a key no file has
    "unknown_option": "headline: title\n",  # not an option at all: the whole run stops
}


@dataclass
class Base:
    archive: Path
    index: Path
    titles: dict[str, str]  # every id searchable before, with its title
    files: dict[str, list[str]]  # single-entry file -> its ids


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    root = tmp_path_factory.mktemp("broken-base")
    archive = write_archive(root / "archive", seed_as_page=True)  # the seed as its compiled page
    build_index(archive, root / "index", full=True)
    titles = {h.id: h.title for h in _all_hits(Library(root / "index"))}
    manifest = read_manifest(gens.current_path(root / "index"))
    files = {rel: list(row.ids) for rel, row in manifest.files.items() if rel != COMPILED}
    return Base(archive, root / "index", titles, files)


def _all_hits(lib: Library) -> list:
    return list(lib.iter_hits(SearchRequest(sort="newest"), snippets=False))


# -- what hypothesis draws ----------------------------------------------------------------------

TEXT = st.text(
    st.characters(
        categories=("L", "N", "Zs", "Pd", "Po", "Ps", "Pe", "Sm", "So"),
        exclude_characters='"\\',
    ),
    min_size=1,
    max_size=40,
).filter(lambda t: any(c.isalnum() for c in t))
BROKEN_KINDS = st.one_of(
    st.tuples(st.just("truncated"), st.integers(0, 400)),
    st.tuples(st.just("invalid_yaml"), st.integers(0, len(bf.INVALID_YAML) - 1)),
    st.tuples(st.just("binary"), st.binary(max_size=200)),
    st.tuples(st.just("not_utf8"), st.tuples(st.integers(0, 20), st.integers(0x80, 0xFF))),
    st.tuples(st.just("empty"), st.sampled_from(["", " ", "\n\n", "\t \n"])),
    st.tuples(st.just("bad_date"), st.integers(0, len(bf.BAD_DATES) - 1)),
    st.tuples(st.sampled_from(sorted(bf.SIMPLE_BROKEN)), st.none()),
)
FOLDERS = st.sampled_from(["", "the-stories/", "new-folder/", "new-folder/deeper/"])
OPS = st.one_of(
    st.tuples(st.just("new_broken"), BROKEN_KINDS, FOLDERS),
    st.tuples(st.just("break_existing"), BROKEN_KINDS, st.integers(0, 100)),
    st.tuples(st.just("valid"), TEXT, TEXT),
    st.tuples(st.just("nested_list"), st.sampled_from(["nested", "flat"]), FOLDERS),
    st.tuples(st.just("compiled_no_author"), st.integers(0, 2), st.none()),
    st.tuples(st.just("duplicate"), st.integers(0, 100), st.booleans()),
    st.tuples(st.just("folder_loop"), FOLDERS, st.none()),
)


@dataclass
class Plan:
    """What was done to the archive and what the build must make of it."""

    planted: list[bf.Planted] = field(default_factory=list)
    broken_ids: set[str] = field(default_factory=set)  # ids whose last good version must stay
    duplicates: bool = False
    fieldmap: str | None = None


def _broken(archive: Path, rel: str, kind: tuple[str, object]) -> bf.Planted:
    name, arg = kind
    if name in bf.SIMPLE_BROKEN:
        return bf.SIMPLE_BROKEN[name](archive, rel)
    if name == "not_utf8":
        line, byte = arg  # type: ignore[misc]
        return bf.not_utf8(archive, rel, line, byte)
    return getattr(bf, name)(archive, rel, arg)


def _apply(ops: list[tuple], fieldmap: str | None, b: Base, archive: Path) -> Plan:
    plan = Plan(fieldmap=fieldmap)
    singles = sorted(b.files)
    for n, (op, first, second) in enumerate(ops):
        if op == "new_broken":
            plan.planted.append(_broken(archive, f"{second}broken-{n}.md", first))
        elif op == "break_existing":
            rel = singles[second % len(singles)]
            plan.planted.append(_broken(archive, rel, first))
            plan.broken_ids.update(b.files[rel])
        elif op == "valid":
            body = f"{second}\n\nzqtoken{n} closes the planted body."
            plan.planted.append(bf.valid(archive, f"valid-{n}.md", f"planted-{n}", first, body))
        elif op == "nested_list":
            write = bf.nested_list if first == "nested" else bf.flat_list
            plan.planted.append(write(archive, f"{second}list-{n}.md", f"list-{n}"))
        elif op == "compiled_no_author":
            plan.planted.append(_drop_byline(archive, first, plan))
        elif op == "duplicate":
            rel = singles[first % len(singles)]
            where = f"000-dup-{n}.md" if second else f"zzz/dup-{n}.md"
            (archive / where).parent.mkdir(exist_ok=True)
            (archive / where).write_text(bf.entry_text(b.files[rel][0], "A thief"), "utf-8")
            plan.planted.append(bf.Planted(where, False, 1))
            plan.broken_ids.update(b.files[rel])  # its holder keeps it, title unchanged
            plan.duplicates = True
        elif op == "folder_loop":
            bf.folder_loop(archive, first)
    if fieldmap:
        (archive / "fieldmap.yaml").write_text(FIELDMAPS[fieldmap], encoding="utf-8")
    _settle_lines(plan, archive)
    return plan


def _settle_lines(plan: Plan, archive: Path) -> None:
    """Keep the last write of each path; find the dropped bylines' titles where they are now."""
    last = {p.path: p for p in plan.planted if p.path != COMPILED}
    lines = (archive / COMPILED).read_text(encoding="utf-8").split("\n")
    titles = {p.title for p in plan.planted if p.path == COMPILED and p.title}
    compiled = [bf.Planted(COMPILED, False, i + 1, title=line) for i, line in enumerate(lines)
                if line in titles]  # fmt: skip
    plan.planted = list(last.values()) + compiled


def _drop_byline(archive: Path, which: int, plan: Plan) -> bf.Planted:
    """Remove one entry's '*@handle, date*' line from the compiled page."""
    page = archive / COMPILED
    lines = page.read_text(encoding="utf-8").split("\n")
    bylines = [
        i for i, line in enumerate(lines) if re.fullmatch(r"\*@[^*]+, \w+ \d+, \d{4}\*", line)
    ]
    if not bylines:  # already dropped them all
        return bf.Planted(COMPILED, False, title="")
    index = bylines[which % len(bylines)]
    title = next(i for i in range(index, -1, -1) if lines[i].startswith("### "))
    del lines[index]
    page.write_text("\n".join(lines), encoding="utf-8")
    return bf.Planted(COMPILED, False, title=lines[title])  # its line is found at the end


# -- what must hold -----------------------------------------------------------------------------


def _expected_problem_paths(plan: Plan, archive: Path) -> set[str]:
    paths = {p.path for p in plan.planted if not p.valid}
    if plan.fieldmap == "missing_key":  # every single-entry file misses its title now
        paths |= {p.relative_to(archive).as_posix() for p in archive.rglob("*.md")
                  if p.name != COMPILED and "loop" not in p.parts}  # fmt: skip
        paths |= {p.path for p in plan.planted if p.path != COMPILED}
    return paths


def _check_problems(report_problems: list, plan: Plan, archive: Path) -> None:
    for problem in report_problems:
        text = str(problem)
        match = PROBLEM.fullmatch(text)
        assert match, f"not 'path:line: reason': {text!r}"
        path = archive / match["path"]
        assert path.is_symlink() or path.exists(), text
        if path.is_file() and path.stat().st_size < bf.BIG_BYTES:
            assert int(match["line"]) <= path.read_bytes().count(b"\n") + 1, text
    found = {p.path for p in report_problems}
    assert found == _expected_problem_paths(plan, archive)
    lines = {(p.path, p.line) for p in report_problems}
    for planted in plan.planted:
        if planted.line is not None and plan.fieldmap != "missing_key":
            assert (planted.path, planted.line) in lines, (planted, sorted(lines))


def _check_index(index: Path, plan: Plan, b: Base) -> list[str]:
    lib = Library(index)
    hits = _all_hits(lib)
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids)), "an id is indexed twice"
    assert set(b.titles) <= set(ids), f"lost: {sorted(set(b.titles) - set(ids))}"
    for entry_id in plan.broken_ids:
        assert lib.entry(entry_id).title == b.titles[entry_id], entry_id  # the last good version
    if plan.fieldmap != "missing_key":
        for planted in (p for p in plan.planted if p.valid):
            assert lib.entry(planted.entry_id) is not None, planted
    return sorted(ids)


def _run(plan: Plan, archive: Path, index: Path, full: bool, b: Base) -> None:
    if plan.fieldmap == "unknown_option":
        before = gens.current_name(index)
        with pytest.raises(ArchiveError, match=r"fieldmap\.yaml:1: unknown field map key"):
            build_index(archive, index, full=full)
        assert gens.current_name(index) == before
        assert {h.id for h in _all_hits(Library(index))} == set(b.titles)
        return
    checked, _ = check_archive(archive, index_dir=index)  # `check` settles ids as `index` does
    report = build_index(archive, index, full=full)
    _check_problems(report.problems, plan, archive)
    ids = _check_index(index, plan, b)
    assert {p.path for p in checked} == {p.path for p in report.problems}
    duplicate = [p for p in report.problems if "duplicate id" in p.reason]
    assert [p for p in checked if "duplicate id" in p.reason] == duplicate
    again = build_index(archive, index)  # problems stay reported until fixed; nothing moves
    assert {p.path for p in again.problems} == {p.path for p in report.problems}
    assert _check_index(index, plan, b) == ids


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ops=st.lists(OPS, min_size=1, max_size=6),
    fieldmap=st.sampled_from([None, None, None, "harmless", "missing_key", "unknown_option"]),
    full=st.booleans(),
)
def test_broken_archives_lose_nothing_and_report_everything(base, ops, fieldmap, full):
    with tempfile.TemporaryDirectory() as tmp:
        archive, index = Path(tmp) / "archive", Path(tmp) / "index"
        shutil.copytree(base.archive, archive, symlinks=True)
        shutil.copytree(base.index, index)
        plan = _apply(ops, fieldmap, base, archive)
        _run(plan, archive, index, full, base)


def _every_kind(b: Base, archive: Path) -> list[tuple]:
    ops: list[tuple] = [("new_broken", ("truncated", 17), "")]
    ops += [("new_broken", ("invalid_yaml", i), "new-folder/") for i in range(len(bf.INVALID_YAML))]
    ops += [
        ("new_broken", ("binary", b"\xff\xfe"), ""),
        ("new_broken", ("not_utf8", (5, 0xE9)), ""),
    ]
    ops += [("new_broken", ("empty", ""), ""), ("new_broken", ("empty", "\n \n"), "the-stories/")]
    ops += [("new_broken", ("bad_date", i), "") for i in range(len(bf.BAD_DATES))]
    ops += [("new_broken", (kind, None), "new-folder/deeper/") for kind in bf.SIMPLE_BROKEN]
    ops += [("break_existing", ("truncated", 30), 0), ("break_existing", ("symlink_loop", None), 1)]
    ops += [("compiled_no_author", 1, None), ("duplicate", 2, True), ("duplicate", 3, False)]
    ops += [("folder_loop", "", None), ("folder_loop", "the-stories/", None)]
    ops += [("nested_list", "nested", ""), ("nested_list", "flat", "new-folder/")]
    ops += [("valid", "Ünïcödé ☃ title", "Body with — dashes · and 日本語 text")]
    return ops


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
def test_every_kind_of_breakage_at_once(base, tmp_path, full):
    archive, index = tmp_path / "archive", tmp_path / "index"
    shutil.copytree(base.archive, archive, symlinks=True)
    shutil.copytree(base.index, index)
    plan = _apply(_every_kind(base, archive), None, base, archive)
    _run(plan, archive, index, full, base)


@pytest.mark.parametrize("fieldmap", ["harmless", "missing_key", "unknown_option"])
def test_a_field_map_naming_keys_no_file_has(base, tmp_path, fieldmap):
    archive, index = tmp_path / "archive", tmp_path / "index"
    shutil.copytree(base.archive, archive, symlinks=True)
    shutil.copytree(base.index, index)
    plan = _apply([("valid", "Fresh", "Fresh body")], fieldmap, base, archive)
    _run(plan, archive, index, False, base)
