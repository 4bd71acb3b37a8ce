"""The company summary workbook (``company-summary.xlsx``): the XlsxWriter renderer of the summary.

What the summary shows is described once, backend-neutral, by
:func:`okrsheets.sheets.summary.build_summary`; this module writes that
description with XlsxWriter. The score history it carries over night after
night is read by :mod:`okrsheets.backends.excel_history`.

XlsxWriter writes a 14,000-key-result summary about three times faster than
openpyxl did. Each distinct cell format is created once (`_Book`). The data
cells are kept a column at a time, and saved a block of rows and a column at a
time, or a row at a time where XlsxWriter has cells of its own
(`_SummaryWorksheet`): the parts of the file are the ones XlsxWriter's own
``write_string``/``write_number`` and save would write, byte for byte, in
about a third of the time (tests/test_summary_xlsx.py compares the two); the
zip file is deflated at level 1 (`ZIP_LEVEL`).

Team-typed text is always stored as a plain string cell (see `_Book.text`), so
a comment such as ``=HYPERLINK(...)`` can never become a formula.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter import Workbook
from xlsxwriter.chart_line import ChartLine
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import CellDatetimeTuple, CellNumberTuple, CellStringTuple, RowInfo, Worksheet

from okrsheets import i18n
from okrsheets.backends.excel_history import load_history, previous_history
from okrsheets.backends.excel_write import close_workbook, print_setup
from okrsheets.collector import collector_paused
from okrsheets.core.results import RollupResult
from okrsheets.core.scoring import ScoringSettings
from okrsheets.errors import WorkbookError
from okrsheets.files import STALE_TEMP_SECONDS, atomic_write, ensure_not_open, office_lock_file
from okrsheets.sheets.spec import FONT, looks_like_formula, with_locale_tag
from okrsheets.sheets.summary import (
    GRADE_COLOURS,
    HEADER_FILL,
    HEADER_FONT,
    NUMBER_FORMATS,
    Chart,
    Fact,
    History,
    Link,
    Sheet,
    Summary,
    Table,
    build_summary,
    column_runs,
)

__all__ = ["SUMMARY_NAME", "earlier_summaries", "read_history", "summary_target", "write_summary"]

log = logging.getLogger("okrsheets")

SUMMARY_NAME = "company-summary.xlsx"
_MAX_TEXT = 32767  # Excel's limit on the characters in a cell
_MAX_URL = 2079  # Excel's limit on a link's length
# The control characters XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE: a rollup does not import openpyxl)
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system, as XlsxWriter counts it
# Text is written with write_string only; these options also keep any write() a caller adds from
# turning team text into formulas, links or numbers. Not in_memory: XlsxWriter would hold every part's XML
# (15 MB of text at 1,000 departments) in memory at once before zipping; written to temporary files (in the
# system's temporary folder, see _save), the peak memory of a 14,000-KR summary is 40 MiB lower (80 MiB at
# 43,000 KRs), for about a tenth more CPU time (0.25 s at 14,000 KRs).
_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                     "in_memory": False}
_PARTS_PREFIX = "okrsheets-summary-"  # the folder of the parts of a summary being written
_FONT = {"font_name": FONT, "font_size": 11}  # the team workbooks' font (sheets/spec.py)
# Format properties by style; a format may add a grade's colours and Excel's quote prefix (see _Book).
# Every cell is top-aligned, so a row made taller by wrapped text still reads across.
_STYLES: dict[str | None, dict[str, object]] = {
    None: {"valign": "top"},
    "heading": {"bold": True, "font_size": 16, "font_color": "#" + HEADER_FILL},
    "label": {"bold": True, "valign": "top"},
    "header": {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#" + HEADER_FILL,
               "font_color": "#" + HEADER_FONT},
    "wrap": {"text_wrap": True, "valign": "top"},
    "percent": {"num_format": NUMBER_FORMATS["percent"], "valign": "top", "align": "right"},
    "change": {"num_format": NUMBER_FORMATS["change"], "valign": "top"},
    "integer": {"num_format": NUMBER_FORMATS["integer"], "valign": "top"},
    "decimal": {"num_format": NUMBER_FORMATS["decimal"], "valign": "top"},
    "link": {"valign": "top", "font_color": "#0563C1", "underline": 1},
    "rule": {},  # a conditional grade fill: only the grade's colours
}


# --- Public API ---


def summary_target(folder: Path, as_of: date) -> tuple[Path, Path | None]:
    """Where tonight's summary goes, and the lock file of the summary open in Excel or LibreOffice (or None).

    ``company-summary.xlsx`` unless it is open; then beside it,
    ``company-summary (2026-12-01).xlsx`` (``... (2026-12-01 2).xlsx`` if that
    one is open too).
    """
    normal = Path(folder) / SUMMARY_NAME
    lock = office_lock_file(normal)
    if lock is None:
        return normal, None
    stem, suffix = normal.stem, normal.suffix
    n = 1
    while True:
        candidate = normal.with_name(f"{stem} ({as_of.isoformat()}{'' if n == 1 else f' {n}'}){suffix}")
        if office_lock_file(candidate) is None:
            return candidate, lock
        n += 1


def earlier_summaries(folder: Path) -> list[Path]:
    """Summaries written beside an open ``company-summary.xlsx`` on earlier nights, oldest first."""
    stem, suffix = Path(SUMMARY_NAME).stem, Path(SUMMARY_NAME).suffix
    ours = re.compile(re.escape(stem) + r" \(\d{4}-\d{2}-\d{2}( \d+)?\)" + re.escape(suffix))  # not "(1).xlsx" copies
    found = []
    for path in Path(folder).glob(f"{stem} (*){suffix}"):
        try:
            if ours.fullmatch(path.name) and path.is_file():
                found.append((path.stat().st_mtime_ns, path.name, path))
        except OSError:
            continue
    return [path for *_, path in sorted(found)]


def write_summary(result: RollupResult, path: Path, settings: ScoringSettings, stale_after_days: int = 14,
                  history_from: Sequence[Path] = ()) -> None:
    """Write the company summary workbook at ``path``, atomically.

    Raises WorkbookLockedError (file untouched) when the file is open in Excel
    or LibreOffice. The history rows of the existing file, and of the summaries
    in ``history_from`` (written beside an open one), are kept; this rollup's
    row replaces the one with the same date. An unreadable existing file is
    copied to ``<stem>.corrupt-<timestamp>.xlsx`` first (with a warning).
    ``stale_after_days``: a KR without a check-in for longer goes on the stale sheet.
    """
    path = Path(path)
    ensure_not_open(path)
    with collector_paused():  # half a million small objects and no reference cycles (okrsheets/collector.py)
        history = previous_history(path)
        for other in history_from:
            history = history.union(_other_history(Path(other)))
        history = history.merged_with(result)
        summary = build_summary(result, history, settings, stale_after_days)
        atomic_write(path, lambda tmp: _save(summary, tmp, path.parent))


def _other_history(path: Path) -> History:
    """The history of a summary written beside the usual one; empty (with a warning) if it cannot be read."""
    try:
        return load_history(path)
    except (OSError, WorkbookError) as error:
        log.warning("cannot read the history of %s (%s); its rows are left out", path, error)
        return History()


def read_history(path: Path) -> list[dict]:
    """The history rows of a summary workbook, oldest first; [] when the file is missing.

    Each row is ``{"date": date, "score": company score or None,
    "departments": {department key: score}}`` (departments without a score on
    that date are left out). Raises WorkbookError when the file cannot be read.
    """
    history = load_history(Path(path))
    return [
        {"date": day, "score": score, "departments": dict(scores)}
        for day, (score, scores) in sorted(history.rows.items())
    ]


# --- Formats and cells ---


class _Book:
    """The workbook being written: each cell format created once, each distinct text cleaned once.

    A format is a style from _STYLES, optionally with a grade's fill and font
    colour and with Excel's quote prefix. XlsxWriter keeps every Format it
    creates, so one per cell would bloat both the time and the file.
    """

    def __init__(self, workbook: Workbook, summary: Summary, folder: Path):
        self.workbook = workbook
        self.summary = summary
        self.folder = folder
        self._styles: dict[str | None, dict[str, object]] = {**_STYLES, "date": {"num_format": summary.date_format, "valign": "top", "align": "left"}}
        for name, style in self._styles.items():  # numbers with the language's separators in LibreOffice too
            if isinstance(style.get("num_format"), str):
                self._styles[name] = {**style, "num_format": with_locale_tag(str(style["num_format"]), summary.language)}
        self._formats: dict[tuple[str | None, str | None, bool], Format] = {}
        self._texts: dict[str, tuple[str, bool]] = {}
        self._cells: dict[tuple[str | None, str | None], dict[str, tuple[str, Format]]] = {}
        self._kept: dict[tuple, dict] = {}  # see kept
        self.kept_formats: dict[int, dict[int, Format]] = {}  # id(kept) -> the formats of its cells, by id

    def kept(self, *key: object) -> dict:
        """The cells of one kind of column (and grade) seen so far, by value: (shared string index or number, format).

        Filled by `_write_column`, read when the sheet is saved (`_SummaryWorksheet`).
        """
        cells = self._kept.get(key)
        if cells is None:
            cells = self._kept[key] = {}
            self.kept_formats[id(cells)] = {}
        return cells

    def format(self, style: str | None = None, grade: str | None = None, quote: bool = False) -> Format:
        key = (style, grade, quote)
        made = self._formats.get(key)
        if made is None:
            made = self._formats[key] = self.workbook.add_format(self._properties(style, grade, quote))
        return made

    def _properties(self, style: str | None, grade: str | None, quote: bool) -> dict:
        properties = dict(self._styles[style]) if style == "rule" else {**_FONT, **self._styles[style]}
        if grade is not None:  # a solid fill: XlsxWriter takes bg_color as a solid pattern's colour
            fill, font = GRADE_COLOURS[grade]
            properties.update(bg_color="#" + fill, font_color="#" + font)
        if quote:
            properties["quote_prefix"] = True
        return properties

    def text(self, value: object) -> tuple[str, bool]:
        """``value`` as cell text, and whether it starts with a formula prefix.

        Characters XML cannot hold are dropped, line ends become "\\n" (XML
        would turn a CR into LF on reading anyway) and Excel's length limit
        applies. Remembered per value: names, statuses and comments repeat.
        """
        key = value if type(value) is str else str(value)
        known = self._texts.get(key)
        if known is None:
            text = _ILLEGAL_CHARACTERS.sub("", key)
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            text = text[:_MAX_TEXT]
            known = self._texts[key] = (text, looks_like_formula(text))
        return known

    def text_cells(self, style: str | None = None, grade: str | None = None) -> dict[str, tuple[str, Format]]:
        """The text cells already seen in a ``style`` (and ``grade``): value -> (cell text, format).

        The format has Excel's quote prefix when the text starts with a formula prefix.
        Filled by `text_cell`; read directly by the column writers.
        """
        key = (style, grade)
        cells = self._cells.get(key)
        if cells is None:
            cells = self._cells[key] = {}
        return cells

    def text_cell(self, value: str, style: str | None = None, grade: str | None = None) -> tuple[str, Format]:
        """``value`` (a str) as (cell text, format), remembered in `text_cells` (style, grade)."""
        text, quote = self.text(value)
        cell = self.text_cells(style, grade)[value] = (text, self.format(style, grade, quote))
        return cell

    def write_text(self, ws: Worksheet, row: int, col: int, value: object, style: str | None = None,
                   grade: str | None = None) -> None:
        """Store ``value`` as a plain string cell: never a formula, a link, a number or an error value.

        Text starting with a formula prefix also gets Excel's quote prefix, so
        editing the cell keeps it text.
        """
        key = value if type(value) is str else str(value)
        text, cell_format = self.text_cells(style, grade).get(key) or self.text_cell(key, style, grade)
        ws.write_string(row, col, text, cell_format)

    def link_target(self, link: Link) -> str | None:
        """The link Excel follows: a URL, or the workbook (relative when beside the summary) at its cell."""
        target = link.target
        if "://" not in target:
            try:
                target = os.path.relpath(target, self.folder) if Path(target).is_absolute() else target
            except ValueError:  # another drive on Windows
                pass
            target = "external:" + target
            if link.sheet and link.cell:
                target += f"#'{link.sheet.replace(chr(39), chr(39) * 2)}'!{link.cell}"
        return target if len(target) <= _MAX_URL else None


# --- Writing the description ---


def _save(summary: Summary, path: Path, folder: Path) -> None:
    """Render ``summary`` into a workbook at ``path``; an OSError while writing is raised as itself.

    XlsxWriter writes each part to a temporary file before zipping it; they go in a
    folder of their own, removed afterwards even when writing fails (and by the next
    write when the process was killed).
    """
    temporary = tempfile.gettempdir()
    _remove_stale_parts(temporary)
    with tempfile.TemporaryDirectory(prefix=_PARTS_PREFIX, dir=temporary) as parts:
        workbook = _SummaryWorkbook(str(path), {**_WORKBOOK_OPTIONS, "tmpdir": parts})
        book = _Book(workbook, summary, folder)
        for sheet in summary.sheets:
            _render_sheet(book, sheet)
        close_workbook(workbook)


def _remove_stale_parts(temporary: str) -> None:
    """Remove the folders of parts a killed summary write left in ``temporary`` (untouched for 10 minutes)."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        entries = list(os.scandir(temporary))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(_PARTS_PREFIX):
            continue
        try:
            if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                shutil.rmtree(entry.path)
        except OSError:  # another user's, or being removed by another run
            continue


