"""The company summary as Sheets ``batchUpdate`` requests: the Google renderer of :mod:`okrsheets.sheets.summary`.

The same description XlsxWriter renders (``backends/excel_summary.py``) becomes,
sheet by sheet: ``addSheet`` (frozen header rows, hidden sheets), column widths
and row heights, one ``updateCells`` of values per block, the header and title
formats, a basic filter on each table, the grade colours as conditional
formatting, and native charts (``addChart``). Nothing here sends a request.

Every text cell is written as ``userEnteredValue.stringValue``, which Sheets
stores as it is: a comment such as ``=IMPORTXML(...)`` stays text, never a
formula. Numbers are ``numberValue`` with the column's number format; dates are
serial numbers (days since 1899-12-30, as Sheets counts) with the summary's
date format. The conditional-format formulas are written in the spreadsheet's
locale (``;`` between arguments and ``,`` as decimal separator in vi_VN), since
Sheets parses them in it.

Sheets has no print settings in its API: the frozen header rows are what
Sheets repeats on every printed page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeGuard

from okrsheets import i18n
from okrsheets.sheets.spec import FONT, a1
from okrsheets.sheets.summary import (
    GRADE_COLOURS,
    HEADER_FILL,
    HEADER_FONT,
    NUMBER_FORMATS,
    Chart,
    Fact,
    Link,
    Sheet,
    Summary,
    Table,
    column_runs,
    pixels,
)

__all__ = ["SHEET_OFFSETS", "summary_requests", "serial", "MAX_TEXT"]

SERIAL_EPOCH = date(1899, 12, 30)  # day 0 of Sheets' (and Excel's) serial dates
MAX_TEXT = 50_000  # Sheets' limit on the characters in a cell
# Each summary sheet's ID is its offset added to a base (see backends/google/summary.py)
SHEET_OFFSETS = {"overview": 0, "objectives": 1, "key_results": 2, "at_risk": 3, "stale": 4, "history": 5,
                 "issues": 6, "kr_history": 7, "alignment": 8}
_LINK_COLOUR = "0563C1"
PERCENT = {"type": "PERCENT", "pattern": NUMBER_FORMATS["percent"]}
CHANGE = {"type": "PERCENT", "pattern": NUMBER_FORMATS["change"]}
INTEGER = {"type": "NUMBER", "pattern": NUMBER_FORMATS["integer"]}
DECIMAL = {"type": "NUMBER", "pattern": NUMBER_FORMATS["decimal"]}
_HEADING_POINTS = 24
_EXTRA_ROWS = 1  # a sheet holds its content plus this many empty rows
_EXTRA_COLUMNS = 0
_ROWS_PER_REQUEST = 2000  # rows of values per updateCells: about 1.5 MB of JSON on the key results sheet


def serial(day: date) -> int:
    return (day - SERIAL_EPOCH).days


def rgb(hex_colour: str) -> dict[str, float]:
    return {"red": int(hex_colour[0:2], 16) / 255, "green": int(hex_colour[2:4], 16) / 255,
            "blue": int(hex_colour[4:6], 16) / 255}


def _colour(hex_colour: str) -> dict[str, Any]:
    return {"rgbColor": rgb(hex_colour)}


def _text(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:MAX_TEXT]


def _string(value: object) -> dict[str, Any]:
    """A literal text cell: Sheets stores a stringValue as text, whatever it starts with."""
    return {"userEnteredValue": {"stringValue": _text(value)}}


def _is_number(value: object) -> TypeGuard[float]:
    return (type(value) is float or type(value) is int) and value == value  # NaN is no number


class _Cells:
    """How one summary writes a cell of each kind: its value and its number format."""

    def __init__(self, summary: Summary) -> None:
        self.lang = summary.language
        self.date_format = {"type": "DATE", "pattern": summary.date_format}
        self._strings: dict[object, dict] = {}  # names, statuses and comments repeat: one cell each, never changed

    def string(self, value: object) -> dict[str, Any]:
        made = self._strings.get(value)
        if made is None:
            made = self._strings[value] = _string(value)
        return made

    def cell(self, kind: str, value: object) -> dict[str, Any]:
        """The cell's value; only a ``number`` column's cell carries its own number format (whole or not),
        the other columns have theirs set once for the column (a Fact's cell gets it with :meth:`formatted`)."""
        if value is None:
            return {}
        if kind in ("status", "grade"):
            labels = (i18n.STATUS if kind == "status" else i18n.GRADE)[self.lang]
            return self.string(labels.get(value, value) if isinstance(value, str) else value)
        if kind == "link":
            return self.string(value.text if isinstance(value, Link) else value)
        if kind == "date":
            if isinstance(value, date):
                return {"userEnteredValue": {"numberValue": serial(value)}}
            return self.string(value)
        if kind in ("number", "percent", "score", "change", "count") and _is_number(value):
            cell: dict[str, Any] = {"userEnteredValue": {"numberValue": value}}
            if kind == "number":
                whole = float(value).is_integer()
                cell["userEnteredFormat"] = {"numberFormat": INTEGER if whole else DECIMAL}
            return cell
        return self.string(value) if type(value) is str else _string(value)

    def number_format(self, kind: str, value: object) -> dict[str, str] | None:
        """The number format a ``kind`` value shows with (a date, a percentage...), or None."""
        if not _is_number(value) and not isinstance(value, date):
            return None
        if kind == "date":
            return self.date_format if isinstance(value, date) else None
        if kind in ("percent", "score"):
            return PERCENT
        if kind == "change":
            return CHANGE
        if kind == "number" and _is_number(value):  # (a date in a number column: no format, as any other kind)
            return INTEGER if float(value).is_integer() else DECIMAL
        return None


def _grid(sheet_id: int, first_row: int, last_row: int, first_col: int, last_col: int) -> dict[str, int]:
    """A GridRange from 0-based inclusive bounds."""
    return {"sheetId": sheet_id, "startRowIndex": first_row, "endRowIndex": last_row + 1,
            "startColumnIndex": first_col, "endColumnIndex": last_col + 1}


def _size(sheet: Sheet) -> tuple[int, int]:
    rows, cols = 1, 1
    if sheet.key_row is not None:
        cols = max(cols, len(sheet.key_row))
    if sheet.facts:
        rows, cols = max(rows, 1 + len(sheet.facts)), max(cols, 2)
    if sheet.table is not None:
        rows = max(rows, sheet.table.last_row + 1)
        cols = max(cols, len(sheet.table.columns))
    for chart in sheet.charts:
        rows = max(rows, chart.anchor[0] + 1)
    return rows + _EXTRA_ROWS, cols + _EXTRA_COLUMNS


def summary_requests(summary: Summary, sheet_ids: dict[str, int], locale: str, first_index: int = 0) -> list[dict]:
    """Every request that draws ``summary`` on new sheets with the IDs in ``sheet_ids`` (by sheet key).

    The sheets are added at ``first_index`` onwards, in the summary's order. ``locale``
    is the spreadsheet's (the conditional-format formulas are written in it).
    """
    cells = _Cells(summary)
    requests: list[dict] = []
    for index, sheet in enumerate(summary.sheets):
        requests.extend(_sheet_requests(summary, sheet, sheet_ids[sheet.key], first_index + index, locale, cells))
    return requests


def _sheet_requests(summary: Summary, sheet: Sheet, sheet_id: int, index: int, locale: str,
                    cells: _Cells) -> Iterable[dict]:
    rows, cols = _size(sheet)
    grid: dict[str, Any] = {"rowCount": rows, "columnCount": cols}
    if sheet.table is not None:
        grid["frozenRowCount"] = sheet.table.row + 1
    properties: dict[str, Any] = {"sheetId": sheet_id, "title": sheet.title, "index": index, "gridProperties": grid}
    if sheet.hidden:
        properties["hidden"] = True
    yield {"addSheet": {"properties": properties}}
    # the team workbooks' font, every cell top-aligned (a row made taller by wrapped text still reads across)
    yield {"repeatCell": {"range": _grid(sheet_id, 0, rows - 1, 0, cols - 1),
                          "cell": {"userEnteredFormat": {"verticalAlignment": "TOP",
                                                         "textFormat": {"fontFamily": FONT, "fontSize": 11}}},
                          "fields": "userEnteredFormat.verticalAlignment,userEnteredFormat.textFormat"}}
    if sheet.key_row is not None:
        yield _values(sheet_id, 0, 0, [[_string(key) for key in sheet.key_row]])
        yield _dimension(sheet_id, "ROWS", 0, 0, {"hiddenByUser": True}, "hiddenByUser")
    if sheet.heading is not None:
        yield _formatted(sheet_id, 0, 0, [[{**_string(sheet.heading), "userEnteredFormat": {
            "verticalAlignment": "BOTTOM",
            "textFormat": {"fontFamily": FONT, "fontSize": 16, "bold": True, "foregroundColorStyle": _colour(HEADER_FILL)}}}]])
        yield _dimension(sheet_id, "ROWS", 0, 0, {"pixelSize": _points(_HEADING_POINTS)}, "pixelSize")
    if sheet.facts:
        yield _formatted(sheet_id, 1, 0, [_fact_row(fact, cells) for fact in sheet.facts])
    if sheet.table is not None:
        yield from _table_requests(summary, sheet_id, sheet.table, locale, cells)
    for chart in sheet.charts:
        yield _chart(chart, sheet_id)


def _points(points: float) -> int:
    return round(points * 96 / 72)


def _dimension(sheet_id: int, dimension: str, first: int, last: int, properties: dict, fields: str) -> dict:
    return {"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": dimension, "startIndex": first, "endIndex": last + 1},
        "properties": properties, "fields": fields}}


