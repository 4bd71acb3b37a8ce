"""Storage backends: Excel files on disk (default) and Google Sheets."""

from __future__ import annotations

from ..config import Config
from ..errors import ConfigError
from .base import Backend, SheetData, WorkbookData


def open_backend(config: Config) -> Backend:
    """The backend the config names, ready to use."""
    if config.backend == "excel":
        from .excel import ExcelBackend

        return ExcelBackend(config)
    raise ConfigError(
        f'backend.kind: "{config.backend}" is not available in this version yet; use "excel"',
        str(config.source) if config.source else None,
    )


__all__ = ["Backend", "SheetData", "WorkbookData", "open_backend"]