def _render_sheet(book: _Book, sheet: Sheet) -> None:
    ws = book.workbook.add_worksheet(sheet.title, worksheet_class=_SummaryWorksheet)
    if sheet.hidden:
        ws.hide()
    if sheet.key_row is not None:
        for c, key in enumerate(sheet.key_row):
            book.write_text(ws, 0, c, key)
        ws.set_row(0, None, None, {"hidden": True})
    if sheet.heading is not None:
        book.write_text(ws, 0, 0, sheet.heading, "heading")
        ws.set_row(0, 24)
    for row, fact in enumerate(sheet.facts, 1):
        _write_fact(book, ws, row, fact)
    if sheet.table is not None:
        _render_table(book, ws, sheet.table)
    for chart in sheet.charts:
        _render_chart(book, ws, chart)
    print_setup(ws, sheet.print)


def _write_fact(book: _Book, ws: Worksheet, row: int, fact: Fact) -> None:
    book.write_text(ws, row, 0, fact.label, "label")
    if fact.value is not None:
        _write_column(book, ws, row, 1, [fact.value], fact.kind, fact.grade)


# Number formats by the kind of a number column; "number" picks integer or decimal per value.
_NUMBER_STYLES = {"percent": "percent", "score": "percent", "change": "change", "count": None, "number": "number"}


