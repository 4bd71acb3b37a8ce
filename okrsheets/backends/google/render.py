"""A WorkbookSpec as Sheets API requests: the Google twin of ``backends/excel.py``'s ``render``.

One ``batchUpdate`` builds the whole spreadsheet: its locale and time zone
first (Google parses every formula, validation and colour-rule formula in the
spreadsheet's locale), then the new sheets, the old ones deleted, and per
sheet its cells (values, formulas, number formats, styles), column widths,
hidden columns, row heights, merges, data validation, colour rules and
protection. Google applies a ``batchUpdate`` whole or not at all, so a
rebuilt spreadsheet is never left half-written.

The spec is Excel-shaped in a few places, converted here:

* colours are ARGB hex ("FF1F4E79") -> ``{"red", "green", "blue"}`` in 0..1;
* column widths are in characters (Excel's unit) -> pixels (7 per character
  of 11-point Calibri, plus 5 of padding, as Excel converts them); row
  heights in points -> pixels (4/3);
* number formats are Excel codes -> ``{"type", "pattern"}`` (Google's
  patterns use the same tokens);
* "whole" and "date" validation, which Google does not have, become custom
  formulas; "decimal between" is NUMBER_BETWEEN;
* formulas are written with "," between arguments and "." in numbers; in a
  locale whose decimal separator is a comma (vi_VN) Google wants ";" between
  arguments, "," in numbers and "\\" between the items of an array literal;
* a formula with an array literal is wrapped in ARRAYFORMULA (Google
  evaluates ``FIND({...}, x)`` item by item only there);
* print setup (landscape, fit to width) and data bars have no Sheets API
  equivalent and are left out; the workbook password is Excel's only.

Text is always written as ``stringValue``: a team's "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from okrsheets.backends.excel_read import format_kind
from okrsheets.i18n import GRADE_FILL, GRADE_FONT
from okrsheets.sheets.spec import FONT, STYLES, Cell, CellError, Formula, SheetSpec, Validation, WorkbookSpec, column_number, without_locale_tag
from okrsheets.sheets.team_workbook import COL, FIRST_ROW, META_SHEET, locked_hash, read_meta, sheet_locked_cells

# Languages whose decimal separator is a comma: Google wants ";" between a formula's arguments there.
COMMA_DECIMAL_LANGUAGES = frozenset({"vi", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "tr", "id", "sv", "da", "fi", "nb", "cs", "uk"})
PIXELS_PER_CHARACTER = 7  # 11-point Calibri's digit width, Excel's unit of column width
COLUMN_PADDING = 5
EPOCH = date(1899, 12, 30)  # day 0 of Google's (and Excel's) date serial numbers


def comma_decimal(locale: str) -> bool:
    return locale.split("_")[0].lower() in COMMA_DECIMAL_LANGUAGES


@lru_cache(maxsize=16384)  # a team workbook's formulas are the same in every department: each localized once a run
def localize(formula: str, locale: str) -> str:
    """``formula`` (with "," between arguments, "." in numbers) as Google parses it in ``locale``."""
    if not comma_decimal(locale):
        return formula
    return _swap(formula, decimal=(".", ","), argument=(",", ";"), item=(",", "\\"))


def delocalize(formula: str, locale: str) -> str:
    """A formula Google holds in ``locale``, written with "," between arguments and "." in numbers."""
    if not comma_decimal(locale):
        return formula
    return _swap(formula, decimal=(",", "."), argument=(";", ","), item=("\\", ","))


def _swap(formula: str, *, decimal: tuple[str, str], argument: tuple[str, str], item: tuple[str, str]) -> str:
    """Each (from, to) separator replaced outside quoted text: ``decimal`` between the digits of a
    number, ``item`` between the items of an array literal, ``argument`` elsewhere."""
    out: list[str] = []
    depth, i, n = 0, 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch in "\"'":  # text or a quoted sheet name, with doubled quotes inside
            j = i + 1
            while j < n:
                if formula[j] == ch:
                    if j + 1 < n and formula[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(formula[i:j + 1])
            i = j + 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        if ch == decimal[0] and _in_number(formula, i):
            out.append(decimal[1])
        elif depth and ch == item[0]:
            out.append(item[1])
        elif not depth and ch == argument[0]:
            out.append(argument[1])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _in_number(text: str, i: int) -> bool:
    """Whether the separator at ``i`` sits between the digits of a number literal (not of a cell reference)."""
    if i == 0 or i + 1 >= len(text) or not text[i - 1].isdigit() or not text[i + 1].isdigit():
        return False
    j = i - 1
    while j >= 0 and text[j].isdigit():
        j -= 1
    return j < 0 or not (text[j].isalpha() or text[j] in "$_")


def has_array_literal(formula: str) -> bool:
    quote = None
    for ch in formula:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            return True
    return False


def google_formula(formula: Formula, locale: str) -> str:
    """The text written to Google for a spec formula: its Google form, in ARRAYFORMULA when it has an
    array literal, with the locale's separators."""
    text = formula.google or formula.text
    if has_array_literal(text) and not text.upper().startswith("=ARRAYFORMULA("):
        text = f"=ARRAYFORMULA({text[1:]})"
    return localize(text, locale)


