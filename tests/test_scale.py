"""Scale: a 10k-entry synthetic archive from ../shared/bench/make_corpus.py, built once on disk.

Checks the issue's "done means" at scale: every planted spelling in manifest.json is found by
searching any one spelling of its word, and the facet counts agree with the manifest. Facet
counts are also checked against Whoosh's own `groupedby` counts (the plain, slow path) for
several queries and filter combinations, so a fast path in the search core cannot drift.

make_corpus.py counts the entries of its compiled pages in the manifest too (by_author,
by_section, by_year and planted), under ids e<entries>… that only exist in the generator; the
compiled pages' entries get ids from their titles when read. So the planted ids of those
entries are checked through the compiled pages' text, and their number against the manifest.

Size: a full build of 10,100 entries takes about 30-45 s on 2 cores and the whole module about
a minute, well under the 3 minutes it may take in CI, so this uses the issue's 10,000.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh_oracle import compare_scores, expected_facets
from whoosh_oracle import counts as _counts

from indexer import generations as gens
from indexer.build import BuildReport, build_index
from indexer.library import Library
from indexer.params import parse_request
from indexer.results import SearchResult

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = 10_000
PAGES = 5  # compiled pages of 20 entries each
PER_PAGE = 20
TOTAL = ENTRIES + PAGES * PER_PAGE
# manifest.json's note: bodies hold no other spelling of these, so their planted lists are exact;
# the generated prose also says "deprecated" and "behavior", so those two lists are a lower bound.
EXACT = {"anthropomorphism", "autonomy", "transparency", "organisation", "dignity"}
LOWER_BOUND = {"deprecation", "behaviour"}
FILE_ID = re.compile(r"e\d{7}")


def _shared() -> Path | None:
    """Locate shared/: $PERSPECTIVES_SHARED, else the parent of $PERSPECTIVES_CORPORA, else ../shared."""
    candidates = []
    if os.environ.get("PERSPECTIVES_SHARED"):
        candidates.append(Path(os.environ["PERSPECTIVES_SHARED"]))
    if os.environ.get("PERSPECTIVES_CORPORA"):
        candidates.append(Path(os.environ["PERSPECTIVES_CORPORA"]).parent)
    candidates.append(ROOT.parent / "shared")
    return next((c for c in candidates if (c / "bench" / "make_corpus.py").is_file()), None)


SHARED = _shared()
SKIP_REASON = (
    "shared/bench/make_corpus.py not found (set PERSPECTIVES_SHARED, or PERSPECTIVES_CORPORA to "
    "<shared>/corpora, or put shared/ next to the repository)"
)


def _generator() -> ModuleType | None:
    """Import make_corpus.py as a module (its main() does not run), for its PLANTED table."""
    if SHARED is None:
        return None
    spec = importlib.util.spec_from_file_location(
        "make_corpus", SHARED / "bench" / "make_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _generator()
PLANTED: dict[str, list[str]] = dict(GENERATOR.PLANTED) if GENERATOR else {}
SPELLINGS = [(term, spelling) for term, spellings in PLANTED.items() for spelling in spellings]


@dataclass
class Compiled:
    """One entry of a compiled page as the page's text gives it."""

    title: str
    body: str


@dataclass
class Scale:
    manifest: dict[str, Any]
    report: BuildReport
    library: Library
    generation: Path
    compiled: list[Compiled]
    by_title: dict[str, str] | None = None  # compiled entries' ids, read once


def _read_compiled_pages(pages: Path) -> list[Compiled]:
    """Cut make_corpus's compiled pages into entries, independently of the indexer's reader."""
    out: list[Compiled] = []
    for page in sorted(pages.glob("*.md")):
        title: str | None = None
        lines: list[str] = []
        for line in page.read_text(encoding="utf-8").split("\n"):
            heading = re.fullmatch(r'### "(.*)"', line)
            if heading:
                title, lines = heading.group(1), []
            elif title is not None and line.startswith("[Link to post]("):
                out.append(Compiled(title, "\n".join(lines[1:])))  # lines[0]: the byline
                title = None
            elif title is not None:
                lines.append(line)
    return out


