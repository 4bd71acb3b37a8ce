"""``spreadsheets.create/get/batchUpdate``, developer metadata and ``sheets.copyTo``."""

from __future__ import annotations

import copy
from typing import Any

from . import batch_update, fieldmask, protection, schema
from .batch_common import set_cell_data
from .batch_objects import add_named_range, search_metadata
from .errors import ApiError, invalid_argument
from .model import Sheet, Spreadsheet
from .state import State


def _one(query: dict[str, list[str]], key: str, default: str | None = None) -> str | None:
    values = query.get(key)
    return values[-1] if values else default


def check_mask_paths(tree: fieldmask.Tree | None, schema_name: str, prefix: str = "") -> None:
    """Google's 400 for a ``fields`` path that names no field of the resource."""
    doc = schema.load("sheets")
    if doc is None or tree is None:
        return
    props = doc["schemas"][schema_name].get("properties", {})
    for key, sub in tree.items():
        if key == "*":
            continue
        path = f"{prefix}.{key}" if prefix else key
        if key not in props:
            raise invalid_argument(f"Error expanding 'fields' parameter. Cannot find matching fields for path '{path}'.")
        prop = props[key]
        item = prop.get("items", prop)
        ref = item.get("$ref")
        if sub and ref:
            check_mask_paths(sub, ref, path)


def parse_fields(query: dict[str, list[str]], schema_name: str) -> fieldmask.Tree | None:
    text = _one(query, "fields")
    if not text:
        return None
    try:
        tree = fieldmask.parse(text)
    except fieldmask.MaskError:
        raise invalid_argument(f"Invalid field selection {text}") from None
    check_mask_paths(tree, schema_name)
    return tree


def get(ss: Spreadsheet, query: dict[str, list[str]]) -> dict[str, Any]:
    tree = parse_fields(query, "Spreadsheet")
    include = (_one(query, "includeGridData", "false") or "false").lower() == "true"
    if tree is not None:
        include = fieldmask.selects(tree, "sheets", "data") and "sheets" in tree
    ranges = query.get("ranges") or []
    grid_ranges = []
    for text in ranges:
        sheet, r0, r1, c0, c1, _ = ss.resolve(text)
        grid_ranges.append((sheet, r0, r1, c0, c1))
    full = ss.to_api(grid_ranges=grid_ranges if ranges else None, include_grid=include, ranges_given=bool(ranges))
    return fieldmask.apply(full, tree)


def create(state: State, owner: str, body: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    props = body.get("properties") or {}
    title = props.get("title") or "Untitled spreadsheet"
    sheets = body.get("sheets") or None
    titles = [((s or {}).get("properties") or {}).get("title") for s in sheets or []]
    named = [t for t in titles if t]
    if len(set(named)) != len(named):
        dup = next(t for t in named if named.count(t) > 1)
        raise invalid_argument(f'Invalid sheets[{named.index(dup)}]: A sheet with the name "{dup}" already exists. Please enter another name.')
    _, ss = state.create_spreadsheet(
        title, owner, sheets=sheets, locale=props.get("locale"), time_zone=props.get("timeZone"), app=state.caller_app
    )
    for i, spec in enumerate(sheets or []):
        data = (spec or {}).get("data") or []
        sheet = ss.ordered_sheets()[i]
        for grid in data:
            r0 = int(grid.get("startRow") or 0)
            c0 = int(grid.get("startColumn") or 0)
            for dr, row in enumerate(grid.get("rowData") or []):
                for dc, cell in enumerate((row or {}).get("values") or []):
                    if cell:
                        set_cell_data(ss, sheet, r0 + dr, c0 + dc, cell, None, "")
    if body.get("namedRanges"):
        ctx = _Ctx(state, owner)
        for nr in body["namedRanges"]:
            add_named_range(ss, {"namedRange": nr}, ctx, "")
    ss.check_cell_limit()
    tree = parse_fields(query, "Spreadsheet")
    return fieldmask.apply(ss.to_api(), tree)


class _Ctx:
    def __init__(self, state: State, owner: str) -> None:
        self.state = state
        self.owner_email = owner

    def new_id(self) -> int:
        return self.state.new_id()


def batch_update_spreadsheet(state: State, ss: Spreadsheet, body: dict[str, Any], owner: str) -> dict[str, Any]:
    requests = body.get("requests")
    if not requests:
        raise invalid_argument("Must specify at least one request.")
    work = copy.deepcopy(ss)
    ctx = _Ctx(state, ss.owner_email or owner)
    replies = batch_update.apply_requests(work, requests, ctx)
    protection.check_edits(ss, work, owner)
    state.spreadsheets[ss.id] = work
    drive_file = state.files.get(ss.id)
    if drive_file is not None and drive_file.name != work.props["title"]:
        drive_file.name = work.props["title"]
    state.touch(ss.id)
    out: dict[str, Any] = {"spreadsheetId": ss.id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        ranges = body.get("responseRanges") or []
        grid_ranges = []
        for text in ranges:
            sheet, r0, r1, c0, c1, _ = work.resolve(text)
            grid_ranges.append((sheet, r0, r1, c0, c1))
        out["updatedSpreadsheet"] = work.to_api(
            grid_ranges=grid_ranges if ranges else None,
            include_grid=bool(body.get("responseIncludeGridData")),
            ranges_given=bool(ranges),
        )
    return out


def search_developer_metadata(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    filters = body.get("dataFilters") or []
    for flt in filters:
        if flt.get("a1Range") or flt.get("gridRange"):
            raise ApiError(501, "The okrsheets offline fake only searches developer metadata by lookup.", "UNIMPLEMENTED")
    found = search_metadata(ss, filters)
    return {"matchedDeveloperMetadata": found} if found else {}


def get_developer_metadata(ss: Spreadsheet, metadata_id: str) -> dict[str, Any]:
    for meta in ss.developer_metadata:
        if str(meta["metadataId"]) == metadata_id:
            return copy.deepcopy(meta)
    raise ApiError(404, f"No developer metadata with ID: {metadata_id}", "NOT_FOUND")


def copy_sheet_to(state: State, ss: Spreadsheet, sheet_id: int, target: Spreadsheet) -> dict[str, Any]:
    source = ss.sheet_by_id(sheet_id)
    if source is None:
        raise ApiError(404, f"No sheet with id: {sheet_id}", "NOT_FOUND")
    new: Sheet = copy.deepcopy(source)
    title = f"Copy of {source.title}"
    n = 2
    while target.sheet_by_title(title):
        title = f"Copy of {source.title} {n}"
        n += 1
    new.props["title"] = title
    new.props["sheetId"] = state.new_id() if target.sheet_by_id(source.id) else source.id
    new.props["index"] = len(target.sheets)
    new.protected_ranges = []
    target.sheets.append(new)
    target.check_cell_limit()
    state.touch(target.id)
    return copy.deepcopy(new.props)
