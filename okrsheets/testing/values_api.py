"""``spreadsheets.values.*``: get, batchGet, update, batchUpdate, append, clear, batchClear."""

from __future__ import annotations

from typing import Any

from . import a1, cellvalues
from .errors import ApiError, bad_request_field, invalid_argument
from .model import Sheet, Spreadsheet, check_cell_text

RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")


def _one(query: dict[str, list[str]], key: str, default: str | None = None) -> str | None:
    values = query.get(key)
    return values[-1] if values else default


def _flag(query: dict[str, list[str]], key: str) -> bool:
    return (_one(query, key, "false") or "false").lower() in ("true", "1")


def _range_text(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> str:
    return a1.format_range(sheet.title, r0, r1, c0, c1)


def value_range(ss: Spreadsheet, text: str, query: dict[str, list[str]]) -> dict[str, Any]:
    sheet, r0, r1, c0, c1, _ = ss.resolve(text)
    major = _one(query, "majorDimension", "ROWS") or "ROWS"
    render = _one(query, "valueRenderOption", "FORMATTED_VALUE") or "FORMATTED_VALUE"
    dates = _one(query, "dateTimeRenderOption", "SERIAL_NUMBER") or "SERIAL_NUMBER"
    out: dict[str, Any] = {"range": _range_text(sheet, r0, r1, c0, c1), "majorDimension": major}
    values = ss.read_grid(sheet, r0, r1, c0, c1, render, dates, major)
    if values:
        out["values"] = values
    return out


def get(ss: Spreadsheet, text: str, query: dict[str, list[str]]) -> dict[str, Any]:
    return value_range(ss, text, query)


def batch_get(ss: Spreadsheet, query: dict[str, list[str]]) -> dict[str, Any]:
    ranges = query.get("ranges") or []
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if ranges:
        out["valueRanges"] = [value_range(ss, r, query) for r in ranges]
    return out


def _check_values(values: Any, field: str) -> list[list[Any]]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise bad_request_field(field, f"Invalid value at '{field}' (type.googleapis.com/google.protobuf.ListValue), {_json(values)}")
    for i, row in enumerate(values):
        if not isinstance(row, list):
            where = f"{field}[{i}]"
            raise bad_request_field(where, f"Invalid value at '{where}' (type.googleapis.com/google.protobuf.ListValue), {_json(row)}")
    return values


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def write(
    ss: Spreadsheet,
    text: str,
    body: dict[str, Any],
    input_option: str | None,
    *,
    field: str = "data.values",
    start_override: tuple[Sheet, int, int] | None = None,
    grow: bool = False,
) -> dict[str, Any]:
    """Write one ValueRange; returns the UpdateValuesResponse (without spreadsheet-level keys)."""
    if input_option not in ("RAW", "USER_ENTERED"):
        if not input_option:
            raise invalid_argument("'valueInputOption' is required but not specified")
        raise invalid_argument(f"Invalid valueInputOption: {input_option}")
    values = _check_values(body.get("values"), field)
    major = body.get("majorDimension") or "ROWS"
    if major == "COLUMNS":
        width = max((len(r) for r in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    if start_override is not None:
        sheet, r0, c0 = start_override
        r1, c1 = r0 + 1, c0 + 1
        single = True
    else:
        sheet, r0, r1, c0, c1, single = ss.resolve(text)
        if body.get("range"):
            body_sheet, br0, _, bc0, _, _ = ss.resolve(body["range"], clip=False)
            if (body_sheet is not sheet) or (br0, bc0) != (r0, c0):
                raise invalid_argument(
                    f"Requested writing within range [{_range_text(sheet, r0, r1, c0, c1)}], but the request body has "
                    f"range [{body['range']}]."
                )
    height = len(values)
    width = max((len(r) for r in values), default=0)
    if height and width:
        if not single:
            if height > r1 - r0:
                raise invalid_argument(
                    f"Requested writing within range [{a1.always_quoted(sheet.title)}!{a1.format_box(r0, r1, c0, c1)}], "
                    f"but tried writing to row [{r0 + height}]"
                )
            if width > c1 - c0:
                raise invalid_argument(
                    f"Requested writing within range [{a1.always_quoted(sheet.title)}!{a1.format_box(r0, r1, c0, c1)}], "
                    f"but tried writing to column [{a1.column_letters(c0 + width - 1)}]"
                )
        if grow and (r0 + height > sheet.rows or c0 + width > sheet.cols):
            sheet.props["gridProperties"]["rowCount"] = max(sheet.rows, r0 + height)
            sheet.props["gridProperties"]["columnCount"] = max(sheet.cols, c0 + width)
            ss.check_cell_limit()
        ss.check_in_grid(sheet, r0, r0 + height, c0, c0 + width)
    rows_touched, cols_touched, cells = set(), set(), 0
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (dict, list)):
                raise bad_request_field(f"{field}[{i}].values[{j}]", f"Invalid values[{i}][{j}]: {_json(value)}")
            check_cell_text(value)
            r, c = r0 + i, c0 + j
            _store(ss, sheet, r, c, value, input_option)
            rows_touched.add(r)
            cols_touched.add(c)
            cells += 1
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if height and width:
        out["updatedRange"] = _range_text(sheet, r0, r0 + height, c0, c0 + width)
    else:
        out["updatedRange"] = _range_text(sheet, r0, r1, c0, c1)
    if cells:
        out["updatedRows"] = len(rows_touched)
        out["updatedColumns"] = len(cols_touched)
        out["updatedCells"] = cells
    out["_touched"] = (sheet.id, rows_touched, cols_touched, (sheet, r0, r0 + max(height, 1), c0, c0 + max(width, 1)))
    return out


def _store(ss: Spreadsheet, sheet: Sheet, r: int, c: int, value: Any, input_option: str) -> None:
    cell = sheet.cell_for_write(r, c)
    if input_option == "RAW":
        uev, number_format = cellvalues.parse_raw(value), None
    else:
        uev, number_format = cellvalues.parse_user_entered(value, ss.locale)
    if uev is None:
        cell.pop("userEnteredValue", None)
    else:
        cell["userEnteredValue"] = uev
    if number_format is not None:
        fmt = cell.setdefault("userEnteredFormat", {})
        if not (fmt.get("numberFormat") or {}).get("pattern") or fmt["numberFormat"].get("type") != number_format["type"]:
            fmt["numberFormat"] = number_format
    sheet.drop_if_empty(r, c)


def _finish(ss: Spreadsheet, out: dict[str, Any], query: dict[str, list[str]], include_key: str = "includeValuesInResponse") -> dict[str, Any]:
    sheet_id, rows, cols, box = out.pop("_touched")
    if _flag(query, include_key):
        sheet, r0, r1, c0, c1 = box
        render = _one(query, "responseValueRenderOption", "FORMATTED_VALUE") or "FORMATTED_VALUE"
        dates = _one(query, "responseDateTimeRenderOption", "SERIAL_NUMBER") or "SERIAL_NUMBER"
        data: dict[str, Any] = {"range": _range_text(sheet, r0, r1, c0, c1), "majorDimension": "ROWS"}
        values = ss.read_grid(sheet, r0, r1, c0, c1, render, dates, "ROWS")
        if values:
            data["values"] = values
        out["updatedData"] = data
    return out


def update(ss: Spreadsheet, text: str, body: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    out = write(ss, text, body, _one(query, "valueInputOption"))
    return _finish(ss, out, query)


def batch_update(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    option = body.get("valueInputOption")
    query = {}
    if body.get("includeValuesInResponse"):
        query["includeValuesInResponse"] = ["true"]
    for key in ("responseValueRenderOption", "responseDateTimeRenderOption"):
        if body.get(key):
            query[key] = [body[key]]
    responses = []
    rows: set[tuple[int, int]] = set()
    cols: set[tuple[int, int]] = set()
    sheets: set[int] = set()
    total_cells = 0
    for i, vr in enumerate(body.get("data") or []):
        if not vr.get("range"):
            raise invalid_argument(f"data[{i}].range is required but not specified")
        out = write(ss, vr["range"], {"values": vr.get("values"), "majorDimension": vr.get("majorDimension")}, option, field=f"data[{i}].values")
        sheet_id, r, c, _ = out["_touched"]
        rows |= {(sheet_id, x) for x in r}
        cols |= {(sheet_id, x) for x in c}
        if r:
            sheets.add(sheet_id)
        total_cells += out.get("updatedCells", 0)
        responses.append(_finish(ss, out, query))
    result: dict[str, Any] = {"spreadsheetId": ss.id}
    if total_cells:
        result.update(
            totalUpdatedRows=len(rows),
            totalUpdatedColumns=len(cols),
            totalUpdatedCells=total_cells,
            totalUpdatedSheets=len(sheets),
        )
    if responses:
        result["responses"] = responses
    return result


def _find_table(ss: Spreadsheet, sheet: Sheet, r0: int, r1: int, c0: int, c1: int, single: bool) -> tuple[int, int, int, int] | None:
    """The table ``values.append`` appends to, as (r0, r1, c0, c1), or None."""
    filled = {k for k, cell in sheet.cells.items() if cell.get("userEnteredValue")}
    if single:
        if (r0, c0) not in filled:
            return None
        anchor = (r0, c0)
    else:
        inside = [k for k in filled if r0 <= k[0] < r1 and c0 <= k[1] < c1]
        if not inside:
            return None
        anchor = max(inside)
    seen = {anchor}
    todo = [anchor]
    while todo:
        r, c = todo.pop()
        for nb in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if nb in filled and nb not in seen:
                seen.add(nb)
                todo.append(nb)
    rows = [k[0] for k in seen]
    cols = [k[1] for k in seen]
    return min(rows), max(rows) + 1, min(cols), max(cols) + 1


def append(ss: Spreadsheet, text: str, body: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    option = _one(query, "valueInputOption")
    sheet, r0, r1, c0, c1, single = ss.resolve(text)
    _check_values(body.get("values"), "data.values")
    table = _find_table(ss, sheet, r0, r1, c0, c1, single)
    result: dict[str, Any] = {"spreadsheetId": ss.id}
    if table is None:
        start_r, start_c = r0, c0
    else:
        result["tableRange"] = _range_text(sheet, *table)
        start_r, start_c = table[1], table[2]
    values = body.get("values") or []
    height = len(values) if (body.get("majorDimension") or "ROWS") == "ROWS" else max((len(v) for v in values), default=0)
    if (_one(query, "insertDataOption") or "OVERWRITE") == "INSERT_ROWS" and height and start_r < sheet.rows:
        from .batch_dimensions import shift_sheet

        shift_sheet(ss, sheet, "ROWS", start_r, height)
        sheet.props["gridProperties"]["rowCount"] += height
        ss.check_cell_limit()
    out = write(ss, text, body, option, start_override=(sheet, start_r, start_c), grow=True)
    result["updates"] = _finish(ss, out, query)
    return result


def clear_range(ss: Spreadsheet, text: str) -> str:
    sheet, r0, r1, c0, c1, _ = ss.resolve(text)
    for key in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
        sheet.cells[key].pop("userEnteredValue", None)
        sheet.drop_if_empty(*key)
    return _range_text(sheet, r0, r1, c0, c1)


def clear(ss: Spreadsheet, text: str) -> dict[str, Any]:
    return {"spreadsheetId": ss.id, "clearedRange": clear_range(ss, text)}


def batch_clear(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    ranges = body.get("ranges") or []
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    cleared = [clear_range(ss, r) for r in ranges]
    if cleared:
        out["clearedRanges"] = cleared
    return out


__all__ = ["ApiError", "append", "batch_clear", "batch_get", "batch_update", "clear", "get", "update"]
