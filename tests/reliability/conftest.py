"""Fixtures: the web app's fixture archive plus entries carrying payloads in every field, indexed
once per session; a client for it; and a larger synthetic index for costly queries."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import payloads
import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_fixtures import entry_count, write_archive

from indexer.build import build_index
from webapp import create_app

BIG_ENTRIES = 4300  # past 4096 matches the search core checks its time limit


@pytest.fixture(scope="session")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = write_archive(tmp_path_factory.mktemp("reliability") / "archive")
    payloads.write_payloads(archive)
    return archive


@pytest.fixture(scope="session")
def hostile_index(hostile_archive: Path) -> Path:
    index = hostile_archive.parent / "index"
    report = build_index(hostile_archive, index, full=True)
    assert not report.problems, [str(p) for p in report.problems]
    assert report.entries == entry_count() + len(payloads.PAYLOADS) + 8
    return index


@pytest.fixture(scope="session")
def app(hostile_index: Path) -> Flask:
    return create_app({"INDEX": str(hostile_index), "TESTING": True})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as c:
        yield c


def write_big_archive(root: Path, entries: int = BIG_ENTRIES) -> Path:
    """Write short entries over a vocabulary of thousands of made-up words, said to be English
    (made-up words have no language a detector could find; these tests are about ranges and
    time limits)."""
    rng = random.Random(5)
    letters = "abcdefghijklmnoprstuvy"
    vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(6000)]
    root.mkdir(parents=True)
    for i in range(entries):
        words = " ".join(rng.choice(vocab) for _ in range(12))
        (root / f"e{i:05d}.md").write_text(
            f'---\ntitle: "Entry {i}"\nauthor: "@w{i % 30}"\ndate: 2025-01-{1 + i % 28:02d}\n'
            f"lang: en\n---\n{words} common ground\n",
            encoding="utf-8",
        )
    return root


@pytest.fixture(scope="session")
def big_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    archive = write_big_archive(root / "archive")
    build_index(archive, root / "index", full=True)
    return root / "index"


@pytest.fixture(scope="session")
def big_app(big_index: Path) -> Flask:
    return create_app({"INDEX": str(big_index), "TESTING": True})
