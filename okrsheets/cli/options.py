"""What the command modules of :mod:`okrsheets.cli` share: the run's language, and how to run okrsheets again."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from okrsheets.errors import OkrsheetsError
from okrsheets.words import fallback_language

LANGUAGE_KEY = "okrsheets.language"  # where a command keeps the language of its run in click's context


class UsageError(OkrsheetsError):
    """A command used in a way it refuses, said in the run's language (exit 2, as for click's own usage errors)."""

    exit_code = 2


def load_config(config_path: str | None):
    """Load the config, and make its ``language`` the language of this run (messages, errors).

    A config that is wrong is reported with its plan's problems too (an unknown template set...), so one run lists them all.
    """
    from okrsheets.plan import load_config_with_plan_problems

    config = load_config_with_plan_problems(config_path)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[LANGUAGE_KEY] = config.language
    return config


def run_language() -> str:
    """The language of this run: the loaded config's, else $OKRSHEETS_LANG, the system locale, else English."""
    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get(LANGUAGE_KEY):
        return context.meta[LANGUAGE_KEY]
    return fallback_language()


def invoked_as() -> str:
    """The command to type to run okrsheets again from this shell, for the hints a command prints.

    ``okrsheets`` when that is on PATH, else the script's path as it was
    called (``.venv/bin/okrsheets`` after ``make demo``), else ``python -m okrsheets``.
    """
    script = Path(sys.argv[0])
    if script.name != "okrsheets":
        return f"{sys.executable} -m okrsheets"
    on_path = shutil.which("okrsheets")
    if on_path and Path(on_path).resolve() == script.resolve():
        return "okrsheets"
    return str(script)