def _values(sheet_id: int, row: int, col: int, rows: list[list[dict]], fields: str = "userEnteredValue") -> dict:
    """Values only (or the ``fields`` named): the formats set before for the columns stay."""
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                            "rows": [{"values": values} for values in rows], "fields": fields}}


def _formatted(sheet_id: int, row: int, col: int, rows: list[list[dict]]) -> dict:
    """Values with their whole format (titles, headers, facts)."""
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                            "rows": [{"values": values} for values in rows],
                            "fields": "userEnteredValue,userEnteredFormat"}}


def _base_format(**more: Any) -> dict[str, Any]:
    return {"verticalAlignment": "TOP", "textFormat": {"fontFamily": FONT, "fontSize": 11, **more.pop("text", {})}, **more}


def _fact_row(fact: Fact, cells: _Cells) -> list[dict]:
    label = {**_string(fact.label), "userEnteredFormat": _base_format(text={"bold": True})}
    value = cells.cell(fact.kind, fact.value)
    fmt = _base_format()
    number_format = cells.number_format(fact.kind, fact.value)
    if number_format is not None:
        fmt["numberFormat"] = number_format
    if fact.kind in ("percent", "score"):
        fmt["horizontalAlignment"] = "RIGHT"
    elif fact.kind == "date":
        fmt["horizontalAlignment"] = "LEFT"
    grade = fact.grade if fact.grade is not None else (fact.value if fact.kind == "grade" else None)
    if grade in GRADE_COLOURS:
        fill, font = GRADE_COLOURS[grade]
        fmt["backgroundColorStyle"] = _colour(fill)
        fmt["textFormat"] = {**fmt["textFormat"], "foregroundColorStyle": _colour(font)}
    if fact.value is None:
        return [label]
    return [label, {**value, "userEnteredFormat": fmt}]


