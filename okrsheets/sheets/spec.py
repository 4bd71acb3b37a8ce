"""A backend-neutral description of a workbook: cells, styles, validation, colours, protection.

:mod:`okrsheets.sheets.team_workbook` builds these; each backend renders them (XlsxWriter for
Excel, Sheets API requests for Google). Nothing here knows about a backend.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypedDict


@dataclass(frozen=True)
class Formula:
    """A live formula in English function names, with the leading ``=``.

    ``google`` is the same formula as Google Sheets needs it, when it differs
    (Google has no ``CELL("format", ...)``); both are written with "," between
    arguments and "." in numbers, and each renderer writes them as its
    application parses them.
    """

    text: str
    google: str | None = None


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
    type: Literal["decimal", "whole", "list", "date"]
    operator: Literal["between", "greaterThanOrEqual"] | None = None
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


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints: paper, orientation, fitted to the page width, rows repeated on every page, header and footer.

    The shape of :class:`okrsheets.sheets.summary.PrintSetup`, with rows counted
    from 1 like the rest of this module, a centre part in the header and the
    margins as data. A renderer sets the paper size and orientation; with
    ``fit_width`` it scales the sheet to one page wide (any number of pages
    tall); repeats rows ``repeat_rows`` (first, last) at the top of every page;
    prints ``header`` (left, centre, right: plain text, so an "&" in a name is
    escaped for Excel as "&&") at the top and "<page_word> 3 / 7" centred at
    the bottom; and sets ``margins`` (left, right, top, bottom) in inches.
    """

    landscape: bool = False
    fit_width: bool = True
    repeat_rows: tuple[int, int] | None = None
    header: tuple[str, str, str] = ("", "", "")
    page_word: str = "Page"
    paper: str = "A4"
    margins: tuple[float, float, float, float] = (0.5, 0.5, 0.75, 0.75)


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
    # Paper, repeated rows, header and footer; its orientation and fit are the same as the two fields above,
    # which renderers written before it read.
    print_setup: PrintSetup | None = None

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


class Style(TypedDict, total=False):
    """A named style's properties; a property left out is the application's default."""

    bold: bool
    italic: bool
    size: int  # points
    wrap: bool
    align: str  # left | center
    fill: str  # ARGB
    colour: str  # ARGB, of the font