def _write_column(book: _Book, ws: Worksheet, first_row: int, col: int, values: Sequence, kind: str,
                  grade: str | None = None) -> None:
    """Write ``values`` down column ``col`` from ``first_row`` as a ``kind`` column (see sheets.summary.Column).

    None leaves a cell blank. A value not of its column's type (e.g. the raw text
    of an unreadable check-in in a number column) is written as text. ``grade``
    gives every cell that grade's colours (a fact's value).

    Every data cell of the summary goes through here, one column at a time. Its
    text and numbers are not copied into XlsxWriter's cell table (a tuple per
    cell, in a dict per row: 20 MiB for the key results of 1,000 departments):
    the column is kept as it is (`_Cells`) and saved from it, row by row
    (`_SummaryWorksheet`), as XlsxWriter would save the same cells. What
    XlsxWriter must know now it is told now: the column's extent, each text in
    the shared strings in this order and counted once per cell (as its
    ``write_string`` does), and any other cell (a link, a date-time, text in a
    number column, a text too long for the quick path) written with its own
    methods.
    """
    last = len(values) - 1
    while last >= 0 and values[last] is None:
        last -= 1
    if last < 0 or col >= ws.xls_colmax:
        return
    last = min(last, ws.xls_rowmax - 1 - first_row)  # XlsxWriter leaves out a cell beyond the sheet's last row
    first = 0
    while values[first] is None:
        first += 1
    if first > last:
        return
    ws._check_dimensions(first_row + first, col)
    ws._check_dimensions(first_row + last, col)
    first_row += first
    values = list(values[first:last + 1])  # its own list: a cell written otherwise becomes None in it
    strings = ws.str_table
    reused = 0  # shared-string uses of a string already counted once
    if kind in ("text", "wrap", "status", "grade"):
        if kind in ("status", "grade"):
            labels = (i18n.STATUS if kind == "status" else i18n.GRADE)[book.summary.language]
            kept = book.kept(kind, grade)
        else:
            style = "wrap" if kind == "wrap" else None
            kept = book.kept(style, grade)
        formats = book.kept_formats[id(kept)]
        if not set(map(type, values)) <= _TEXT_TYPES:
            values = [value if value is None or type(value) is str else str(value) for value in values]
        cells, added = len(values) - values.count(None), 0  # each cell is one use of its shared string
        for value in dict.fromkeys(values):  # each distinct text once, in the order of its first cell
            if value is None or value in kept:
                continue
            if kind in ("status", "grade"):
                text, cell_format = labels.get(value, value), book.format(None, value if kind == "grade" else grade)
            else:
                text, cell_format = book.text_cell(value, style, grade)
            if len(text) > ws.xls_strmax // 2:  # over 16,383 characters: XlsxWriter checks its length in UTF-16
                for i, other in enumerate(values):
                    if other == value:  # (XlsxWriter's _write_string counts the use)
                        ws._write_string(first_row + i, col, text, cell_format)
                        values[i] = None
                        cells -= 1
                continue
            kept[value] = (strings._get_shared_string_index(text), cell_format)  # counts its first use
            formats[id(cell_format)] = cell_format
            added += 1
        reused = cells - added
        ws.keep(_Cells(first_row, col, values, kept, None, None, formats))
    elif kind == "link":
        for row, value in enumerate(values, first_row):
            if value is not None:
                _write_link(book, ws, row, col, value)
    elif kind == "date":
        date_format, kept = book.format("date", grade), book.kept("date", grade)
        formats = book.kept_formats[id(kept)]
        for i, value in enumerate(values):
            if type(value) is date:  # a datetime goes to write_datetime, which also checks its time zone
                if value not in kept:
                    kept[value] = ((value - _EXCEL_EPOCH).days, date_format)
                    formats[id(date_format)] = date_format
            elif value is not None:
                if isinstance(value, date):
                    ws.write_datetime(first_row + i, col, value, date_format)
                else:
                    book.write_text(ws, first_row + i, col, value, None, grade)
                values[i] = None
        ws.keep(_Cells(first_row, col, values, kept, None, None, formats))
    else:
        style = _NUMBER_STYLES.get(kind, "number")
        if style == "number":
            whole, part = book.format("integer", grade), book.format("decimal", grade)
        else:
            whole = part = book.format(style, grade)
        for i, value in enumerate(values):
            number = type(value)
            if number is float:
                if not -_INFINITY < value < _INFINITY:  # NaN or infinite: XlsxWriter's own refusal
                    ws._write_number(first_row + i, col, value, part)
                    values[i] = None
            elif number is not int and value is not None:
                book.write_text(ws, first_row + i, col, value, None, grade)
                values[i] = None
        ws.keep(_Cells(first_row, col, values, None, whole, part))
    strings.count += reused


