"""What a backend read from a team workbook: sheets of values, with what the backend knows of their cells.

Backend-neutral data (the Excel and Google backends both produce it; the
structure check and the rollup read it), so it lives with the sheet specs and
not with any backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

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
    rows: Sequence[Sequence[object]]  # read only: each backend hands over its own lists
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
