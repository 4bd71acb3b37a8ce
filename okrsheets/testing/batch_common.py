"""What every batchUpdate request handler shares: the registry, and the helpers they use.

Each ``batch_*`` module registers its request kinds with ``@handler("kind")``;
``batch_update.apply_requests`` looks them up in :data:`HANDLERS`. The handler
modules import this module only, never each other's private names, and
``batch_update`` imports them, so there is no import cycle.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from . import cellvalues, conditions, fieldmask
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


# ------------------------------------------------------------------ helpers

def strip_defaults(value: Any) -> Any:
    """Drop nulls and proto default values (False, "", empty) from a message."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = strip_defaults(v)
            if v is None or v is False or v == "" or v == [] or v == {}:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [strip_defaults(v) for v in value]
    return value


def norm_range(ss: Spreadsheet, rng: dict[str, Any] | None, prefix: str, *, check: bool = True) -> dict[str, Any]:
    rng = rng or {}
    sheet_id = int(rng.get("sheetId") or 0)
    if ss.sheet_by_id(sheet_id) is None:
        raise invalid_argument(f"{prefix}No grid with id: {sheet_id}")
    if check:
        ss.grid_range(rng, where=prefix)
    def opt(key: str) -> int | None:
        return int(rng[key]) if rng.get(key) is not None else None
    return grid_range_out(sheet_id, opt("startRowIndex"), opt("endRowIndex"), opt("startColumnIndex"), opt("endColumnIndex"))


def to_int(value: Any, default: int = 0) -> int:
    return default if value is None else int(value)


def parse_mask(fields: Any, prefix: str) -> fieldmask.Tree | None:
    if not fields:
        raise invalid_argument(f"{prefix}At least one field must be specified in 'fields'.")
    try:
        return fieldmask.parse(fields)
    except fieldmask.MaskError:
        raise invalid_argument(f"{prefix}Invalid field mask: {fields}") from None


def clean_grid_props(props: dict[str, Any]) -> None:
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


def sheet_or_error(ss: Spreadsheet, sheet_id: Any, prefix: str, word: str = "grid") -> Sheet:
    sheet = ss.sheet_by_id(to_int(sheet_id))
    if sheet is None:
        raise invalid_argument(f"{prefix}No {word} with id: {to_int(sheet_id)}")
    return sheet


def resize(sheet: Sheet, rows: int, cols: int) -> None:
    sheet.props["gridProperties"]["rowCount"] = rows
    sheet.props["gridProperties"]["columnCount"] = cols
    for key in [k for k in sheet.cells if k[0] >= rows or k[1] >= cols]:
        del sheet.cells[key]
    sheet.merges = [m for m in sheet.merges if m[1] <= rows and m[3] <= cols]
    sheet.row_meta = {k: v for k, v in sheet.row_meta.items() if k < rows}
    sheet.col_meta = {k: v for k, v in sheet.col_meta.items() if k < cols}


def set_cell_data(ss: Spreadsheet, sheet: Sheet, r: int, c: int, data: dict[str, Any], tree: fieldmask.Tree | None, prefix: str) -> None:
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
        data["dataValidation"] = strip_defaults(data["dataValidation"])
        conditions.check(data["dataValidation"].get("condition"), conditions.VALIDATION, prefix)
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
