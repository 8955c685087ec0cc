"""Bounds on what one request may bring, checked before any view runs.

A body larger than MAX_CONTENT_LENGTH answers 413 (the app reads no bodies, but says so rather
than leaving it unread), a query string longer than MAX_QUERY_BYTES 414, and more than
MAX_PARAMS query parameters 400. gunicorn bounds the request line and headers before this
(4094 bytes and 100 headers by default); the development server does not.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, RequestURITooLarge


def check_request() -> None:
    """Refuse a request whose body, query string or parameter count is past its bound."""
    config = current_app.config
    if request.content_length and request.content_length > int(config["MAX_CONTENT_LENGTH"]):
        raise RequestEntityTooLarge(
            f"The request body may be at most {config['MAX_CONTENT_LENGTH']} bytes."
        )
    if len(request.query_string) > int(config["MAX_QUERY_BYTES"]):
        raise RequestURITooLarge(
            f"The query string may be at most {config['MAX_QUERY_BYTES']} bytes, "
            f"got {len(request.query_string)}."
        )
    count = sum(len(values) for values in request.args.listvalues())
    if count > int(config["MAX_PARAMS"]):
        raise BadRequest(f"At most {config['MAX_PARAMS']} query parameters, got {count}.")


def install(app: Flask) -> None:
    app.before_request(check_request)
