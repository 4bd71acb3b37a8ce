"""batchUpdate requests on rows and columns, sorting, copy/paste and merges."""

from __future__ import annotations

import copy
import functools
from typing import Any

from . import a1, cellvalues
from .batch_common import (
    Context,
    handler,
    parse_mask,
    sheet_or_error,
    to_int,
)
from .errors import invalid_argument
from .model import Sheet, Spreadsheet, grid_range_out

# ------------------------------------------------------------------ dimensions

def dim_range(ss: Spreadsheet, rng: dict[str, Any], prefix: str) -> tuple[Sheet, str, int, int]:
    sheet = sheet_or_error(ss, rng.get("sheetId"), prefix)
    dim = rng.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise invalid_argument(f"{prefix}The dimension must be ROWS or COLUMNS.")
    count = sheet.rows if dim == "ROWS" else sheet.cols
    start = to_int(rng.get("startIndex"))
    end = to_int(rng.get("endIndex"), count) if rng.get("endIndex") is not None else count
    if start < 0 or end < start:
        raise invalid_argument(f"{prefix}Invalid dimension range: startIndex {start}, endIndex {end}.")
    return sheet, dim, start, end


@handler("updateDimensionProperties")
def update_dimension_properties(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, dim, start, end = dim_range(ss, req.get("range") or {}, prefix)
    count = sheet.rows if dim == "ROWS" else sheet.cols
    if end > count:
        raise invalid_argument(f"{prefix}Range ({a1.always_quoted(sheet.title)}) exceeds grid limits: endIndex {end} is beyond {count} {dim.lower()}.")
    tree = parse_mask(req.get("fields"), prefix)
    props = req.get("properties") or {}
    store = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    for i in range(start, end):
        meta = store.setdefault(i, {})
        cellvalues.apply_masked(meta, {k: v for k, v in props.items() if k != "developerMetadata"}, tree)
        if meta.get("hiddenByUser") is False:
            del meta["hiddenByUser"]
        if not meta:
            del store[i]
    return None


@handler("autoResizeDimensions")
def auto_resize_dimensions(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, dim, start, end = dim_range(ss, req.get("dimensions") or {}, prefix)
    for i in range(start, end):
        if dim == "ROWS":
            sheet.row_meta.setdefault(i, {})["pixelSize"] = 21
            continue
        texts = [
            str(ss.render(sheet, r, c, "FORMATTED_VALUE", "FORMATTED_STRING"))
            for (r, c) in list(sheet.cells)
            if c == i
        ]
        longest = max((len(t) for t in texts), default=0)
        if longest:
            sheet.col_meta.setdefault(i, {})["pixelSize"] = round(longest * 8.4697265625) + 18
    return None


def _shift(index: int | None, at: int, delta: int) -> int | None:
    if index is None:
        return None
    return index + delta if index >= at else index


def _shift_grid_range(rng: dict[str, Any], dim: str, at: int, delta: int, sheet_id: int) -> dict[str, Any] | None:
    if (rng.get("sheetId") or 0) != sheet_id:
        return rng
    keys = ("startRowIndex", "endRowIndex") if dim == "ROWS" else ("startColumnIndex", "endColumnIndex")
    out = dict(rng)
    start, end = rng.get(keys[0]), rng.get(keys[1])
    if delta < 0:
        lo, hi = at, at - delta
        def squash(v: int | None) -> int | None:
            if v is None:
                return None
            if v <= lo:
                return v
            if v >= hi:
                return v + delta
            return lo
        start, end = squash(start), squash(end)
        if start is not None and end is not None and end <= start:
            return None
    else:
        start = _shift(start, at, delta) if start is not None else None
        end = end + delta if end is not None and end > at else end
    if start is not None:
        out[keys[0]] = start
    if end is not None:
        out[keys[1]] = end
    return out


def shift_sheet(ss: Spreadsheet, sheet: Sheet, dim: str, at: int, delta: int) -> None:
    """Insert (delta > 0) or delete (delta < 0) rows/columns at ``at``."""
    axis = 0 if dim == "ROWS" else 1
    new_cells = {}
    for key, cell in sheet.cells.items():
        pos = key[axis]
        if delta < 0 and at <= pos < at - delta:
            continue
        if pos >= at:
            pos = pos + delta
        new_key = (pos, key[1]) if axis == 0 else (key[0], pos)
        new_cells[new_key] = cell
    sheet.cells = new_cells
    store = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    moved = {}
    for i, meta in store.items():
        if delta < 0 and at <= i < at - delta:
            continue
        moved[i + delta if i >= at else i] = meta
    if dim == "ROWS":
        sheet.row_meta = moved
    else:
        sheet.col_meta = moved
    merges = []
    for m in sheet.merges:
        rng = _shift_grid_range({"startRowIndex": m[0], "endRowIndex": m[1], "startColumnIndex": m[2], "endColumnIndex": m[3]}, dim, at, delta, 0)
        if rng and rng["endRowIndex"] - rng["startRowIndex"] >= 1 and rng["endColumnIndex"] - rng["startColumnIndex"] >= 1:
            merges.append([rng["startRowIndex"], rng["endRowIndex"], rng["startColumnIndex"], rng["endColumnIndex"]])
    sheet.merges = merges
    sid = sheet.id
    for nr in list(ss.named_ranges):
        moved_range = _shift_grid_range(nr["range"], dim, at, delta, sid)
        if moved_range is None:
            ss.named_ranges.remove(nr)
        else:
            nr["range"] = moved_range
    for pr in list(sheet.protected_ranges):
        if "range" in pr:
            moved_range = _shift_grid_range(dict(pr["range"], sheetId=sid), dim, at, delta, sid)
            if moved_range is None:
                sheet.protected_ranges.remove(pr)
            else:
                pr["range"] = grid_range_out(sid, moved_range.get("startRowIndex"), moved_range.get("endRowIndex"), moved_range.get("startColumnIndex"), moved_range.get("endColumnIndex"))
    if sheet.basic_filter:
        moved_range = _shift_grid_range(dict(sheet.basic_filter["range"], sheetId=sid), dim, at, delta, sid)
        if moved_range is None:
            sheet.basic_filter = None
        else:
            sheet.basic_filter["range"] = grid_range_out(sid, moved_range.get("startRowIndex"), moved_range.get("endRowIndex"), moved_range.get("startColumnIndex"), moved_range.get("endColumnIndex"))


@handler("insertDimension")
def insert_dimension(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, dim, start, end = dim_range(ss, req.get("range") or {}, prefix)
    count = sheet.rows if dim == "ROWS" else sheet.cols
    if start > count:
        raise invalid_argument(f"{prefix}Cannot insert {dim.lower()} at index {start}: the sheet has only {count}.")
    n = end - start
    if req.get("inheritFromBefore") and start == 0:
        raise invalid_argument(f"{prefix}Cannot inherit properties from before the first {dim.lower()[:-1]}.")
    shift_sheet(ss, sheet, dim, start, n)
    grid = sheet.props["gridProperties"]
    grid["rowCount" if dim == "ROWS" else "columnCount"] += n
    ss.check_cell_limit(prefix)
    return None


@handler("appendDimension")
def append_dimension(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet = sheet_or_error(ss, req.get("sheetId"), prefix)
    length = to_int(req.get("length"))
    if length <= 0:
        raise invalid_argument(f"{prefix}length must be positive.")
    grid = sheet.props["gridProperties"]
    grid["rowCount" if req.get("dimension") == "ROWS" else "columnCount"] += length
    ss.check_cell_limit(prefix)
    return None


@handler("deleteDimension")
def delete_dimension(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, dim, start, end = dim_range(ss, req.get("range") or {}, prefix)
    count = sheet.rows if dim == "ROWS" else sheet.cols
    end = min(end, count)
    if start == 0 and end >= count:
        word = "rows" if dim == "ROWS" else "columns"
        raise invalid_argument(f"{prefix}You can't delete all the {word} on the sheet.")
    shift_sheet(ss, sheet, dim, start, -(end - start))
    grid = sheet.props["gridProperties"]
    grid["rowCount" if dim == "ROWS" else "columnCount"] -= end - start
    return None


def _groups(sheet: Sheet, dim: str) -> list[dict[str, Any]]:
    return sheet.row_groups if dim == "ROWS" else sheet.column_groups


def _group_out(dim: str, start: int, end: int, depth: int, collapsed: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"range": {"dimension": dim, "startIndex": start, "endIndex": end}, "depth": depth}
    if collapsed:
        out["collapsed"] = True
    return out


def sheet_range_out(sheet: Sheet, dim: str, start: int, end: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if sheet.id:
        out["sheetId"] = sheet.id
    out.update({"dimension": dim, "startIndex": start, "endIndex": end})
    return out


@handler("addDimensionGroup")
def add_dimension_group(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    sheet, dim, start, end = dim_range(ss, req.get("range") or {}, prefix)
    groups = _groups(sheet, dim)
    depth = 1 + sum(1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"])
    if any(g["range"]["startIndex"] == start and g["range"]["endIndex"] == end for g in groups):
        depth = max(g["depth"] for g in groups if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end) + 1
    group = _group_out(dim, start, end, depth)
    if sheet.id:
        group["range"] = {"sheetId": sheet.id, **group["range"]}
    groups.append(group)
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
    key = "rowGroupControlAfter" if dim == "ROWS" else "columnGroupControlAfter"
    sheet.props["gridProperties"][key] = True
    return {"dimensionGroups": copy.deepcopy(groups)}


@handler("deleteDimensionGroup")
def delete_dimension_group(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    sheet, dim, start, end = dim_range(ss, req.get("range") or {}, prefix)
    groups = _groups(sheet, dim)
    match = [g for g in groups if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end]
    if not match:
        raise invalid_argument(f"{prefix}No dimension group found in the range.")
    deepest = max(match, key=lambda g: g["depth"])
    groups.remove(deepest)
    return {"dimensionGroups": copy.deepcopy(groups)} if groups else {}


@handler("updateDimensionGroup")
def update_dimension_group(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    group = req.get("dimensionGroup") or {}
    rng = group.get("range") or {}
    sheet, dim, start, end = dim_range(ss, rng, prefix)
    tree = parse_mask(req.get("fields"), prefix)
    for g in _groups(sheet, dim):
        if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end and g["depth"] == to_int(group.get("depth"), g["depth"]):
            if tree is None or "collapsed" in tree:
                if group.get("collapsed"):
                    g["collapsed"] = True
                else:
                    g.pop("collapsed", None)
            return None
    raise invalid_argument(f"{prefix}No dimension group found in the range.")


# ------------------------------------------------------------------ sort, copy, paste

def _sort_key(value: Any, descending: bool) -> tuple[int, Any]:
    if value is None or value == "":
        return (9, "")
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, (int, float)):
        return (0, value)
    return (1, str(value).lower())


@handler("sortRange")
def sort_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_range(req.get("range") or {}, where=prefix)
    specs = req.get("sortSpecs") or [{"dimensionIndex": c0, "sortOrder": "ASCENDING"}]
    rows = list(range(r0, r1))
    values = {r: {c: ss.effective(sheet, r, c) for c in range(c0, c1)} for r in rows}

    def compare(a: int, b: int) -> int:
        for spec in specs:
            col = to_int(spec.get("dimensionIndex"))
            desc = spec.get("sortOrder") == "DESCENDING"
            ka, kb = _sort_key(values[a].get(col), desc), _sort_key(values[b].get(col), desc)
            if ka == kb:
                continue
            if ka[0] == 9 or kb[0] == 9:  # blanks always last
                return 1 if ka[0] == 9 else -1
            less = ka < kb
            return (1 if less else -1) if desc else (-1 if less else 1)
        return 0

    order = sorted(rows, key=functools.cmp_to_key(compare))
    snapshot = {(r, c): sheet.cells.get((r, c)) for r in rows for c in range(c0, c1)}
    for new_r, old_r in zip(rows, order):
        for c in range(c0, c1):
            cell = snapshot[(old_r, c)]
            if cell is None:
                sheet.cells.pop((new_r, c), None)
            else:
                sheet.cells[(new_r, c)] = cell
    return None


_PASTE_FIELDS = {
    "PASTE_NORMAL": None,
    "PASTE_VALUES": ("userEnteredValue",),
    "PASTE_FORMAT": ("userEnteredFormat",),
    "PASTE_NO_BORDERS": None,
    "PASTE_FORMULA": ("userEnteredValue",),
    "PASTE_DATA_VALIDATION": ("dataValidation",),
    "PASTE_CONDITIONAL_FORMATTING": (),
}


def _paste(sheet: Sheet, r: int, c: int, source: dict[str, Any] | None, paste_type: str) -> None:
    fields = _PASTE_FIELDS.get(paste_type or "PASTE_NORMAL")
    source = copy.deepcopy(source or {})
    if fields is None:
        if paste_type == "PASTE_NO_BORDERS":
            (source.get("userEnteredFormat") or {}).pop("borders", None)
        if source:
            sheet.cells[(r, c)] = source
        else:
            sheet.cells.pop((r, c), None)
        return
    cell = sheet.cell_for_write(r, c)
    for key in fields:
        if key in source:
            cell[key] = source[key]
        else:
            cell.pop(key, None)
    sheet.drop_if_empty(r, c)


@handler("copyPaste")
def copy_paste(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    src, sr0, sr1, sc0, sc1 = ss.grid_range(req.get("source") or {}, where=prefix)
    dst, dr0, dr1, dc0, dc1 = ss.grid_range(req.get("destination") or {}, where=prefix)
    transpose = req.get("pasteOrientation") == "TRANSPOSE"
    h, w = sr1 - sr0, sc1 - sc0
    if transpose:
        h, w = w, h
    if h == 0 or w == 0:
        return None
    dr1 = max(dr1, dr0 + h)
    dc1 = max(dc1, dc0 + w)
    dr1 = dr0 + ((dr1 - dr0) // h) * h
    dc1 = dc0 + ((dc1 - dc0) // w) * w
    ss.grid_range({"sheetId": dst.id, "startRowIndex": dr0, "endRowIndex": dr1, "startColumnIndex": dc0, "endColumnIndex": dc1}, where=prefix)
    snapshot = {(r, c): copy.deepcopy(src.cells.get((r, c))) for r in range(sr0, sr1) for c in range(sc0, sc1)}
    for r in range(dr0, dr1):
        for c in range(dc0, dc1):
            i, j = (r - dr0) % h, (c - dc0) % w
            if transpose:
                i, j = j, i
            _paste(dst, r, c, snapshot[(sr0 + i, sc0 + j)], req.get("pasteType") or "PASTE_NORMAL")
    return None


@handler("cutPaste")
def cut_paste(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    src, sr0, sr1, sc0, sc1 = ss.grid_range(req.get("source") or {}, where=prefix)
    dest = req.get("destination") or {}
    dst = sheet_or_error(ss, dest.get("sheetId"), prefix)
    dr0, dc0 = to_int(dest.get("rowIndex")), to_int(dest.get("columnIndex"))
    h, w = sr1 - sr0, sc1 - sc0
    ss.grid_range({"sheetId": dst.id, "startRowIndex": dr0, "endRowIndex": dr0 + h, "startColumnIndex": dc0, "endColumnIndex": dc0 + w}, where=prefix)
    snapshot = {(r, c): src.cells.pop((r, c), None) for r in range(sr0, sr1) for c in range(sc0, sc1)}
    for (r, c), cell in snapshot.items():
        _paste(dst, dr0 + r - sr0, dc0 + c - sc0, cell, req.get("pasteType") or "PASTE_NORMAL")
    return None


# ------------------------------------------------------------------ merges

@handler("mergeCells")
def merge_cells(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_range(req.get("range") or {}, where=prefix)
    kind = req.get("mergeType") or "MERGE_ALL"
    if kind == "MERGE_ALL":
        boxes = [[r0, r1, c0, c1]]
    elif kind == "MERGE_COLUMNS":
        boxes = [[r0, r1, c, c + 1] for c in range(c0, c1)]
    elif kind == "MERGE_ROWS":
        boxes = [[r, r + 1, c0, c1] for r in range(r0, r1)]
    else:
        raise invalid_argument(f"{prefix}Unknown merge type: {kind}")
    frozen_rows = to_int(sheet.props["gridProperties"].get("frozenRowCount"))
    if frozen_rows and r0 < frozen_rows < r1:
        raise invalid_argument(f"{prefix}You can't merge frozen and non-frozen rows.")
    for box in boxes:
        if (box[1] - box[0]) * (box[3] - box[2]) <= 1:
            continue
        sheet.merges = [
            m for m in sheet.merges
            if m[1] <= box[0] or m[0] >= box[1] or m[3] <= box[2] or m[2] >= box[3]
        ]
        for r in range(box[0], box[1]):
            for c in range(box[2], box[3]):
                if (r, c) != (box[0], box[2]):
                    sheet.cells.pop((r, c), None)
        sheet.merges.append(box)
    return None


@handler("unmergeCells")
def unmerge_cells(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, r0, r1, c0, c1 = ss.grid_range(req.get("range") or {}, where=prefix)
    keep = []
    for m in sheet.merges:
        intersects = not (m[1] <= r0 or m[0] >= r1 or m[3] <= c0 or m[2] >= c1)
        if not intersects:
            keep.append(m)
            continue
        inside = r0 <= m[0] and m[1] <= r1 and c0 <= m[2] and m[3] <= c1
        if not inside:
            raise invalid_argument(f"{prefix}You must select all cells in a merged range to merge or unmerge them.")
    sheet.merges = keep
    return None
