"""Schemathesis against the app's own OpenAPI document, through the WSGI app in-process: every
operation, with data that fits the document and data that does not, answers as documented and
never with a 5xx.

Schemathesis' pytest plugin does not run under pytest 9, so each operation's strategy is driven
by hypothesis directly. Two checks are narrowed to what a JSON Schema can say about a query
string. Valid data: a date the pattern admits but the calendar lacks (2025-02-30), a `to`
before `from`, or a page written "2.0" (an integer to JSON Schema, not to us) is a documented
400. Invalid data: a null or an object where a string is expected reaches the server as the
text "null" or "{...}", a valid filter value, so acceptance is not judged; the wire-level
rejections (page=abc, sort=random, from=2025-13-45...) are pinned in tests/web/test_web_errors.py.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from webapp.openapi import document

PATHS = document("http://localhost", "Perspectives")["paths"]
CASES = [
    (path, mode)
    for path, item in sorted(PATHS.items())
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or item["get"]["parameters"]  # nothing to violate
]
DATE_REJECTIONS = ("no such date", "must not be before")
INTEGERS = {p["name"] for item in PATHS.values() for p in item["get"]["parameters"]
            if p["schema"].get("type") == "integer"}  # fmt: skip


@pytest.fixture(scope="module")
def api(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.parametrize(("path", "mode"), CASES, ids=[f"{p}-{m.value}" for p, m in CASES])
def test_every_operation_conforms_and_never_answers_5xx(api, path, mode):
    operation = api[path]["GET"]

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        excluded = [positive_data_acceptance, negative_data_rejection]
        # the WSGI transport sends requests' Accept-Encoding but, unlike an HTTP client, does
        # not decode what the app then compresses (tests/web/test_web_caching.py checks that)
        plain = {"Accept-Encoding": "identity"}
        response = case.call_and_validate(excluded_checks=excluded, headers=plain)
        assert response.status_code < 500
        if mode is GenerationMode.POSITIVE and response.status_code == 400:
            error = response.json()["error"]
            if error["parameter"] in INTEGERS:
                assert "expected a whole number" in error["message"], error
            else:
                assert error["parameter"] in ("from", "to"), error
                assert any(reason in error["message"] for reason in DATE_REJECTIONS), error

    run()
