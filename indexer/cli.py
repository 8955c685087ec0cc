"""The `perspectives` command: a thin terminal layer over the indexer and the search core.

The search core (with NumPy) is imported by the commands that use it: `perspectives index`,
run after every edit, starts without it. `serve` is the web app's own (webapp/cli.py adds it
to this group), so nothing here imports the web app.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from indexer.build import BuildReport, IndexBusy, build_index
from indexer.facetdefs import BY_NAME, FACETS, FIELD_PARAM, Facet
from indexer.languages import language_name
from indexer.params import parse_request
from indexer.records import ArchiveError, Problem
from indexer.results import SORTS, BadParameter, SearchResult
from indexer.urls import entry_path, search_links
from indexer.wording import plural, quoted

if TYPE_CHECKING:
    from indexer.library import Library

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)
F = TypeVar("F", bound=Callable[..., Any])


def path_options(f: F) -> F:
    """Add --archive and --index (or PERSPECTIVES_ARCHIVE and PERSPECTIVES_INDEX)."""
    f = click.option(
        "--index",
        "index_dir",
        type=click.Path(path_type=Path),
        default="index",
        envvar="PERSPECTIVES_INDEX",
        show_default=True,
        help="Index folder (or PERSPECTIVES_INDEX).",
    )(f)
    return click.option(
        "--archive",
        type=click.Path(path_type=Path),
        default="archive",
        envvar="PERSPECTIVES_ARCHIVE",
        show_default=True,
        help="Archive folder (or PERSPECTIVES_ARCHIVE).",
    )(f)


def fieldmap_option(f: F) -> F:
    """Add --fieldmap (or PERSPECTIVES_FIELDMAP)."""
    return click.option(
        "--fieldmap",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        envvar="PERSPECTIVES_FIELDMAP",
        help="Field map for archives written by other tools "
        "(default: ARCHIVE/fieldmap.yaml if present).",
    )(f)


def synonyms_option(f: F) -> F:
    """Add --synonyms (or PERSPECTIVES_SYNONYMS)."""
    return click.option(
        "--synonyms",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        envvar="PERSPECTIVES_SYNONYMS",
        help="The editors' synonyms (default: ARCHIVE/synonyms.yaml if present).",
    )(f)


def facet_options(help_of: Callable[[Facet], str]) -> Callable[[F], F]:
    """Add a repeatable --NAME option per declared facet (facetdefs.FACETS), in their order,
    then --facet NAME=VALUE for the facets an archive's field map adds (`own_facets`)."""

    def add(f: F) -> F:
        f = click.option(
            "--facet",
            "own_facets",
            multiple=True,
            callback=_facet_pairs,
            metavar="NAME=VALUE",
            help="Only entries with this value of a facet the archive's field "
            "map adds (repeatable; values of one facet are OR-ed).",
        )(f)
        for facet in reversed(FACETS):  # click lists the option added last first
            f = click.option(f"--{facet.name}", _key(facet), multiple=True, help=help_of(facet))(f)
        return f

    return add


def _facet_pairs(
    ctx: click.Context, param: click.Parameter, given: tuple[str, ...]
) -> dict[str, list[str]]:
    """Turn --facet NAME=VALUE options into the request's facet_<name> parameters."""
    out: dict[str, list[str]] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", ctx, param)
        out.setdefault(FIELD_PARAM + name.strip(), []).append(value)
    return out


def _hint(name: str) -> str:
    """Return the option that sets a request parameter (facet_<name> comes from --facet)."""
    return "--facet" if name.startswith(FIELD_PARAM) and name != "facet_size" else f"--{name}"


def date_options(f: F) -> F:
    """Add --from and --to, the inclusive date range."""
    f = click.option("--to", "date_to", help="To this date, inclusive.")(f)
    return click.option("--from", "date_from", help="From this date: YYYY, YYYY-MM or YYYY-MM-DD.")(
        f
    )


def _key(facet: Facet) -> str:
    return facet.name.replace("-", "_")


