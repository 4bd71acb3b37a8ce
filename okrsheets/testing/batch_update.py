"""``spreadsheets.batchUpdate``: the request kinds the fake applies.

The caller applies all requests to a copy of the spreadsheet and keeps the
copy only when every request succeeded, so one bad request leaves the
spreadsheet untouched. Errors name the request the way Google does:
``Invalid requests[2].deleteSheet: No sheet with id: 7``.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from . import cellvalues, fieldmask
from .errors import ApiError, invalid_argument
from .model import Sheet, Spreadsheet, check_cell_text, grid_range_out


class Context(Protocol):
    owner_email: str

    def new_id(self) -> int: ...


class NotImplementedRequest(ApiError):
    def __init__(self, kind: str) -> None:
        super().__init__(
            501,
            f"The okrsheets offline fake does not implement the '{kind}' request.",
            "UNIMPLEMENTED",
        )


Handler = Callable[[Spreadsheet, dict[str, Any], Context, str], dict[str, Any] | None]
HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    def wrap(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return wrap


def apply_requests(ss: Spreadsheet, requests: list[dict[str, Any]], ctx: Context) -> list[dict[str, Any]]:
    """Apply in order; returns one reply per request (``{}`` when empty)."""
    replies = []
    for i, req in enumerate(requests):
        kinds = [k for k, v in (req or {}).items() if v is not None]
        if len(kinds) != 1:
            raise invalid_argument(f"Invalid requests[{i}]: A request must set exactly one kind of update.")
        kind = kinds[0]
        fn = HANDLERS.get(kind)
        if fn is None:
            raise NotImplementedRequest(kind)
        prefix = f"Invalid requests[{i}].{kind}: "
        reply = fn(ss, req[kind], ctx, prefix)
        replies.append({kind: reply} if reply is not None else {})
    return replies


# ------------------------------------------------------------------ helpers

def _strip(value: Any) -> Any:
    """Drop nulls and proto default values (False, "", empty) from a message."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _strip(v)
            if v is None or v is False or v == "" or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def _norm_range(ss: Spreadsheet, rng: dict[str, Any] | None, prefix: str, *, check: bool = True) -> dict[str, Any]:
    rng = rng or {}
    sheet_id = int(rng.get("sheetId") or 0)
    if ss.sheet_by_id(sheet_id) is None:
        raise invalid_argument(f"{prefix}No grid with id: {sheet_id}")
    if check:
        ss.grid_range(rng, where=prefix)
    def opt(key: str) -> int | None:
        return int(rng[key]) if rng.get(key) is not None else None
    return grid_range_out(sheet_id, opt("startRowIndex"), opt("endRowIndex"), opt("startColumnIndex"), opt("endColumnIndex"))


def _int(value: Any, default: int = 0) -> int:
    return default if value is None else int(value)


def _mask(fields: Any, prefix: str) -> fieldmask.Tree | None:
    if not fields:
        raise invalid_argument(f"{prefix}At least one field must be specified in 'fields'.")
    try:
        return fieldmask.parse(fields)
    except fieldmask.MaskError:
        raise invalid_argument(f"{prefix}Invalid field mask: {fields}") from None


def _clean_grid_props(props: dict[str, Any]) -> None:
    grid = props.get("gridProperties", {})
    for key in list(grid):
        if key not in ("rowCount", "columnCount") and grid[key] in (0, False, None):
            del grid[key]
    for key in ("hidden", "rightToLeft"):
        if props.get(key) is False:
            del props[key]
    cellvalues.sync_color_pair(props, "tabColor", "tabColorStyle")
    if not props.get("tabColorStyle"):
        props.pop("tabColorStyle", None)
        props.pop("tabColor", None)


def _sheet(ss: Spreadsheet, sheet_id: Any, prefix: str, word: str = "grid") -> Sheet:
    sheet = ss.sheet_by_id(_int(sheet_id))
    if sheet is None:
        raise invalid_argument(f"{prefix}No {word} with id: {_int(sheet_id)}")
    return sheet


def _resize(sheet: Sheet, rows: int, cols: int) -> None:
    sheet.props["gridProperties"]["rowCount"] = rows
    sheet.props["gridProperties"]["columnCount"] = cols
    for key in [k for k in sheet.cells if k[0] >= rows or k[1] >= cols]:
        del sheet.cells[key]
    sheet.merges = [m for m in sheet.merges if m[1] <= rows and m[3] <= cols]
    sheet.row_meta = {k: v for k, v in sheet.row_meta.items() if k < rows}
    sheet.col_meta = {k: v for k, v in sheet.col_meta.items() if k < cols}


def _set_cell_data(ss: Spreadsheet, sheet: Sheet, r: int, c: int, data: dict[str, Any], tree: fieldmask.Tree | None, prefix: str) -> None:
    data = dict(data or {})
    uev = data.get("userEnteredValue")
    if uev:
        uev = {k: (float(v) if k == "numberValue" else v) for k, v in uev.items() if v is not None}
        for v in uev.values():
            check_cell_text(v, prefix)
        data["userEnteredValue"] = uev
    if data.get("userEnteredFormat"):
        data["userEnteredFormat"] = cellvalues.normalize_format(data["userEnteredFormat"])
    if data.get("dataValidation"):
        data["dataValidation"] = _strip(data["dataValidation"])
    if data.get("note") == "":
        data.pop("note")
    cell = sheet.cell_for_write(r, c)
    cellvalues.apply_masked(cell, data, cellvalues.widen_color_mask(tree))
    fmt = cell.get("userEnteredFormat")
    if fmt is not None:
        fmt = cellvalues.normalize_format(fmt)
        if fmt:
            cell["userEnteredFormat"] = fmt
        else:
            del cell["userEnteredFormat"]
    for key in [k for k, v in cell.items() if v in (None, "", {}, [])]:
        del cell[key]
    sheet.drop_if_empty(r, c)


# The request kinds register themselves with @handler when imported.
from . import batch_dimensions, batch_objects, batch_sheets  # noqa: E402,F401
from .batch_dimensions import _shift_sheet  # noqa: E402,F401
from .batch_objects import add_named_range, search_metadata  # noqa: E402,F401
