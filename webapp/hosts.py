"""Which host the app answers for, and the one root every absolute URL starts with.

With `BASE_URL` set, every absolute URL (feeds, citations, the API's links, the OpenAPI
`servers`, exports) starts with it, whatever Host a request names. Without it, URLs follow the
request's host, so only the hosts of `TRUSTED_HOSTS` are answered (Flask checks each request
against them; any other host answers 400 without echoing the name it gave).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for


class BadSetting(ValueError):
    """A setting whose value cannot work; the message names the setting and the value."""


def base_url(value: Any) -> str:
    """Return a checked base URL without its trailing slash ("" when none is set)."""
    text = str(value or "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise BadSetting(
            f"PERSPECTIVES_BASE_URL: expected an http(s) URL such as https://archive.example.org "
            f"(optionally with a path, no query), got {text!r}"
        )
    return text.rstrip("/")


def trusted_hosts(value: Any) -> list[str]:
    """Return the trusted host names from a list or a comma-separated string."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(h, str) for h in items):
        raise BadSetting(
            f'PERSPECTIVES_TRUSTED_HOSTS: expected host names, as a JSON list (["a.example"]) '
            f"or separated by commas, got {value!r}"
        )
    return [h.strip() for h in items if h.strip()]


def root() -> str:
    """Return the root of absolute URLs: the base URL, or the (trusted) request's own."""
    return current_app.config["BASE_URL"] or request.host_url.rstrip("/")


def absolute(path: str) -> str:
    """Return an app path ("/entries/x", as url_for gives it) as an absolute URL."""
    base = current_app.config["BASE_URL"]
    if not base:
        return request.host_url.rstrip("/") + path
    script = request.script_root
    return base + (path[len(script) :] if script and path.startswith(script) else path)


def external_url(endpoint: str, **values: Any) -> str:
    """Return url_for's URL made absolute from the base URL (url_for(_external=True) would
    follow the Host header)."""
    return absolute(url_for(endpoint, **values))


def configure(app: Flask) -> None:
    """Check BASE_URL and TRUSTED_HOSTS, and have Flask refuse the hosts it does not trust."""
    base = app.config["BASE_URL"] = base_url(app.config["BASE_URL"])
    hosts = trusted_hosts(app.config["TRUSTED_HOSTS"])
    if not hosts and not base:
        raise BadSetting(
            "PERSPECTIVES_TRUSTED_HOSTS is empty and PERSPECTIVES_BASE_URL is not set: any Host "
            "header would be answered and written into the URLs of feeds and citations; "
            "set PERSPECTIVES_BASE_URL, or list the host names readers use"
        )
    if hosts and base:
        hosts.append(urlsplit(base).hostname or "")
    # An empty list makes Flask answer any host: only with a base URL, which no Host changes.
    app.config["TRUSTED_HOSTS"] = hosts or None