def _filters(
    chosen: dict[str, Any], date_from: str | None, date_to: str | None
) -> dict[str, list[str]]:
    """Return the request parameters that the facet and date options give (--facet's as
    facet_<name>)."""
    return {
        **{f.name: list(chosen[_key(f)]) for f in FACETS},
        "from": [date_from or ""],
        "to": [date_to or ""],
        **chosen.get("own_facets", {}),
    }


@click.group()
@click.version_option(package_name="perspectives")
def main() -> None:
    """Search and index an archive of community perspectives."""


@main.command()
@path_options
@fieldmap_option
@synonyms_option
@click.option("--full", is_flag=True, help="Rebuild everything into a new generation.")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait for another running index, or stop at once.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="Then keep running: publish each change to the archive as it is saved, "
    "until stopped (Ctrl-C or SIGTERM).",
)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def index(
    archive: Path,
    index_dir: Path,
    fieldmap: Path | None,
    synonyms: Path | None,
    full: bool,
    wait: bool,
    watch: bool,
    files: tuple[Path, ...],
) -> None:
    """Index new, changed and deleted files of the archive (all of it with --full).

    Name FILES (added, edited or deleted) to look at those alone rather than at every file of
    the archive: the quick way to publish an edit in a large archive. With --watch, the index
    follows the archive: each saved change is searchable in about a second, without a scan."""
    if full and files:
        raise click.UsageError("--full rebuilds the whole archive: name no files with it")
    if watch and files:
        raise click.UsageError("--watch follows the whole archive: name no files with it")
    if watch:
        if full:
            print_report(build(archive, index_dir, fieldmap, True, wait, (), synonyms))
        _watch(archive, index_dir, fieldmap, synonyms)
        return
    report = build(archive, index_dir, fieldmap, full, wait, files, synonyms)
    print_report(report)
    if report.rejected:
        sys.exit(1)


