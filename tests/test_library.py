"""The search core against a real on-disk index of the fixture archive."""

import re

import pytest

from indexer.params import parse_request


def search(library, **params):
    return library.search(
        parse_request({k: v if isinstance(v, list) else [v] for k, v in params.items()})
    )


def authors(result):
    return sorted(h.author for h in result.hits)


@pytest.mark.parametrize(
    "q,expected",
    [
        ("anthropomorphising", ["@kumabwari"]),
        ("anthropomorphizing", ["@kumabwari"]),
        ("anthropomorphisation", ["@kumabwari"]),
        ("Anthropomorphism", ["@kumabwari"]),
        ("autonomy", ["@MissMi1973", "@datawren"]),
        ("autonomous", ["@MissMi1973", "@datawren"]),
        ("behavior", ["@datawren", "@datawren", "@kumabwari"]),
        ("behaviours", ["@datawren", "@datawren", "@kumabwari"]),
        ("organisation", ["@datawren"]),
        ("colors", ["@datawren"]),
        ('"user autonomy"', ["@MissMi1973", "@datawren"]),
        ('"autonomy user"', []),
        ("organis*", ["@datawren"]),
        ("Anthropomorphi*", ["@kumabwari"]),
        ("autonomy NOT dignity", ["@datawren"]),
        ("autonomy -dignity", ["@datawren"]),
        ("autonomy OR anthropomorphism", ["@MissMi1973", "@datawren", "@kumabwari"]),
        ("author:@kumabwari", ["@kumabwari"]),
        ("theme:anthropomorphism", ["@kumabwari"]),
        ('theme:"Model Behavior"', ["@Seltaa_", "@datawren", "@datawren", "@kumabwari"]),
        ("theme:model-behavior", ["@Seltaa_", "@datawren", "@datawren", "@kumabwari"]),
        ("title:colour", ["@datawren"]),
        ("deprecated", ["@datawren", "@quietharbor"]),
        ("-autonomy", ["@Seltaa_", "@datawren", "@kumabwari", "@quietharbor"]),
        ("-autonomy -deprecated", ["@Seltaa_", "@kumabwari"]),
    ],
)
def test_query_syntax_and_spelling_variants(library, q, expected):
    assert authors(search(library, q=q)) == expected


@pytest.mark.parametrize(
    "q",
    [
        "autonomy (",
        '"unclosed phrase',
        "title:",
        "AND OR NOT",
        "*",
        "a*",
        "((()))",
        "field:value:other",
        "~2",
        "autonomy^",
        "[2025 TO",
        "x" * 1500,
        "\u00e9\u00e8\u2603 autonomy",
        "'",
        "\\",
        "NOT",
    ],
)
def test_malformed_queries_never_raise(library, q):
    result = search(library, q=q)
    assert result.total >= 0


def test_empty_query_browses_newest_first(library):
    result = search(library)
    assert result.total == 6
    assert [h.date for h in result.hits] == sorted((h.date for h in result.hits), reverse=True)
    assert result.hits[0].author == "@quietharbor"


def test_sort_oldest_and_pages(library):
    first = search(library, sort="oldest", per_page="2")
    second = search(library, sort="oldest", per_page="2", page="2")
    assert first.hits[0].date == "2024-03-05"
    assert first.pages == 3
    assert not {h.id for h in first.hits} & {h.id for h in second.hits}


def test_date_range_is_inclusive(library):
    assert authors(search(library, **{"from": "2025-12", "to": "2025-12"})) == ["@Seltaa_"]
    assert authors(search(library, **{"from": "2025-10-21", "to": "2025-10-21"})) == ["@MissMi1973"]
    assert search(library, **{"from": "2025"}).total == 5


def test_section_filter_takes_short_name_or_full_heading(library):
    assert authors(search(library, section="The Evidence")) == ["@Seltaa_"]
    assert authors(search(library, section="The Evidence: Data-Driven Accountability")) == [
        "@Seltaa_"
    ]


def test_values_of_one_facet_are_ored_and_facets_anded(library):
    both = search(library, author=["@kumabwari", "@datawren"])
    assert authors(both) == ["@datawren", "@datawren", "@kumabwari"]
    narrowed = search(library, author=["@kumabwari", "@datawren"], section="The Research")
    assert authors(narrowed) == ["@datawren", "@datawren"]


def counts(result, name):
    return {v.value: v.count for v in result.facet(name).results}


def test_facet_counts_are_disjunctive(library):
    result = search(library, author="@datawren")
    assert result.total == 2
    # choosing one author still shows every other author's count
    assert counts(result, "author") == {
        "@datawren": 2,
        "@kumabwari": 1,
        "@MissMi1973": 1,
        "@Seltaa_": 1,
        "@quietharbor": 1,
    }
    assert [v.value for v in result.facet("author").results if v.selected] == ["@datawren"]
    # the other facets count within the selection
    assert counts(result, "section") == {"The Research": 2}
    assert counts(result, "year") == {"2024": 1, "2025": 1}


