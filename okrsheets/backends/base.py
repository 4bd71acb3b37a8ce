"""The Backend protocol that provisioning and rollup are written against."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from okrsheets.sheets.spec import WorkbookSpec


@dataclass(frozen=True)
class SheetData:
    """The values of one sheet, as a grid of rows (ragged; missing cells are None)."""

    title: str
    rows: list[list[object]]
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (first_row, first_col, last_row, last_col), 1-based
    hidden: bool = False

    def value(self, row: int, column: int) -> object:
        if 1 <= row <= len(self.rows) and 1 <= column <= len(self.rows[row - 1]):
            return self.rows[row - 1][column - 1]
        return None

    _merged_rows: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict, compare=False, repr=False)

    def merged_at(self, row: int, column: int) -> bool:
        """Whether the cell is part of a merged range (the rollup asks this for every KR row)."""
        rows = self._merged_rows.get(column)
        if rows is None:  # the row spans of the ranges covering this column, computed once per column
            rows = self._merged_rows[column] = tuple((r1, r2) for r1, c1, r2, c2 in self.merged if c1 <= column <= c2)
        return any(r1 <= row <= r2 for r1, r2 in rows)


@dataclass(frozen=True)
class WorkbookData:
    location: str  # path or URL, for messages
    sheets: dict[str, SheetData] = field(default_factory=dict)  # by title, in workbook order

    @property
    def titles(self) -> list[str]:
        return list(self.sheets)


class Backend(Protocol):
    """Where team workbooks live. Excel files and Google spreadsheets implement it."""

    name: str
    # True when read() may be called from forked worker processes (see rollup.rollup_workers)
    parallel_reads: bool

    def location(self, department_key: str) -> str:
        """Where the department's workbook is (a path or URL), for messages."""

    def exists(self, department_key: str) -> bool: ...

    def read(self, department_key: str, sheets: Collection[str] | None = None) -> WorkbookData:
        """The values of all sheets, or of the sheets named in ``sheets`` that exist.

        Raises WorkbookError when the workbook cannot be read.
        """

    def write(self, department_key: str, spec: WorkbookSpec) -> None:
        """Create or replace the workbook atomically; raises WorkbookLockedError when it is open."""

    def check_writable(self, department_key: str) -> None:
        """Raise WorkbookLockedError when the workbook is open elsewhere."""

    def backup(self, department_key: str, stamp: str) -> str:
        """Keep a copy before a forced rebuild; returns where it went."""
