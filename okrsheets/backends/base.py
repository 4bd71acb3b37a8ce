"""The Backend protocol that provisioning and rollup are written against."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from okrsheets.sheets.spec import WorkbookSpec


# The kinds of number format the rollup tells apart: a percent format stores 45% as 0.45,
# a date format shows a day (the cell's number is a date serial); everything else is "other".
FormatKind = Literal["percent", "date", "other"]


@dataclass(frozen=True)
class SheetDetails:
    """What a backend knows about a sheet's cells beyond their values (all positions 1-based).

    The rollup uses it to read a cell by its own number format (not the one
    provisioning meant it to have), to find formulas with no saved result, and
    to notice a sheet whose locked cells or protection a team changed. A
    backend that cannot tell leaves ``SheetData.details`` None.
    """

    format_kinds: Mapping[tuple[int, int], FormatKind] = field(default_factory=dict)  # cells not listed: "other"
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # formula text, without the leading "="
    no_result: frozenset[tuple[int, int]] = frozenset()  # formula cells saved without a computed value
    protected: bool = False  # the sheet is protected (locked cells cannot be edited)

    def format_kind(self, row: int, column: int) -> FormatKind:
        return self.format_kinds.get((row, column), "other")


@dataclass(frozen=True)
class SheetData:
    """The values of one sheet, as a grid of rows (ragged; missing cells are None)."""

    title: str
    rows: list[list[object]]
    merged: tuple[tuple[int, int, int, int], ...] = ()  # (first_row, first_col, last_row, last_col), 1-based
    hidden: bool = False
    details: SheetDetails | None = None  # formats, formulas, protection; None when the backend cannot tell

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

    # Optional: ``near_misses(department_key) -> list[str]``, the names of workbooks beside a missing
    # one that may be it renamed ("marketing (1).xlsx", "marketing.ods"), for the rollup's message.