_INFINITY = float("inf")
_TEXT_TYPES = {str, type(None)}


class _Cells:
    """A column of data cells kept until the sheet is saved (see `_write_column`).

    ``values`` from ``first`` down (None: no cell); ``kept``: value -> (shared string
    index or day number, format) for a column of text or dates; else a number
    column in ``whole`` (whole numbers) and ``part`` formats.
    """

    __slots__ = ("first", "end", "col", "values", "kept", "whole", "part", "made", "formats")

    def __init__(self, first: int, col: int, values: list, kept: dict | None, whole: Format | None, part: Format | None,
                 formats: dict[int, Format] | None = None):
        self.first, self.end, self.col, self.values = first, first + len(values), col, values
        self.kept, self.whole, self.part = kept, whole, part
        self.formats = formats  # the formats of ``kept``'s cells (of every column sharing it), by id
        self.made: dict = {None: ""}  # value -> its cell's XML with _ROW for the row number (see _write_block)

    def cells(self, first_row: int | None = None, last_row: int | None = None) -> Iterator[tuple[int, tuple]]:
        """(row, XlsxWriter's cell tuple) of each cell (from ``first_row`` to ``last_row``), for XlsxWriter's own save."""
        kept, first = self.kept, self.first
        if first_row is not None and first_row > first:
            first = first_row
        stop = self.end if last_row is None else min(self.end, last_row + 1)
        for row, value in enumerate(self.values[first - self.first:max(stop - self.first, 0)], first):
            if value is None:
                continue
            if kept is None:
                yield row, CellNumberTuple(value, self.part if type(value) is float and not value.is_integer() else self.whole)
            elif type(value) is date:
                yield row, CellNumberTuple(*kept[value])
            else:
                yield row, CellStringTuple(*kept[value])


def _write_link(book: _Book, ws: Worksheet, row: int, col: int, value: object) -> None:
    """A Link as a link cell showing its text (a plain string, quoted like any text); anything else as text."""
    target = book.link_target(value) if isinstance(value, Link) else None
    shown = value.text if isinstance(value, Link) else value
    if target is None:
        book.write_text(ws, row, col, shown)
        return
    text, quote = book.text(shown)
    ws.write_url(row, col, target, book.format("link", None, quote), text)


def _render_table(book: _Book, ws: Worksheet, table: Table) -> None:
    """A header row and data rows with filter, frozen header, widths, heights and grade fills."""
    header = table.row
    for c, column in enumerate(table.columns):
        book.write_text(ws, header, c, column.header, "header")
        ws.set_column(c, c, column.width)
    rows, width = table.rows, len(table.columns)
    if any(len(values) < width for values in rows):  # a short row's missing cells stay blank
        rows = [[*values, *[None] * (width - len(values))] for values in rows]
    by_column = list(zip(*rows)) if rows else []
    for c, column in enumerate(table.columns):  # column by column: one loop per column's kind
        _write_column(book, ws, header + 1, c, by_column[c] if by_column else [], column.kind)
    last = table.last_row
    ws.autofilter(header, 0, max(last, header + 1), len(table.columns) - 1)
    ws.freeze_panes(header + 1, 0)
    set_heights = getattr(ws, "set_row_heights", None)  # (a test renders with XlsxWriter's own Worksheet)
    if set_heights is not None:
        set_heights(table.row_heights)
    else:
        for row, height in table.row_heights.items():
            ws.set_row(row, height)
    if last > header:
        kinds = [column.kind for column in table.columns]
        for first_col, last_col in column_runs(kinds, "score"):
            _grade_rules(book, ws, header + 1, last, first_col, last_col)


