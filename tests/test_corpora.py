"""The three real archives in <shared>/corpora, each indexed on disk with its field map from
fieldmaps/ and searched through the search core.

18f-blog: 509 posts, one with a tab in its YAML frontmatter, reported with path and line; the
other 508 are searchable. digitalgov-news: 2,083 Hugo posts, one without a title; template
shortcodes are not text. the-commons: 273 messages already in our format.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from indexer.build import BuildReport, build_index
from indexer.library import Library
from indexer.params import parse_request
from indexer.records import Problem

ROOT = Path(__file__).resolve().parent.parent
FIELDMAPS = ROOT / "fieldmaps"


def _corpora() -> Path | None:
    """$PERSPECTIVES_CORPORA, else $PERSPECTIVES_SHARED/corpora, else ../shared/corpora."""
    candidates = []
    if os.environ.get("PERSPECTIVES_CORPORA"):
        candidates.append(Path(os.environ["PERSPECTIVES_CORPORA"]))
    if os.environ.get("PERSPECTIVES_SHARED"):
        candidates.append(Path(os.environ["PERSPECTIVES_SHARED"]) / "corpora")
    candidates.append(ROOT.parent / "shared" / "corpora")
    return next((c for c in candidates if c.is_dir()), None)


CORPORA = _corpora()


@dataclass
class Built:
    archive: Path
    report: BuildReport
    library: Library


def _build(tmp_path_factory: pytest.TempPathFactory, name: str, archive: str = "") -> Built:
    if CORPORA is None:
        pytest.skip(
            "the shared corpora are not here (set PERSPECTIVES_CORPORA to <shared>/corpora)"
        )
    folder = CORPORA / name / archive
    index = tmp_path_factory.mktemp(name) / "index"
    report = build_index(folder, index, full=True, fieldmap=FIELDMAPS / f"{name}.yaml")
    return Built(folder, report, Library(index))


def _ids(library: Library, q: str, typos: bool = True) -> list[str]:
    """Return the ids of the entries holding the query's words (none only on their subject;
    with `typos`, their near spellings' too where the archive lacks a word)."""
    req = parse_request({"q": [q], "subject": ["0"], "typos": ["1" if typos else "0"]})
    return [h.id for h in library.iter_hits(req, snippets=False)]


# -- 18F blog -----------------------------------------------------------------------------

BROKEN_18F = "2016-05-19-content-debt-what-it-is-where-to-find-it-and-how-to-prevent-it-in-the-first-place.md"


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory, "18f-blog")


def test_18f_reports_the_one_broken_file_with_its_line(blog: Built) -> None:
    (problem,) = blog.report.problems
    assert (problem.path, problem.line) == (BROKEN_18F, 5)  # line 5: "- melody\t\t"
    assert "'\\t'" in problem.reason
    assert str(problem).startswith(f"{BROKEN_18F}:5: invalid YAML")
    assert blog.report.rejected == 1


def test_18f_indexes_and_finds_the_other_508_posts(blog: Built) -> None:
    assert blog.report.entries == 508
    assert blog.library.search(parse_request({})).total == 508
    assert _ids(blog.library, "pepperoni") == [
        "2014-04-12-how-a-pepperoni-pizza-is-inspiring-open-government"
    ]
    # a name only in that post's body and in a demo-day post's
    assert set(_ids(blog.library, "Vembar")) == {
        "2014-04-12-how-a-pepperoni-pizza-is-inspiring-open-government",
        "2014-05-16-slides-from-the-inaugural-18f-demo-day",
    }
    # the broken post is not half-indexed
    assert not any(i.startswith("2016-05-19-content-debt") for i in _ids(blog.library, "debt"))


def test_18f_liquid_tags_are_not_text(blog: Built) -> None:
    # words found only inside {% image … %} and {% raw %}/{% endraw %} tags
    for word in ("endraw", "image00", "image03", "larrybot", "escritorio", "image_with_class"):
        assert _ids(blog.library, word) == [], word


# -- Digital.gov news ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory, "digitalgov-news")


@pytest.mark.slow  # 12-30 s to index on 2 cores, depending on load
def test_digitalgov_indexes_2082_posts_and_reports_the_one_without_a_title(news: Built) -> None:
    assert news.report.problems == [
        Problem("2018/09/2018-09-24-example.md", 1, "missing title: no 'title' key")
    ]
    assert (news.report.entries, news.report.rejected) == (2082, 1)
    assert news.library.search(parse_request({})).total == 2082
    authors = news.library.search(parse_request({"author": ["Digital.gov"]}))
    assert authors.total == 305


