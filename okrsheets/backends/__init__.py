"""Storage backends: Excel files on disk (default) and Google Sheets."""

from __future__ import annotations

from okrsheets.backends.base import Backend, SheetData, WorkbookData
from okrsheets.config import Config
from okrsheets.errors import ConfigError


def open_backend(config: Config) -> Backend:
    """The backend the config names, ready to use."""
    if config.backend == "excel":
        from okrsheets.backends.excel import ExcelBackend

        return ExcelBackend(config)
    if config.backend == "google":
        from okrsheets.backends.google.backend import GoogleBackend

        return GoogleBackend(config)
    raise ConfigError(
        f'backend.kind: "{config.backend}" is not available in this version yet; use "excel"',
        str(config.source) if config.source else None,
    )


__all__ = ["Backend", "SheetData", "WorkbookData", "open_backend"]