def build(
    archive: Path,
    index_dir: Path,
    fieldmap: Path | None,
    full: bool,
    wait: bool,
    files: tuple[Path, ...] = (),
    synonyms: Path | None = None,
) -> BuildReport:
    def on_wait() -> None:
        click.echo("Another 'perspectives index' is running; waiting for it to finish…", err=True)

    bar = None
    if sys.stderr.isatty():
        bar = click.progressbar(length=1, label="Indexing", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(done - bar.pos)

    try:
        return build_index(
            archive,
            index_dir,
            full=full,
            fieldmap=fieldmap,
            progress=progress,
            wait=wait,
            on_wait=on_wait,
            only=files or None,
            synonyms=synonyms,
        )
    except IndexBusy as e:
        raise click.ClickException(f"{e}. Try again when it ends, or use --wait.") from None
    except ArchiveError as e:
        raise click.ClickException(str(e)) from None
    except OSError as e:  # a full disk, a read-only folder: readers keep the last whole index
        raise click.ClickException(
            f"cannot write the index in {index_dir}: {e.strerror or e}. The index being served "
            "is unchanged and whole; free some space (or fix the folder) and run "
            "'perspectives index' again."
        ) from None
    finally:
        if bar is not None:
            bar.render_finish()


def _watch(archive: Path, index_dir: Path, fieldmap: Path | None, synonyms: Path | None) -> None:
    """Follow the archive until a stop signal (watching.py)."""
    import time

    from indexer.watching import Batch, stopped_by_signals, watch

    if not archive.is_dir():
        raise click.ClickException(
            f"{archive}: no archive folder here (set --archive or PERSPECTIVES_ARCHIVE)"
        )

    def stamped(report: BuildReport) -> None:
        if (
            report.full
            or report.added
            or report.updated
            or report.removed
            or report.problems
            or report.kept
            or report.warnings
        ):
            click.echo(time.strftime("[%H:%M:%S] "), nl=False)
            print_report(report)

    def failed(message: str) -> None:
        click.echo(time.strftime("[%H:%M:%S] ") + message, err=True)

    def ready() -> None:
        click.echo(f"Watching {archive} for changes (Ctrl-C to stop)…", err=True)

    def started(batch: Batch) -> None:
        what = (
            "the whole archive"
            if batch.whole
            else (f"{len(batch.files)} changed file" + ("s" if len(batch.files) > 1 else ""))
        )
        click.echo(time.strftime("[%H:%M:%S] ") + f"indexing {what}…", err=True)

    with stopped_by_signals() as stop:
        watch(archive, index_dir, stamped, failed, stop, fieldmap, synonyms, ready, started)
    click.echo("Stopped watching; the index is up to date with every change seen.", err=True)


def print_report(report: BuildReport) -> None:
    for problem in report.problems:
        click.echo(str(problem), err=True)
    for rel in report.kept:
        click.echo(f"{rel}:1: broken now; its last good version stays in the index", err=True)
    for warning in report.warnings:
        click.echo(str(warning), err=True)
    if not report.side:
        click.echo(report.summary())


@main.command()
@path_options
@fieldmap_option
@synonyms_option
def check(archive: Path, index_dir: Path, fieldmap: Path | None, synonyms: Path | None) -> None:
    """Validate the archive without indexing; exit 1 if any file has a problem."""
    from indexer.validate import check_archive

    warnings: list[Problem] = []
    try:
        problems, entries = check_archive(archive, fieldmap, index_dir, synonyms, warnings)
    except ArchiveError as e:
        raise click.ClickException(str(e)) from None
    for problem in problems:
        click.echo(str(problem))
    for warning in warnings:
        click.echo(str(warning))
    files = len({p.path for p in problems})
    click.echo(
        f"{plural(entries, 'entry', 'entries')} valid; {plural(len(problems), 'problem')} "
        f"in {plural(files, 'file')}"
    )
    if problems:
        sys.exit(1)


@main.command()
@path_options
@click.argument("query", nargs=-1)
@facet_options(lambda f: f"Only entries {f.which or 'with this ' + f.name} (repeatable).")
@date_options
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of /api/search.")
@click.option(
    "--subject/--no-subject",
    default=True,
    show_default=True,
    help="Follow a query that finds few entries with entries on the same subject.",
)
@click.option(
    "--typos/--no-typos",
    default=True,
    show_default=True,
    help="Match a word the archive lacks with its near spellings too.",
)
def search(
    archive: Path,
    index_dir: Path,
    query: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    sort: str,
    limit: int,
    page: int,
    as_json: bool,
    subject: bool,
    typos: bool,
    **chosen: Any,
) -> None:
    """Search the index: words, "phrases", OR, NOT, -word, field:value, prefix*."""
    params = {
        "q": [" ".join(query)],
        **_filters(chosen, date_from, date_to),
        "sort": [sort],
        "page": [str(page)],
        "per_page": [str(limit)],
        "subject": ["1" if subject else "0"],
        "typos": ["1" if typos else "0"],
    }
    try:
        result = _library(index_dir).search(parse_request(params))
    except BadParameter as e:
        raise click.BadParameter(e.message, param_hint=_hint(e.name)) from None
    if as_json:
        click.echo(json.dumps(result_json(result), indent=2, ensure_ascii=False))
    else:
        _print_result(result)


@main.command(
    help=f"List the values of facet NAME ({', '.join(BY_NAME)}, or one the archive's "
    "field map adds) that hold TEXT, with counts."
)
@path_options
@click.argument("name")
@click.argument("text", nargs=-1)
@click.option("--query", default="", help="Count the values under this search's text.")
@facet_options(lambda f: f"Under this {f.name} (repeatable).")
@date_options
@click.option("--order", type=click.Choice(("count", "name")), default="count", show_default=True)
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON of /api/facets/<name>.")
def facets(
    archive: Path,
    index_dir: Path,
    name: str,
    text: tuple[str, ...],
    query: str,
    date_from: str | None,
    date_to: str | None,
    order: str,
    limit: int,
    as_json: bool,
    **chosen: Any,
) -> None:
    params = {"q": [query], **_filters(chosen, date_from, date_to)}
    try:
        found = _library(index_dir).facet_values(
            parse_request(params), name, " ".join(text), order, 0, limit
        )
    except BadParameter as e:
        hint = "NAME" if e.name == "facet" else _hint(e.name)
        raise click.BadParameter(e.message, param_hint=hint) from None
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    listed = sum(not v.selected for v in found.results)
    more = f", the first {listed} listed (--limit N for more)" if listed < found.total else ""
    click.echo(f"{plural(found.total, name + ' value')}{more}")
    for v in found.results:
        label = f"{v.label} [{v.value}]" if v.label else v.value
        click.echo(f"{'*' if v.selected else ' '} {v.count:>6}  {label}")


@main.command()
@path_options
@click.argument("text", nargs=-1)
@click.option("--limit", type=click.IntRange(1, 20), default=8, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions of /api/suggest.")
def suggest(
    archive: Path, index_dir: Path, text: tuple[str, ...], limit: int, as_json: bool
) -> None:
    """Suggest completions of TEXT's last word, and the themes, authors and titles it matches."""
    q = " ".join(text)
    try:
        found = _library(index_dir).suggest(q, limit)
    except BadParameter as e:
        raise click.BadParameter(e.message, param_hint="TEXT") from None
    if as_json:
        click.echo(
            json.dumps(
                {"q": q, "suggestions": [s.to_dict() for s in found]}, indent=2, ensure_ascii=False
            )
        )
        return
    if not found:
        click.echo("No suggestions.")
    for s in found:
        shown = s.value if s.kind == "word" else s.text
        click.echo(f"{s.kind:<7}{s.count:>7}  {shown}")


def _library(index_dir: Path) -> Library:
    from indexer.library import IndexMissing, Library

    lib = Library(index_dir)
    try:
        lib.info()
    except IndexMissing as e:
        raise click.ClickException(f"{e} (or pass --index).") from None
    return lib


def result_json(result: SearchResult) -> dict[str, Any]:
    """Return the /api/search shape of a result, URLs included: absolute ones when the web
    app's base URL is set (PERSPECTIVES_BASE_URL), else paths."""
    root = os.environ.get("PERSPECTIVES_BASE_URL", "").strip().rstrip("/")
    data = result.to_dict()
    for row in data["results"]:
        row["url"] = root + entry_path(row["id"], q=result.request.q)
    data["pages"] = result.pages
    data["generation"] = result.generation
    data["links"] = search_links(result.request, result.pages, root)
    return data


def _terminal(snippet: str) -> str:
    marked = _MARK.sub(lambda m: click.style(m.group(1), bold=True, underline=True), snippet)
    return html.unescape(marked)


def _print_result(result: SearchResult) -> None:
    req = result.request
    q = f" for {quoted(req.q)}" if req.q else ""
    more = f" and {result.on_subject} on its subject" if result.on_subject else ""
    found = plural(result.total - result.on_subject, "result")
    click.echo(f"{found}{q}{more} (page {req.page} of {result.pages})")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    if result.near:
        near = "; ".join(f"{n.typed} → {', '.join(n.words)}" for n in result.near)
        click.echo(f"Including near spellings: {near} (--no-typos for the words alone)")
    if result.synonyms:
        said = "; ".join(f"{', '.join(u.matched)} for {u.typed}" for u in result.synonyms)
        click.echo(f"Also searched, from the archive's synonyms: {said}")
    subject_shown = False
    for i, hit in enumerate(result.hits, (req.page - 1) * req.per_page + 1):
        if hit.subject and not subject_shown:
            subject_shown = True
            click.echo(
                f"\n-- on the same subject, without your words (they share: "
                f"{', '.join(result.subject_words)}) --"
            )
        click.echo(f"\n{i}. {click.style(hit.title, bold=True)}  [{hit.id}]")
        themes = f" · {', '.join(hit.themes)}" if hit.themes else ""
        language = f" · {language_name(hit.language)}" if hit.language != "en" else ""
        click.echo(f"   {hit.author} · {hit.date} · {hit.section}{language}{themes}")
        click.echo("   " + _terminal(hit.snippet))
        for use in hit.synonyms:
            click.echo(f"   (matched {' or '.join(use.matched)} for {use.typed})")
    for facet in result.facets:
        if facet.name == "month" or not facet.results:
            continue
        shown = ", ".join(
            f"{'*' if v.selected else ''}{v.value} ({v.count})" for v in facet.results[:8]
        )
        click.echo(f"\n{facet.name}: {shown}")
    if result.partial:
        click.echo("\n(partial: the query took too long and was cut short)")


@main.group()
def themes() -> None:
    """Draft themes for the archive, or find the themes an entry lacks."""


@themes.command("suggest")
@path_options
@click.argument("entry_id", required=False)
@click.option(
    "--limit",
    type=click.IntRange(1, 200),
    default=20,
    show_default=True,
    help="Most candidate themes drafted.",
)
def themes_suggest(archive: Path, index_dir: Path, entry_id: str | None, limit: int) -> None:
    """Print a themes.yaml draft of the themes the archive lacks (or those ENTRY_ID lacks)."""
    from indexer.theme_drafts import to_yaml

    lib = _library(index_dir)
    if entry_id is None:
        click.echo(to_yaml(lib.theme_draft(limit), str(archive)), nl=False)
        return
    found = lib.theme_suggestions(entry_id)
    if found is None:
        raise click.ClickException(
            f"no entry with id {entry_id!r}; 'perspectives search' shows ids in brackets"
        )
    if not found:
        click.echo(f"{entry_id}: its closest entries suggest no theme it lacks")
    for s in found[:limit]:
        click.echo(
            f"{s.label} ({s.slug}): {s.share:.0%} of its closest entries have it, "
            f"e.g. {'; '.join(s.evidence[:3])}"
        )


@main.command()
@path_options
@click.option(
    "--threshold",
    type=click.FloatRange(0.5, 1.0),
    default=0.8,
    show_default=True,
    help="Least share of the shorter text the other holds.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def duplicates(archive: Path, index_dir: Path, threshold: float, as_json: bool) -> None:
    """List the pairs of entries whose text is nearly the same."""
    pairs = _library(index_dir).duplicates(threshold)
    if as_json:
        rows = [p.to_dict() for p in pairs]
        click.echo(
            json.dumps({"threshold": threshold, "pairs": rows}, indent=2, ensure_ascii=False)
        )
        return
    for p in pairs:
        click.echo(f"{p.similarity:.0%}  {p.a.path}  [{p.a.id}]\n      {p.b.path}  [{p.b.id}]")
    click.echo(f"{plural(len(pairs), 'pair')} nearly the same (at least {threshold:.0%})")


@main.command()
@path_options
@click.argument("entry_id")
@click.option("--limit", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def related(archive: Path, index_dir: Path, entry_id: str, limit: int, as_json: bool) -> None:
    """Show the entries most related to ENTRY_ID and the words they share."""
    entry = _library(index_dir).entry(entry_id, related=limit)
    if entry is None:
        raise click.ClickException(
            f"no entry with id {entry_id!r}; 'perspectives search' shows ids in brackets"
        )
    if as_json:
        rows = [r.to_dict() | {"url": entry_path(r.id)} for r in entry.related]
        click.echo(json.dumps({"id": entry.id, "related": rows}, indent=2, ensure_ascii=False))
        return
    click.echo(f"Related to: {entry.title} ({entry.author}, {entry.date})")
    if not entry.related:
        click.echo("  nothing related found")
    for r in entry.related:
        click.echo(f"  {r.title}  [{r.id}]  {r.author}, {r.date}")
        click.echo(f"    shares: {', '.join(r.shared)}")


@main.command(name="import")
@path_options
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_page(archive: Path, index_dir: Path, page: Path) -> None:
    """Split a compiled page into per-entry files in the archive."""
    from indexer.importer import split_page

    try:
        written = split_page(page, archive)
    except ArchiveError as e:
        raise click.ClickException(str(e)) from None
    for path in written:
        click.echo(str(path))
    click.echo(
        f"{plural(len(written), 'entry', 'entries')} written to {archive}; run 'perspectives index' next"
    )


if __name__ == "__main__":
    main()
