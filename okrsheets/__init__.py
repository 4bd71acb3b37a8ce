"""okrsheets: run a company's OKR cycle in Excel workbooks or Google Sheets."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = ["OkrsheetsError", "read_cell_value", "score_key_result", "__version__"]

# The public names, imported when first used: `okrsheets --help` needs none of them (PEP 562).
_LAZY = {
    "OkrsheetsError": "okrsheets.errors",
    "read_cell_value": "okrsheets.core.values",
    "score_key_result": "okrsheets.core.scoring",
}

if TYPE_CHECKING:
    from okrsheets.core.scoring import score_key_result
    from okrsheets.core.values import read_cell_value
    from okrsheets.errors import OkrsheetsError


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'okrsheets' has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
