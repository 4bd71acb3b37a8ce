"""The package's shape, checked from the source with `ast`: no import cycle, no private name used across
modules, click only in cli/, a pure core/, and docs/architecture.md naming only modules that exist."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "okrsheets"
FAKE = "okrsheets.testing"  # the offline Google fake: checked on its own (below)

# Violations in code other helpers are editing in parallel; the lead empties these after merging.
# (module, imported module, name) for private names used across modules:
PRIVATE_IMPORTS_ALLOWED: set[tuple[str, str, str]] = set()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported okrsheets module, or the top-level name of a third-party/stdlib one
    names: tuple[str, ...]  # names taken from it with `from target import ...`
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def imports_of(module: str) -> list[Import]:
    """Every import in the module, also inside functions and `if TYPE_CHECKING:` (a lazy import hides a cycle)."""
    found = []
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            plain = []
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in MODULES:  # `from okrsheets.jobs import demo`: an import of the module
                    found.append(Import(module, submodule, (), node.lineno))
                else:
                    plain.append(alias.name)
            if plain:
                found.append(Import(module, source, tuple(plain), node.lineno))
    return found


IMPORTS = {module: imports_of(module) for module in MODULES}


def internal_graph(include) -> dict[str, set[str]]:
    return {
        module: {i.target for i in IMPORTS[module] if i.target in MODULES and include(i.target) and i.target != module}
        for module in MODULES if include(module)
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def in_fake(module: str) -> bool:
    return module == FAKE or module.startswith(FAKE + ".")


def test_the_graph_sees_the_modules_and_their_imports():
    # a guard for the checks below: a parser that found nothing would pass them all
    assert {"okrsheets.core.scoring", "okrsheets.jobs.scheduler", "okrsheets.cli.main", FAKE} <= set(MODULES)
    assert "okrsheets.jobs.scheduler" in internal_graph(lambda m: True)["okrsheets.jobs.nightly"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_among_the_package_modules():
    found = cycles(internal_graph(lambda m: not in_fake(m)))
    assert found == [], "import cycles (also through imports inside functions): " + "; ".join(" ↔ ".join(c) for c in found)


def test_no_import_cycle_in_the_google_fake():
    found = cycles(internal_graph(in_fake))
    assert found == [], "; ".join(" ↔ ".join(c) for c in found)


def test_no_private_names_used_across_modules_of_the_google_fake():
    assert sorted(private_uses(in_fake)) == []


def private_uses(include) -> set[tuple[str, str, str]]:
    """(module, other module, name) for each `_name` a module takes from another okrsheets module."""
    used = set()
    for module, imports in IMPORTS.items():
        if not include(module):
            continue
        for imp in imports:
            if not imp.target.startswith("okrsheets"):
                continue
            used |= {(module, imp.target, name) for name in imp.names if name.startswith("_") and not name.startswith("__")}
        used |= {(module, *access) for access in _private_attribute_uses(module)}
    return used


def test_no_module_uses_another_modules_private_names():
    used = private_uses(lambda m: not in_fake(m))
    assert sorted(used - PRIVATE_IMPORTS_ALLOWED) == []
    assert sorted(PRIVATE_IMPORTS_ALLOWED - used) == [], "fixed: remove these from PRIVATE_IMPORTS_ALLOWED"


def _private_attribute_uses(module: str) -> set[tuple[str, str]]:
    """`mod._name` where `mod` is an okrsheets module imported under that name."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES and alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
    return {
        (aliases[node.value.id], node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
        and node.attr.startswith("_") and not node.attr.startswith("__")
    }


def test_click_is_imported_only_under_cli():
    users = sorted({i.module for imports in IMPORTS.values() for i in imports if i.target.split(".")[0] == "click"})
    assert users and all(m.startswith("okrsheets.cli.") for m in users), users


def test_core_imports_only_core_and_the_standard_library():
    outside = sorted(
        (i.module, i.target)
        for module, imports in IMPORTS.items() if module.startswith("okrsheets.core")
        for i in imports
        if not i.target.startswith("okrsheets.core")
        and not (i.target.split(".")[0] in sys.stdlib_module_names or i.target == "__future__")
    )
    assert outside == []


# the rooms in the order of docs/architecture.md's data flow: a module imports only from its own room or lower ones
ROOM_RANK = {"core": 0, "": 1, "words": 1, "sheets": 2, "backends": 3, "jobs": 4, "cli": 5}  # "": config.py, plan.py, ...; words: the CLI vocabulary, beside i18n.py


def room(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) == 1 or module == "okrsheets.__main__":
        return None  # the package's __init__ and `python -m okrsheets` sit on top of everything
    return parts[1] if len(parts) > 2 or parts[1] in ROOM_RANK else ""


def test_rooms_import_only_downward():
    graph = internal_graph(lambda m: not in_fake(m) and room(m) is not None)
    upward = sorted(
        (module, target) for module, targets in graph.items() for target in targets
        if room(target) is not None and ROOM_RANK[room(target)] > ROOM_RANK[room(module)]
    )
    assert upward == []
    assert room("okrsheets.config") == "" and room("okrsheets.jobs.rollup") == "jobs" and room("okrsheets.backends") == "backends"


# The one product module the fake uses: the host rewrite that points gspread at a URL, so the fake's
# own clients reach it the same way `OKRSHEETS_GOOGLE_API_URL` sends the product's requests there.
FAKE_MAY_USE = {"okrsheets.backends.google.endpoint"}
# The one product module that uses the fake: `okrsheets demo --google` runs the cycle against it, in process.
MAY_USE_FAKE = {("okrsheets.jobs.demo", "okrsheets.testing")}


def test_the_package_never_imports_the_google_fake_and_the_fake_only_the_endpoint():
    crossing = sorted(
        (module, i.target) for module, imports in IMPORTS.items() for i in imports
        if i.target in MODULES and in_fake(module) != in_fake(i.target)
        and not (in_fake(module) and i.target in FAKE_MAY_USE) and (module, i.target) not in MAY_USE_FAKE
    )
    assert crossing == []


def test_docs_architecture_names_only_modules_that_exist():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    dotted = set(re.findall(r"\bokrsheets(?:\.[a-z_0-9]+)+", text))
    paths = {p.rstrip("/") for p in re.findall(r"\bokrsheets/[a-z_0-9/]*(?:\.py|/)?", text)}
    assert dotted | paths, "docs/architecture.md names no module"
    missing = sorted(
        name for name in dotted if name not in MODULES and name.rpartition(".")[0] not in MODULES  # a module, or a name in one
    ) + sorted(p for p in paths if not (REPO / p).exists())
    files = {str(p.relative_to(PACKAGE)) for p in MODULES.values()}
    named = set(re.findall(r"`(?:okrsheets/)?((?:[a-z_]+/)?[a-z_0-9]+\.py)`", text))  # `scoring.py`, `core/scoring.py`
    missing += sorted(n for n in named if not (REPO / n).exists() and not any(f == n or f.endswith("/" + n) for f in files))
    assert missing == []
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert all(f"{room}/" in text for room in rooms), f"every room is described: {sorted(rooms)}"