def test_year_counts_ignore_the_date_range(library):
    result = search(library, **{"from": "2025-01", "to": "2025-12"})
    assert result.total == 4
    assert counts(result, "year") == {"2024": 1, "2025": 4, "2026": 1}
    assert [v.value for v in result.facet("year").results if v.selected] == ["2025"]
    assert counts(result, "month")["2025-10"] == 2


def test_theme_facet_has_labels(library):
    result = search(library, q="anthropomorphism")
    theme = {v.value: v for v in result.facet("theme").results}
    assert theme["anthropomorphism"].count == 1
    assert theme["anthropomorphism"].label == "Anthropomorphism"


def test_snippet_marks_the_original_words_and_escapes_the_rest(library):
    hit = search(library, q="anthropomorphizing").hits[0]
    assert "<mark>anthropomorphising</mark>" in hit.snippet
    assert set(re.findall(r"</?(\w+)", hit.snippet)) == {"mark"}
    assert "&quot;" in hit.snippet or "&#x27;" in hit.snippet or '"' not in hit.snippet


def test_snippet_marks_prefix_matches(library):
    hit = search(library, q="organis*").hits[0]
    assert "<mark>organization</mark>" in hit.snippet or "<mark>organised</mark>" in hit.snippet


def test_did_you_mean(library):
    assert search(library, q="autonomyy", typos="0").suggestion == "autonomy"
    assert search(library, q="anthropomorphsm", typos="0").suggestion is not None
    assert search(library, q="autonomy").suggestion is None


def test_entry_and_related_with_readable_shared_words(library):
    hit = search(library, q="organising evidence").hits[0]
    entry = library.entry(hit.id)
    assert entry.title == "Organising the Evidence"
    assert entry.themes and "transparency" in entry.themes
    assert entry.related
    for rel in entry.related:
        assert rel.id != entry.id
        assert rel.shared
        # readable words as written, not stems: themes and key phrases first
        words = [w for reason in rel.shared for w in reason.split()]
        assert all(w.isalpha() or "-" in w or "'" in w for w in words)
        assert rel.shared[: len(rel.themes)] == rel.themes
        assert set(rel.phrases) <= set(rel.shared)
    assert library.entry("no-such-id") is None


def test_iter_hits_gives_the_whole_result_set(library):
    req = parse_request({"per_page": ["1"], "sort": ["newest"]})
    assert len(list(library.iter_hits(req))) == 6


def test_info_and_taxonomy(library):
    info = library.info()
    assert info["entries"] == 6 and info["generation"].startswith("gen-")
    assert "autonomy" in library.taxonomy()


def test_a_library_kept_open_across_incremental_runs_answers_as_a_new_one(archive_dir, index_dir):
    """Segment tables and lengths are kept across index changes: they must never go stale."""
    import numpy as np

    from indexer.build import build_index
    from indexer.facets import FacetTable
    from indexer.library import Library

    kept = Library(index_dir)
    search(kept, q="autonomy")  # opens a view and caches the segments' columns and lengths
    edited = archive_dir / "the-research" / "organising-the-evidence.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("@datawren", "@renamed"), encoding="utf-8"
    )
    (archive_dir / "the-research" / "colour-of-data.md").unlink()
    (archive_dir / "added.md").write_text(
        '---\ntitle: Zebras\nauthor: "@zed"\ndate: 2026-05-01\n---\nZebras govern autonomy.\n',
        encoding="utf-8",
    )
    build_index(archive_dir, index_dir)
    fresh = Library(index_dir)
    for q, params in [
        ("autonomy", {}),
        ("", {}),
        ("zebras", {}),
        ("", {"author": "@zed"}),
        ("", {"author": "@renamed"}),
    ]:
        a, b = search(kept, q=q, **params), search(fresh, q=q, **params)
        assert (a.total, [h.id for h in a.hits], [h.score for h in a.hits]) == (
            b.total,
            [h.id for h in b.hits],
            [h.score for h in b.hits],
        )
        assert a.facets == b.facets
    assert search(kept, q="zebras").total == 1
    view = kept._view()
    plain = FacetTable.from_reader(view.searcher.reader())
    assert np.array_equal(view.table.live, plain.live)
    assert np.array_equal(view.table.days, plain.days)
    kept_authors, plain_authors = view.table.columns["author"], plain.columns["author"]
    assert [kept_authors.coded.values[c] for c in kept_authors.coded.codes] == [
        plain_authors.coded.values[c] for c in plain_authors.coded.codes
    ]
    assert np.array_equal(kept_authors.docs, plain_authors.docs)
    assert len(kept._tables) == len(view.searcher.reader().leaf_readers())
    # the typed-name matcher follows the new and renamed authors
    assert [x.text for x in kept.suggest("@ze") if x.kind == "author"] == ["@zed"]
    assert [x.text for x in kept.suggest("renam") if x.kind == "author"] == ["@renamed"]