@pytest.mark.slow
def test_digitalgov_shortcodes_are_not_text(news: Built) -> None:
    # words found only inside {{< … >}} shortcodes: their names, image credits and alt texts
    for word in (
        "img-right",
        '"img-right"',
        "legacy-img-right",
        "deadlink",
        "tmp",
        "hemera",
        "gajus",
        "maxkabakov",
        "chalkboard",
        "businesswoman",
        "handshake",
        "skyscraper",
    ):
        hits = _ids(news.library, word, typos=False)  # "deadlink" is near "deadline"
        with_shortcode = []
        for entry_id in hits:
            entry = news.library.entry(entry_id, related=0)
            assert entry is not None
            if re.search(r"\{\{<\s*img-right", (news.archive / entry.path).read_text("utf-8")):
                with_shortcode.append(entry_id)
        # "img-right" as two words also finds posts with raw <img …> HTML and "right" in their text
        assert with_shortcode == [], word
        if word != "img-right":
            assert hits == [], word


# -- The Commons --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def commons(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build(tmp_path_factory, "the-commons", "archive")


def test_the_commons_indexes_273_messages(commons: Built) -> None:
    assert (commons.report.problems, commons.report.entries) == ([], 273)
    result = commons.library.search(parse_request({}))
    assert result.total == 273
    assert [(v.value, v.count) for v in result.facet("section").results] == [("The Commons", 273)]
    assert "commons-001" in _ids(commons.library, "gathering")


def test_18f_co_authors_are_people(blog: Built) -> None:
    """Each person listed in `authors:` is one value: melody has 46 indexed posts."""
    melody = blog.library.search(parse_request({"author": ["melody"]}))
    assert melody.total == 46
    values = blog.library.search(parse_request({})).facet("author").results
    assert len(values) == 273 and not [v.value for v in values if "," in v.value]
    three = next(
        h for h in blog.library.iter_hits(parse_request({}), snippets=False) if len(h.authors) == 3
    )
    assert three.author == f"{three.authors[0]}, {three.authors[1]} and {three.authors[2]}"


def test_18f_tags_keep_their_words(blog: Built) -> None:
    totals = {
        v: blog.library.search(parse_request({"theme": [v]})).total
        for v in ("open source", "open-source", "Open Source")
    }
    assert set(totals.values()) == {55}
    in_text = {
        q: blog.library.search(parse_request({"q": [q]})).total
        for q in ('theme:"open source"', "theme:open-source", "theme:Open_Source")
    }
    assert set(in_text.values()) == {55}
    themes = blog.library.search(parse_request({})).facet("theme").results
    assert next(v.label for v in themes if v.value == "open-source") == "open source"


def test_18f_pages_list_people_cite_co_authors_and_show_labels(blog: Built) -> None:
    from webapp import create_app

    client = create_app({"INDEX": str(blog.library.index_dir), "TESTING": True}).test_client()
    assert "273 people" in client.get("/authors").get_data(as_text=True)
    bib = client.get("/entries/2024-06-27-18fs-engineering-craft-basics-at-10.bib").get_data(
        as_text=True
    )
    assert "author = {{logan-mcdonald} and {alex-bielen} and {alex-soble}}" in bib
    csl = client.get("/entries/2024-06-27-18fs-engineering-craft-basics-at-10.csl.json").get_json()
    assert len(csl[0]["author"]) == 3
    slug = client.get("/api/search?theme=open-source&per_page=100").get_json()
    words = client.get("/api/search?theme=open%20source&per_page=100").get_json()
    assert slug["total"] == words["total"] == 55
    assert [r["id"] for r in slug["results"]] == [r["id"] for r in words["results"]]
    assert ">open source</a>" in client.get("/themes").get_data(as_text=True)


def test_18f_every_tag_and_author_can_be_found_and_chosen(blog: Built) -> None:
    """Each of the 142 tags and 273 authors: typed into the facet's filter box (the API the box
    asks), found, and chosen (the search it leads to selects it); and listed on the facet's
    page of its own, which needs no JavaScript."""
    from webapp import create_app

    client = create_app({"INDEX": str(blog.library.index_dir), "TESTING": True}).test_client()
    facets = client.get("/api/search?facet_size=0&per_page=1").get_json()["facets"]
    assert (len(facets["theme"]), len(facets["author"])) == (142, 273)
    for name in ("theme", "author"):
        page = client.get(f"/facets/{name}?per_page=1000").get_data(as_text=True)
        for v in facets[name]:
            found = client.get(f"/api/facets/{name}", query_string={"q": v["label"]}).get_json()
            assert v["value"] in [r["value"] for r in found["results"]], (name, v)
            chosen = client.get("/api/search", query_string={name: v["value"], "per_page": 1})
            body = chosen.get_json()
            assert body["total"] == v["count"], (name, v)
            assert [s["value"] for s in body["facets"][name] if s["selected"]] == [v["value"]]
            assert f'name="{name}" value="{html.escape(v["value"])}"' in page, (name, v)


