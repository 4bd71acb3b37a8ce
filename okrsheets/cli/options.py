"""What the command modules of :mod:`okrsheets.cli` share: option texts, and how to run okrsheets again."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

CONFIG_HELP = "Config file (default: $OKRSHEETS_CONFIG, then ./okrsheets.toml)."


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
