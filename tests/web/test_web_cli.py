"""`perspectives serve` (webapp/cli.py) through click's runner, and the entry point it makes."""

import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fixture_archive import ROOT, write_archive

from indexer import cli as library_cli
from webapp import cli as web_cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("PERSPECTIVES_ARCHIVE", str(tmp_path / "archive"))
    monkeypatch.setenv("PERSPECTIVES_INDEX", str(tmp_path / "index"))
    write_archive(tmp_path / "archive")

    def invoke(*args):
        return CliRunner().invoke(web_cli.main, list(args), catch_exceptions=False)

    return invoke


def test_the_entry_point_is_the_web_apps_module_with_every_command():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["project"]["scripts"]["perspectives"] == "webapp.cli:main"
    assert web_cli.main is library_cli.main  # one group: serve is added to the library's
    assert set(web_cli.main.commands) == {
        "index",
        "check",
        "search",
        "facets",
        "suggest",
        "themes",
        "duplicates",
        "related",
        "import",
        "serve",
    }


def test_the_command_starts_without_flask_or_the_search_core():
    """`perspectives index` runs through this module after every edit: it stays light."""
    heavy = ("numpy", "nltk", "indexer.library", "flask", "webapp.app", "webapp.views")
    code = f"import sys, webapp.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_serve_builds_a_missing_index_then_serves(run, tmp_path, monkeypatch):
    seen = {}
    monkeypatch.setattr(
        "flask.Flask.run", lambda app, **kw: seen.update(kw, index=app.config["INDEX"])
    )
    result = run("serve", "--port", "5123")
    assert result.exit_code == 0, result.output
    assert "0 rejected; 6 entries" in result.output
    assert f"Serving {tmp_path / 'index'} at http://127.0.0.1:5123/" in result.output
    assert seen["port"] == 5123 and seen["index"] == str((tmp_path / "index").resolve())


def test_serve_refuses_a_bad_setting_by_name(run, monkeypatch):
    monkeypatch.setenv("PERSPECTIVES_BASE_URL", "archive.example.org")
    result = run("serve")
    assert result.exit_code == 1
    assert "PERSPECTIVES_BASE_URL: expected an http(s) URL" in result.output
    assert "'archive.example.org'" in result.output


def test_serve_watch_refuses_a_missing_archive(tmp_path):
    with pytest.raises(click.ClickException, match="nowhere: no archive folder to watch"):
        web_cli._start_watcher(tmp_path / "nowhere", tmp_path / "index", None)


def test_the_watcher_is_the_library_command_in_this_python(tmp_path, monkeypatch):
    started = {}
    monkeypatch.setattr("subprocess.Popen", lambda command, **kw: started.setdefault("c", command))
    web_cli._start_watcher(tmp_path, tmp_path / "index", Path("map.yaml"))
    assert started["c"] == [
        sys.executable,
        "-m",
        "indexer.cli",
        "index",
        "--watch",
        "--archive",
        str(tmp_path),
        "--index",
        str(tmp_path / "index"),
        "--fieldmap",
        "map.yaml",
    ]


def test_serve_says_when_the_port_is_taken_before_serving(run, tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.output
    assert f"make run PORT={port + 1}" in result.output
    assert "Serving" not in result.output


def test_search_json_is_the_api_answer_links_and_urls_included(run, tmp_path, monkeypatch):
    """`perspectives search --json` prints what GET /api/search answers, byte for byte as
    JSON: pages, generation, links, and absolute URLs when the base URL is set."""
    import json

    from webapp import create_app

    base = "https://archive.example.org"
    assert run("index").exit_code == 0
    monkeypatch.setenv("PERSPECTIVES_BASE_URL", base)
    printed = json.loads(
        run(
            "search", "autonomy", "--theme", "autonomy", "--limit", "1", "--page", "2", "--json"
        ).output
    )
    app = create_app({"INDEX": str(tmp_path / "index"), "TESTING": True, "BASE_URL": base})
    answered = (
        app.test_client().get("/api/search?q=autonomy&theme=autonomy&per_page=1&page=2").get_json()
    )
    assert printed == answered
    assert printed["links"]["prev"] == f"{base}/api/search?q=autonomy&theme=autonomy&per_page=1"
    assert printed["results"][0]["url"].startswith(f"{base}/entries/")
