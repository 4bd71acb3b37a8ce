"""`make test` lints and type-checks the package before the suite (docs/testing.md says so)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _recipe(target: str) -> list[str]:
    lines = (REPO / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_make_test_runs_ruff_then_mypy_then_the_suite():
    assert _recipe("test") == ["$(BIN)/ruff check okrsheets", "$(BIN)/python -m mypy", "$(BIN)/python -m pytest"]


def test_mypy_checks_the_whole_package_with_the_tools_in_the_test_extra():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    mypy = project["tool"]["mypy"]
    assert mypy["files"] == ["okrsheets"] and mypy["python_version"] == "3.11"  # okrsheets/testing/ included
    test_extra = " ".join(project["project"]["optional-dependencies"]["test"])
    assert all(tool in test_extra for tool in ("ruff", "mypy", "types-openpyxl"))
    ignored = {module for override in mypy.get("overrides", []) if override.get("ignore_missing_imports")
               for module in override["module"]}
    assert "okrsheets" not in " ".join(ignored)  # only third-party modules without types are let through
    assert not mypy.get("ignore_missing_imports")  # no blanket ignore
