"""Security headers everywhere; no page needs inline script or style; hostile text stays text."""

from __future__ import annotations

import re

import pytest
from web_fixtures import HOSTILE_ID, assert_inert

PAGES = [
    "/",
    "/search?q=autonomy",
    "/search?q=zzzz",
    "/themes",
    "/themes/autonomy",
    "/authors",
    "/authors/quietharbor",
    "/sections",
    "/sections/the-stories",
    f"/entries/{HOSTILE_ID}",
    f"/entries/{HOSTILE_ID}?q=autonomy",
    "/search?page=abc",
    "/entries/nope",
]
OTHERS = [
    "/api/search",
    "/search.csv",
    "/search.json",
    "/search.atom",
    "/api/openapi.json",
    f"/entries/{HOSTILE_ID}.csl.json",
    "/static/style.css",
    "/static/app.js",
]


@pytest.mark.parametrize("path", PAGES + OTHERS)
def test_security_headers_on_every_response(client, path):
    resp = client.get(path)
    csp = resp.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    resp.close()


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_style_or_handlers(client, path):
    markup = client.get(path).get_data(as_text=True)
    assert_inert(markup)
    # app.js everywhere, suggest.js where there is a search box that asks for suggestions
    scripts = ["app"] + (["suggest"] if "data-suggest=" in markup else [])
    assert re.findall(r"<script\b[^>]*>", markup) == [
        re.search(rf'<script src="/static/{name}\.js\?v=\w+" defer>', markup)[0] for name in scripts
    ]


def test_hostile_entry_is_inert_in_search_results(client):
    markup = client.get("/search?q=autonomy&per_page=100").get_data(as_text=True)
    assert f'href="/entries/{HOSTILE_ID}?q=autonomy"' in markup
    assert_inert(markup)
    assert (
        "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in markup
        or "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in markup
    )


def test_hostile_author_and_section_pages_are_inert(client):
    markup = client.get("/authors").get_data(as_text=True)
    link = re.search(r'href="(/authors/[^"]*onerror[^"]*)"', markup)[1]
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    assert_inert(page.get_data(as_text=True))
    assert client.get("/sections/the-hostile").status_code == 200
    assert_inert(client.get("/sections/the-hostile").get_data(as_text=True))


def test_static_files_are_served_with_their_types(client):
    for name, types in [
        ("style.css", ("text/css",)),
        ("app.js", ("text/javascript", "application/javascript")),
    ]:
        resp = client.get(f"/static/{name}")
        assert resp.status_code == 200 and resp.mimetype in types
        resp.close()
