"""Shared fixtures: the tiny real archive of fixture_archive, indexed into a real Whoosh index
on disk under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_archive import write_archive

from indexer.build import build_index
from indexer.library import Library


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    return write_archive(tmp_path / "archive")


@pytest.fixture
def index_dir(tmp_path: Path, archive_dir: Path) -> Path:
    index = tmp_path / "index"
    report = build_index(archive_dir, index, full=True)
    assert report.problems == []
    return index


@pytest.fixture
def library(index_dir: Path) -> Library:
    return Library(index_dir)