@pytest.fixture(scope="module")
def scale(tmp_path_factory: pytest.TempPathFactory) -> Scale:
    if SHARED is None:
        pytest.skip(SKIP_REASON)
    out = tmp_path_factory.mktemp("scale")
    subprocess.run(
        [sys.executable, str(SHARED / "bench" / "make_corpus.py"), str(out / "corpus"),
         "--entries", str(ENTRIES), "--compiled-pages", str(PAGES)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    manifest = json.loads((out / "corpus" / "manifest.json").read_text(encoding="utf-8"))
    archive = out / "corpus" / "archive"
    report = build_index(archive, out / "index", full=True)
    generation = gens.current_path(out / "index")
    assert generation is not None
    compiled = _read_compiled_pages(archive / "pages")
    return Scale(manifest, report, Library(out / "index"), generation, compiled)


def _search(library: Library, **params: str | list[str]) -> SearchResult:
    return library.search(
        parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()})
    )


def _all_ids(library: Library, **params: str | list[str]) -> list[str]:
    req = parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()})
    return [hit.id for hit in library.iter_hits(req, snippets=False)]


def _compiled_ids(scale: Scale) -> dict[str, str]:
    """Title -> id of the compiled pages' entries, as the index holds them."""
    if scale.by_title is not None:
        return scale.by_title
    ids: dict[str, str] = {}
    for hit in scale.library.iter_hits(parse_request({}), snippets=False):
        if not FILE_ID.fullmatch(hit.id):
            assert hit.title not in ids, f"two compiled entries titled {hit.title!r}"
            ids[hit.title] = hit.id
    scale.by_title = ids
    return ids


def _mentions(body: str, spellings: list[str]) -> bool:
    return any(re.search(rf"\b{re.escape(s)}\b", body) for s in spellings)


def _is_file_id(eid: str) -> bool:
    return int(eid[1:]) < ENTRIES


# -- the build ---------------------------------------------------------------------------


def test_the_whole_archive_is_indexed(scale: Scale) -> None:
    assert scale.manifest["entries"] == TOTAL  # compiled pages' entries are counted in it
    assert (scale.report.problems, scale.report.rejected) == ([], 0)
    assert scale.report.entries == TOTAL
    assert len(scale.compiled) == PAGES * PER_PAGE
    assert len(_compiled_ids(scale)) == PAGES * PER_PAGE
    assert {c.title for c in scale.compiled} == set(_compiled_ids(scale))


def test_compiled_pages_hold_the_manifests_planted_entries(scale: Scale) -> None:
    """The oracle for compiled entries: their text plants as many entries as the manifest says."""
    for term, spellings in PLANTED.items():
        in_manifest = [e for e in scale.manifest["planted"][term] if not _is_file_id(e)]
        in_pages = [c for c in scale.compiled if _mentions(c.body, spellings)]
        if term in EXACT:
            assert len(in_pages) == len(in_manifest), term
        else:
            assert len(in_pages) >= len(in_manifest), term


# -- recall: every spelling finds every planted entry -------------------------------------


