"""Files shipped with okrsheets: the built-in template sets and the example config.

An installed okrsheets (a wheel, ``pipx install``) has them as package data,
``okrsheets/sheet_templates/`` and ``okrsheets/config.example.toml``, put there
by the build (``pyproject.toml`` maps ``sheet_templates/`` into the package;
``setup.py`` copies the example config). In a source checkout (the editable
install of ``make test``, or ``PYTHONPATH=.``) they are at the repository root,
next to the ``okrsheets`` folder being imported.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

TEMPLATES = "sheet_templates"
EXAMPLE_CONFIG = "config.example.toml"


def shipped_path(name: str) -> Path:
    """Where the shipped file or folder ``name`` is: in the installed package, else in the source checkout."""
    packaged = resources.files("okrsheets") / name
    if packaged.is_file() or packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / name


def templates_dir() -> Path:
    """The folder of the built-in template sets."""
    return shipped_path(TEMPLATES)


def example_config() -> Path:
    """The example config: a Vietnamese company's quarter with every setting explained."""
    return shipped_path(EXAMPLE_CONFIG)
