"""Field maps: loading and validating them, applying them, and the three real corpora."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from indexer.archive import list_archive_files, read_archive, read_file
from indexer.fieldmap import FieldFacet, FieldMap, load_fieldmap
from indexer.records import ArchiveError, Perspective, Problem
from indexer.slugs import strip_shortcodes

ROOT = Path(__file__).resolve().parent.parent
FIELDMAPS = ROOT / "fieldmaps"
HUGO = Path(__file__).resolve().parent / "fixtures" / "hugo"


def _corpora() -> Path | None:
    """Locate the shared real corpora: $PERSPECTIVES_CORPORA, else ../shared/corpora."""
    configured = os.environ.get("PERSPECTIVES_CORPORA")
    path = Path(configured) if configured else ROOT.parent / "shared" / "corpora"
    return path if path.is_dir() else None


def _load(tmp_path: Path, text: str) -> FieldMap:
    """Load a field map written from text."""
    path = tmp_path / "fieldmap.yaml"
    path.write_text(text, encoding="utf-8")
    return FieldMap.load(path)


# Loading


def test_load_normalises_keys_to_tuples_and_records_its_file(tmp_path: Path) -> None:
    fieldmap = _load(tmp_path, "title: name\nauthor: [authors, author]\nstrip_shortcodes: true\n")
    assert fieldmap.title == ("name",)
    assert fieldmap.author == ("authors", "author")
    assert fieldmap.date == ("date",)  # untouched fields keep our own keys
    assert fieldmap.strip_shortcodes is True
    assert fieldmap.path == str(tmp_path / "fieldmap.yaml")
    assert len(fieldmap.digest) == 64


def test_an_empty_field_map_is_our_own_format(tmp_path: Path) -> None:
    assert _load(tmp_path, "# nothing\n") == FieldMap(
        path=str(tmp_path / "fieldmap.yaml"), digest=_load(tmp_path, "# nothing\n").digest
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: title\nauthros: authors\n", ":2: unknown field map key 'authros'"),
        (
            "title: title\nstrip_shortcodes: sometimes\n",
            ":2: strip_shortcodes: expected true or false",
        ),
        ("author: [authors, 3]\n", ":1: author: expected a key or a list of keys, got a list"),
        ("default_section: [a]\n", ":1: default_section: expected text, got a list"),
        ("exclude: {a: b}\n", ":1: exclude: expected a pattern or a list of patterns"),
        (
            "source_template: 'https://x/{slugg}/'\n",
            ":1: source_template: unknown placeholder 'slugg'",
        ),
        ("source_template: 'https://x/{'\n", ":1: source_template: malformed template"),
        ("- title\n- author\n", ":1: a field map must be a mapping"),
        ("title: title\ntitle: name\n", ":2: title is set twice"),
        ("title: [unclosed\n", ":2: invalid YAML"),
        ("facets: [medium]\n", ":1: facets: expected a mapping of facet names, got a list"),
        ("facets:\n  Medium: medium\n", ":2: facets: 'Medium' is not a facet name"),
        ("facets:\n  author: writer\n", ":2: facets: 'author' is taken"),
        ("facets:\n  size: size\n", ":2: facets: 'size' is taken"),
        ("facets:\n  a: a\n  a: b\n", ":3: facets: a is declared twice"),
        (
            "facets:\n  medium: [a, 3]\n",
            ":2: facets: medium: expected a key, a list of keys or a mapping, got a list holding",
        ),
        ("facets:\n  medium:\n    label: M\n", ":2: facets: medium: no 'key'"),
        (
            "facets:\n  medium:\n    key: medium\n    lable: M\n",
            ":4: facets: medium: unknown key 'lable' (known: key, label, multi)",
        ),
        (
            "facets:\n  medium:\n    key: medium\n    key: format\n",
            ":4: facets: medium: key is set twice",
        ),
        (
            "facets:\n  medium:\n    key: medium\n    multi: maybe\n",
            ":4: facets: medium: multi: expected true or false, got text",
        ),
        (
            "facets:\n  medium:\n    label: [M]\n    key: medium\n",
            ":3: facets: medium: label: expected text, got a list",
        ),
        (
            "facets:\n  medium:\n    key: {a: b}\n",
            ":3: facets: medium: key: expected a key or a list of keys, got a mapping",
        ),
    ],
)
def test_load_rejects_bad_field_maps_naming_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ArchiveError) as raised:
        _load(tmp_path, text)
    assert str(raised.value).startswith(str(tmp_path / "fieldmap.yaml") + message)


def test_facets_name_their_keys_label_and_values(tmp_path: Path) -> None:
    fieldmap = _load(
        tmp_path,
        "facets:\n  source_domain: source\n  topics:\n"
        "    key: [topics, tags]\n    label: ' Topic '\n    multi: true\n",
    )
    assert fieldmap.facets == (
        FieldFacet("source_domain", ("source",), "Source domain"),
        FieldFacet("topics", ("topics", "tags"), "Topic", True),
    )
    facet = fieldmap.facets[1].facet
    assert (facet.name, facet.title, facet.param, facet.multi) == (
        "topics",
        "Topic",
        "facet_topics",
        True,
    )
    assert (facet.stored, facet.column) == ("facet_topics", "facetcol_topics")


def test_facet_values_come_from_the_first_key_present(tmp_path: Path) -> None:
    entry = tmp_path / "e.md"
    entry.write_text(
        "---\ntitle: T\nauthor: '@a'\ndate: 2025-01-01\nsource: ''\n"
        "tags: [' A &amp; B ', x, x, '']\nkind: [news, blog]\n---\nText\n",
        encoding="utf-8",
    )
    fieldmap = FieldMap(facets=(FieldFacet("topics", ("topics", "tags"), "T", True),
                                FieldFacet("kind", ("kind",), "K"),
                                FieldFacet("site", ("source",), "S")))  # fmt: skip
    assert read_file(entry, tmp_path, fieldmap).entries[0].facets == (
        ("topics", ("A & B", "x")),
        ("kind", ("news",)),
    )


def test_load_of_a_missing_file_is_an_archive_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="cannot read the field map"):
        FieldMap.load(tmp_path / "absent.yaml")


def test_load_fieldmap_prefers_a_given_path_then_the_archive_file(tmp_path: Path) -> None:
    assert load_fieldmap(tmp_path) == FieldMap()
    given = tmp_path / "elsewhere.yaml"
    given.write_text("title: name\n", encoding="utf-8")
    assert load_fieldmap(tmp_path, given).title == ("name",)
    assert load_fieldmap(HUGO).default_section == "News"


# Applying


def test_excludes_match_names_anywhere_and_paths_from_the_root() -> None:
    fieldmap = FieldMap(exclude=("_index.md", "drafts/*", "*.tmp.md"))
    assert fieldmap.excludes("_index.md")
    assert fieldmap.excludes("2019/03/_index.md")
    assert fieldmap.excludes("drafts/one.md")
    assert not fieldmap.excludes("posts/drafts/one.md")
    assert fieldmap.excludes("a/b.tmp.md")
    assert not fieldmap.excludes("index.md")


def test_strip_shortcodes_keeps_text_between_paired_tags() -> None:
    text = 'A {{< img src="x" >}}B {{% note %}}C{{% /note %}} {% raw %}D{% endraw %}'
    text += ' [E]({{ "/" | url }})'
    assert strip_shortcodes(text) == "A B C D [E]()"
    assert strip_shortcodes("no {{< end, but {% tag %} closes") == "no {{< end, but  closes"


def test_hugo_fixture_through_its_field_map() -> None:
    archive = read_archive(HUGO)  # finds HUGO/fieldmap.yaml by itself
    assert [path.name for path in list_archive_files(HUGO)] == [
        "2024-05-01-open-data-day.md",
        "2024-06-31-no-such-day.md",
        "2025-01-15-plain-language.md",
        "2026-03-03-summary-only.md",
    ]
    assert archive.problems == [
        Problem(
            "2024-06-31-no-such-day.md",
            1,
            "the date in the file name '2024-06-31-no-such-day.md' does not exist",
        )
    ]
    open_data, plain, summary = archive.entries
    assert open_data == Perspective(
        id="2024-05-01-open-data-day",
        title="Open Data Day: What We Learned",
        authors=("alice-ng", "bo-park"),
        date=dt.date(2024, 5, 1),
        section="News",
        section_heading="News",
        source="https://example.gov/2024/05/01/open-data-day/",
        body="Forty agencies published their inventories in one day. Most of them for the first"
        " time.\nRead the [guide]() before you start.",
        path="2024-05-01-open-data-day.md",
        themes=("open-data", "analytics"),
    )
    assert (plain.date, plain.author, plain.section, plain.source, plain.themes) == (
        dt.date(2025, 1, 15),  # from the file name: the post has no date key
        "Carmen Ruiz",  # 'author' when 'authors' is absent
        "writing",  # the first of its categories
        "https://plainlanguage.example.gov/practice/",
        ("plain language", "content"),
    )
    assert plain.path == "2025/2025-01-15-plain-language.md"
    assert (summary.author, summary.body, summary.source) == (
        "Example.gov",
        "When the body is empty, the deck stands in for it.",
        "https://example.gov/2026/03/03/summary-only/",
    )


def test_keys_no_file_has_fall_back_or_give_problems(tmp_path: Path) -> None:
    entry = tmp_path / "e.md"
    entry.write_text("---\ntitle: T\nauthor: '@a'\ndate: 2025-01-01\n---\n\n", encoding="utf-8")
    fieldmap = FieldMap(title=("headline",), section=("nope",), default_section="Misc",
                        body_fallback=("summary",))  # fmt: skip
    assert read_file(entry, tmp_path, fieldmap).problems == [
        Problem("e.md", 1, "missing title: no 'headline' key"),
        Problem("e.md", 5, "empty body: nothing follows the frontmatter and no 'summary' key"),
    ]
    nothing = FieldMap(author=())
    assert read_file(entry, tmp_path, nothing).problems[0] == Problem(
        "e.md", 1, "missing author: the field map names no key for it"
    )


def test_an_empty_author_list_falls_back_to_the_next_key_or_the_default(tmp_path: Path) -> None:
    entry = tmp_path / "e.md"
    entry.write_text(
        "---\ntitle: T\nauthors: []\nauthor: '@b'\ndate: 2025-01-01\n---\nText\n", encoding="utf-8"
    )
    both = FieldMap(author=("authors", "author"))
    assert read_file(entry, tmp_path, both).entries[0].authors == ("@b",)
    fallback = FieldMap(author=("authors",), default_author="Digital.gov")
    assert read_file(entry, tmp_path, fallback).entries[0].authors == ("Digital.gov",)
    strict = FieldMap(author=("authors",))
    assert read_file(entry, tmp_path, strict).problems == [
        Problem("e.md", 3, "authors: an empty list: name at least one author")
    ]


# The three real archives in /work/shared/corpora (read-only)


@pytest.fixture(scope="module")
def corpora() -> Path:
    found = _corpora()
    if found is None:
        pytest.skip("the shared corpora are not here (set PERSPECTIVES_CORPORA)")
    return found


def test_18f_blog(corpora: Path) -> None:
    archive = read_archive(corpora / "18f-blog", FieldMap.load(FIELDMAPS / "18f-blog.yaml"))
    assert (len(archive.files), len(archive.entries)) == (509, 508)
    (problem,) = archive.problems
    assert problem.path == (
        "2016-05-19-content-debt-what-it-is-where-to-find-it-and-how-to-prevent-it-in-the-first-"
        "place.md"
    )
    assert problem.line == 5  # "- melody\t\t"
    assert "found character '\\t' that cannot start any token" in problem.reason
    assert all(entry.source.startswith("https://18f.gsa.gov/20") for entry in archive.entries)


def test_digitalgov_news(corpora: Path) -> None:
    fieldmap = FieldMap.load(FIELDMAPS / "digitalgov-news.yaml")
    archive = read_archive(corpora / "digitalgov-news", fieldmap)
    # 2,085 markdown files: SOURCE.md, Hugo's _index.md list page, and 2,083 posts
    assert len(list(corpora.glob("digitalgov-news/**/*.md"))) == 2085
    assert len(archive.files) == 2083
    assert len(archive.entries) == 2082
    assert archive.problems == [
        Problem("2018/09/2018-09-24-example.md", 1, "missing title: no 'title' key")
    ]
    assert sum(entry.author == "Digital.gov" for entry in archive.entries) == 305
    assert not any("{{<" in entry.body for entry in archive.entries)


def test_digitalgov_news_with_a_facet_of_its_own(corpora: Path, tmp_path: Path) -> None:
    """Digital.gov's `source` key (the agency of a syndicated post) as a facet: one more key
    in its field map, no code."""
    text = (FIELDMAPS / "digitalgov-news.yaml").read_text(encoding="utf-8")
    fieldmap = _load(tmp_path, text + "facets:\n  agency:\n    key: source\n")
    archive = read_archive(corpora / "digitalgov-news", fieldmap)
    values = [dict(e.facets).get("agency", ()) for e in archive.entries]
    assert len(archive.entries) == 2082 and sum(1 for v in values if v) == 257
    assert sum(v == ("18f",) for v in values) == 55 and sum(v == ("usagov",) for v in values) == 44


def test_the_commons(corpora: Path) -> None:
    fieldmap = FieldMap.load(FIELDMAPS / "the-commons.yaml")
    archive = read_archive(corpora / "the-commons" / "archive", fieldmap)
    assert (len(archive.entries), archive.problems) == (273, [])
    assert {entry.date.isoformat()[:7] for entry in archive.entries} == {"2026-02"}
    assert {entry.section for entry in archive.entries} == {"The Commons"}