def _table_requests(summary: Summary, sheet_id: int, table: Table, locale: str, cells: _Cells) -> Iterable[dict]:
    header, last = table.row, table.last_row
    width = len(table.columns)
    header_format = {"verticalAlignment": "TOP", "wrapStrategy": "WRAP", "backgroundColorStyle": _colour(HEADER_FILL),
                     "textFormat": {"fontFamily": FONT, "fontSize": 11, "bold": True,
                                    "foregroundColorStyle": _colour(HEADER_FONT)}}
    yield _formatted(sheet_id, header, 0, [[{**_string(c.header), "userEnteredFormat": header_format}
                                            for c in table.columns]])
    for c, column in enumerate(table.columns):
        yield _dimension(sheet_id, "COLUMNS", c, c, {"pixelSize": pixels(column.width)}, "pixelSize")
    for first, last_row, height in _height_runs(table.row_heights):
        yield _dimension(sheet_id, "ROWS", first, last_row, {"pixelSize": _points(height)}, "pixelSize")
    if last > header:
        for c, column in enumerate(table.columns):  # the column's alignment and wrapping, before the values
            fmt = _column_format(column.kind, cells.date_format)
            if fmt:
                yield {"repeatCell": {"range": _grid(sheet_id, header + 1, last, c, c), "cell": {"userEnteredFormat": fmt},
                                      "fields": ",".join(f"userEnteredFormat.{k}" for k in fmt)}}
        kinds = [column.kind for column in table.columns]
        rows = [[cells.cell(kinds[c], value) for c, value in enumerate(values)] for values in table.rows]
        numbers = [c for c, kind in enumerate(kinds) if kind == "number"]
        for c in numbers:  # whole numbers and decimals differ in format within one column
            yield _values(sheet_id, header + 1, c, [[{"userEnteredFormat": row[c].pop("userEnteredFormat")}
                                                     if "userEnteredFormat" in row[c] else {}] for row in rows],
                          "userEnteredFormat.numberFormat")
        for start in range(0, len(rows), _ROWS_PER_REQUEST):  # no single request near Google's 10 MB limit
            yield _values(sheet_id, header + 1 + start, 0, rows[start:start + _ROWS_PER_REQUEST])
        links = [c for c, kind in enumerate(kinds) if kind == "link"]
        for c in links:
            yield _link_formats(sheet_id, header + 1, c, [values[c] for values in table.rows])
    yield {"setBasicFilter": {"filter": {"range": _grid(sheet_id, header, max(last, header + 1), 0, width - 1)}}}
    if last > header:
        red, green = summary.bands
        kinds = [column.kind for column in table.columns]
        for first_col, last_col in column_runs(kinds, "score"):
            yield from _grade_rules(sheet_id, header + 1, last, first_col, last_col, red, green, locale)
        for c in [c for c, kind in enumerate(kinds) if kind == "grade"]:
            yield from _grade_label_rules(sheet_id, header + 1, last, c, summary.language)


