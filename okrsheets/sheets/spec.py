"""A backend-neutral description of a workbook: cells, styles, validation, colours, protection.

:mod:`okrsheets.sheets.team_workbook` builds these; each backend renders them (XlsxWriter for
Excel, Sheets API requests for Google). Nothing here knows about a backend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Formula:
    """A live formula in English function names, with the leading ``=``."""

    text: str


@dataclass(frozen=True)
class CellError:
    """An error value a team's cell holds (``#REF!``, ``#DIV/0!`` ...): kept as an error, never as text."""

    text: str


@dataclass(frozen=True)
class Cell:
    value: str | float | int | bool | date | datetime | Formula | CellError | None
    style: str = "text"  # a key of STYLES
    locked: bool = True
    number_format: str | None = None  # overrides the style's format


@dataclass(frozen=True)
class Validation:
    """Data validation on a range of cells."""

    ref: str  # A1 range, e.g. "G10" or "H10:H40"
    type: str  # decimal | whole | list | date
    operator: str | None = None  # between | greaterThanOrEqual ...
    formula1: str | None = None
    formula2: str | None = None
    choices: tuple[str, ...] = ()
    strict: bool = True  # False: warn but allow other values
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""


@dataclass(frozen=True)
class ColourRule:
    """Conditional formatting: a grade colour when a cell's value is in [low, high)."""

    ref: str
    grade: str  # red | yellow | green
    low: float | None
    high: float | None


@dataclass(frozen=True)
class FormulaColour:
    """Conditional formatting: a fill and font colour where ``formula`` (written for the range's top-left cell) is true.

    Takes precedence over the grade colours of the same cells.
    """

    ref: str
    formula: str  # without "="; relative references move with each cell of the range
    fill: str
    font: str


@dataclass(frozen=True)
class DataBar:
    ref: str
    colour: str = "FF638EC6"


@dataclass
class SheetSpec:
    title: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # (row, column), 1-based
    column_widths: dict[int, float] = field(default_factory=dict)
    hidden_columns: tuple[int, ...] = ()
    frozen_rows: int = 0
    frozen_columns: int = 0
    validations: list[Validation] = field(default_factory=list)
    colour_rules: list[ColourRule] = field(default_factory=list)
    formula_colours: list[FormulaColour] = field(default_factory=list)
    data_bars: list[DataBar] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    row_heights: dict[int, float] = field(default_factory=dict)  # points, for rows whose wrapped text needs more than one line
    protected: bool = False
    hidden: bool = False
    landscape: bool = False
    fit_to_width: bool = False

    def set(self, row: int, column: int, value, style: str = "text", locked: bool = True, number_format: str | None = None) -> None:
        self.cells[(row, column)] = Cell(value, style, locked, number_format)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @property
    def max_column(self) -> int:
        return max((c for _, c in self.cells), default=0)


@dataclass
class WorkbookSpec:
    sheets: list[SheetSpec]
    protection_password: str | None = None

    def sheet(self, title: str) -> SheetSpec:
        return next(s for s in self.sheets if s.title == title)


# Named styles every backend knows how to render.
STYLES = {
    "title": {"bold": True, "size": 14},
    "label": {"bold": True},
    "field": {"bold": True, "wrap": True},  # a label beside its value at the top of a sheet
    "text": {},
    "wrap": {"wrap": True},
    "header": {"bold": True, "fill": "FF1F4E79", "colour": "FFFFFFFF", "wrap": True, "align": "center"},
    "objective": {"bold": True, "fill": "FFDDEBF7", "wrap": True},
    "key_result": {"wrap": True},
    "input": {"fill": "FFFFF9E5", "wrap": True},
    "formula": {"align": "center"},
    "muted": {"italic": True, "colour": "FF7F7F7F"},
    "archived": {"italic": True, "colour": "FF7F7F7F", "wrap": True},
}


# Every cell names its font: a cell without one is drawn by LibreOffice in a serif fallback.
# Calibri is Excel's default; LibreOffice draws it with the metric-compatible Carlito where installed.
FONT = "Calibri"
LINE_HEIGHT = 15  # points: one line of 11-point Calibri, Excel's default row height


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes in a wrapped column ``width`` characters wide.

    Excel grows a row to fit wrapped text when it opens a file; LibreOffice
    shows a library-written row at one line, so rows of long fixed text get
    an explicit height from this estimate. A column ``width`` wide holds about
    that many letters of Vietnamese text, and words do not fill a line to the
    end, hence 95% of the width (checked against LibreOffice's rendering of
    labels, objectives and key results).
    """
    per_line = max(1.0, width * 0.95)
    return sum(max(1, math.ceil(len(line) / per_line)) for line in str(text).split("\n"))


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"
