"""What templates can use: filters for dates, marks and snippets, URL helpers, versioned assets."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, g, url_for

from indexer import urls
from indexer.languages import language_name
from indexer.wording import plural
from webapp import hosts, links, render
from webapp.citation import long_date
from webapp.sitewords import SiteWords, site_words

STATIC = Path(__file__).parent / "static"


def asset_versions() -> dict[str, str]:
    """Return each static file's version: the start of its SHA-256."""
    # Static files change only with a deploy, so hashing them once per process is safe.
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:10]
        for p in STATIC.iterdir()
        if p.is_file()
    }


def install(app: Flask, versions: dict[str, str]) -> None:

    def asset(name: str) -> str:
        return url_for("static", filename=name, v=versions.get(name, "0"))

    def words() -> SiteWords:
        # once per request, and only for pages that show them
        if "site_words" not in g:
            g.site_words = site_words(
                app.extensions["perspectives.library"], app.config["SITE_NAME"]
            )
        return g.site_words

    app.jinja_env.globals.update(
        site_words=words,
        asset=asset,
        site_name=lambda: app.config["SITE_NAME"],
        author_url=links.author_url,
        section_url=links.section_url,
        language_url=links.language_url,
        language_name=language_name,
        theme_url=links.theme_url,
        entry_url=links.entry_url,
        tag_uri=links.tag_uri,
        absolute=hosts.absolute,
        is_web_url=links.is_web_url,
        author_handle=urls.author_handle,
    )
    app.jinja_env.filters.update(
        longdate=long_date,
        marked=render.marked,
        snippet=render.snippet_html,
        plural=plural,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
