"""batchUpdate requests on sheets, spreadsheet properties and cells."""

from __future__ import annotations

import copy
import re
from typing import Any

from . import cellvalues, conditions
from .batch_common import (
    Context,
    clean_grid_props,
    handler,
    parse_mask,
    resize,
    set_cell_data,
    sheet_or_error,
    strip_defaults,
    to_int,
)
from .errors import invalid_argument
from .model import Sheet, Spreadsheet

# ------------------------------------------------------------------ sheets

def _sheet_props_out(sheet: Sheet) -> dict[str, Any]:
    return copy.deepcopy(sheet.props)


@handler("addSheet")
def add_sheet(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    props = copy.deepcopy(req.get("properties") or {})
    title = props.get("title")
    if not title:
        n = len(ss.sheets) + 1
        while ss.sheet_by_title(f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    if ss.sheet_by_title(title):
        raise invalid_argument(f'{prefix}A sheet with the name "{title}" already exists. Please enter another name.')
    sheet_id = props.get("sheetId")
    if sheet_id is not None:
        sheet_id = int(sheet_id)
        if ss.sheet_by_id(sheet_id):
            raise invalid_argument(f"{prefix}A sheet with id {sheet_id} already exists.")
    else:
        sheet_id = ctx.new_id()
        while ss.sheet_by_id(sheet_id):
            sheet_id = ctx.new_id()
    grid = props.get("gridProperties") or {}
    rows = to_int(grid.get("rowCount"), 1000)
    cols = to_int(grid.get("columnCount"), 26)
    index = props.get("index")
    count = len(ss.sheets)
    index = count if index is None else max(0, min(int(index), count))
    for other in ss.sheets:
        if other.props["index"] >= index:
            other.props["index"] += 1
    sheet = Sheet(sheet_id, title, index, rows, cols)
    for key in ("hidden", "rightToLeft", "tabColor", "tabColorStyle"):
        if props.get(key) is not None:
            sheet.props[key] = props[key]
    for key, value in grid.items():
        if key not in ("rowCount", "columnCount") and value is not None:
            sheet.props["gridProperties"][key] = value
    clean_grid_props(sheet.props)
    ss.sheets.append(sheet)
    ss.reindex()
    ss.check_cell_limit(prefix)
    return {"properties": _sheet_props_out(sheet)}


@handler("deleteSheet")
def delete_sheet(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet = sheet_or_error(ss, req.get("sheetId"), prefix, "sheet")
    if len(ss.sheets) == 1:
        raise invalid_argument(f"{prefix}You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.named_ranges = [n for n in ss.named_ranges if n["range"].get("sheetId", 0) != sheet.id]
    ss.developer_metadata = [
        m for m in ss.developer_metadata
        if m["location"].get("sheetId") != sheet.id and (m["location"].get("dimensionRange") or {}).get("sheetId", -1) != sheet.id
    ]
    ss.reindex()
    return None


@handler("duplicateSheet")
def duplicate_sheet(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    source = sheet_or_error(ss, req.get("sourceSheetId"), prefix, "sheet")
    title = req.get("newSheetName") or f"Copy of {source.title}"
    if ss.sheet_by_title(title):
        raise invalid_argument(f'{prefix}A sheet with the name "{title}" already exists. Please enter another name.')
    new = copy.deepcopy(source)
    new.props["sheetId"] = to_int(req.get("newSheetId"), 0) or ctx.new_id()
    new.props["title"] = title
    index = req.get("insertSheetIndex")
    index = len(ss.sheets) if index is None else int(index)
    for other in ss.sheets:
        if other.props["index"] >= index:
            other.props["index"] += 1
    new.props["index"] = index
    for pr in new.protected_ranges:
        pr["protectedRangeId"] = ctx.new_id()
        pr["range"]["sheetId"] = new.id
    ss.sheets.append(new)
    ss.reindex()
    ss.check_cell_limit(prefix)
    return {"properties": _sheet_props_out(new)}


@handler("updateSheetProperties")
def update_sheet_properties(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    props = req.get("properties") or {}
    sheet = sheet_or_error(ss, props.get("sheetId"), prefix)
    tree = parse_mask(req.get("fields"), prefix)
    if tree is None or "*" in (tree or {}):
        tree = {k: None for k in props if k != "sheetId"}
    before_index = sheet.props["index"]
    new = copy.deepcopy(sheet.props)
    source = copy.deepcopy(props)
    cellvalues.apply_masked(new, source, cellvalues.widen_color_mask({k: v for k, v in tree.items() if k not in ("sheetId", "index")}))
    new["sheetId"] = sheet.id
    if "title" in tree:
        title = props.get("title")
        if not title:
            raise invalid_argument(f"{prefix}The sheet title must not be empty.")
        other = ss.sheet_by_title(title)
        if other is not None and other is not sheet:
            raise invalid_argument(f'{prefix}A sheet with the name "{title}" already exists. Please enter another name.')
    grid = new.setdefault("gridProperties", {})
    rows = to_int(grid.get("rowCount"), sheet.rows)
    cols = to_int(grid.get("columnCount"), sheet.cols)
    if rows < 1 or cols < 1:
        raise invalid_argument(f"{prefix}The grid must have at least one row and one column.")
    if to_int(grid.get("frozenRowCount")) >= rows and to_int(grid.get("frozenRowCount")):
        raise invalid_argument(f"{prefix}You can't freeze all visible rows on the sheet.")
    if to_int(grid.get("frozenColumnCount")) >= cols and to_int(grid.get("frozenColumnCount")):
        raise invalid_argument(f"{prefix}You can't freeze all visible columns on the sheet.")
    if new.get("hidden") and all(s.props.get("hidden") or s is sheet for s in ss.sheets):
        raise invalid_argument(f"{prefix}You can't hide all the sheets in a document.")
    new["index"] = before_index
    sheet.props = new
    clean_grid_props(sheet.props)
    grid["rowCount"], grid["columnCount"] = rows, cols
    resize(sheet, rows, cols)
    if "index" in tree and props.get("index") is not None:
        _move_sheet(ss, sheet, int(props["index"]))
    ss.check_cell_limit(prefix)
    return None


def _move_sheet(ss: Spreadsheet, sheet: Sheet, index: int) -> None:
    order = [s for s in ss.ordered_sheets() if s is not sheet]
    index = max(0, min(index, len(order)))
    order.insert(index, sheet)
    for i, s in enumerate(order):
        s.props["index"] = i


@handler("updateSpreadsheetProperties")
def update_spreadsheet_properties(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    props = req.get("properties") or {}
    tree = parse_mask(req.get("fields"), prefix)
    if tree is None or "*" in tree:
        tree = {k: None for k in props}
    if "title" in tree and not props.get("title"):
        raise invalid_argument(f"{prefix}The spreadsheet title must not be empty.")
    if "timeZone" in tree and props.get("timeZone"):
        _check_time_zone(props["timeZone"], prefix)
    if "defaultFormat" in props and props["defaultFormat"]:
        props = dict(props, defaultFormat=cellvalues.normalize_format(props["defaultFormat"]))
    cellvalues.apply_masked(ss.props, props, tree)
    return None


def _check_time_zone(name: str, prefix: str) -> None:
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(name)
    except ModuleNotFoundError:  # pragma: no cover
        return
    except Exception:
        raise invalid_argument(f"{prefix}Invalid timeZone: {name}") from None


# ------------------------------------------------------------------ cells

@handler("updateCells")
def update_cells(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    tree = parse_mask(req.get("fields"), prefix)
    rows = req.get("rows") or []
    if req.get("range") is not None:
        sheet, r0, r1, c0, c1 = ss.grid_range(req["range"], where=prefix)
        for r in range(r0, r1):
            row = rows[r - r0].get("values") or [] if r - r0 < len(rows) and rows[r - r0] else []
            for c in range(c0, c1):
                data = row[c - c0] if c - c0 < len(row) else {}
                set_cell_data(ss, sheet, r, c, data or {}, tree, prefix)
        return None
    start = req.get("start") or {}
    sheet = sheet_or_error(ss, start.get("sheetId"), prefix)
    r0, c0 = to_int(start.get("rowIndex")), to_int(start.get("columnIndex"))
    height = len(rows)
    width = max((len((row or {}).get("values") or []) for row in rows), default=0)
    if height and width:
        ss.grid_range({"sheetId": sheet.id, "startRowIndex": r0, "endRowIndex": r0 + height, "startColumnIndex": c0, "endColumnIndex": c0 + width}, where=prefix)
    for i, row in enumerate(rows):
        for j, data in enumerate((row or {}).get("values") or []):
            set_cell_data(ss, sheet, r0 + i, c0 + j, data or {}, tree, prefix)
    return None


@handler("repeatCell")
def repeat_cell(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    tree = parse_mask(req.get("fields"), prefix)
    sheet, r0, r1, c0, c1 = ss.grid_range(req.get("range") or {}, where=prefix)
    data = req.get("cell") or {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            set_cell_data(ss, sheet, r, c, data, tree, prefix)
    return None


@handler("appendCells")
def append_cells(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet = sheet_or_error(ss, req.get("sheetId"), prefix)
    tree = parse_mask(req.get("fields"), prefix)
    rows = req.get("rows") or []
    start = sheet.content_extent()[0]
    need = start + len(rows)
    width = max((len((row or {}).get("values") or []) for row in rows), default=0)
    if need > sheet.rows or width > sheet.cols:
        resize(sheet, max(need, sheet.rows), max(width, sheet.cols))
    for i, row in enumerate(rows):
        for j, data in enumerate((row or {}).get("values") or []):
            set_cell_data(ss, sheet, start + i, j, data or {}, tree, prefix)
    ss.check_cell_limit(prefix)
    return None


@handler("setDataValidation")
def set_data_validation(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_range(req.get("range") or {}, where=prefix)
    rule = strip_defaults(req.get("rule")) if req.get("rule") else None
    if rule is not None and not (rule.get("condition") or {}).get("type"):
        raise invalid_argument(f"{prefix}Invalid dataValidation: the condition type must be set.")
    if rule is not None:
        conditions.check(rule.get("condition"), conditions.VALIDATION, prefix)
    for r in range(r0, r1):
        for c in range(c0, c1):
            cell = sheet.cell_for_write(r, c)
            if rule:
                cell["dataValidation"] = copy.deepcopy(rule)
            else:
                cell.pop("dataValidation", None)
            sheet.drop_if_empty(r, c)
    return None


@handler("updateBorders")
def update_borders(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_range(req.get("range") or {}, where=prefix)
    for r in range(r0, r1):
        for c in range(c0, c1):
            edges = {}
            if r == r0 and req.get("top"):
                edges["top"] = req["top"]
            if r == r1 - 1 and req.get("bottom"):
                edges["bottom"] = req["bottom"]
            if c == c0 and req.get("left"):
                edges["left"] = req["left"]
            if c == c1 - 1 and req.get("right"):
                edges["right"] = req["right"]
            if r < r1 - 1 and req.get("innerHorizontal"):
                edges["bottom"] = req["innerHorizontal"]
            if r > r0 and req.get("innerHorizontal"):
                edges["top"] = req["innerHorizontal"]
            if c < c1 - 1 and req.get("innerVertical"):
                edges["right"] = req["innerVertical"]
            if c > c0 and req.get("innerVertical"):
                edges["left"] = req["innerVertical"]
            if not edges:
                continue
            cell = sheet.cell_for_write(r, c)
            fmt = cell.setdefault("userEnteredFormat", {})
            borders = fmt.setdefault("borders", {})
            for side, border in edges.items():
                border = strip_defaults(border)
                if border.get("style") == "NONE" or not border:
                    borders.pop(side, None)
                else:
                    borders[side] = border
            if not borders:
                fmt.pop("borders")
            cell["userEnteredFormat"] = cellvalues.normalize_format(fmt)
            if not cell["userEnteredFormat"]:
                cell.pop("userEnteredFormat")
            sheet.drop_if_empty(r, c)
    return None


@handler("findReplace")
def find_replace(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    find = req.get("find") or ""
    if not find:
        raise invalid_argument(f"{prefix}The find string must not be empty.")
    repl = req.get("replacement") or ""
    flags = 0 if req.get("matchCase") else re.IGNORECASE
    pattern = find if req.get("searchByRegex") else re.escape(find)
    if req.get("matchEntireCell"):
        pattern = f"^(?:{pattern})$"
    regex = re.compile(pattern, flags)
    if req.get("range"):
        sheet, r0, r1, c0, c1 = ss.grid_range(req["range"], where=prefix)
        targets = [(sheet, r0, r1, c0, c1)]
    elif req.get("sheetId") is not None:
        sheet = sheet_or_error(ss, req["sheetId"], prefix)
        targets = [(sheet, 0, sheet.rows, 0, sheet.cols)]
    else:
        targets = [(s, 0, s.rows, 0, s.cols) for s in ss.sheets]
    stats = {"valuesChanged": 0, "formulasChanged": 0, "rowsChanged": 0, "sheetsChanged": 0, "occurrencesChanged": 0}
    for sheet, r0, r1, c0, c1 in targets:
        rows, changed_sheet = set(), False
        for (r, c), cell in list(sheet.cells.items()):
            if not (r0 <= r < r1 and c0 <= c < c1):
                continue
            uev = cell.get("userEnteredValue") or {}
            key = "formulaValue" if "formulaValue" in uev and req.get("includeFormulas") else "stringValue"
            text = uev.get(key)
            if not isinstance(text, str):
                continue
            new, n = regex.subn(repl, text)
            if n:
                uev[key] = new
                stats["occurrencesChanged"] += n
                stats["formulasChanged" if key == "formulaValue" else "valuesChanged"] += 1
                rows.add(r)
                changed_sheet = True
        stats["rowsChanged"] += len(rows)
        stats["sheetsChanged"] += int(changed_sheet)
    return {k: v for k, v in stats.items() if v}
