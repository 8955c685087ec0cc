"""Payloads in every field of an entry stay inert in every output; security headers on every
kind of answer; request size and parameter counts bounded; no path from a request reaches
outside the index; the development server never runs the debugger.

(tests/web/test_web_security.py covers one hostile entry on the main pages; here every field
of many entries carries payloads, every internal link of the site is followed, and the JSON,
CSV, Atom, CSL and BibTeX outputs are checked field by field.)
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from payloads import FORMULA_START, PAYLOADS, TOKEN, assert_strictly_inert, payload_id

from indexer.library import Library
from webapp import render
from webapp.headers import HEADERS

ATOM = "{http://www.w3.org/2005/Atom}"
BODY_TAGS = set(render.TAGS)
PAYLOAD_IDS = [payload_id(k) for k in range(len(PAYLOADS))]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.hrefs.append(href)


def _links(markup: str) -> list[str]:
    parser = Links()
    parser.feed(markup)
    return parser.hrefs


@pytest.fixture(scope="module")
def stored(hostile_index):
    lib = Library(hostile_index)
    return {i: lib.entry(i, related=0) for i in PAYLOAD_IDS}


# -- every page of the site, reached by its own links -------------------------------------------


def test_every_page_reachable_from_the_site_is_strictly_inert(client):
    start = ["/", "/authors", "/sections", "/themes", f"/search?q={TOKEN}&per_page=100"]
    start += [f"/search?q={quote(p)}" for p in PAYLOADS]
    start += [f"/entries/{i}?q={quote(PAYLOADS[k])}" for k, i in enumerate(PAYLOAD_IDS)]
    seen: set[str] = set()
    queue = list(start)
    while queue and len(seen) < 600:
        path = queue.pop(0)
        key = path.split("#")[0]
        if key in seen or key.startswith(("/static/", "/search.", "/api/")) or ".bib" in key:
            continue
        seen.add(key)
        resp = client.get(key)
        assert resp.status_code in (200, 301, 308), (key, resp.status_code)
        if resp.status_code != 200:
            queue.append(resp.headers["Location"])
            continue
        if resp.mimetype != "text/html":  # a download (CSL, BibTeX) is data, checked below
            continue
        markup = resp.get_data(as_text=True)
        assert_strictly_inert(markup, where=key)
        # browsing pages link further; result pages add a page per hit
        if not key.startswith("/search?") or TOKEN in key:
            queue.extend(h for h in _links(markup) if "page=" not in h or TOKEN in key)
    entry_pages = {p for p in seen if p.startswith("/entries/")}
    assert len(seen) > 60 and len(entry_pages) >= len(PAYLOADS)


def test_payload_text_is_shown_as_text(client, stored):
    markup = client.get(f"/entries/{PAYLOAD_IDS[0]}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in markup and "<script>alert(" not in markup
    markup = client.get(f"/entries/{PAYLOAD_IDS[1]}").get_data(as_text=True)
    assert "<img" not in markup and "onerror=alert" in markup  # as text, never as markup


# -- JSON: values exactly as stored, HTML parts with nothing but safe markup ---------------------


def test_json_search_keeps_every_field_as_text_and_snippets_marks_only(client, stored):
    resp = client.get(f"/api/search?q={TOKEN}&per_page=100")
    assert resp.mimetype == "application/json"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    results = {r["id"]: r for r in resp.get_json()["results"]}
    assert set(PAYLOAD_IDS) <= set(results)
    for i in PAYLOAD_IDS:
        record, entry = results[i], stored[i]
        for name in ("title", "author", "section", "section_heading", "source", "note"):
            assert record[name] == getattr(entry, name), (i, name)
        assert record["themes"] == list(entry.themes)
        assert_strictly_inert(record["snippet"], allowed_tags={"mark"})


@pytest.mark.parametrize("entry_id", PAYLOAD_IDS)
def test_json_entry_body_html_is_sanitised_and_fields_exact(client, stored, entry_id):
    data = client.get(f"/api/entries/{entry_id}").get_json()
    entry = stored[entry_id]
    assert (data["title"], data["author"], data["note"]) == (entry.title, entry.author, entry.note)
    assert_strictly_inert(data["body_html"], allowed_tags=BODY_TAGS)  # relative links are inert


def test_json_export_keeps_text_and_snippets_marks_only(client, stored):
    data = json.loads(client.get(f"/search.json?q={TOKEN}").get_data(as_text=True))
    records = {r["id"]: r for r in data["results"]}
    for i in PAYLOAD_IDS:
        assert records[i]["title"] == stored[i].title
        assert_strictly_inert(records[i]["snippet"], allowed_tags={"mark"})


@pytest.mark.parametrize("entry_id", PAYLOAD_IDS)
def test_citations_keep_payloads_as_data(client, stored, entry_id):
    item = json.loads(client.get(f"/entries/{entry_id}.csl.json").get_data(as_text=True))[0]
    assert item["URL"].startswith(("http://", "https://"))
    bib = client.get(f"/entries/{entry_id}.bib").get_data(as_text=True)
    assert not re.search(r"(?<!textbackslash\{\})\\(input|include|write|url\{javascript)", bib)
    assert bib.count("{") - bib.count("\\{") == bib.count("}") - bib.count("\\}")  # balanced


# -- Atom -----------------------------------------------------------------------------------------


def test_atom_feed_is_well_formed_with_text_titles_and_inert_summaries(client, stored):
    resp = client.get(f"/search.atom?q={TOKEN}")
    root = ET.fromstring(resp.get_data())  # ]]> and control characters cannot break it
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) >= 20
    by_id = {e.findtext(f"{ATOM}id").rsplit("/", 1)[1]: e for e in entries}
    for i in set(PAYLOAD_IDS) & set(by_id):
        entry = by_id[i]
        assert entry.find(f"{ATOM}title").get("type") == "text"
        assert (
            entry.findtext(f"{ATOM}title").strip()
            == re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", stored[i].title).strip()
        )
        assert_strictly_inert(entry.findtext(f"{ATOM}summary"), allowed_tags={"mark"})
        for link in entry.findall(f"{ATOM}link"):
            assert link.get("href").startswith(("http://", "https://")), link.get("href")


def test_atom_feed_title_carries_query_payloads_as_text(client):
    for payload in PAYLOADS:
        resp = client.get("/search.atom", query_string={"q": payload})
        root = ET.fromstring(resp.get_data())
        assert root.find(f"{ATOM}title").text.startswith("Perspectives")


# -- CSV: no cell a spreadsheet would evaluate ----------------------------------------------------


@pytest.mark.parametrize("q", [TOKEN, "=1+1", "+cmd", "-x", "@SUM(1)", "\tq", ""])
def test_csv_never_starts_a_cell_with_a_formula_character(client, q):
    resp = client.get("/search.csv", query_string={"q": q})
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert len(rows) > 1 or q != TOKEN
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (q, cell[:60])


def test_csv_keeps_payload_text_behind_the_apostrophe(client, stored):
    rows = csv.DictReader(io.StringIO(client.get(f"/search.csv?q={TOKEN}").get_data(as_text=True)))
    by_id = {r["id"]: r for r in rows}
    for i in PAYLOAD_IDS:
        for name in ("title", "author", "section", "note", "source"):
            value = getattr(stored[i], name)
            expected = "'" + value if value.startswith(FORMULA_START) else value
            assert by_id[i][name] == expected.replace("\r\n", "\n"), (i, name)


# -- headers on every kind of answer ---------------------------------------------------------------

KINDS = [
    ("GET", "/api/search?page=abc"),  # 400
    ("GET", "/entries/no-such-entry"),  # 404 page
    ("GET", "/api/entries/no-such-entry"),  # 404 JSON
    ("POST", "/api/search"),  # 405
    ("HEAD", "/search?q=autonomy"),
    ("OPTIONS", "/api/search"),
    ("GET", "/search?" + "x=1&" * 300),  # 400: too many parameters
    ("GET", "/search?q=" + "x" * 40_000),  # 414
    ("GET", "/authors/%3Cscript%3E"),
    ("GET", f"/entries/{PAYLOAD_IDS[0]}.bib"),
]


@pytest.mark.parametrize(("method", "path"), KINDS, ids=[f"{m} {p[:30]}" for m, p in KINDS])
def test_security_headers_on_every_kind_of_answer(client, method, path):
    resp = client.open(path, method=method)
    assert resp.status_code < 500
    for name, value in HEADERS.items():
        assert resp.headers.get(name) == value, (name, path)
    csp = resp.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp


# -- request bounds ------------------------------------------------------------------------------


def test_a_request_body_past_the_limit_answers_413(client):
    resp = client.get("/api/search", data=b"x" * 70_000, content_type="text/plain")
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "too_large"


def test_a_query_string_past_the_limit_answers_414(client):
    resp = client.get("/api/search?q=" + "x" * 40_000)
    assert resp.status_code == 414
    assert resp.get_json()["error"]["code"] == "uri_too_long"


def test_too_many_parameters_answer_400(client):
    resp = client.get("/api/search?" + "&".join(f"p{i}=1" for i in range(201)))
    assert resp.status_code == 400
    assert "query parameters" in resp.get_json()["error"]["message"]
    assert client.get("/api/search?" + "&".join(f"p{i}=1" for i in range(200))).status_code == 200


def test_too_many_values_of_one_filter_answer_400(client):
    resp = client.get("/api/search?" + "&".join(f"theme=t{i}" for i in range(51)))
    assert resp.status_code == 400 and resp.get_json()["error"]["parameter"] == "theme"


def test_query_text_past_its_limit_answers_400(client):
    resp = client.get("/api/search", query_string={"q": "a" * 2001})
    assert resp.status_code == 400 and resp.get_json()["error"]["parameter"] == "q"


# -- paths from requests stay inside the index -------------------------------------------------

TRAVERSALS = [
    "/entries/..%2F..%2Fsecret.txt",
    "/entries/%2Fetc%2Fpasswd",
    "/api/entries/..%2F..%2F..%2Fsecret.txt",
    "/api/entries/....%2F%2F....%2F%2Fsecret.txt",
    "/entries/%2e%2e%2f%2e%2e%2fsecret.txt.bib",
    "/entries/..%5C..%5Csecret.txt.csl.json",
    "/static/../secret.txt",
    "/static/..%2f..%2fsecret.txt",
    "/static/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/static//etc/passwd",
    "/static/..%252f..%252fsecret.txt",
    "/authors/..%2F..%2Fsecret.txt",
    "/themes/..%2F..%2Fsecret.txt",
    "/sections/..%2Fsecret.txt",
    "/search.csv?q=../../secret.txt&theme=../../secret.txt",
    "/search?q=%00../../secret.txt",
    "/entries/" + quote("/etc/passwd\x00.md", safe=""),
]

CONFINEMENT = r"""
import json, os, sys
from pathlib import Path
index, secret, paths = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), json.loads(sys.argv[3])
from webapp import create_app
app = create_app({"INDEX": str(index)})
client = app.test_client()
client.get("/api/search?q=warm")  # open the index and import what requests import
opened = []
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and args[0] is not None:
        if isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.path.realpath(os.fsdecode(args[0])))
