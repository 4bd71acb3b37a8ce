"""The CLI: help on every command, version, and no traceback for user errors."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from okrsheets.cli.main import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_help_text():
    seen = []
    for path, command in _commands(cli):
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        assert command.help and len(command.help.strip()) > 20, f"{' '.join(path)} has no help text"
        assert "Usage: " in result.output
        seen.append(" ".join(path))
    assert {"check-config", "templates list", "templates show", "templates validate", "demo"} <= set(seen)


def test_python_dash_m_and_version():
    result = subprocess.run([sys.executable, "-m", "okrsheets", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "okrsheets" in result.stdout


def test_unknown_command_exits_2():
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