def colour(argb: str) -> dict[str, float]:
    """An ARGB hex colour ("FF1F4E79") as the Sheets API's Color."""
    rgb = argb[-6:]
    return {name: int(rgb[k:k + 2], 16) / 255 for name, k in (("red", 0), ("green", 2), ("blue", 4))}


def column_pixels(characters: float) -> int:
    return round(characters * PIXELS_PER_CHARACTER + COLUMN_PADDING)


def row_pixels(points: float) -> int:
    return round(points * 4 / 3)


def number_format(code: str) -> dict[str, str]:
    """An Excel number-format code as the Sheets API's NumberFormat (separators: the spreadsheet's locale)."""
    code = without_locale_tag(code)
    kind = format_kind(code)
    if kind == "percent":
        return {"type": "PERCENT", "pattern": code}
    if kind == "date":
        lower = code.lower()
        has_time = any(token in lower for token in ("h", "s", ":", "am/pm"))
        has_day = "y" in lower or "d" in lower or ("m" in lower and not has_time)
        return {"type": "DATE_TIME" if has_day and has_time else "TIME" if has_time else "DATE", "pattern": code}
    return {"type": "NUMBER", "pattern": code}


def serial(value: date | datetime | time) -> float:
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if isinstance(value, date):
        return float((value - EPOCH).days)
    return (value.hour * 3600 + value.minute * 60 + value.second) / 86400


def cell_value(value: object, locale: str) -> dict[str, Any] | None:
    """A spec cell's value as the Sheets API's ExtendedValue (``userEnteredValue``)."""
    if value is None or value == "":
        return None
    if isinstance(value, Formula):
        return {"formulaValue": google_formula(value, locale)}
    if isinstance(value, CellError):  # an error value is read-only in the API: kept as its text
        return {"stringValue": value.text}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    if isinstance(value, (date, datetime, time)):
        return {"numberValue": serial(value)}
    return {"stringValue": str(value)}


_FORMATS: dict[str, dict[str, Any]] = {}


def style_format(style: str) -> dict[str, Any]:
    """A named style (spec.STYLES) as the Sheets API's CellFormat."""
    if style not in _FORMATS:
        s = STYLES[style]
        text: dict[str, Any] = {"fontFamily": FONT, "fontSize": s.get("size", 11)}
        if s.get("bold"):
            text["bold"] = True
        if s.get("italic"):
            text["italic"] = True
        if "colour" in s:
            text["foregroundColor"] = colour(s["colour"])
        fmt: dict[str, Any] = {"textFormat": text, "verticalAlignment": "TOP"}
        if "fill" in s:
            fmt["backgroundColor"] = colour(s["fill"])
        if s.get("wrap"):
            fmt["wrapStrategy"] = "WRAP"
        if s.get("align"):
            fmt["horizontalAlignment"] = s["align"].upper()
        _FORMATS[style] = fmt
    return _FORMATS[style]


