"""HTTP caching: versioned static files kept for a year, and validators on what the index makes.

Static files are linked as `/static/style.css?v=<hash>` (see templating); a request whose `v`
is the file's current hash gets `Cache-Control: public, max-age=31536000, immutable`, any other
keeps `no-cache`. Feeds, API answers, exports and citations carry a weak `ETag` made of the
index version (its generation and segments), the deploy (settings, templates, static files) and
the request's URL: the same request on the same index gives the same answer, so a matching
`If-None-Match` answers `304` before any search runs. The ETag is weak because compression
changes the bytes, not the meaning. Workers and replicas with the same deploy agree on it.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, make_response, request

from webapp.core import library
from webapp.settings import SETTINGS

TEMPLATES = Path(__file__).parent / "templates"
YEAR = 31_536_000
EXTENSION = "perspectives.deploy"


def install(app: Flask, versions: dict[str, str]) -> None:
    """Remember what identifies this deploy, and cache versioned static files for a year."""
    settings = [(s.name, repr(app.config[s.name])) for s in SETTINGS]
    templates = sorted((p.name, p.read_bytes()) for p in TEMPLATES.iterdir() if p.is_file())
    app.extensions[EXTENSION] = hashlib.sha256(
        repr((settings, templates, sorted(versions.items()))).encode()
    ).hexdigest()[:12]

    @app.after_request
    def static_headers(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            name = (request.view_args or {}).get("filename", "")
            if versions.get(name) and request.args.get("v") == versions[name]:
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        return response


def buffer_static(response: Response) -> Response:
    """Read a static file into memory, so compression closes it (the files are small; a
    compressed stream would leave the file open)."""
    if request.endpoint == "static" and response.status_code == 200 and response.is_streamed:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def etag() -> str:
    """Return the validator of this request's answer on the index being read now."""
    key = repr((library().version(), current_app.extensions[EXTENSION], request.full_path))
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def validated(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 304 when the client holds this answer; else send it with its ETag."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        tag = etag()
        if request.if_none_match.contains_weak(tag):
            response = Response(status=304)
        else:
            response = make_response(view(*args, **kwargs))
        response.set_etag(tag, weak=True)
        # Stored, but checked again at every use: a new index generation changes the answer.
        response.headers["Cache-Control"] = "no-cache"
        return response

    return wrapper