def test_names_are_folded_and_keyed_again_only_when_the_names_change(archive_dir, index_dir):
    from indexer.build import build_index
    from indexer.library import Library

    kept = Library(index_dir)
    before = kept._view().named["author"]
    assert search(kept, q="", author="@datawren").total > 0
    keys = kept._view().table.columns["author"]._keys  # made by that filter
    assert keys is not None
    (archive_dir / "same-author.md").write_text(
        '---\ntitle: Okapis\nauthor: "@datawren"\ndate: 2026-05-01\n---\nOkapis.\n',
        encoding="utf-8",
    )
    build_index(archive_dir, index_dir)
    assert search(kept, q="okapis").total == 1
    assert kept._view().named["author"] is before  # the same authors: folded once
    assert kept._view().table.columns["author"]._keys is keys  # and looked up by key
    (archive_dir / "new-author.md").write_text(
        '---\ntitle: Quaggas\nauthor: "@quagga"\ndate: 2026-05-01\n---\nQuaggas.\n',
        encoding="utf-8",
    )
    build_index(archive_dir, index_dir)
    assert search(kept, q="quaggas").total == 1
    assert kept._view().named["author"] is not before
    assert [x.text for x in kept.suggest("@quag") if x.kind == "author"] == ["@quagga"]
    assert search(kept, q="", author="@quagga").total == 1


@pytest.mark.parametrize(
    "q",
    [
        "autonomy model",
        "autonomy OR model OR behaviour",
        "model -autonomy",
        '"user autonomy" model',
        "the model",
    ],
)
def test_dense_and_sorted_combining_agree(library, monkeypatch, q):
    """Or/And combine over docnum-indexed arrays when lists are long, by sorting when short."""
    from indexer import postings

    monkeypatch.setattr(postings, "DENSE_SHARE", 10**9)  # always dense
    dense = search(library, q=q)
    library._local.view = None  # a fresh view: nothing cached from the dense run
    monkeypatch.setattr(postings, "DENSE_SHARE", 0)  # always by sorting
    ranked = search(library, q=q)
    assert dense.total > 0
    assert [(h.id, h.score) for h in dense.hits] == [(h.id, h.score) for h in ranked.hits]
    assert dense.total == ranked.total and dense.facets == ranked.facets


@pytest.mark.parametrize(
    "words,slop",
    [
        (["user", "autonomi"], 1),
        (["autonomi", "user"], 1),
        (["user", "autonomi"], 3),
        (["model", "model"], 1),
        (["the", "model"], 1),
        (["nosuchword", "model"], 1),
        (["deprec", "of", "a"], 2),
        (["organ", "evid"], 5),
    ],
)
def test_phrases_match_as_whoosh_matches_them(library, words, slop):
    """The phrase fast path reads positions itself: it must find what Whoosh's Phrase finds."""
    from whoosh import query as wq

    from indexer import postings

    view = library._view()
    for field in ("title", "body"):
        q = wq.Phrase(field, words, slop=slop)
        ours = postings._phrase(q, library._postings(view))
        whoosh = postings._match_with_whoosh(q, library._postings(view))
        assert ours[0].tolist() == whoosh[0].tolist()
        assert ours[1].tolist() == whoosh[1].tolist()


def test_a_phrase_search_finds_the_words_in_order(library):
    assert search(library, q='"user autonomy"').total == 2
    assert search(library, q='"autonomy user"').total == 0


def test_days_are_counted_when_the_results_span_a_few_weeks(library):
    """Years of entries: no day facet (thousands of values); one chosen month: its days."""
    everything = library.search(parse_request({}))
    assert "day" not in [f.name for f in everything.facets]
    october = library.search(parse_request({"from": ["2025-10"], "to": ["2025-10"]}))
    days = [(v.value, v.count, v.selected) for v in october.facet("day").results]
    assert days == [("2025-10-21", 1, True), ("2025-10-25", 1, True)]
    # like years and months, a day's count ignores the other ends of the range: within it
    narrowed = library.search(parse_request({"from": ["2025-10-22"], "to": ["2025-10"]}))
    assert [v.value for v in narrowed.facet("day").results] == ["2025-10-25"]


def test_a_view_replaced_mid_request_stays_open_until_the_next_switch(
    library, index_dir, archive_dir
):
    # a reindex may switch generations while a request (or a streaming export) still reads
    # the view it began with: that view is closed one switch later, never under the request
    from indexer.build import build_index

    def rebuild(_: object) -> None:
        assert build_index(archive_dir, index_dir, full=True).problems == []

    held = library._view()
    rebuild(index_dir)
    library.info()  # the request's second look at the index opens the new generation
    assert not held.searcher.reader().is_closed
    assert library.search(parse_request({"q": ["autonomy"]})).total == 2
    rebuild(index_dir)
    library.info()
    assert held.searcher.reader().is_closed
