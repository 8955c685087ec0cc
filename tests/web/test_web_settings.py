"""Settings: declared once, documented in the README, read from the environment and the mapping."""

from __future__ import annotations

import re
from pathlib import Path

from webapp import create_app
from webapp.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]


def _section(text: str, title: str) -> str:
    match = re.search(rf"^(#+) {title}\s*$(.*?)(?=^\1 |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"no '{title}' section"
    return match[2]


def test_every_setting_is_documented_in_the_readme():
    settings = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Settings")
    for s in SETTINGS:
        assert f"PERSPECTIVES_{s.name}" in settings, s.name


def test_the_readme_table_matches_the_declarations():
    fragment = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Settings")
    for s in SETTINGS:
        assert f"`PERSPECTIVES_{s.name}`" in fragment and s.help in fragment, s.name


def test_names_are_unique_and_help_is_given():
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    assert all(s.help.strip() for s in SETTINGS)


def test_defaults_then_environment_then_mapping(monkeypatch, tmp_path):
    for s in SETTINGS:
        monkeypatch.delenv(f"PERSPECTIVES_{s.name}", raising=False)
    app = create_app()
    assert all(app.config[s.name] == s.default for s in SETTINGS)
    monkeypatch.setenv("PERSPECTIVES_PER_PAGE", "7")
    monkeypatch.setenv("PERSPECTIVES_INDEX", str(tmp_path))
    app = create_app()
    assert app.config["PER_PAGE"] == 7 and app.config["INDEX"] == str(tmp_path)
    assert create_app({"PER_PAGE": 3}).config["PER_PAGE"] == 3


def test_per_page_setting_sets_the_default_page_size(web_index):
    client = create_app({"INDEX": str(web_index), "PER_PAGE": 2}).test_client()
    data = client.get("/api/search").get_json()
    assert data["per_page"] == 2 and len(data["results"]) == 2