# Named styles every backend knows how to render.
STYLES: dict[str, Style] = {
    "title": {"bold": True, "size": 14},
    "label": {"bold": True},
    "field": {"bold": True, "wrap": True},  # a label beside its value at the top of a sheet
    "section": {"bold": True, "wrap": True},  # a heading line inside a sheet of text (the guide)
    "text": {},
    "value": {"align": "left"},  # a value beside its label in a sheet's header block (a date too)
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


# The Windows locale ID of each sheet language, as a number format's [$-LCID] prefix in an .xlsx file.
LOCALE_TAGS = {"vi": "[$-42A]", "en": "[$-409]"}


def with_locale_tag(number_format: str | None, locale: str) -> str | None:
    """``number_format`` of an .xlsx file tagged with ``locale``'s ID: '#,##0 "₫"' -> '[$-42A]#,##0 "₫"'.

    A format's "," and "." mean "group" and "decimal", shown with the
    separators of the application's locale. LibreOffice shows a tagged
    format with the tag's separators whatever its own locale (a Vietnamese
    sheet in an English LibreOffice shows 1.000.000 ₫ and 12,5%, as teams
    type them); Excel reads the tag only for the names of months and days
    and keeps Windows' (or macOS') separators; Google Sheets takes the
    spreadsheet's locale instead, so its renderer drops the tag
    (``without_locale_tag``). Only number formats that show a separator are
    tagged: dates, text (@), General and 0% are left as they are. Only
    okrsheets' own formats are tagged, never a format a team gave its cell.
    """
    if not number_format:
        return number_format
    unquoted = re.sub(r'"[^"]*"|\\.', "", number_format).lower()
    if unquoted.startswith("[$") or re.search(r"[a-z]", unquoted) or not re.search(r"[0#?][,.]|[,.][0#?]", unquoted):
        return number_format  # already tagged, a date, General, text, or no separator to show (0%)
    return LOCALE_TAGS["en" if locale.lower().startswith("en") else "vi"] + number_format


def without_locale_tag(number_format: str) -> str:
    """``number_format`` without a leading [$-LCID] tag of :func:`with_locale_tag`."""
    return re.sub(r"^\[\$-[0-9A-Fa-f]+\]", "", number_format)


def shown_text(value: object, number_format: str | None = None) -> str:
    """About the text a cell shows for ``value`` in ``number_format``: what a column's width must hold.

    Numbers in the formats this package writes ('#,##0 "₫"', "0.0#%", "#,##0.##", "0%")
    or any similar one, else as General (at most 11 characters, as Excel shows them);
    dates in their format's day, month, year, hour and minute codes. Separators are
    English; Vietnamese ones ("1.000.000.000 ₫") take as many characters. A number or
    date wider than its column shows "###", text only runs over into the next cell, so
    column widths follow the numbers and dates.
    """
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return _shown_date(value, number_format or "yyyy-mm-dd")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    code = re.sub(r"\[[^\]]*\]", "", (number_format or "General").split(";")[0])
    if code == "General":
        text = f"{value:.10g}"
        if len(text) <= 11:
            return text
        return text[:11] if 1e-9 < abs(value) < 1e11 else f"{value:.5E}"
    quoted = re.findall(r'"([^"]*)"', code)
    code = re.sub(r'"[^"]*"', "\x00", code).replace("\\", "")
    digits = re.search(r"[#0?][#0?,.]*", code)
    if digits is None:
        return code.replace("\x00", "")
    number = value * 100 if "%" in code else value
    integer, _, fraction = digits.group().partition(".")
    most = sum(ch in "0#?" for ch in fraction)
    least = sum(ch == "0" for ch in fraction)
    text = f"{abs(number):{',' if ',' in integer else ''}.{most}f}"
    if most > least:  # optional decimals: trailing zeros go (Excel keeps the point of "#,##0.##" for 12: "12.")
        text = text[: len(text) - (most - least)] + text[len(text) - (most - least):].rstrip("0")
    if number < 0 and text.strip("0.,"):
        text = "-" + text
    shown = code[: digits.start()] + text + code[digits.end():]
    for literal in quoted:
        shown = shown.replace("\x00", literal, 1)
    return shown


def _shown_date(value: date, code: str) -> str:
    """``value`` in a date format's codes (yyyy, yy, mm, m, dd, d, hh, h, ss; mm after an hour is minutes)."""
    code = re.sub(r'\[[^\]]*\]|"|\\', "", code)
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    parts, after_hour = [], False
    for token in re.findall(r"yyyy|yy|mm|m|dd|d|hh|h|ss|s|[^ymdhs]+", code, flags=re.IGNORECASE):
        low = token.lower()
        if low in ("mm", "m") and after_hour:
            parts.append(f"{moment.minute:02d}")
        else:
            parts.append({
                "yyyy": f"{moment.year:04d}", "yy": f"{moment.year % 100:02d}", "mm": f"{moment.month:02d}",
                "m": str(moment.month), "dd": f"{moment.day:02d}", "d": str(moment.day), "hh": f"{moment.hour:02d}",
                "h": str(moment.hour), "ss": f"{moment.second:02d}", "s": str(moment.second),
            }.get(low, token))
        if low in ("hh", "h"):
            after_hour = True
        elif low in ("yyyy", "yy", "dd", "d"):
            after_hour = False
    return "".join(parts)


# What Excel, LibreOffice, Sheets and CSV exports may take for the start of a formula when the text is
# typed or edited (a cell's text starting with one becomes a formula, or a DDE command, on Enter).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def looks_like_formula(text: str) -> bool:
    """True when ``text`` would become a formula if typed into a cell: team text never may.

    The one rule every writer follows: every text is stored as a literal string
    (XlsxWriter ``write_string``, Sheets ``stringValue``), and an Excel text
    cell for which this is true also gets Excel's quote prefix, so that
    editing the cell keeps it text.
    """
    return text.startswith(FORMULA_STARTS)


def column_letter(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """The 1-based column of A1 letters ("A" -> 1, "ab" -> 28): the inverse of :func:`column_letter`."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def a1(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"
