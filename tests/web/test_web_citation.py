"""Citations: plain text, BibTeX, CSL-JSON and meta tags from an Entry."""

from __future__ import annotations

from indexer.results import Entry
from webapp import citation

URL = "http://localhost/entries/e1"


def entry(**changes) -> Entry:
    base = {
        "id": "e1",
        "title": '"Keep {it} 100% & #real"',
        "author": "@a_b",
        "date": "2025-10-21",
        "section": "The Vision",
        "section_heading": "The Vision: Why",
        "themes": ("autonomy",),
        "source": "https://x.com/a_b/status/1?s=20",
        "note": "",
        "body": "",
        "path": "p.md",
    }
    base.update(changes)
    return Entry(**base)


def test_plain_text_reference():
    assert citation.text(entry(), "Perspectives", URL) == (
        "@a_b. “Keep {it} 100% & #real.” The Vision: Why, Perspectives, 21 October 2025. "
        "https://x.com/a_b/status/1?s=20. Archived at http://localhost/entries/e1."
    )


def test_bibtex_escapes_and_balances():
    bib = citation.bibtex(entry(), "Perspectives", URL)
    assert bib.startswith("@misc{ab2025keep,\n")
    assert r"title = {{Keep \{it\} 100\% \& \#real}}" in bib
    assert r"author = {{@a\_b}}" in bib and "month = oct" in bib
    assert "url = {https://x.com/a_b/status/1?s=20}" in bib


def test_non_web_sources_are_never_cited_as_links():
    e = entry(source="javascript:alert(1)")
    assert "javascript" not in citation.text(e, "P", URL)
    assert "javascript" not in citation.bibtex(e, "P", URL)
    assert citation.csl(e, "P", URL)["URL"] == URL


def test_csl_item():
    item = citation.csl(entry(note="n"), "Perspectives", URL)
    assert item["issued"] == {"date-parts": [[2025, 10, 21]]}
    assert item["title"] == "Keep {it} 100% & #real" and item["note"] == "n"


def test_meta_tags_for_zotero():
    tags = dict(citation.meta_tags(entry(), "Perspectives", URL))
    assert tags["citation_title"] == "Keep {it} 100% & #real"
    assert tags["citation_publication_date"] == "2025/10/21"
    assert tags["citation_public_url"] == URL


def test_co_authors_are_cited_as_people():
    e = entry(author="melody, kate and erica", authors=("melody", "kate", "erica"))
    bib = citation.bibtex(e, "Perspectives", URL)
    assert "author = {{melody} and {kate} and {erica}}" in bib
    assert bib.startswith("@misc{melody2025keep,")
    assert citation.csl(e, "Perspectives", URL)["author"] == [
        {"literal": "melody"},
        {"literal": "kate"},
        {"literal": "erica"},
    ]
    tags = citation.meta_tags(e, "Perspectives", URL)
    assert [v for k, v in tags if k == "citation_author"] == ["melody", "kate", "erica"]
    assert citation.text(e, "P", URL).startswith("melody, kate and erica. ")
