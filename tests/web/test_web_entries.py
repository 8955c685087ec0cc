"""The entry page, its citations and its JSON."""

from __future__ import annotations

import json
import re

from web_fixtures import HOSTILE_ID, assert_inert, text_of


def entry_ids(client) -> list[str]:
    return [r["id"] for r in client.get("/api/search?per_page=100").get_json()["results"]]


def find_id(client, title_part: str) -> str:
    results = client.get("/api/search?per_page=100").get_json()["results"]
    return next(r["id"] for r in results if title_part in r["title"])


def test_every_entry_page_renders_and_is_inert(client):
    for entry_id in entry_ids(client):
        resp = client.get(f"/entries/{entry_id}")
        assert resp.status_code == 200, entry_id
        assert_inert(resp.get_data(as_text=True))


def test_entry_page_shows_metadata_body_note_source_and_themes(client):
    entry_id = find_id(client, "Living With a Model")
    markup = client.get(f"/entries/{entry_id}").get_data(as_text=True)
    assert '<h1 id="entry-title" lang="en">Living With a Model</h1>' in markup
    assert "@quietharbor" in markup and "13 February 2026" in markup
    assert "letters to my sister" in markup
    assert "Written on the last day before the model was retired." in markup
    assert '<a class="source-link" href="https://example.org/quietharbor/living"' in markup
    assert 'href="/themes/deprecation"' in markup
    assert 'href="/sections/the-stories"' in markup


def test_markdown_is_rendered(client):
    markup = client.get(f"/entries/{find_id(client, 'Autonomy Is Not')}").get_data(as_text=True)
    assert "<em>Autonomy</em>" in markup
    seed = client.get(f"/entries/{find_id(client, 'Dignity')}").get_data(as_text=True)
    assert "<ol>" in seed and "<strong>" in seed


def test_hostile_entry_page_is_inert_text(client):
    markup = client.get(f"/entries/{HOSTILE_ID}").get_data(as_text=True)
    assert_inert(markup)
    visible = text_of(markup)
    assert '<script>alert("title")</script> Autonomy under attack' in visible  # shown as text
    assert "Autonomy matters." in visible and "bold" in visible
    assert "javascript:" not in re.sub(r"<[^>]*>", "", markup.split('<dl class="facts">')[0])
    assert 'href="javascript' not in markup.lower()
    assert "(not a web link)" in markup  # the javascript: source is shown, never linked
    assert "<iframe" not in markup and "evil.example" not in markup


def test_related_entries_show_the_words_they_share_and_can_be_followed(client):
    entry_id = find_id(client, "Autonomy Is Not")
    data = client.get(f"/api/entries/{entry_id}").get_json()
    assert data["related"], "the fixture's entries share words"
    markup = client.get(f"/entries/{entry_id}").get_data(as_text=True)
    first = data["related"][0]
    assert f'href="/entries/{first["id"]}"' in markup
    for word in first["shared"]:
        kind = "word word-theme" if word in first["themes"] else "word"
        assert f'<span class="{kind}">{word}</span>' in markup
    assert client.get(f"/entries/{first['id']}").status_code == 200


def test_more_by_the_same_author(client):
    markup = client.get(f"/entries/{find_id(client, 'Autonomy Is Not')}").get_data(as_text=True)
    assert "More by @quietharbor" in markup
    assert f'href="/entries/{find_id(client, "Living With a Model")}"' in markup
    lonely = client.get(f"/entries/{find_id(client, 'Dignity')}").get_data(as_text=True)
    assert "the only entry by @MissMi1973" in lonely


def test_search_words_are_highlighted_in_title_and_body(client):
    entry_id = find_id(client, "Autonomy Is Not")
    markup = client.get(f"/entries/{entry_id}?q=autonomy+dignity").get_data(as_text=True)
    assert "<mark>Autonomy</mark> Is Not a Setting" in markup
    assert "<em><mark>Autonomy</mark></em>" in markup
    assert "<mark>dignity</mark>" in markup
    assert "Results for “autonomy dignity”" in markup
    plain = client.get(f"/entries/{entry_id}").get_data(as_text=True)
    assert "<mark>" not in plain


def test_highlighting_keeps_hostile_entries_inert(client):
    markup = client.get(f"/entries/{HOSTILE_ID}?q=autonomy+script+img+onerror").get_data(
        as_text=True
    )
    assert_inert(markup)
    assert "<mark>" in markup


def test_citation_block_and_meta_tags(client):
    entry_id = find_id(client, "When 75%")
    markup = client.get(f"/entries/{entry_id}").get_data(as_text=True)
    assert (
        '<meta name="citation_title" content="When 75% Say No, That’s Failure">' in markup
        or '<meta name="citation_title" content="When 75% Say No, That&#39;s Failure">' in markup
    )
    assert '<meta name="citation_author" content="@Seltaa_">' in markup
    assert '<meta name="citation_publication_date" content="2025/12/12">' in markup
    assert (
        f'<meta name="citation_public_url" content="http://localhost/entries/{entry_id}">' in markup
    )
    assert "@misc{" in markup and "author = {{@Seltaa\\_}}" in markup
    assert "https://x.com/Seltaa_/status/2000658565456126382" in markup
    assert f'href="/entries/{entry_id}.csl.json"' in markup


def test_csl_json_download(client):
    entry_id = find_id(client, "When 75%")
    resp = client.get(f"/entries/{entry_id}.csl.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.citationstyles.csl+json"
    assert "attachment" in resp.headers["Content-Disposition"]
    [item] = json.loads(resp.get_data(as_text=True))
    assert item["type"] == "post" and item["id"] == entry_id
    assert item["author"] == [{"literal": "@Seltaa_"}]
    assert item["issued"] == {"date-parts": [[2025, 12, 12]]}
    assert item["URL"].startswith("https://x.com/Seltaa_/")


def test_bibtex_download(client):
    resp = client.get(f"/entries/{find_id(client, 'When 75%')}.bib")
    assert resp.status_code == 200 and resp.mimetype == "application/x-bibtex"
    text = resp.get_data(as_text=True)
    assert text.startswith("@misc{seltaa2025") and "year = {2025}" in text and "month = dec" in text
    assert text.count("{") == text.count("}")


def test_hostile_citations_stay_data(client):
    [item] = json.loads(client.get(f"/entries/{HOSTILE_ID}.csl.json").get_data(as_text=True))
    assert item["URL"] == f"http://localhost/entries/{HOSTILE_ID}"  # not the javascript: source
    bib = client.get(f"/entries/{HOSTILE_ID}.bib").get_data(as_text=True)
    assert "javascript:" not in bib and bib.count("{") - bib.count("\\{") == bib.count(
        "}"
    ) - bib.count("\\}")


def test_entry_api(client):
    entry_id = find_id(client, "Living With a Model")
    data = client.get(f"/api/entries/{entry_id}").get_json()
    assert data["id"] == entry_id and data["author"] == "@quietharbor"
    assert data["url"] == f"http://localhost/entries/{entry_id}"
    assert "<p>For a year" in data["body_html"]
    assert all({"id", "title", "shared", "url"} <= set(r) for r in data["related"])
    assert data["citation"]["csl_json"].endswith(f"/entries/{entry_id}.csl.json")


def test_hostile_entry_api_body_html_is_clean(client):
    data = client.get(f"/api/entries/{HOSTILE_ID}").get_json()
    assert_inert(data["body_html"])
    assert data["title"].startswith("<script>")  # data stays data; JSON is not HTML
