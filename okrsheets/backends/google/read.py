"""A team spreadsheet as the rollup reads it, from one ``spreadsheets.get`` answer.

The answer (``includeGridData``, the fields below) holds, per cell, the value
Google computed (``effectiveValue``: numbers unformatted, dates as serial
numbers, errors as errors), what was typed (``userEnteredValue``: formulas as
their text) and its number format; per sheet its title, whether it is
hidden, its merges and its protected ranges. :func:`workbook_data` turns it
into the backend-neutral :class:`~okrsheets.sheets.data.WorkbookData` the
Excel reader gives too: a number in a date or time format becomes a date,
datetime or time (as calamine reads it), an error its code ("#DIV/0!"), a
number format its kind (percent, date, other).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time, timedelta
from typing import Any

from okrsheets.backends.excel_read import format_kind
from okrsheets.backends.google.render import delocalize
from okrsheets.sheets.data import FormatKind, SheetData, SheetDetails, WorkbookData
from okrsheets.sheets.spec import Formula
from okrsheets.sheets.team_workbook import TypedCell

FIELDS = (
    "spreadsheetId,properties(locale,timeZone),"
    "sheets(properties(sheetId,title,index,hidden),merges,"
    "protectedRanges(protectedRangeId,range,warningOnly,unprotectedRanges),"
    "data(rowData(values(userEnteredValue,effectiveValue,userEnteredFormat(numberFormat),effectiveFormat(numberFormat)))))"
)
# Google's error types (ErrorValue.type) as the codes the values reader knows.
ERROR_CODES = {
    "DIVIDE_BY_ZERO": "#DIV/0!", "VALUE": "#VALUE!", "REF": "#REF!", "NAME": "#NAME?", "NUM": "#NUM!",
    "N_A": "#N/A", "NULL_VALUE": "#NULL!", "ERROR": "#ERROR!", "LOADING": "#N/A",
}
EPOCH = datetime(1899, 12, 30)


def sheet_ids(answer: dict[str, Any]) -> dict[int, str]:
    """{sheet ID: title} of every sheet in the answer."""
    return {int((s.get("properties") or {}).get("sheetId", 0)): (s.get("properties") or {}).get("title", "")
            for s in answer.get("sheets") or []}


def workbook_data(answer: dict[str, Any], location: str, only: Collection[str] | None = None) -> WorkbookData:
    """The values of every sheet (or of those named in ``only``), with their details."""
    sheets = {}
    for sheet in answer.get("sheets") or []:
        props = sheet.get("properties") or {}
        title = props.get("title", "")
        if only is not None and title not in only:
            continue
        sheets[title] = _sheet_data(sheet, title)
    return WorkbookData(location, sheets)


def _cells(sheet: dict[str, Any]):
    """(row, column, cell) of every cell the answer holds, 1-based."""
    for block in sheet.get("data") or []:
        top, left = int(block.get("startRow", 0)), int(block.get("startColumn", 0))
        for r, row in enumerate(block.get("rowData") or [], start=top + 1):
            for c, cell in enumerate(row.get("values") or [], start=left + 1):
                if cell:
                    yield r, c, cell


def number_format(cell: dict[str, Any]) -> dict[str, Any]:
    return (cell.get("userEnteredFormat") or {}).get("numberFormat") or (cell.get("effectiveFormat") or {}).get("numberFormat") or {}


def kind_of(fmt: dict[str, Any]) -> FormatKind:
    kind = fmt.get("type")
    if kind == "PERCENT":
        return "percent"
    if kind in ("DATE", "TIME", "DATE_TIME"):
        return "date"
    pattern = fmt.get("pattern")
    return format_kind(pattern) if pattern else "other"


def from_serial(number: float, fmt: dict[str, Any]) -> object:
    """A date serial number as calamine reads a date cell: date, datetime or time by the format."""
    kind = fmt.get("type")
    moment = EPOCH + timedelta(days=number)
    if kind == "TIME" or (kind not in ("DATE", "DATE_TIME") and 0 <= number < 1):
        return time(moment.hour, moment.minute, moment.second)
    if kind == "DATE_TIME" and moment.time() != time(0):
        return moment
    return moment.date() if moment.time() == time(0) else moment


def cell_value(cell: dict[str, Any]) -> object:
    """What the cell holds as the rollup reads it (its computed value)."""
    value = cell.get("effectiveValue")
    if not value:
        return None
    if "numberValue" in value:
        number = float(value["numberValue"])
        fmt = number_format(cell)
        return from_serial(number, fmt) if kind_of(fmt) == "date" else number
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "errorValue" in value:
        return ERROR_CODES.get((value["errorValue"] or {}).get("type", "ERROR"), "#ERROR!")
    return None


def _sheet_data(sheet: dict[str, Any], title: str) -> SheetData:
    props = sheet.get("properties") or {}
    rows: list[list[object]] = []
    kinds: dict[tuple[int, int], FormatKind] = {}
    formulas: dict[tuple[int, int], str] = {}
    for r, c, cell in _cells(sheet):
        value = cell_value(cell)
        typed = cell.get("userEnteredValue") or {}
        if "formulaValue" in typed:
            formulas[(r, c)] = str(typed["formulaValue"]).lstrip("=")
        kind = kind_of(number_format(cell))
        if kind != "other":
            kinds[(r, c)] = kind
        if value is None:
            continue
        while len(rows) < r:
            rows.append([])
        row = rows[r - 1]
        row.extend([None] * (c - len(row)))
        row[c - 1] = value
    merged = tuple(
        (int(m.get("startRowIndex", 0)) + 1, int(m.get("startColumnIndex", 0)) + 1, int(m.get("endRowIndex", 0)), int(m.get("endColumnIndex", 0)))
        for m in sheet.get("merges") or []
    )
    protected = any(_whole_sheet(p.get("range") or {}) and not p.get("warningOnly") for p in sheet.get("protectedRanges") or [])
    details = SheetDetails(kinds, formulas, frozenset(), protected)
    return SheetData(title, rows, merged, bool(props.get("hidden")), details)


def _whole_sheet(grid: dict[str, Any]) -> bool:
    return not any(k in grid for k in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"))


def typed_cells(answer: dict[str, Any], title: str, columns: Collection[int], locale: str) -> dict[tuple[int, int], TypedCell]:
    """The non-empty cells of ``columns`` on sheet ``title`` as typed: a formula as its text (with ","
    between arguments, as the spec writes formulas), a date as a date, with the cell's own number format."""
    wanted = set(columns)
    found: dict[tuple[int, int], TypedCell] = {}
    sheet = next((s for s in answer.get("sheets") or [] if (s.get("properties") or {}).get("title") == title), None)
    if sheet is None:
        return found
    for r, c, cell in _cells(sheet):
        typed = cell.get("userEnteredValue") or {}
        if c not in wanted or not typed:
            continue
        fmt = number_format(cell)
        value: object
        if "formulaValue" in typed:
            value = Formula(delocalize(str(typed["formulaValue"]), locale))
        elif "numberValue" in typed:
            number = float(typed["numberValue"])
            value = from_serial(number, fmt) if kind_of(fmt) == "date" else number
        elif "boolValue" in typed:
            value = bool(typed["boolValue"])
        elif "stringValue" in typed:
            value = typed["stringValue"]
        else:
            continue
        found[(r, c)] = TypedCell(value, fmt.get("pattern") or _DEFAULT_PATTERNS.get(fmt.get("type", "")))
    return found


_DEFAULT_PATTERNS = {"DATE": "yyyy-mm-dd", "DATE_TIME": "yyyy-mm-dd hh:mm", "TIME": "hh:mm:ss", "PERCENT": "0.00%"}
