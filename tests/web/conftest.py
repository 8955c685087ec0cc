"""Fixtures: the web app over a small real archive indexed once per session (see web_fixtures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_fixtures import build

from webapp import create_app


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("webapp"))


@pytest.fixture(scope="session")
def app(web_index: Path) -> Flask:
    return create_app({"INDEX": str(web_index), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


_FUZZ = pytest.StashKey[dict]()


@pytest.fixture
def fuzz_report(request: pytest.FixtureRequest) -> dict:
    """Return where the volume fuzzing test leaves its figures, for the terminal summary."""
    return request.config.stash.setdefault(_FUZZ, {})


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    report = config.stash.get(_FUZZ, None)
    if report:
        terminalreporter.write_sep("-", "grammar fuzzing")
        terminalreporter.write_line(
            f"{report['requests']} requests in {report['seconds']:.1f} s, by status: "
            f"{report['statuses']}"
        )
