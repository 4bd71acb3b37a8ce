"""The README's command table and first screen say what the CLI and the install really do."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click

from okrsheets.cli.main import cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(commands(command, f"{prefix}{name} "))
        else:
            found[prefix + name] = command
    return found


def table_rows() -> list[str]:
    section = README.split("## Commands", 1)[1].strip().split("\n\n", 1)[0]
    return [line.split("|")[1] for line in section.splitlines() if line.startswith("| `okrsheets")]


def test_the_command_table_lists_every_command_with_options_that_exist():
    available = commands(cli)
    documented: dict[str, set[str]] = {}
    for cell in table_rows():
        first, *more = re.findall(r"`([^`]+)`", cell)  # `okrsheets templates list` / `show KEY` / ...
        words = first.split()
        assert words[0] == "okrsheets"
        for usage in [words[1:], *([words[1], *m.split()] for m in more)]:
            name = " ".join(usage[:2]) if " ".join(usage[:2]) in available else usage[0]
            documented.setdefault(name, set()).update(re.findall(r"--[a-z-]+", " ".join(usage)))
    assert sorted(documented) == sorted(available)
    for name, options in documented.items():
        real = {opt for param in available[name].params for opt in param.opts if opt.startswith("--")}
        assert options <= real, (name, options - real)
    assert {"--json"} <= documented["status"] and documented["init"] == {"--example"}


def test_the_first_screen_says_how_to_run_the_installed_command():
    first_screen = README.split("## The cycle", 1)[0]
    assert "`.venv/bin/okrsheets`" in first_screen and "`pipx install .`" in first_screen
    assert "okrsheets init my-okrs" in first_screen
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "VENV ?= .venv" in makefile and "pip install --quiet -e '.[test]'" in makefile  # so .venv/bin/okrsheets exists
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"okrsheets": "okrsheets.cli.main:main"}
