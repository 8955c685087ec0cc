"""The app factory: `create_app(config)` takes the defaults of `settings.SETTINGS`, then
`PERSPECTIVES_*` variables from the environment, then the mapping."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_compress import Compress

from indexer.library import Library
from webapp import caching, errors, headers, hosts, limits, templating
from webapp.settings import defaults
from webapp.views import api, browse, entries, exports, facets, search, trends

# Compressed here, so `perspectives serve` and gunicorn both send zstd, brotli or gzip; exports
# stream, and gzip streams too (flask-compress leaves it out of streams by default).
COMPRESSED_TYPES = ("text/csv", "application/x-bibtex", "application/vnd.citationstyles.csl+json")


def compress(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    ext = Compress(app)
    ext.compress_mimetypes_set |= set(COMPRESSED_TYPES)
    # registered after Compress, so it runs before it (Flask runs these in reverse)
    app.after_request(caching.buffer_static)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: settings, the index's Library, blueprints, error handlers, headers."""
    app = Flask(__name__)
    app.config.from_mapping(defaults())
    app.config.from_prefixed_env("PERSPECTIVES")
    if config:
        app.config.from_mapping(config)
    hosts.configure(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # One Library per process: it opens the index lazily, reuses its searcher and reopens
    # by itself when a new generation appears, so nothing here outlives a generation.
    app.extensions["perspectives.library"] = Library(
        Path(str(app.config["INDEX"])), prepare=bool(app.config["PREPARE"])
    )
    for blueprint in (search.bp, browse.bp, entries.bp, exports.bp, facets.bp, trends.bp, api.bp):
        app.register_blueprint(blueprint)
    versions = templating.asset_versions()
    templating.install(app, versions)
    errors.install(app)
    headers.install(app)
    limits.install(app)
    caching.install(app, versions)
    compress(app)
    return app
