"""The base URL and trusted hosts: no answer ever carries a Host header the server does not
own, absolute URLs follow PERSPECTIVES_BASE_URL, and Atom ids do not depend on the host."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from webapp import create_app
from webapp.hosts import BadSetting

PAGES = (
    "/",
    "/search?q=autonomy",
    "/search.atom",
    "/search.csv",
    "/search.json?q=autonomy",
    "/api/search?q=autonomy",
    "/api/entries/organising-the-evidence",
    "/api/openapi.json",
    "/entries/organising-the-evidence",
    "/entries/organising-the-evidence.bib",
    "/entries/organising-the-evidence.csl.json",
    "/themes",
    "/no-such-page",
)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize("path", PAGES)
def test_an_untrusted_host_gets_400_without_its_name(client, path):
    resp = client.get(path, headers={"Host": "attacker.invalid"})
    assert resp.status_code == 400
    assert b"attacker.invalid" not in resp.get_data()
    assert "attacker.invalid" not in str(resp.headers)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000", "localhost:8080"])
def test_trusted_hosts_are_answered(client, host):
    assert client.get("/api/search", headers={"Host": host}).status_code == 200


@pytest.fixture(scope="module")
def based(web_index):
    """A base URL and no host check: whatever Host comes, the URLs are the base URL's."""
    config = {"BASE_URL": "https://archive.example.org/perspectives/", "TRUSTED_HOSTS": []}
    return create_app({"INDEX": str(web_index), **config}).test_client()


def test_the_base_url_host_is_trusted_beside_the_list(web_index):
    config = {"INDEX": str(web_index), "BASE_URL": "https://archive.example.org"}
    client = create_app(config).test_client()
    for host, status in [
        ("archive.example.org", 200),
        ("localhost", 200),
        ("attacker.invalid", 400),
    ]:
        assert client.get("/api/search", headers={"Host": host}).status_code == status, host


WITH_URLS = {p for p in PAGES if p.startswith(("/search.", "/api/", "/entries/"))}


@pytest.mark.parametrize("path", PAGES[:-1])
@pytest.mark.parametrize("host", ["attacker.invalid", "localhost"])
def test_with_a_base_url_no_answer_follows_the_host(based, path, host):
    resp = based.get(path, headers={"Host": host})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "attacker.invalid" not in text and "localhost" not in text
    if path in WITH_URLS:
        assert "https://archive.example.org/perspectives" in text


def test_the_base_url_reaches_feeds_citations_openapi_and_meta(based):
    base = "https://archive.example.org/perspectives"
    assert based.get("/api/openapi.json").get_json()["servers"] == [{"url": base}]
    record = based.get("/api/entries/organising-the-evidence").get_json()
    assert record["url"] == f"{base}/entries/organising-the-evidence"
    assert record["citation"]["bibtex"] == f"{base}/entries/organising-the-evidence.bib"
    assert f"{base}/entries/organising-the-evidence" in based.get(
        "/entries/organising-the-evidence.bib"
    ).get_data(as_text=True)
    page = based.get("/entries/organising-the-evidence").get_data(as_text=True)
    assert f'<link rel="canonical" href="{base}/entries/organising-the-evidence">' in page
    assert f'name="citation_public_url" content="{base}/entries/organising-the-evidence"' in page
    feed = ET.fromstring(based.get("/search.atom").get_data())
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{base}/search.atom"
    assert based.get("/api/search").get_json()["links"]["self"].startswith(f"{base}/api/search")


def feed_ids(client, host: str) -> list[str]:
    root = ET.fromstring(client.get("/search.atom", headers={"Host": host}).get_data())
    return [root.findtext(f"{ATOM}id")] + [
        e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")
    ]


def test_atom_ids_are_the_same_whichever_host_served_them(client, based):
    ids = feed_ids(client, "localhost")
    assert len(ids) > 5 and all(i.startswith("tag:perspectives,") for i in ids)
    assert feed_ids(client, "127.0.0.1:5000") == ids
    assert feed_ids(based, "attacker.invalid") == ids


@pytest.mark.parametrize(
    "config, named",
    [
        ({"BASE_URL": "archive.example.org"}, "PERSPECTIVES_BASE_URL"),
        ({"BASE_URL": "ftp://archive.example.org"}, "PERSPECTIVES_BASE_URL"),
        ({"BASE_URL": "https://archive.example.org/?x=1"}, "PERSPECTIVES_BASE_URL"),
        ({"TRUSTED_HOSTS": 5}, "PERSPECTIVES_TRUSTED_HOSTS"),
        ({"TRUSTED_HOSTS": []}, "PERSPECTIVES_TRUSTED_HOSTS"),
    ],
)
def test_bad_settings_are_refused_by_name(web_index, config, named):
    with pytest.raises(BadSetting, match=named):
        create_app({"INDEX": str(web_index), **config})


def test_trusted_hosts_from_the_environment(web_index, monkeypatch):
    monkeypatch.setenv("PERSPECTIVES_TRUSTED_HOSTS", "archive.example.org, .mirror.example")
    client = create_app({"INDEX": str(web_index)}).test_client()
    for host, status in [
        ("archive.example.org", 200),
        ("eu.mirror.example", 200),
        ("localhost", 400),
        ("attacker.invalid", 400),
    ]:
        assert client.get("/api/search", headers={"Host": host}).status_code == status, host


def test_an_empty_trusted_list_with_a_base_url_answers_any_host(web_index):
    client = create_app(
        {"INDEX": str(web_index), "BASE_URL": "https://a.example", "TRUSTED_HOSTS": []}
    ).test_client()
    resp = client.get("/api/openapi.json", headers={"Host": "attacker.invalid"})
    assert resp.status_code == 200 and b"attacker.invalid" not in resp.get_data()
