"""Security headers on every response, CORS on the machine-readable ones, and a `Server`
header that names no versions (the development server's handler says only "Perspectives")."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.serving import WSGIRequestHandler

from webapp.errors import MACHINE_SUFFIXES

# No 'unsafe-inline' anywhere: every script and style is a static file.
CSP_DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "manifest-src 'self'",
)
CSP = "; ".join(CSP_DIRECTIVES)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    origin = current_app.config.get("CORS_ORIGIN")
    if origin and (request.path.startswith("/api/") or request.path.endswith(MACHINE_SUFFIXES)):
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def install(app: Flask) -> None:
    app.after_request(add_headers)


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's handler, with a `Server` header that names no versions."""

    def version_string(self) -> str:
        return "Perspectives"
