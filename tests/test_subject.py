"""Entries on the same subject (subject.py): after the entries holding a query's words, when they
are few, the entries that share the key words of the best of them; through the core, the CLI,
the API and the page."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from indexer.cli import main
from indexer.library import Library
from indexer.params import BadParameter, parse_request
from webapp import create_app

# Entries that say "grief", entries that speak of the same loss without the word, and filler
# about other things, so that the key words of the first are rare in the archive.
GRIEF = {
    "grief-1": "Grief after the farewell: we lit a candle and kept vigil through the mourning.",
    "grief-2": "My grief is quiet. The candle, the vigil, the farewell letters, the mourning.",
    "grief-3": "Notes on grief and mourning: a farewell, a candle in the window.",
}
KIN = {
    "kin-1": "A vigil by candle light, a farewell sung, and mourning shared with friends.",
    "kin-2": "Mourning takes time; the farewell letters and one candle on the table.",
    "kin-3": "We kept vigil, said farewell, and the mourning went on for weeks.",
    "kin-4": "A candle for each farewell; mourning is how the vigil ends.",
}
FILLER_WORDS = [
    "garden",
    "river",
    "budget",
    "invoice",
    "compiler",
    "bicycle",
    "orchard",
    "harbor",
    "lantern",
    "quarry",
    "ledger",
    "pepper",
    "violin",
    "glacier",
    "meadow",
    "tractor",
    "canyon",
    "mosaic",
    "pottery",
    "bridge",
    "ferry",
    "tunnel",
    "orbit",
    "comet",
    "quartz",
    "willow",
    "falcon",
    "pebble",
    "saddle",
    "anchor",
]
SECTIONS = ("Letters", "Notes")


def _write(root: Path, n_filler: int) -> Path:
    root.mkdir(parents=True)
    rng = random.Random(7)
    bodies = dict(GRIEF) | dict(KIN)
    for i in range(n_filler):
        bodies[f"filler-{i:03d}"] = " ".join(rng.sample(FILLER_WORDS, 8)).capitalize() + "."
    for i, (slug, body) in enumerate(bodies.items()):
        (root / f"{slug}.md").write_text(
            f'---\ntitle: "{slug.replace("-", " ").title()}"\nauthor: "@w{i % 5}"\n'
            f'date: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\nsection: "{SECTIONS[i % 2]}"\n'
            f"source: https://example.org/{slug}\n---\n{body}\n",
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("subject")
    archive = _write(base / "archive", 120)
    report = build_index(archive, base / "index", full=True)
    assert report.problems == []
    return base


@pytest.fixture(scope="module")
def lib(built: Path) -> Library:
    return Library(built / "index")


def search(lib: Library, q: str, **params: str):
    return lib.search(
        parse_request({"q": [q], "per_page": ["50"], **{k: [v] for k, v in params.items()}})
    )


def test_the_words_first_then_entries_on_their_subject(lib: Library) -> None:
    r = search(lib, "grief")
    ids = [h.id for h in r.hits]
    assert set(ids[:3]) == set(GRIEF)
    assert [h.subject for h in r.hits[:3]] == [False] * 3
    assert set(ids[3:]) == set(KIN)  # filler shares no key word
    assert all(h.subject and not h.partial for h in r.hits[3:])
    assert r.total == 7 and r.on_subject == 4
    assert {"mourning", "farewell", "candle", "vigil"} <= set(r.subject_words)
    assert "grief" not in r.subject_words  # they cannot hold the word asked for


def test_a_subject_entry_shows_the_key_words_it_shares(lib: Library) -> None:
    hit = next(h for h in search(lib, "grief").hits if h.subject)
    assert "<mark>" in hit.snippet
    marked = {m.split("</mark>")[0].lower() for m in hit.snippet.split("<mark>")[1:]}
    assert marked <= {"mourning", "farewell", "candle", "vigil", "letters", "kept"}


def test_switched_off_only_the_words(lib: Library) -> None:
    r = search(lib, "grief", subject="0")
    assert {h.id for h in r.hits} == set(GRIEF)
    assert r.on_subject == 0 and r.subject_words == ()
    with pytest.raises(BadParameter, match="subject"):
        parse_request({"q": ["grief"], "subject": ["yes"]})


def test_strict_queries_and_well_served_queries_get_none(lib: Library) -> None:
    assert search(lib, '"grief"').on_subject == 0  # operators and quotes stay strict
    assert search(lib, "grief AND candle").on_subject == 0
    many = search(lib, "garden river")  # the words find 50 or more: nothing added
    assert many.total >= 50 and many.on_subject == 0


def test_filters_apply_to_them_and_facets_count_them(lib: Library) -> None:
    r = search(lib, "grief", section="Letters")
    assert r.hits and all(h.section == "Letters" for h in r.hits)
    assert sum(v.count for v in r.facet("section").results if v.selected) == r.total
    everything = search(lib, "grief")
    assert sum(v.count for v in everything.facet("author").results) == everything.total


def test_by_date_they_still_come_after_the_words(lib: Library) -> None:
    hits = search(lib, "grief", sort="newest").hits
    assert [h.subject for h in hits] == [False] * 3 + [True] * 4
    dates = [h.date for h in hits[3:]]
    assert dates == sorted(dates, reverse=True)


def test_a_small_archive_gets_none(tmp_path: Path) -> None:
    archive = _write(tmp_path / "archive", 40)  # 47 entries: too few to tell a subject
    build_index(archive, tmp_path / "index", full=True)
    r = search(Library(tmp_path / "index"), "grief")
    assert r.on_subject == 0 and r.total == 3


def test_cli_says_where_they_begin(built: Path) -> None:
    args = ["search", "--index", str(built / "index"), "grief", "--limit", "10"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert out.output.startswith('3 results for "grief" and 4 on its subject')
    assert "on the same subject, without your words" in out.output
    off = CliRunner().invoke(main, [*args, "--no-subject"])
    assert off.output.startswith('3 results for "grief" (page 1 of 1)')


def test_api_and_page(built: Path) -> None:
    app = create_app({"INDEX": str(built / "index"), "TESTING": True})
    client = app.test_client()
    data = client.get("/api/search?q=grief").get_json()
    assert data["on_subject"] == 4 and "mourning" in data["subject_words"]
    assert [row["subject"] for row in data["results"]] == [False] * 3 + [True] * 4
    page = client.get("/search?q=grief").get_data(as_text=True)
    assert "Entries on the same subject" in page
    assert "3 entries" in page and "and 4 on its subject" in page
    assert "subject=0" in page  # the way to switch it off
    off = client.get("/search?q=grief&subject=0").get_data(as_text=True)
    assert "Entries on the same subject" not in off
    assert client.get("/api/search?q=grief&subject=2").status_code == 400


def test_the_key_words_entries_stay_within_the_budget(built: Path, monkeypatch) -> None:
    # the subject's postings are read in full: their sum is bounded at any archive size
    from indexer import subject

    strong = search(Library(built / "index"), "grief")
    monkeypatch.setattr(subject, "POSTINGS", 12)
    lib = Library(built / "index")
    r = search(lib, "grief")
    view = lib._view()
    held = sum(view.searcher.doc_frequency("body", stem(w)) for w in r.subject_words)
    assert r.on_subject > 0 and 0 < held <= 12
    assert set(r.subject_words) < set(strong.subject_words)
    monkeypatch.setattr(subject, "POSTINGS", 0)
    assert search(Library(built / "index"), "grief").on_subject == 0


def stem(word: str) -> str:
    from indexer.analysis import stems

    return stems(word)[0]
