"""The checks CI relies on run in CI: `.ci/run` runs `make test`, which runs `make lint` (ruff over
the code, tests, bench and scripts with the chosen rules, mypy over indexer and webapp) first."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _target(name: str) -> tuple[list[str], list[str]]:
    """Return a Makefile target's prerequisites and recipe lines."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{name}:(.*)\n((?:\t.*\n)*)", text, re.MULTILINE)
    assert match, name
    return match[1].split(), [line.strip() for line in match[2].splitlines()]


def test_ci_runs_make_test_and_make_test_runs_lint_first() -> None:
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip().endswith("make test")
    prerequisites, _ = _target("test")
    assert prerequisites[0] == "lint"


def test_lint_runs_ruff_over_every_python_folder_and_mypy() -> None:
    _, recipe = _target("lint")
    assert "$(BIN)/ruff check indexer webapp tests bench scripts" in recipe
    assert "$(BIN)/ruff format --check indexer webapp tests bench scripts" in recipe
    assert "$(BIN)/mypy" in recipe
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(config["tool"]["ruff"]["lint"]["select"]) >= {"E", "F", "I", "B", "UP", "SIM"}
    assert config["tool"]["mypy"]["files"] == ["indexer", "webapp"]
    assert "overrides" not in config["tool"]["mypy"]  # no package hidden from the check
    strict = ("disallow_untyped_defs", "check_untyped_defs", "warn_unused_ignores")
    assert all(config["tool"]["mypy"][flag] is True for flag in strict)  # every function checked
