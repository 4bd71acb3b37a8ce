"""okrsheets.testing is a plain package: no pytest unless you ask for the fixtures, no import cycle, no private names shared."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGES = [Path(__file__).resolve().parents[1] / "okrsheets" / "testing",
            Path(__file__).resolve().parents[1] / "okrsheets" / "backends" / "google"]


def _modules(folder: Path) -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text(encoding="utf-8")) for path in folder.glob("*.py")}


def _imports(tree: ast.Module, package: str) -> list[tuple[str, list[str]]]:
    """(module, names) of the package's own modules imported at module level."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                if module:
                    found.append((module.split(".")[0], [a.name for a in node.names]))
                else:  # from . import a, b
                    found.extend((a.name, []) for a in node.names)
            elif module.startswith(package + "."):
                found.append((module[len(package) + 1:].split(".")[0], [a.name for a in node.names]))
    return found


def test_nothing_but_the_fixtures_module_imports_pytest():
    code = (
        "import importlib, pkgutil, sys, okrsheets.testing as t\n"
        "for m in pkgutil.iter_modules(t.__path__):\n"
        "    if m.name != 'pytest_plugin': importlib.import_module('okrsheets.testing.' + m.name)\n"
        "import okrsheets.backends.google.doctor, okrsheets.cli.google\n"
        "print('pytest' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGES[0].parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_no_import_cycle_and_no_private_name_across_modules():
    for folder in PACKAGES:
        package = ".".join(folder.relative_to(folder.parents[1]).parts)
        modules = _modules(folder)
        graph = {name: {m for m, _ in _imports(tree, package) if m in modules} for name, tree in modules.items()}
        private = [f"{name} imports {target}.{n}" for name, tree in modules.items()
                   for target, names in _imports(tree, package) for n in names if n.startswith("_")]
        assert private == []

        def reach(start: str) -> set[str]:
            seen: set[str] = set()
            todo = list(graph[start])
            while todo:
                item = todo.pop()
                if item not in seen:
                    seen.add(item)
                    todo.extend(graph.get(item, ()))
            return seen

        cycles = sorted(name for name in graph if name in reach(name))
        assert cycles == [], f"{package}: import cycle through {cycles}"


def test_every_batch_update_kind_is_registered_once():
    from okrsheets.testing import batch_update  # noqa: F401  (imports the handler modules)
    from okrsheets.testing.batch_common import HANDLERS

    assert len(HANDLERS) == 45  # the kinds docs/google-fake.md lists
    assert {"addSheet", "updateCells", "addProtectedRange", "insertDimension", "addChart", "createDeveloperMetadata"} <= set(HANDLERS)