def _height_runs(heights: dict[int, float]) -> list[tuple[int, int, float]]:
    """(first row, last row, height) of each run of adjacent rows of one height: one request per run."""
    runs: list[list] = []
    for row, height in sorted(heights.items()):
        if runs and runs[-1][1] == row - 1 and runs[-1][2] == height:
            runs[-1][1] = row
        else:
            runs.append([row, row, height])
    return [(first, last, height) for first, last, height in runs]


def _column_format(kind: str, date_format: dict[str, str]) -> dict[str, Any]:
    """A column's alignment, wrapping and (one for the whole column) number format."""
    if kind == "wrap":
        return {"wrapStrategy": "WRAP"}
    if kind in ("percent", "score"):
        return {"horizontalAlignment": "RIGHT", "numberFormat": PERCENT}
    if kind == "change":
        return {"numberFormat": CHANGE}
    if kind == "date":
        return {"horizontalAlignment": "LEFT", "numberFormat": date_format}
    return {}


def _link_formats(sheet_id: int, row: int, col: int, values: list) -> dict:
    """Blue underlined text linking to the cell of a team spreadsheet, for the values that are URLs."""
    rows: list[dict[str, Any]] = []
    for value in values:
        uri = value.target if isinstance(value, Link) and "://" in value.target else None
        if uri is None:
            rows.append({"values": [{}]})
            continue
        rows.append({"values": [{"userEnteredFormat": {"textFormat": {
            "fontFamily": FONT, "fontSize": 11, "underline": True, "foregroundColorStyle": _colour(_LINK_COLOUR),
            "link": {"uri": uri}}}}]})
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col}, "rows": rows,
                            "fields": "userEnteredFormat.textFormat"}}


def _a1(row: int, col: int) -> str:
    """The A1 reference of the 0-based (row, col) the summary's requests count in."""
    return a1(row + 1, col + 1)


def _number(value: float, locale: str) -> str:
    text = repr(float(value))
    return text.replace(".", ",") if _comma_decimal(locale) else text


def _comma_decimal(locale: str) -> bool:
    """True where the decimal separator is a comma (and formula arguments are separated by ";")."""
    return locale.split("_")[0] in {"vi", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "tr", "id", "da", "sv", "nb",
                                    "fi", "cs", "hu", "ro", "uk"}


def grade_formulas(first: str, red: float, green: float, locale: str) -> dict[str, str]:
    """The grade tests of a block whose top-left cell is ``first``, in the spreadsheet's locale (blank cells pass none)."""
    sep = ";" if _comma_decimal(locale) else ","
    r, g = _number(red, locale), _number(green, locale)
    return {
        "red": f"=AND(ISNUMBER({first}){sep}{first}<{r})",
        "yellow": f"=AND(ISNUMBER({first}){sep}{first}>={r}{sep}{first}<{g})",
        "green": f"=AND(ISNUMBER({first}){sep}{first}>={g})",
    }