def cell_data(cell: Cell, locale: str) -> dict[str, Any]:
    fmt = dict(style_format(cell.style))
    code = cell.number_format
    if code is None and isinstance(cell.value, (date, datetime)):
        code = "yyyy-mm-dd"
    if code:
        fmt["numberFormat"] = number_format(code)
    data: dict[str, Any] = {"userEnteredFormat": fmt}
    value = cell_value(cell.value, locale)
    if value is not None:
        data["userEnteredValue"] = value
    return data


def grid_range(sheet_id: int, ref: str) -> dict[str, int]:
    """An A1 range ("G10", "H10:H40", "$R$9") on a sheet as a GridRange (end indexes exclusive)."""
    first, _, last = ref.replace("$", "").partition(":")
    r1, c1 = _cell(first)
    r2, c2 = _cell(last) if last else (r1, c1)
    return {"sheetId": sheet_id, "startRowIndex": r1 - 1, "endRowIndex": r2, "startColumnIndex": c1 - 1, "endColumnIndex": c2}


def _cell(ref: str) -> tuple[int, int]:
    letters = "".join(ch for ch in ref if ch.isalpha())
    return int(ref[len(letters):]), column_number(letters)


def _top_left(ref: str) -> str:
    return ref.split(":")[0]


def validation_rule(rule: Validation, locale: str) -> dict[str, Any]:
    """A spec Validation as the Sheets API's DataValidationRule."""
    cell = _top_left(rule.ref)
    if rule.type == "list":
        condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": c} for c in rule.choices]}
    elif rule.type == "decimal" and rule.operator == "between":
        condition = {"type": "NUMBER_BETWEEN", "values": [{"userEnteredValue": localize(v or "", locale)} for v in (rule.formula1, rule.formula2)]}
    else:  # whole numbers and dates: a custom formula, as Google has neither
        tests = [f"ISNUMBER({cell})"]
        if rule.type == "whole":
            tests.append(f"{cell}=INT({cell})")
        tests.extend(_bounds(cell, rule))
        condition = {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": localize(f"=AND({','.join(tests)})", locale)}]}
    found: dict[str, Any] = {"condition": condition, "strict": rule.strict, "showCustomUi": rule.type == "list"}
    if rule.prompt:
        found["inputMessage"] = rule.prompt
    return found


_OPERATORS = {"greaterThanOrEqual": ">=", "greaterThan": ">", "lessThanOrEqual": "<=", "lessThan": "<", "equal": "=", "notEqual": "<>"}


def _bounds(cell: str, rule: Validation) -> list[str]:
    if rule.operator == "between":
        return [f"{cell}>={rule.formula1}", f"{cell}<={rule.formula2}"]
    if rule.operator == "notBetween":
        return [f"OR({cell}<{rule.formula1},{cell}>{rule.formula2})"]
    if rule.operator in _OPERATORS and rule.formula1 is not None:
        return [f"{cell}{_OPERATORS[rule.operator]}{rule.formula1}"]
    return []


@dataclass
class SheetIds:
    """The sheet IDs a rebuild gives its new sheets: never one in use."""

    in_use: set[int] = field(default_factory=set)

    def next(self) -> int:
        number = max(self.in_use, default=0) + 1
        self.in_use.add(number)
        return number


def build_requests(spec: WorkbookSpec, *, locale: str, time_zone: str, editors: list[str],
                   old_sheets: dict[int, str], title: str | None = None) -> list[dict[str, Any]]:
    """Every request of the one batchUpdate that makes the spreadsheet hold ``spec``.

    ``old_sheets`` ({sheet ID: title}) are the sheets there now, deleted once
    the new ones are in (a spreadsheet always keeps one sheet); ``editors``
    may edit the protected cells (the job's own address, the admins).
    """
    spec = with_google_hash(spec, locale)
    ids = SheetIds(set(old_sheets))
    new_ids = [ids.next() for _ in spec.sheets]
    taken = set(old_sheets.values())
    properties: dict[str, Any] = {"locale": locale, "timeZone": time_zone}
    if title:
        properties["title"] = title
    requests: list[dict[str, Any]] = [
        {"updateSpreadsheetProperties": {"properties": properties, "fields": ",".join(properties)}}
    ]
    renames = []
    for index, (sheet, sheet_id) in enumerate(zip(spec.sheets, new_ids)):
        shown = sheet.title if sheet.title not in taken else f"{sheet.title} ~{sheet_id}"
        if shown != sheet.title:
            renames.append((sheet_id, sheet.title))
        grid = {"rowCount": max(100, sheet.max_row + 50), "columnCount": max(26, sheet.max_column)}
        if sheet.frozen_rows:
            grid["frozenRowCount"] = sheet.frozen_rows
        if sheet.frozen_columns:
            grid["frozenColumnCount"] = sheet.frozen_columns
        props: dict[str, Any] = {"sheetId": sheet_id, "title": shown, "index": index, "gridProperties": grid}
        if sheet.hidden:
            props["hidden"] = True
        requests.append({"addSheet": {"properties": props}})
    requests.extend({"deleteSheet": {"sheetId": sheet_id}} for sheet_id in old_sheets)
    requests.extend({"updateSheetProperties": {"properties": {"sheetId": sheet_id, "title": name}, "fields": "title"}}
                    for sheet_id, name in renames)
    for sheet, sheet_id in zip(spec.sheets, new_ids):
        requests.extend(sheet_requests(sheet, sheet_id, locale, editors))
    return requests


def sheet_requests(sheet: SheetSpec, sheet_id: int, locale: str, editors: list[str]) -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = []
    rows = []
    for row in range(1, sheet.max_row + 1):
        values = []
        for column in range(1, sheet.max_column + 1):
            cell = sheet.cells.get((row, column))
            values.append(cell_data(cell, locale) if cell is not None else {})
        rows.append({"values": values})
    if rows:
        requests.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0}, "rows": rows,
                                         "fields": "userEnteredValue,userEnteredFormat"}})

    def dimension(kind: str, index: int, props: dict[str, Any], fields: str) -> dict[str, Any]:
        rng = {"sheetId": sheet_id, "dimension": kind, "startIndex": index - 1, "endIndex": index}
        return {"updateDimensionProperties": {"range": rng, "properties": props, "fields": fields}}

    for column, width in sorted(sheet.column_widths.items()):
        requests.append(dimension("COLUMNS", column, {"pixelSize": column_pixels(width)}, "pixelSize"))
    for column in sheet.hidden_columns:
        requests.append(dimension("COLUMNS", column, {"hiddenByUser": True}, "hiddenByUser"))
    for row, height in sorted(sheet.row_heights.items()):
        requests.append(dimension("ROWS", row, {"pixelSize": row_pixels(height)}, "pixelSize"))
    for ref in sheet.merged:
        requests.append({"mergeCells": {"range": grid_range(sheet_id, ref), "mergeType": "MERGE_ALL"}})
    for rule in sheet.validations:
        requests.append({"setDataValidation": {"range": grid_range(sheet_id, rule.ref), "rule": validation_rule(rule, locale)}})
    index = 0
    for mark in sheet.formula_colours:  # first: the first rule that matches a cell colours it
        fmt = {"backgroundColor": colour(mark.fill), "textFormat": {"foregroundColor": colour(mark.font), "bold": True}}
        requests.append(_colour_rule(sheet_id, mark.ref, f"={mark.formula}", fmt, index, locale))
        index += 1
    for band in sheet.colour_rules:
        top_left = _top_left(band.ref)
        tests = [f"ISNUMBER({top_left})"]
        if band.low is not None:
            tests.append(f"{top_left}>={band.low!r}")
        if band.high is not None:
            tests.append(f"{top_left}<{band.high!r}")
        fmt = {"backgroundColor": colour(GRADE_FILL[band.grade]), "textFormat": {"foregroundColor": colour(GRADE_FONT[band.grade])}}
        requests.append(_colour_rule(sheet_id, band.ref, f"=AND({','.join(tests)})", fmt, index, locale))
        index += 1
    if sheet.protected:
        protected: dict[str, Any] = {"range": {"sheetId": sheet_id}, "description": "okrsheets", "warningOnly": False,
                                     "editors": {"users": editors}}
        unlocked = unlocked_ranges(sheet, sheet_id)
        if unlocked:
            protected["unprotectedRanges"] = unlocked
        requests.append({"addProtectedRange": {"protectedRange": protected}})
    return requests