sys.addaudithook(hook)
answers = {}
for path in paths:
    resp = client.get(path)
    answers[path] = [resp.status_code, resp.get_data(as_text=True)]
print(json.dumps({"opened": sorted(set(opened)), "answers": answers}))
"""


def test_no_path_from_a_request_reaches_outside_the_index(hostile_index, tmp_path):
    secret = hostile_index.parent / "secret.txt"  # beside the index and the archive
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CONFINEMENT, str(hostile_index), str(secret), json.dumps(TRAVERSALS)],
        capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    for path, (status, body) in result["answers"].items():
        assert status in (200, 308, 400, 404), (path, status)  # 308: a slash merged
        assert "TOP-SECRET" not in body and "root:x:0:0" not in body, path
    webapp_dir = Path(render.__file__).resolve().parent
    allowed = (str(hostile_index.resolve()), str(webapp_dir), sys.prefix, sys.base_prefix)
    own_memory = re.compile(r"/proc/(self|\d+)/statm")  # the library checks its mapped pages
    for opened in result["opened"]:
        assert (
            opened.startswith(allowed)
            or opened.startswith(("/etc/mime", "/usr/share/"))
            or (own_memory.fullmatch(opened))
        ), opened
        assert "secret" not in opened and "passwd" not in opened, opened


# -- never the debugger ----------------------------------------------------------------------------


def test_perspectives_serve_never_runs_the_debugger(hostile_archive, hostile_index, monkeypatch):
    import werkzeug.serving
    from click.testing import CliRunner

    from webapp.cli import main

    seen = {}
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("PERSPECTIVES_DEBUG", "true")
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda *a, **kw: seen.update(kw))
    result = CliRunner().invoke(
        main, ["serve", "--archive", str(hostile_archive), "--index", str(hostile_index)]
    )
    assert result.exit_code == 0, result.output
    assert seen["use_debugger"] is False and seen["use_reloader"] is False


def test_an_error_page_shows_no_traceback_even_in_debug_mode(hostile_index, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app({"INDEX": str(hostile_index)})

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("secret detail")

    resp = app.test_client().get("/api/boom")
    assert resp.status_code == 500
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text and "secret detail" not in text and "__debugger__" not in text


class Hrefs(HTMLParser):
    """Collect every element's href (text that reads 'href="…"' is no link)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k == "href" and v]


def test_a_url_like_a_source_stays_a_plain_link_target(client, stored):
    for i in PAYLOAD_IDS:
        hrefs = Hrefs()
        hrefs.feed(client.get(f"/entries/{i}").get_data(as_text=True))
        for href in hrefs.hrefs:
            scheme = urlsplit(href).scheme
            assert scheme in ("", "http", "https", "mailto"), (i, href)


def test_a_scoped_page_links_to_itself_by_its_quoted_path(client):
    # an author named "… &#60;b&#62;…" has '#' and spaces in its path: unquoted, the page's own
    # sort, filter and page links ended at the '#' and led to a 404
    authors = client.get("/authors").get_data(as_text=True)
    link = next(h for h in _links(authors) if "%23" in h)
    page = client.get(link).get_data(as_text=True)
    own = [h for h in _links(page) if h.startswith("/authors/")]
    assert own and all("#" not in h and " " not in h for h in own), own[:3]
    assert all(client.get(h).status_code == 200 for h in own[:10])