def _grade_rules(book: _Book, ws: Worksheet, first_row: int, last_row: int, first_col: int, last_col: int) -> None:
    """Conditional grade fill for a block of score cells (blank cells stay unfilled).

    The formula names the block's top-left cell and Excel shifts it for
    every other cell, so adjacent score columns share one set of rules.
    """
    first = xl_rowcol_to_cell(first_row, first_col)
    red, green = book.summary.bands
    bands = {
        "red": f"{first}<{red!r}",
        "yellow": f"AND({first}>={red!r},{first}<{green!r})",
        "green": f"{first}>={green!r}",
    }
    for grade, test in bands.items():
        ws.conditional_format(first_row, first_col, last_row, last_col, {
            "type": "formula", "criteria": f"=AND(ISNUMBER({first}),{test})",
            "format": book.format("rule", grade), "stop_if_true": True,
        })


def _literal(text: str) -> str:
    return text if not text.startswith("=") else " " + text


def _ref(r) -> list:
    return [r.sheet, r.first_row, r.first_col, r.last_row, r.last_col]


def _render_chart(book: _Book, ws: Worksheet, chart: Chart) -> None:
    if chart.kind == "bar":
        made = book.workbook.add_chart({"type": "bar"})
    else:
        made = book.workbook.add_chart({"type": "line"})
        if chart.date_axis:
            made.__class__ = _LineChartInDays  # only adds a method override: see the class
    for series in chart.series:
        # A name starting with "=" would be read by XlsxWriter as a formula: point at its cell, or keep it text.
        name = [series.values.sheet, *series.name_cell] if series.name_cell else _literal(series.name)
        options: dict = {"name": name, "categories": _ref(series.categories), "values": _ref(series.values)}
        if chart.kind == "bar":
            if series.outline_only:
                options["fill"] = {"none": True}
                options["border"] = {"color": "#" + (series.colour or "404040"), "dash_type": "dash", "width": 1.5}
            elif series.colour:
                options["fill"] = {"color": "#" + series.colour}
            if series.point_colours:
                options["points"] = [{"fill": {"color": "#" + colour}, "border": {"none": True}}
                                     for colour in series.point_colours]
            options["gap"] = 40
            options["overlap"] = 100
        else:
            options["smooth"] = False  # a smoothed line suggests values between rollups
            line: dict = {"width": series.width}
            if series.colour:
                line["color"] = "#" + series.colour
            options["line"] = line
            if series.markers:
                options["marker"] = {"type": "circle", "size": 5}
        if series.labels:
            options["data_labels"] = {"value": True, "num_format": chart.value_format, "position": "inside_end"
                                      if chart.kind == "bar" else "above"}
        made.add_series(options)
    made.set_title({"name": chart.title, "name_font": {"size": 12, "bold": True}})
    value_axis = {"min": chart.value_min, "max": chart.value_max, "num_format": chart.value_format,
                  "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    category_axis: dict = {}
    if chart.date_axis:
        category_axis.update(date_axis=True, base_unit="days", major_unit=7, major_unit_type="days",
                             num_format=chart.date_format or "dd/mm/yyyy", num_font={"rotation": -45})
    if chart.reverse_categories:
        category_axis["reverse"] = True
        category_axis["crossing"] = "max"  # with the categories reversed, the value axis stays at the bottom
    if chart.kind == "bar":  # XlsxWriter's bar chart: x is the (horizontal) value axis, y the categories
        made.set_x_axis(value_axis)
        made.set_y_axis(category_axis)
    else:
        made.set_x_axis(category_axis)
        made.set_y_axis(value_axis)
    made.set_legend({"position": "bottom"} if chart.legend else {"none": True})
    made.set_size({"width": chart.width, "height": chart.height})
    ws.insert_chart(chart.anchor[0], chart.anchor[1], made)


def _first(entry: tuple) -> int:
    return entry[0]


def _column_of(cells: _Cells) -> int:
    return cells.col


def _place(first: tuple[int, int, Format]) -> tuple[int, int]:
    return first[0], first[1]


_BLOCK_ROWS = 1024  # rows written a column at a time: their cells' XML is held at once
_ROW = "\0"  # a row number to come in a cell's XML (not a character XML can hold: never in a sheet's XML)


def _piece(value: object, kept: dict, index) -> str:
    """A text or date cell's XML after its reference: its format, and its shared string's index or day number."""
    found, cell_format = kept[value]
    if type(value) is date:
        return f'" s="{index(cell_format)}"><v>{found}</v></c>'
    return f'" s="{index(cell_format)}" t="s"><v>{found}</v></c>'


def _number_piece(cell_format: Format | None, made: dict, index) -> str:
    """A number cell's XML between its reference and its number, in ``cell_format`` (made once per format).

    Only for a format already numbered (`_SummaryWorksheet._ask_formats`): a number column's
    format for fractions that no cell of it needs must not be numbered by asking.
    """
    piece = made.get(cell_format)
    if piece is None:
        if cell_format is None or (cell_format.xf_index is None and cell_format._get_format_key()
                                   not in cell_format.xf_format_indices):
            return ""
        piece = made[cell_format] = f'" s="{index(cell_format)}"><v>'
    return piece


# The XlsxWriter releases whose save _SummaryWorksheet reproduces byte for byte
# (tests/test_summary_xlsx.py). Under any other release the rows are left to
# XlsxWriter's own save: slower, never wrong.
FAST_SAVE_VERSIONS = ("3.3",)


def fast_save_available(version: str | None = None) -> bool:
    """Whether this XlsxWriter's release is one the row-at-a-time save was checked against."""
    found = version if version is not None else xlsxwriter.__version__
    return ".".join(found.split(".")[:2]) in FAST_SAVE_VERSIONS


class _SummaryWorksheet(Worksheet):
    """XlsxWriter's worksheet, with columns of data cells kept as values (`_Cells`) and saved a column at a time.

    XlsxWriter writes each cell with a loop over its attributes and a file write
    per cell, the innermost loop of a save (two thirds of the summary's save at
    1,000 departments), from a tuple per cell. This writes the same XML, byte for
    byte: rows of kept cells only a block of rows and a column at a time (each
    text or date cell's XML made once per value and column, its row number put
    in once per row), other rows a row at a time, the kept columns merged with
    XlsxWriter's own cell table (headers, links...); the formats are numbered
    first, in the order XlsxWriter's own save would number them. A sheet with
    comments, constant-memory mode or Excel 2010 extensions is left to XlsxWriter
    (the kept cells put in its table first). It overrides methods that are not
    XlsxWriter's public API (as of XlsxWriter 3.3): tests/test_summary_xlsx.py
    compares every part of a summary with XlsxWriter's own writers and save.
    """

    table: defaultdict[int, dict]  # XlsxWriter's cell table: row -> column -> cell

    def __init__(self) -> None:
        super().__init__()
        self.kept_columns: list[_Cells] = []
        self._tag_ends: dict[tuple | None, str] = {}  # see _write_block
        self._rows_with_cells: set[int] | None = None

    def keep(self, cells: _Cells) -> None:
        self.kept_columns.append(cells)

    def set_row_heights(self, heights: dict[int, float]) -> None:
        """``set_row(row, height)`` for each row, in one pass (24,000 rows of wrapped text at 1,000 departments).

        What XlsxWriter's ``set_row`` stores for a row with a height only; a height of 0
        (hidden), a row outside the sheet or another XlsxWriter release go through it.
        """
        if not fast_save_available() or self.constant_memory:
            for row, height in heights.items():
                self.set_row(row, height)
            return
        min_col = self.dim_colmin if self.dim_colmin is not None else 0
        row_info, row_sizes, rows = self.row_info, self.row_sizes, self.xls_rowmax
        low = high = -1
        for row, height in heights.items():
            pixels = int(height * 4.0 / 3.0 + 0.5)  # as set_row
            if pixels == 0 or not 0 <= row < rows:
                self.set_row(row, height)
                continue
            row_info[row] = RowInfo(height=pixels, row_format=None, hidden=False, level=0, collapsed=False)
            row_sizes[row] = [pixels, False]
            if low < 0 or row < low:
                low = row
            if row > high:
                high = row
        if low >= 0:  # the rows' extent, as each set_row's check would have stretched it
            self._check_dimensions(low, min_col)
            self._check_dimensions(high, min_col)

    def _own_save(self) -> bool:
        """Whether the rows are saved here; if not, the kept cells go into XlsxWriter's table first."""
        if fast_save_available() and not (self.comments or self.constant_memory or self.excel_version == 2010):
            return True
        for column in self.kept_columns:
            for row, cell in column.cells():
                self.table[row][column.col] = cell
        self.kept_columns = []
        return False

    def _get_range_data(self, row_start: int, col_start: int, row_end: int, col_end: int):
        # A chart's cached values, as XlsxWriter reads them from its table: with the kept cells put in a copy of it.
        if not self.kept_columns or self.constant_memory:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        if self._rows_with_cells is None:  # a row with any cell is "in the table", even outside the range
            self._rows_with_cells = {column.first + i for column in self.kept_columns
                                     for i, value in enumerate(column.values) if value is not None}
        rows = [row for row in range(row_start, row_end + 1) if row in self.table or row in self._rows_with_cells]
        view: defaultdict[int, dict] = defaultdict(dict, {row: dict(self.table.get(row, {})) for row in rows})
        for column in self.kept_columns:
            if col_start <= column.col <= col_end and column.first <= row_end and column.end > row_start:
                for row, cell in column.cells(row_start, row_end):
                    view[row][column.col] = cell
        table, self.table = self.table, view
        try:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        finally:
            self.table = table

    def _calculate_spans(self) -> None:
        # The "spans" of each block of 16 rows: the first and last column with a cell (1-based), as XlsxWriter's.
        if not self._own_save():
            super()._calculate_spans()
            return
        low: dict[int, int] = {}
        high: dict[int, int] = {}
        first, last = self.dim_rowmin, self.dim_rowmax

        def seen(block: int, left: int, right: int) -> None:
            if block not in low:
                low[block], high[block] = left, right
            else:
                low[block], high[block] = min(low[block], left), max(high[block], right)

        for row, cells in self.table.items():
            if cells and first <= row <= last:
                seen(row // 16, min(cells), max(cells))
        for column in self.kept_columns:
            start, values, col = column.first, column.values, column.col
            for block in range(start // 16, (column.end - 1) // 16 + 1):  # a block with a cell of the column
                part = values[max(block * 16 - start, 0):block * 16 + 16 - start]
                if part.count(None) < len(part):
                    seen(block, col, col)
        self.row_spans = {block: f"{low[block] + 1}:{high[block] + 1}" for block in sorted(low)}

    def _write_rows(self) -> None:
        if not self._own_save():
            super()._write_rows()
            return
        self._calculate_spans()
        table, row_info, spans, write = self.table, self.row_info, self.row_spans, self.fh.write
        columns = sorted(self.kept_columns, key=_column_of)
        letters: dict[int, str] = {}
        indexes: dict[int, int] = {}  # id(format) -> its xf index
        pieces: dict[int, dict] = {}  # id(kept) -> value -> the cell's XML after its reference

        def index(cell_format: Format) -> int:
            found = indexes.get(id(cell_format))
            if found is None:
                found = indexes[id(cell_format)] = cell_format._get_xf_index()
            return found

        def letter(col: int) -> str:
            found = letters.get(col)
            if found is None:
                found = letters[col] = xl_col_to_name(col)
            return found

        def plain(row: int) -> bool:  # a row of kept cells at most, its tag without a format or outline
            info = row_info.get(row)
            return not table.get(row) and (info is None or (info.row_format is None and not info.level
                                                            and not info.collapsed))

        self._ask_formats(columns, index)
        row, last = self.dim_rowmin, self.dim_rowmax
        while row <= last:
            if plain(row):  # a block of such rows is written a column at a time
                end = row + 1
                while end <= last and end - row < _BLOCK_ROWS and plain(end):
                    end += 1
                self._write_block(row, end, columns, pieces, letter, index)
                row = end
                continue
            entries: list = [(column.col, letter(column.col), column, pieces.setdefault(id(column.kept), {}), value)
                             for column in columns if column.first <= row < column.end
                             and (value := column.values[row - column.first]) is not None]
            cells = table.get(row)
            if cells:  # XlsxWriter's own cells of the row (a header, a link...), in column order with the kept ones
                entries += [(col, None, cell, None, None) for col, cell in cells.items()]
                entries.sort(key=_first)
            if not entries:
                if row in row_info:  # a row with a height or format only
                    self._write_empty_row(row, spans.get(row // 16), row_info[row])
                row += 1
                continue
            number = str(row + 1)
            chunks: list[str] = [self._row_tag(number, spans.get(row // 16), row_info.get(row)) or ""]
            if not chunks[0]:
                self._write_row(row, spans.get(row // 16), row_info.get(row))
            for col, name, column, made, value in entries:
                if name is None:
                    xml = self._cell_xml(row, col, column, number, letter, index)
                    if xml is None:
                        write("".join(chunks))
                        chunks.clear()
                        self._write_cell(row, col, column)
                    else:
                        chunks.append(xml)
                    continue
                kept = column.kept
                if kept is None:  # a number column: made holds the XML before the number, by format
                    cell_format = column.part if type(value) is float and not value.is_integer() else column.whole
                    piece = made.get(cell_format)
                    if piece is None:
                        piece = made[cell_format] = f'" s="{index(cell_format)}"><v>'
                    chunks.append(f'<c r="{name}{number}{piece}{value:.16G}</v></c>')
                    continue
                else:
                    piece = made.get(value)
                    if piece is None:
                        piece = made[value] = _piece(value, kept, index)
                chunks.append(f'<c r="{name}{number}{piece}')
            chunks.append("</row>")
            write("".join(chunks))
            row += 1

    def _ask_formats(self, columns: list[_Cells], index) -> None:
        """Give each format first used on this sheet its xf index, in the order XlsxWriter's save asks for them.

        XlsxWriter numbers a format when a cell of it is first written: row by row,
        a row's own format first, then its cells by column. Asked here once, in that
        order, the rows can be written a block of rows and a column at a time.
        """
        firsts: dict[int, tuple[int, int, Format]] = {}  # id(format) -> (row, column, format) of its first cell

        def seen(row: int, col: int, cell_format: Format | None) -> None:
            if cell_format is None or cell_format.xf_index is not None:  # none, or numbered already
                return
            known = firsts.get(id(cell_format))
            if known is None or (row, col) < (known[0], known[1]):
                firsts[id(cell_format)] = (row, col, cell_format)

        low, high, row_info = self.dim_rowmin, self.dim_rowmax, self.row_info
        for row, info in row_info.items():
            if low <= row <= high:
                seen(row, -1, info.row_format)
        for row, cells in self.table.items():
            if not (cells and low <= row <= high):
                continue
            info = row_info.get(row)
            for col, cell in cells.items():  # a cell without a format of its own takes its row's or column's
                if cell.format:
                    seen(row, col, cell.format)
                elif info is not None and info.row_format:
                    seen(row, col, info.row_format)
                elif col in self.col_info:
                    seen(row, col, self.col_info[col].column_format)
        for column in columns:
            values, first, col = column.values, column.first, column.col
            if column.kept is None:
                whole, part = column.whole, column.part
                wanted = {id(each): each for each in (whole, part) if each is not None and each.xf_index is None}
                for i, value in enumerate(values):
                    if not wanted:
                        break
                    if value is not None:
                        cell_format = part if type(value) is float and not value.is_integer() else whole
                        if wanted.pop(id(cell_format), None) is not None:
                            seen(first + i, col, cell_format)
            elif column.formats is None or any(each.xf_index is None for each in column.formats.values()):
                kept, found = column.kept, set()
                for value in dict.fromkeys(values):  # distinct values, in the order of their first cell
                    if value is not None:
                        cell_format = kept[value][1]
                        if cell_format.xf_index is None and id(cell_format) not in found:
                            found.add(id(cell_format))
                            seen(first + values.index(value), col, cell_format)
        for _row, _col, cell_format in sorted(firsts.values(), key=_place):
            index(cell_format)

    def _write_block(self, first: int, end: int, columns: list[_Cells], pieces: dict[int, dict], letter, index) -> None:
        """Rows ``first`` to ``end`` (not included), which have kept cells only, written a column at a time.

        Each cell's XML is made with `_ROW` for its row number, put in once per row; a
        text or date cell's XML is made once per value and column (`_Cells.made`).
        """
        size, numbers = end - first, [str(row) for row in range(first + 1, end + 1)]
        made_columns: list[list[str]] = []
        for column in columns:
            low, high = max(first, column.first), min(end, column.end)
            if low >= high:
                continue
            values, kept = column.values[low - column.first:high - column.first], column.kept
            opener = f'<c r="{letter(column.col)}{_ROW}'
            if kept is None:  # a number column: the XML before the number, by format
                made = pieces.setdefault(id(kept), {})
                whole, part = (_number_piece(each, made, index) for each in (column.whole, column.part))
                if column.part is column.whole:
                    cells = ["" if value is None else f'{opener}{whole}{value:.16G}</v></c>' for value in values]
                else:
                    cells = ["" if value is None else f'{opener}{part}{value:.16G}</v></c>'
                             if type(value) is float and not value.is_integer() else
                             f'{opener}{whole}{value:.16G}</v></c>' for value in values]
            else:
                made, piece = column.made, pieces.setdefault(id(kept), {})
                for value in dict.fromkeys(values):  # each distinct value once
                    if value not in made:
                        known = piece.get(value)
                        if known is None:
                            known = piece[value] = _piece(value, kept, index)
                        made[value] = opener + known
                cells = [made[value] for value in values]
            if low > first or high < end:
                cells = [*[""] * (low - first), *cells, *[""] * (end - high)]
            made_columns.append(cells)
        row_info, spans, ends = self.row_info, self.row_spans, self._tag_ends
        out: list[str] = []
        for i, row_cells in enumerate(zip(*made_columns) if made_columns else [()] * size):
            body, row = "".join(row_cells), first + i
            info, span = row_info.get(row), spans.get(row // 16)
            if not body:
                if info is not None:  # a row with a height only
                    self.fh.write("".join(out))
                    out.clear()
                    self._write_empty_row(row, span, info)
                continue
            number, key = numbers[i], None if info is None else (info.height, info.hidden)
            rest = ends.get(key)
            if rest is None:  # the tag's attributes after its spans: the same for each height
                rest = ends[key] = (self._row_tag("", None, info) or "")[len('<row r=""'):]
            out.append(f'<row r="{number}" spans="{span}"{rest}' if span else f'<row r="{number}"{rest}')
            out.append(body.replace(_ROW, number))
            out.append("</row>")
        self.fh.write("".join(out))

    def _row_tag(self, number: str, span: str | None, info: RowInfo | None) -> str | None:
        """The <row> tag as XlsxWriter's _write_row writes it, for a row without a format or outline; else None."""
        if info is not None and (info.row_format is not None or info.level or info.collapsed):
            return None
        height = info.height if info is not None else None
        if height is None:
            height = self.default_row_height
        tag = f'<row r="{number}" spans="{span}"' if span else f'<row r="{number}"'
        custom = height != self.original_row_height or height != self.default_row_height
        if custom:
            tag += f' ht="{height * 0.75:.16g}"'
        if info is not None and info.hidden:
            tag += ' hidden="1"'
        return tag + ' customHeight="1">' if custom else tag + ">"

    def _cell_xml(self, row: int, col: int, cell, number: str, letter, index) -> str | None:
        """A cell of XlsxWriter's table as XML; None: written by XlsxWriter itself when its turn comes."""
        kind, cell_format = type(cell), cell.format
        if cell_format is None or not (kind is CellStringTuple or kind is CellNumberTuple or kind is CellDatetimeTuple):
            return None
        if kind is CellStringTuple:  # .string: the index in the shared strings
            return f'<c r="{letter(col)}{number}" s="{index(cell_format)}" t="s"><v>{cell.string}</v></c>'
        return f'<c r="{letter(col)}{number}" s="{index(cell_format)}"><v>{cell.number:.16G}</v></c>'


# How hard the summary's parts are deflated. XlsxWriter leaves zlib's default, level 6: at 1,000 departments
# (15 MB of XML) that took 0.21 s of CPU for a 1.60 MB file; level 1 takes 0.05 s for 2.24 MB.
ZIP_LEVEL = 1


class _SummaryWorkbook(Workbook):
    """XlsxWriter's workbook, zipped at `ZIP_LEVEL`.

    XlsxWriter has no option for it: its ``_store_workbook`` makes the zip file
    with the ``ZipFile`` of its module, which is swapped for the save only.
    """

    def _store_workbook(self) -> None:
        made = getattr(xlsxwriter.workbook, "ZipFile", None)
        if made is not zipfile.ZipFile:  # another XlsxWriter: its own zip file, as it is
            super()._store_workbook()
            return
        xlsxwriter.workbook.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=ZIP_LEVEL)
        try:
            super()._store_workbook()
        finally:
            xlsxwriter.workbook.ZipFile = made


class _LineChartInDays(ChartLine):
    """A line chart whose date axis counts in days (``<c:baseTimeUnit val="days"/>``).

    XlsxWriter has no option for a date axis's base unit; without one Excel may pick
    months for nights a week apart and label 01/12/2026 as "01/01/2026". The element
    goes right after ``c:lblOffset`` (the order of CT_DateAx in the OOXML schema).
    """

    _in_date_axis = False

    def _write_date_axis(self, *args, **kwargs) -> None:
        self._in_date_axis = True
        try:
            super()._write_date_axis(*args, **kwargs)
        finally:
            self._in_date_axis = False

    def _write_label_offset(self, val) -> None:
        super()._write_label_offset(val)
        if self._in_date_axis:
            self._xml_empty_tag("c:baseTimeUnit", [("val", "days")])


