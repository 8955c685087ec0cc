"""Facets declared once: the declaration, the facet table over co-authors and tag labels, and
the stored fields an entry's document is rebuilt from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from people_archive import write_people_archive
from whoosh import index as whoosh_index

from indexer.build import build_index
from indexer.documents import make_document
from indexer.facetdefs import FACETS, LABEL_SEP, SEP, facet, parse_column
from indexer.facets import FacetTable
from indexer.fieldmap import FieldMap
from indexer.library import Library
from indexer.params import parse_request
from indexer.records import Perspective, join_names
from indexer.stored import document_from_stored


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("people")
    write_people_archive(root / "archive")
    build_index(root / "archive", root / "index", full=True)
    return Library(root / "index")


def facet_of(library: Library, name: str, **params: str) -> dict[str, tuple[int, bool, str]]:
    result = library.search(parse_request({k: [v] for k, v in params.items()}))
    return {v.value: (v.count, v.selected, v.label) for v in result.facet(name).results}


def test_each_facet_is_declared_once_with_its_column_and_request_field():
    assert [(f.name, f.column, f.request, f.multi) for f in FACETS] == [
        ("theme", "themes_col", "themes", True),
        ("author", "authors_col", "authors", True),
        ("section", "section", "sections", False),
        ("language", "language", "languages", False),
    ]
    assert facet("theme").key("Open Source") == facet("theme").key("open-source") == "open-source"
    assert facet("section").key("The Evidence: Data-Driven") == "the evidence"


def test_a_column_keeps_each_value_and_a_label_that_differs():
    fields = {
        "themes": "agile,open-source",
        "theme_labels": ("", "open source"),
        "authors": ("melody", "Smith, Jo"),
        "section": "News",
    }
    assert facet("theme").column_text(fields) == f"agile{SEP}open-source{LABEL_SEP}open source"
    assert facet("author").column_text(fields) == f"melody{SEP}Smith, Jo"
    assert facet("section").column_text(fields) == "News"
    assert parse_column(facet("theme").column_text(fields)) == [
        ("agile", ""),
        ("open-source", "open source"),
    ]


def test_names_read_as_a_reader_says_them():
    assert [join_names(n) for n in [(), ("a",), ("a", "b"), ("a", "b", "c")]] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]


def test_each_co_author_is_one_value_of_the_author_facet(library: Library):
    assert facet_of(library, "author") == {
        "melody": (2, False, ""),
        "kate": (2, False, ""),
        "erica": (1, False, ""),
        "Smith, Jo": (1, False, ""),
        "@zed": (1, False, ""),
    }
    found = library.search(parse_request({"author": ["MELODY"]}))
    assert sorted(h.id for h in found.hits) == ["one", "three"]
    three = next(h for h in found.hits if h.id == "three")
    assert (three.authors, three.author) == (("melody", "kate", "erica"), "melody, kate and erica")
    # disjunctive: choosing melody still counts every other author of what the rest allows
    assert facet_of(library, "author", author="melody")["kate"] == (2, False, "")
    assert facet_of(library, "author", author="melody")["melody"] == (2, True, "")
    assert facet_of(library, "theme", author="kate")["open-source"] == (2, False, "open source")


def test_author_in_query_text_finds_each_person(library: Library):
    assert library.search(parse_request({"q": ["author:kate"]})).total == 2
    assert library.search(parse_request({"q": ["author:erica"]})).total == 1


def test_a_tag_theme_keeps_its_words_and_the_taxonomy_its_label(library: Library):
    themes = facet_of(library, "theme")
    assert themes["open-source"] == (2, False, "open source")
    assert themes["how-we-work"] == (1, False, "how we work")
    assert themes["agile"][2] == "Agile delivery"  # themes.yaml wins over the tag's "Agile"
    assert library.labels("theme")["open-source"] == "open source"


@pytest.mark.parametrize("value", ["open-source", "open source", "Open Source", "OPEN-SOURCE"])
def test_a_theme_filter_takes_the_slug_or_the_label(library: Library, value: str):
    result = library.search(parse_request({"theme": [value]}))
    assert sorted(h.id for h in result.hits) == ["three", "two"]
    assert facet_of(library, "theme", theme=value)["open-source"] == (2, True, "open source")


def test_a_taxonomy_label_selects_its_theme(library: Library):
    assert library.search(parse_request({"theme": ["Agile delivery"]})).total == 4


def test_the_table_joins_segments_with_their_pairs(library: Library):
    view = library._view()
    authors = view.table.columns["author"]
    pairs = sorted(
        (view.searcher.stored_fields(int(d))["id"], authors.coded.values[c])
        for d, c in zip(authors.docs, authors.coded.codes)
    )
    assert pairs == [
        ("one", "melody"),
        ("other", "@zed"),
        ("three", "erica"),
        ("three", "kate"),
        ("three", "melody"),
        ("two", "Smith, Jo"),
        ("two", "kate"),
    ]
    again = FacetTable.from_reader(view.searcher.reader())
    assert np.array_equal(again.columns["theme"].docs, view.table.columns["theme"].docs)


def test_stored_fields_give_back_the_document(tmp_path: Path):
    p = Perspective(
        id="e",
        title="T",
        authors=("melody", "Smith, Jo"),
        date=__import__("datetime").date(2024, 1, 2),
        section="News",
        section_heading="News: all",
        source="",
        body="Some *body*.",
        path="e.md",
        themes=("open source",),
    )
    made = make_document(p, ("agile", "open-source"))
    from indexer.schema import make_schema

    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    with ix.writer() as w:
        w.add_document(**made)
    with ix.searcher() as s:
        stored = s.stored_fields(0)
    assert stored["authors"] == ("melody", "Smith, Jo")
    assert stored["theme_labels"] == ("", "open source")
    assert document_from_stored(stored) == made


def test_fieldmap_lists_give_one_author_each(tmp_path: Path):
    from indexer.archive import read_file

    (tmp_path / "a.md").write_text(
        "---\ntitle: T\nauthors:\n- melody\n- ' kate '\n- melody\ndate: 2024-01-02\n---\nBody.\n",
        encoding="utf-8",
    )
    read = read_file(tmp_path / "a.md", tmp_path, FieldMap(author=("authors",)))
    assert read.entries[0].authors == ("melody", "kate")


def test_every_result_shape_shows_the_summary_of_the_stored_fields(library):
    """Hit and Entry carry the same summary of an entry (documents.summary), each with its own
    additions: what a field added to the summary shows everywhere."""
    import dataclasses

    from indexer.documents import summary
    from indexer.params import parse_request

    hit = library.search(parse_request({})).hits[0]
    entry = library.entry(hit.id)
    assert entry is not None
    view = library._view()
    shown = summary(view.searcher.stored_fields(view.searcher.document_number(id=hit.id)))
    for shape in (hit, entry):
        fields = dataclasses.asdict(shape)
        assert {k: fields[k] for k in shown} == shown


def test_a_columns_rows_of_chosen_values_are_every_row_holding_one_ascending():
    import numpy as np

    from indexer.facets import Coded

    rng = np.random.default_rng(3)
    coded = Coded(rng.integers(0, 7, size=500).astype(np.int32), [f"v{i}" for i in range(7)])
    for chosen in ([3], [0, 6], [2, 5, 1], [], [4]):
        rows = coded.rows(np.array(chosen, dtype=np.int32))
        assert rows.tolist() == np.flatnonzero(np.isin(coded.codes, chosen)).tolist()


class Untouchable(list):
    def __iter__(self):
        raise AssertionError("read again")


def test_a_column_joined_again_takes_the_segments_it_kept_and_equals_a_new_join():
    # an index reopened after an incremental run keeps its first segments: their join is
    # taken from the last one (a million entries' 300 segments took half a second to join)
    from indexer.facets import Coded, Column

    rng = np.random.default_rng(9)

    def part(n, names):
        per_doc = [names[i] for i in rng.integers(0, len(names), size=n)]
        return Column.read(facet("author"), per_doc), Column.read(
            facet("theme"),
            [
                " ".join(sorted({names[i] for i in rng.integers(0, len(names), size=2)}))
                for _ in range(n)
            ],
        )

    def flat(column):
        pairs = [column.coded.values[c] for c in column.coded.codes]
        return pairs, None if column.docs is None else column.docs.tolist()

    a, b, c, d, e = (
        part(n, [f"v{i}" for i in range(k)])
        for n, k in ((50, 9), (30, 4), (7, 3), (12, 20), (5, 2))
    )
    for which in (0, 1):  # single-valued (author), multi-valued (theme)
        first = [a[which], b[which], c[which]]
        sizes = [50, 30, 7]
        earlier = Column.joined(first, sizes)
        for later, later_sizes, kept in (
            ([a[which], b[which], c[which], d[which]], [50, 30, 7, 12], 3),  # one added
            ([a[which], b[which], e[which]], [50, 30, 5], 2),  # c merged into e
            ([d[which], a[which]], [12, 50], 0),  # nothing kept
        ):
            fresh = flat(Column.joined(later, later_sizes))
            saved = [column.coded.values for column in later[:kept]]
            for column in later[:kept]:  # a kept segment's values are never read again
                column.coded.values = Untouchable(column.coded.values)
            again = Column.joined(later, later_sizes, earlier)
            for column, values in zip(later, saved):
                column.coded.values = values
            assert flat(again) == fresh
            assert again.coded._ends[:kept] == earlier.coded._ends[:kept]
            if kept:  # the kept rows' codes are the earlier join's
                rows = earlier.coded._ends[kept - 1][0]
                assert np.array_equal(again.coded.codes[:rows], earlier.coded.codes[:rows])
    assert Coded.joined([], Coded.joined([a[0].coded])).codes.size == 0


@pytest.mark.parametrize("size", [1, 5, 40, 2000])
def test_a_facet_cut_among_thousands_of_ties_lists_the_first_by_name(size):
    # the listed values are those of a full sort by count, then label (or value) case folded,
    # whether the ties are ranked by the column (its own labels) or one by one (a taxonomy's)
    from indexer.facets import Coded, Column, Tally, _values

    rng = np.random.default_rng(5)
    names = [f"@{'Zz' if i % 7 == 0 else 'a'}uthor_{i:05d}" for i in range(3000)] + [""]
    labels = {names[i]: f"Name {3000 - i}" for i in range(0, 3000, 11)}
    column = Column(facet("author"), Coded(np.arange(len(names), dtype=np.int32), names), None)
    column.labels.update(labels)
    counts = rng.choice([1, 1, 1, 1, 2, 3, 9], size=len(names)).astype(np.int64)
    counts[-1] = 1  # the empty value, tied with thousands
    tally = Tally(counts, column)

    def key(i: int) -> tuple[int, str]:
        return (-int(counts[i]), (labels.get(names[i]) or names[i]).lower())

    expected = [names[i] for i in sorted((i for i in range(3000)), key=key)][:size]
    for own in (True, False):
        listed = _values(tally, frozenset(), dict(labels), size, own_labels=own)
        assert [v.value for v in listed] == expected
        assert all(v.label == labels.get(v.value, "") for v in listed)
    # a selected value past the cut still shows
    chosen = _values(tally, frozenset({names[2999]}), dict(labels), size, own_labels=True)
    assert [v.value for v in chosen][:size] == expected and chosen[-1].value == names[2999]
