"""The one place where exceptions become responses: the JSON error shape or a friendly page.

JSON (`{"error": {"code", "message"}}`) answers the API, the exports and the feed, and any
client that prefers JSON to HTML; people get the same status with an HTML page.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from indexer.library import IndexMissing
from indexer.results import BadParameter
from indexer.trends import UnknownTheme

MACHINE_SUFFIXES = (".json", ".csv", ".atom", ".bib")
CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    414: "uri_too_long",
    431: "headers_too_large",
    500: "internal_error",
    503: "unavailable",
}


class NotFound(HTTPException):
    """An id, handle, slug or section that the archive does not have."""

    code = 404

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def wants_json() -> bool:
    """Tell whether this request is answered with JSON rather than HTML."""
    path = request.path
    if path.startswith("/api/") or path.endswith(MACHINE_SUFFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, code: str, message: str, **extra: str) -> Response:
    """Answer with the JSON error shape or the error page, with the given status."""
    if wants_json():
        resp = jsonify({"error": {"code": code, "message": message, **extra}})
    else:
        html = render_template("error.html", status=status, code=code, message=message, **extra)
        resp = Response(html, mimetype="text/html")
    resp.status_code = status
    return resp


def handle_bad_parameter(exc: BadParameter) -> Response:
    return error_response(400, "bad_parameter", str(exc), parameter=exc.name)


def handle_not_found(exc: NotFound) -> Response:
    return error_response(404, "not_found", exc.what)


def handle_unknown_theme(exc: UnknownTheme) -> Response:
    return error_response(404, "not_found", f"theme: {exc}", parameter="theme")


def handle_index_missing(exc: IndexMissing) -> Response:
    return error_response(503, "unavailable", str(exc))


def handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    resp = error_response(status, CODES.get(status, "http_error"), exc.description or exc.name)
    if status == 405 and exc.get_response().headers.get("Allow"):
        resp.headers["Allow"] = exc.get_response().headers["Allow"]
    return resp


UNTRUSTED_HOST = (
    "This server does not answer for the host name this request gave. Its operator can list "
    "the name in PERSPECTIVES_TRUSTED_HOSTS, or set PERSPECTIVES_BASE_URL."
)


def handle_untrusted_host(exc: SecurityError) -> Response:
    # Never echo the Host header (a shared cache could keep the page for others), and no
    # page template: without a trusted host there are no URLs to build.
    if wants_json():
        resp = jsonify({"error": {"code": "untrusted_host", "message": UNTRUSTED_HOST}})
    else:
        resp = Response(UNTRUSTED_HOST + "\n", mimetype="text/plain")
    resp.status_code = 400
    return resp


def handle_unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return handle_http(exc)
    from flask import current_app

    current_app.logger.exception("unhandled error on %s", request.full_path)
    return handle_http(InternalServerError("Something went wrong on our side; it has been logged."))


def install(app: Flask) -> None:
    """Register the handlers on the app."""
    app.register_error_handler(BadParameter, handle_bad_parameter)
    app.register_error_handler(NotFound, handle_not_found)
    app.register_error_handler(UnknownTheme, handle_unknown_theme)
    app.register_error_handler(IndexMissing, handle_index_missing)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(Exception, handle_unexpected)
