"""The library stands below the web app: no module under indexer/ imports webapp or Flask, read
from their source (an import inside a function counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE = ("webapp", "flask", "werkzeug", "jinja2")


def imported(path: Path) -> set[str]:
    """Return every module a source file imports, wherever the import stands."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reaches_above(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in ABOVE)


@pytest.mark.parametrize("path", sorted((ROOT / "indexer").rglob("*.py")), ids=lambda p: p.name)
def test_no_module_of_the_library_imports_the_web_app(path: Path) -> None:
    assert reaches_above(imported(path)) == []


def test_the_check_sees_an_import_hidden_in_a_function(tmp_path: Path) -> None:
    source = tmp_path / "sneaky.py"
    source.write_text("def serve():\n    from webapp import create_app\n    import flask\n")
    assert reaches_above(imported(source)) == ["flask", "webapp", "webapp.create_app"]