def _colour_rule(sheet_id: int, ref: str, formula: str, fmt: dict[str, Any], index: int, locale: str) -> dict[str, Any]:
    condition = {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": localize(formula, locale)}]}
    rule = {"ranges": [grid_range(sheet_id, ref)], "booleanRule": {"condition": condition, "format": fmt}}
    return {"addConditionalFormatRule": {"rule": rule, "index": index}}


def unlocked_ranges(sheet: SheetSpec, sheet_id: int) -> list[dict[str, int]]:
    """The cells a team types in (``locked=False``) as few GridRanges: runs of columns, stacked over
    consecutive rows with the same runs."""
    by_row: dict[int, list[int]] = {}
    for (row, column), cell in sheet.cells.items():
        if not cell.locked:
            by_row.setdefault(row, []).append(column)
    runs_by_row: dict[int, tuple[tuple[int, int], ...]] = {}
    for row, columns in by_row.items():
        runs: list[list[int]] = []
        for column in sorted(columns):
            if runs and runs[-1][1] == column - 1:
                runs[-1][1] = column
            else:
                runs.append([column, column])
        runs_by_row[row] = tuple((a, b) for a, b in runs)
    ranges = []
    rows = sorted(runs_by_row)
    i = 0
    while i < len(rows):
        first = last = rows[i]
        while i + 1 < len(rows) and rows[i + 1] == last + 1 and runs_by_row[rows[i + 1]] == runs_by_row[first]:
            i += 1
            last = rows[i]
        for a, b in runs_by_row[first]:
            ranges.append({"sheetId": sheet_id, "startRowIndex": first - 1, "endRowIndex": last,
                           "startColumnIndex": a - 1, "endColumnIndex": b})
        i += 1
    return ranges


def with_google_hash(spec: WorkbookSpec, locale: str) -> WorkbookSpec:
    """The spec with its metadata's ``locked_hash`` made from the formulas as Google holds them.

    The hash lets a reader notice locked cells a team changed; it is made from
    the formulas' text, and Google holds the Google form in the locale's
    separators, which the reader reads back.
    """
    try:
        meta = spec.sheet(META_SHEET)
    except StopIteration:
        return spec
    rows = [[meta.cells[(r, c)].value if (r, c) in meta.cells else None for c in (1, 2)] for r in range(1, meta.max_row + 1)]
    values = read_meta(rows)
    okr = next((s for s in spec.sheets if s.title == values.get("okr_sheet")), None)
    hash_row = next((r for r in range(1, meta.max_row + 1) if rows[r - 1][0] == "locked_hash"), None)
    if okr is None or hash_row is None:
        return spec
    ids = set(values.get("ids", "").split())
    positions: dict[str, int] = {}
    for (row, column), cell in sorted(okr.cells.items()):
        if row >= FIRST_ROW and column == COL["id"] and cell.value in ids and cell.value not in positions:
            code = okr.cells.get((row, COL["code"]))
            if code is None or code.value != "archived":
                positions[str(cell.value)] = row

    def value(row: int, column: int) -> object:
        cell = okr.cells.get((row, column))
        if cell is None:
            return None
        if isinstance(cell.value, Formula):
            return Formula(google_formula(cell.value, locale))
        return cell.value

    digest = locked_hash(sheet_locked_cells(value, positions, dict(COL)))
    new_meta = replace(meta, cells={**meta.cells, (hash_row, 2): replace(meta.cells[(hash_row, 2)], value=digest)})
    return replace(spec, sheets=[new_meta if s is meta else s for s in spec.sheets])