# the bundled archive's words (its site.yaml and themes) that another archive must never show
BUNDLED_WORDS = (
    "autonomy",
    "anthropomorph",
    "accountability",
    "dignity",
    "user trust",
    "ai development",
)


@pytest.mark.parametrize("name", ["blog", "commons"])
def test_home_pages_speak_in_the_archives_own_words(request, name: str) -> None:
    from webapp import create_app

    built: Built = request.getfixturevalue(name)
    client = create_app({"INDEX": str(built.library.index_dir), "TESTING": True}).test_client()
    markup = client.get("/").get_data(as_text=True)
    patterns = {
        "intro": r'<section class="intro">.*?</section>',
        "examples": r'<p class="examples">.*?</p>',
        "footer": r"<footer.*?</footer>",
        "meta": r'<meta name="description"[^>]*>',
        "placeholder": r'id="q" name="q" value="" placeholder="[^"]*"',
    }
    own = {k: re.search(p, markup, re.DOTALL)[0] for k, p in patterns.items()}
    text = " ".join(own.values()).lower()
    assert not [w for w in BUNDLED_WORDS if w in text]
    examples = re.findall(r">([^<]+)</a>", own["examples"])
    themes = [
        t["label"] for t in client.get("/api/search?facet_size=2").get_json()["facets"]["theme"]
    ]
    assert len(examples) == 4 and examples[: len(themes)] == themes
    entries = built.library.info()["entries"]
    assert f"{entries} entries" in text


# -- issue 10: suggestions while typing, typo tolerance, synonyms --------------------------


def test_18f_suggests_while_typing(blog: Built) -> None:
    found = blog.library.suggest("desig")
    assert [(s.kind, s.text) for s in found[:2]] == [("word", "design"), ("word", "designer")]
    assert found[0].count > 250
    assert ("theme", "design") in [(s.kind, s.value) for s in found]
    assert any(s.kind == "title" and "design" in s.text.lower() for s in found)
    assert [s.text for s in blog.library.suggest("govern") if s.kind == "word"][:1] == [
        "government"
    ]


def test_18f_near_spellings_are_searched_at_once(blog: Built) -> None:
    lib = blog.library
    design = set(_ids(lib, "design"))
    found = lib.search(parse_request({"q": ["desing"], "subject": ["0"]}))
    assert [n.to_dict() for n in found.near] == [{"typed": "desing", "words": ["design"]}]
    assert set(_ids(lib, "desing")) == design and len(design) > 300
    assert "<mark>design</mark>" in found.hits[0].snippet.lower()
    assert _ids(lib, '"desing"') == []  # quoted: never fuzzed
    assert lib.search(parse_request({"q": ["desing"], "typos": ["0"]})).total == 0
    government = lib.search(parse_request({"q": ["goverment"], "subject": ["0"]}))
    assert [n.words for n in government.near] == [("government",)]
    assert set(_ids(lib, "goverment")) == set(_ids(lib, "government"))


def test_18f_words_as_typed_rank_above_near_spellings(blog: Built) -> None:
    # "posible" is in one post; "possible", one edit away, in a great many
    lib = blog.library
    typed = _ids(lib, '"posible"')
    assert len(typed) == 1
    found = lib.search(parse_request({"q": ["posible"], "subject": ["0"]}))
    assert [(n.typed, n.words) for n in found.near] == [("posible", ("possible",))]
    assert found.total > 50
    assert found.hits[0].id == typed[0]


def test_digitalgov_synonyms_find_posts_that_only_say_the_other_words(
    news: Built, tmp_path: Path
) -> None:
    index = news.library.index_dir
    rules = tmp_path / "synonyms.yaml"
    rules.write_text("- [telework, remote work]\n", encoding="utf-8")
    build_index(news.archive, index, fieldmap=FIELDMAPS / "digitalgov-news.yaml", synonyms=rules)
    try:
        lib = Library(index)
        found = lib.search(
            parse_request({"q": ["telework"], "subject": ["0"], "per_page": ["100"]})
        )
        assert [u.to_dict() for u in found.synonyms] == [
            {"typed": "telework", "matched": ["remote work"]}
        ]
        only = [h for h in found.hits if h.synonyms]
        typed = set(_ids(lib, '"telework"'))
        assert only and not {h.id for h in only} & typed  # they never say telework
        remote = set(_ids(lib, '"remote work"'))
        assert {h.id for h in only} <= remote
        # the word as typed first, then its stem-mates (teleworking) and the synonym alike
        exact = [
            i for i, h in enumerate(found.hits) if "<mark>telework</mark>" in h.snippet.lower()
        ]
        assert exact and max(exact) < found.hits.index(only[0])
    finally:
        build_index(news.archive, index, fieldmap=FIELDMAPS / "digitalgov-news.yaml")
    assert Library(index).search(parse_request({"q": ["telework"]})).synonyms == ()