def _grade_format(grade: str) -> dict[str, Any]:
    fill, font = GRADE_COLOURS[grade]
    return {"backgroundColorStyle": _colour(fill), "textFormat": {"foregroundColorStyle": _colour(font)}}


def _grade_rules(sheet_id: int, first_row: int, last_row: int, first_col: int, last_col: int, red: float, green: float,
                 locale: str) -> Iterable[dict]:
    """The grade fill of a block of score cells; the formula names the top-left cell and Sheets shifts it."""
    for grade, formula in grade_formulas(_a1(first_row, first_col), red, green, locale).items():
        yield {"addConditionalFormatRule": {"index": 0, "rule": {
            "ranges": [_grid(sheet_id, first_row, last_row, first_col, last_col)],
            "booleanRule": {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
                            "format": _grade_format(grade)}}}}


def _grade_label_rules(sheet_id: int, first_row: int, last_row: int, col: int, lang: str) -> Iterable[dict]:
    """A grade column shows each grade's word in the grade's colours."""
    for grade in GRADE_COLOURS:
        yield {"addConditionalFormatRule": {"index": 0, "rule": {
            "ranges": [_grid(sheet_id, first_row, last_row, col, col)],
            "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": i18n.GRADE[lang][grade]}]},
                            "format": _grade_format(grade)}}}}


def _source(sheet_id: int, first_row: int, first_col: int, last_row: int, last_col: int) -> dict:
    return {"sourceRange": {"sources": [_grid(sheet_id, first_row, last_row, first_col, last_col)]}}


def _chart(chart: Chart, sheet_id: int) -> dict:
    """A native chart. Each series' range starts at its header cell (``headerCount`` 1), so Sheets
    takes the series' name from the header the table wrote as literal text."""
    first = chart.series[0]
    domain_range = first.categories
    domain = {"domain": _source(sheet_id, domain_range.first_row - 1, domain_range.first_col,
                                domain_range.last_row, domain_range.last_col)}
    series_list = []
    bar = chart.kind == "bar"
    value_axis = "BOTTOM_AXIS" if bar else "LEFT_AXIS"
    for series in chart.series:
        values = series.values
        made: dict[str, Any] = {"series": _source(sheet_id, values.first_row - 1, values.first_col,
                                                  values.last_row, values.last_col),
                                "targetAxis": value_axis}
        if series.colour:
            made["colorStyle"] = _colour(series.colour)
        if series.point_colours:
            made["styleOverrides"] = [{"index": i, "colorStyle": _colour(colour)}
                                      for i, colour in enumerate(series.point_colours)]
        if series.labels:
            made["dataLabel"] = {"type": "DATA", "placement": "INSIDE_END" if bar else "ABOVE"}
        if not bar:
            made["lineStyle"] = {"width": max(1, round(series.width))}
            if series.markers:
                made["pointStyle"] = {"shape": "CIRCLE", "size": 5}
        series_list.append(made)
    category_axis = "LEFT_AXIS" if bar else "BOTTOM_AXIS"
    spec: dict[str, Any] = {
        "title": chart.title,
        "titleTextFormat": {"bold": True, "fontSize": 12},
        "basicChart": {
            "chartType": "BAR" if bar else "LINE",
            "legendPosition": "BOTTOM_LEGEND" if chart.legend else "NO_LEGEND",
            "axis": [{"position": value_axis, "viewWindowOptions": {"viewWindowMin": chart.value_min,
                                                                     "viewWindowMax": chart.value_max,
                                                                     "viewWindowMode": "EXPLICIT"}},
                     {"position": category_axis}],
            "domains": [domain],  # a Sheets bar chart lists the first category at the top (Excel needs reversing)
            "series": series_list,
            "headerCount": 1,
        },
    }
    if not bar:
        spec["basicChart"]["lineSmoothing"] = False
    return {"addChart": {"chart": {"spec": spec, "position": {"overlayPosition": {
        "anchorCell": {"sheetId": sheet_id, "rowIndex": chart.anchor[0], "columnIndex": chart.anchor[1]},
        "widthPixels": chart.width, "heightPixels": chart.height}}}}}