@pytest.mark.skipif(SHARED is None, reason=SKIP_REASON)
@pytest.mark.parametrize(("term", "spelling"), SPELLINGS or [("-", "-")])
def test_any_spelling_finds_every_planted_entry(scale: Scale, term: str, spelling: str) -> None:
    planted = set(scale.manifest["planted"][term])
    by_title = _compiled_ids(scale)
    expected = {e for e in planted if _is_file_id(e)} | {
        by_title[c.title] for c in scale.compiled if _mentions(c.body, PLANTED[term])
    }
    found = _all_ids(scale.library, q=spelling)
    assert len(found) == len(set(found)), f"{spelling!r}: an entry listed twice"
    got = set(found)
    missing, extra = sorted(expected - got), sorted(got - expected)
    assert not missing, f"{spelling!r} misses {len(missing)} of {len(expected)}: {missing[:20]}"
    if term in EXACT:
        assert not extra, f"{spelling!r} finds {len(extra)} unplanted entries: {extra[:20]}"
    assert _search(scale.library, q=spelling).total == len(got)


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_pages_of_100_follow_the_order_of_iter_hits(scale: Scale, sort: str) -> None:
    """Paging never repeats or skips an entry, even among the many ties of equal score."""
    everything = _all_ids(scale.library, q="transparency", sort=sort)
    paged: list[str] = []
    for page in range(1, len(everything) // 100 + 2):
        result = _search(scale.library, q="transparency", sort=sort, per_page="100", page=str(page))
        assert result.total == len(everything)
        paged += [hit.id for hit in result.hits]
    repeated = sorted(i for i, n in Counter(paged).items() if n > 1)
    assert not repeated, f"{len(repeated)} entries on two pages: {repeated[:10]}"
    never = sorted(set(everything) - set(paged))
    assert not never, f"{len(never)} entries on no page: {never[:10]}"
    assert paged == everything


@pytest.mark.parametrize(
    "text",
    ["transparency", "behaviour OR dignity", "organisation -autonomy", "autonomy transparent"],
)
def test_relevance_scores_are_whooshs_bm25f(scale: Scale, text: str) -> None:
    """The posting-list evaluator's scores (a fast path of its own) equal Whoosh's BM25F for
    each entry, on the query the parser makes (the ranking tiers over them are tested in
    test_matching.py)."""
    ix = whoosh_index.open_dir(str(scale.generation))
    with ix.searcher() as searcher:
        core = compare_scores(searcher, text)
    hits = list(scale.library.iter_hits(parse_request({"q": [text]}), snippets=False))
    assert {h.id for h in hits} >= set(core)  # plain words also show entries with some of them


# -- facet counts against the manifest ----------------------------------------------------


def test_browsing_counts_agree_with_the_manifest(scale: Scale) -> None:
    result = _search(scale.library)
    assert result.total == scale.manifest["entries"]
    assert _counts(result, "author") == scale.manifest["by_author"]
    assert _counts(result, "section") == scale.manifest["by_section"]
    assert _counts(result, "year") == scale.manifest["by_year"]
    # every entry is counted once per facet
    assert sum(_counts(result, "author").values()) == TOTAL
    assert not any(v.selected for f in ("author", "section", "year")
                   for v in result.facet(f).results)  # fmt: skip


def _authors_to_try(by_author: dict[str, int]) -> list[str]:
    """The most prolific author, a middling one and one with a single entry."""
    ranked = sorted(by_author, key=lambda a: (-by_author[a], a))
    singles = [a for a in ranked if by_author[a] == 1]
    return [ranked[0], ranked[len(ranked) // 2]] + singles[:1]


def test_choosing_an_author_still_lists_every_author_with_full_counts(scale: Scale) -> None:
    by_author = scale.manifest["by_author"]
    for author in _authors_to_try(by_author):
        result = _search(scale.library, author=author)
        assert result.total == by_author[author], author
        assert _counts(result, "author") == by_author, author
        assert [v.value for v in result.facet("author").results if v.selected] == [author]
        assert {h.author for h in result.hits} == {author}


def test_choosing_a_section_and_two_authors_counts_each_facet_without_its_own_choice(
    scale: Scale,
) -> None:
    by_author = scale.manifest["by_author"]
    two = sorted(by_author, key=lambda a: -by_author[a])[:2]
    result = _search(scale.library, author=two, section="The Framework")
    both = _search(scale.library, author=two)
    framework = _search(scale.library, section="The Framework")
    # the author counts are those of the section alone, the section counts those of the authors
    assert _counts(result, "author") == _counts(framework, "author")
    assert _counts(result, "section") == _counts(both, "section")
    assert sum(_counts(both, "section").values()) == sum(by_author[a] for a in two)
    assert result.total == _counts(framework, "author").get(two[0], 0) + _counts(
        framework, "author").get(two[1], 0)  # fmt: skip


# -- facet counts against Whoosh's own grouping -------------------------------------------


REQUESTS: list[dict[str, list[str]]] = [
    {},
    {"q": ["transparency"]},
    {"q": ["behaviour OR dignity"]},
    {"q": ["organisation -autonomy"]},
    {"q": ["deprecated"], "theme": ["autonomy", "dignity"]},
    {"q": ["transparent"], "section": ["The Evidence", "The Framework"], "from": ["2025-03"]},
    {
        "section": ["The Vision"],
        "theme": ["transparency"],
        "from": ["2024-06"],
        "to": ["2025-06-30"],
    },
]


@pytest.mark.parametrize("params", REQUESTS, ids=lambda p: json.dumps(p, sort_keys=True))
def test_facet_counts_equal_whoosh_groupedby(scale: Scale, params: dict[str, list[str]]) -> None:
    """Each facet counts the matches of the query and every *other* facet's selection."""
    req = parse_request(params)
    result = scale.library.search(req)
    ix = whoosh_index.open_dir(str(scale.generation))
    with ix.searcher() as searcher:
        expect, total = expected_facets(searcher, req)
    assert result.total == total
    for facet, counts in expect.items():
        assert _counts(result, facet) == counts, facet
    assert total > 0  # each request is meant to match something
