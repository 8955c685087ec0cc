"""CSV and JSON exports of the whole result set, and the Atom feed."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from web_fixtures import HOSTILE_ID, HOSTILE_TITLE, assert_inert, text_of

from indexer.library import HitStream, Library
from webapp import exporting
from webapp.exporting import INCOMPLETE
from webapp.views import exports

ATOM = "{http://www.w3.org/2005/Atom}"


def csv_rows(client, query: str = "") -> list[dict[str, str]]:
    resp = client.get("/search.csv?" + query)
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def test_csv_holds_the_whole_filtered_set_not_one_page(client):
    total = client.get("/api/search?q=autonomy").get_json()["total"]
    rows = csv_rows(client, "q=autonomy&per_page=2&page=2")
    assert len(rows) == total > 2


def test_csv_records_query_filters_generation_and_time(client):
    rows = csv_rows(client, "q=autonomy&theme=autonomy&from=2025")
    generation = client.get("/api/search").get_json()["generation"]
    assert rows
    for row in rows:
        assert row["query"] == "autonomy"
        assert row["filters"] == "theme=autonomy; from=2025"
        assert row["generation"] == generation
        assert row["exported"][:2] == "20" and row["exported"].endswith("+00:00")
        assert row["url"].startswith("http://localhost/entries/")


def test_csv_cells_cannot_become_formulas(client):
    rows = {r["id"]: r for r in csv_rows(client)}
    formula = next(r for r in rows.values() if "HYPERLINK" in r["title"])
    assert formula["title"].startswith("'=HYPERLINK")
    assert formula["author"] == "'@formula"
    assert formula["note"] == "'+1 for accountability; -1 for silence"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_hostile_entry_in_csv_is_plain_text(client):
    row = next(r for r in csv_rows(client) if r["id"] == HOSTILE_ID)
    assert row["title"] == HOSTILE_TITLE  # kept as text: a CSV has no markup to run
    assert row["source"] == "javascript:alert(6)"
    assert row["url"] == f"http://localhost/entries/{HOSTILE_ID}"


def test_json_export_holds_everything_with_provenance(client):
    resp = client.get("/search.json?q=autonomy&author=@quietharbor&per_page=1")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    assert "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.get_data(as_text=True))
    total = client.get("/api/search?q=autonomy&author=@quietharbor").get_json()["total"]
    assert data["count"] == len(data["results"]) == total and data["truncated"] is False
    assert data["query"] == "autonomy"
    assert data["filters"]["author"] == ["@quietharbor"]
    assert data["generation"] and data["exported"] and data["index_built"]
    assert {"id", "title", "author", "date", "url", "snippet"} <= set(data["results"][0])


def test_export_limit_cuts_and_says_so(web_index):
    from webapp import create_app

    client = create_app({"INDEX": str(web_index), "EXPORT_LIMIT": 2}).test_client()
    data = json.loads(client.get("/search.json").get_data(as_text=True))
    assert data["count"] == 2 and data["truncated"] is True
    rows = list(csv.DictReader(io.StringIO(client.get("/search.csv").get_data(as_text=True))))
    assert len(rows) == 2


def test_hostile_snippet_in_json_export_is_inert(client):
    data = json.loads(client.get("/search.json?q=autonomy").get_data(as_text=True))
    hostile = next(r for r in data["results"] if r["id"] == HOSTILE_ID)
    assert_inert(hostile["snippet"])
    assert "<script>" not in hostile["snippet"]


def feed(client, query: str = "") -> ET.Element:
    resp = client.get("/search.atom?" + query)
    assert resp.status_code == 200
    assert resp.mimetype == "application/atom+xml"
    return ET.fromstring(resp.get_data())


def test_atom_feed_is_newest_first_and_well_formed(client):
    root = feed(client, "theme=autonomy")
    entries = root.findall(f"{ATOM}entry")
    total = client.get("/api/search?theme=autonomy").get_json()["total"]
    assert len(entries) == total
    dates = [e.findtext(f"{ATOM}published") for e in entries]
    assert dates == sorted(dates, reverse=True)
    assert root.findtext(f"{ATOM}title") == "Perspectives: (theme=autonomy)"
    assert (
        root.find(f"{ATOM}link[@rel='self']").get("href").startswith("http://localhost/search.atom")
    )
    first = entries[0]
    # a tag: URI that names the site and the entry, never the host that served the feed
    assert first.findtext(f"{ATOM}id") == f"tag:perspectives,2026-02-12:entries/{first_id(first)}"
    assert (
        first.find(f"{ATOM}link[@rel='alternate']")
        .get("href")
        .startswith("http://localhost/entries/")
    )
    assert first.find(f"{ATOM}author/{ATOM}name").text


def first_id(entry) -> str:
    return entry.find(f"{ATOM}link[@rel='alternate']").get("href").rsplit("/", 1)[1]


def test_feed_size_is_a_setting(web_index):
    from webapp import create_app

    client = create_app({"INDEX": str(web_index), "FEED_SIZE": 3}).test_client()
    assert len(feed(client).findall(f"{ATOM}entry")) == 3


def test_hostile_entry_in_the_feed_is_text(client):
    root = feed(client, "q=autonomy")
    hostile = next(
        e for e in root.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith(HOSTILE_ID)
    )
    assert hostile.find(f"{ATOM}title").get("type") == "text"
    assert hostile.findtext(f"{ATOM}title") == HOSTILE_TITLE
    assert_inert(hostile.findtext(f"{ATOM}summary"))
    assert all(link.get("href").startswith("http") for link in hostile.findall(f"{ATOM}link"))


# -- a failure while exporting: an error before the first byte, an incomplete output after ------


@pytest.fixture
def breaks_after(monkeypatch):
    """Make every hit iterator raise after n hits; read only the first before answering."""

    def install(n: int, first: int = 1) -> None:
        original = Library.iter_hits

        def iter_hits(self, req, snippets=True):
            found = original(self, req, snippets)
            return HitStream(found.total, _fail_after(found, n))

        monkeypatch.setattr(Library, "iter_hits", iter_hits)
        monkeypatch.setattr(exports, "FIRST_HITS", first)

    return install


def _fail_after(hits, n):
    for i, hit in enumerate(hits):
        if i == n:
            raise OSError("the index went away")
        yield hit


def test_json_export_cut_mid_stream_says_it_is_incomplete(client, breaks_after, caplog):
    breaks_after(2)
    resp = client.get("/search.json?q=autonomy")
    data = json.loads(resp.get_data(as_text=True))
    assert data["count"] == 2 < int(resp.headers["X-Result-Count"])
    assert data["complete"] is False and list(data)[-1] == "complete"
    assert "JSON export stopped after 2 records" in caplog.text


def test_csv_export_cut_mid_stream_says_it_is_incomplete(client, breaks_after, caplog):
    breaks_after(2)
    resp = client.get("/search.csv?q=autonomy")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))[1:]
    assert rows[-1][0].startswith(INCOMPLETE)
    assert len(rows[:-1]) == 2 < int(resp.headers["X-Result-Count"])
    assert "CSV export stopped after 2 rows" in caplog.text


@pytest.mark.parametrize("path", ["/search.json", "/search.csv"])
def test_a_failure_among_the_first_hits_answers_the_json_error(client, breaks_after, path):
    breaks_after(1, first=100)
    resp = client.get(path + "?q=autonomy")
    assert resp.status_code == 500
    assert resp.get_json()["error"]["code"] == "internal_error"


def test_complete_exports_announce_and_hold_every_row(client):
    csv_resp = client.get("/search.csv?q=autonomy")
    json_resp = client.get("/search.json?q=autonomy")
    rows = list(csv.DictReader(io.StringIO(csv_resp.get_data(as_text=True))))
    data = json.loads(json_resp.get_data(as_text=True))
    assert len(rows) == int(csv_resp.headers["X-Result-Count"]) == data["count"] > 2
    assert data["complete"] is True and list(data)[-1] == "complete"


@pytest.mark.parametrize(
    "path",
    ["/search.atom?q=autonomy", "/entries/hostile-entry.bib", "/entries/hostile-entry.csl.json"],
)
def test_the_feed_and_citations_are_whole_or_an_error(client, monkeypatch, path):
    def broken(self, *args, **kwargs):
        raise OSError("the index went away")

    monkeypatch.setattr(Library, "_hit", broken)
    monkeypatch.setattr(Library, "entry", broken)
    resp = client.get(path)
    assert resp.status_code == 500
    assert resp.get_json()["error"]["code"] == "internal_error"


def test_csv_for_a_spreadsheet_starts_with_a_byte_order_mark_by_option(client):
    plain = client.get("/search.csv?q=autonomy").get_data()
    marked = client.get("/search.csv?q=autonomy&bom=1").get_data()
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert marked.startswith(b"\xef\xbb\xbf" + plain.split(b"\r\n")[0] + b"\r\n")
    rows = list(csv.DictReader(io.StringIO(marked.decode("utf-8-sig"))))
    assert rows and "id" in rows[0] and rows[0]["id"]


def test_csv_snippet_column_is_the_matched_passage_as_text(client):
    rows = csv_rows(client, "q=autonomy&snippets=1")
    assert list(rows[0])[11:13] == ["language", "snippet"]
    api = client.get("/api/search?q=autonomy&per_page=100").get_json()["results"]
    for row in rows:
        hit = next(h for h in api if h["id"] == row["id"])
        text = html.unescape(re.sub(r"</?mark>", "", hit["snippet"]))
        assert row["snippet"] == exporting.neutralise(text)
        assert "<mark>" not in row["snippet"]
    assert any("autonomy" in r["snippet"].lower() for r in rows)
    assert "snippet" not in csv_rows(client, "q=autonomy")[0]


@pytest.mark.parametrize("query", ["bom=maybe", "snippets=2", "bom=1&bom=0"])
def test_csv_options_reject_what_they_cannot_read(client, query):
    resp = client.get("/search.csv?" + query)
    assert resp.status_code == 400
    assert resp.get_json()["error"]["parameter"] == query.split("=")[0]


def test_the_page_states_each_cap_beside_its_link(app, web_index):
    from webapp import create_app

    small = create_app(
        {"INDEX": str(web_index), "TESTING": True, "EXPORT_LIMIT": 3, "FEED_SIZE": 2}
    )
    text = text_of(small.test_client().get("/search?q=autonomy").get_data(as_text=True))
    assert "CSV download 3 rows, at most 3" in text
    assert "JSON download 3 records, at most 3" in text
    assert re.search(r"Atom feed the newest 2 of \d+", text)
    assert "The first 3 entries of" in text
    default = text_of(app.test_client().get("/search?q=autonomy").get_data(as_text=True))
    assert re.search(r"CSV download \d+ rows, at most 100,000", default)
    assert re.search(r"Atom feed all \d+, newest first; at most 50", default)


def test_the_csv_form_keeps_the_search_and_offers_both_options(client):
    markup = client.get("/search?q=autonomy&theme=autonomy&sort=newest").get_data(as_text=True)
    form = markup[markup.index('<form class="csv-options"') :]
    form = form[: form.index("</form>")]
    assert 'action="/search.csv"' in form
    hidden = re.findall(r'type="hidden" name="([^"]+)" value="([^"]+)"', form)
    assert hidden == [("q", "autonomy"), ("theme", "autonomy"), ("sort", "newest")]
    assert 'name="bom" value="1" checked' in form and 'name="snippets" value="1"' in form
