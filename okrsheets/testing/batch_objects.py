"""batchUpdate requests on named and protected ranges, rules, filters, charts, developer metadata."""

from __future__ import annotations

import copy
import re
from typing import Any

from . import cellvalues, conditions
from .batch_common import (
    Context,
    handler,
    norm_range,
    parse_mask,
    sheet_or_error,
    strip_defaults,
    to_int,
)
from .batch_dimensions import dim_range, sheet_range_out
from .errors import ApiError, invalid_argument
from .model import Sheet, Spreadsheet, grid_range_out

# ------------------------------------------------------------------ named, protected

@handler("addNamedRange")
def add_named_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    nr = req.get("namedRange") or {}
    name = nr.get("name") or ""
    if not re.fullmatch(r"[A-Za-z_\\][A-Za-z0-9_.]*", name) or re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*|true|false", name, re.IGNORECASE):
        raise invalid_argument(f'{prefix}Invalid name "{name}". Names must start with a letter or underscore and contain only letters, numbers and underscores.')
    if ss.named_range(name):
        raise invalid_argument(f'{prefix}A named range with the name "{name}" already exists.')
    rng = norm_range(ss, nr.get("range"), prefix)
    nr_id = str(nr.get("namedRangeId") or ctx.new_id())
    stored = {"namedRangeId": nr_id, "name": name, "range": dict(rng, sheetId=to_int((nr.get("range") or {}).get("sheetId")))}
    ss.named_ranges.append(stored)
    return {"namedRange": ss.named_range_out(stored)}


def _named_by_id(ss: Spreadsheet, nr_id: Any, prefix: str) -> dict[str, Any]:
    for nr in ss.named_ranges:
        if nr["namedRangeId"] == str(nr_id):
            return nr
    raise invalid_argument(f"{prefix}No named range with id: {nr_id}")


@handler("updateNamedRange")
def update_named_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    new = req.get("namedRange") or {}
    nr = _named_by_id(ss, new.get("namedRangeId"), prefix)
    tree = parse_mask(req.get("fields"), prefix)
    if tree is None or "*" in tree:
        tree = {"name": None, "range": None}
    if "name" in tree:
        other = ss.named_range(new.get("name") or "")
        if other is not None and other is not nr:
            raise invalid_argument(f'{prefix}A named range with the name "{new.get("name")}" already exists.')
        nr["name"] = new.get("name") or nr["name"]
    if "range" in tree:
        rng = norm_range(ss, new.get("range"), prefix)
        nr["range"] = dict(rng, sheetId=to_int((new.get("range") or {}).get("sheetId")))
    return None


@handler("deleteNamedRange")
def delete_named_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    nr = _named_by_id(ss, req.get("namedRangeId"), prefix)
    ss.named_ranges.remove(nr)
    return None


def _find_protected(ss: Spreadsheet, pr_id: Any, prefix: str) -> tuple[Sheet, dict[str, Any]]:
    for sheet in ss.sheets:
        for pr in sheet.protected_ranges:
            if pr["protectedRangeId"] == to_int(pr_id):
                return sheet, pr
    raise invalid_argument(f"{prefix}No protected range with id: {pr_id}")


def _protected_sheet(ss: Spreadsheet, pr: dict[str, Any], prefix: str) -> tuple[Sheet, dict[str, Any]]:
    if pr.get("namedRangeId"):
        named = _named_by_id(ss, pr["namedRangeId"], prefix)
        sheet = sheet_or_error(ss, named["range"].get("sheetId"), prefix)
        return sheet, {}
    rng = norm_range(ss, pr.get("range"), prefix)
    sheet = sheet_or_error(ss, (pr.get("range") or {}).get("sheetId"), prefix)
    return sheet, rng


@handler("addProtectedRange")
def add_protected_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    pr = req.get("protectedRange") or {}
    sheet, rng = _protected_sheet(ss, pr, prefix)
    pr_id = to_int(pr.get("protectedRangeId")) or ctx.new_id()
    if any(p["protectedRangeId"] == pr_id for other in ss.sheets for p in other.protected_ranges):
        raise invalid_argument(f"{prefix}A protected range with id {pr_id} already exists.")
    editors = pr.get("editors") or {}
    if pr.get("warningOnly") and (editors.get("users") or editors.get("groups")):
        raise invalid_argument(f"{prefix}Editors cannot be set on a protected range with warningOnly.")
    reply: dict[str, Any] = {"protectedRangeId": pr_id}
    if pr.get("namedRangeId"):
        reply["namedRangeId"] = str(pr["namedRangeId"])
    else:
        reply["range"] = rng
    if pr.get("description"):
        reply["description"] = pr["description"]
    if pr.get("warningOnly"):
        reply["warningOnly"] = True
    if pr.get("unprotectedRanges"):
        reply["unprotectedRanges"] = [norm_range(ss, u, prefix) for u in pr["unprotectedRanges"]]
    reply["requestingUserCanEdit"] = True
    given = strip_defaults(editors) or {}
    reply["editors"] = given
    stored = copy.deepcopy(reply)
    users = [ctx.owner_email] + [u for u in given.get("users", []) if u != ctx.owner_email]
    stored["editors"] = dict(given, users=users)
    sheet.protected_ranges.append(stored)
    return {"protectedRange": reply}


@handler("updateProtectedRange")
def update_protected_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    new = req.get("protectedRange") or {}
    sheet, pr = _find_protected(ss, new.get("protectedRangeId"), prefix)
    tree = parse_mask(req.get("fields"), prefix)
    if tree is None or "*" in tree:
        tree = {k: None for k in new if k != "protectedRangeId"}
    for key in tree:
        if key == "range":
            pr["range"] = norm_range(ss, new.get("range"), prefix)
        elif key == "editors":
            users = [ctx.owner_email] + [u for u in (new.get("editors") or {}).get("users", []) if u != ctx.owner_email]
            pr["editors"] = dict(strip_defaults(new.get("editors") or {}), users=users)
        elif new.get(key) in (None, False, "", []):
            pr.pop(key, None)
        else:
            pr[key] = copy.deepcopy(new[key])
    return None


@handler("deleteProtectedRange")
def delete_protected_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, pr = _find_protected(ss, req.get("protectedRangeId"), prefix)
    sheet.protected_ranges.remove(pr)
    return None


# ------------------------------------------------------------------ conditional formats, filters

def _cf_sheet(ss: Spreadsheet, rule: dict[str, Any], prefix: str) -> tuple[Sheet, dict[str, Any]]:
    ranges = rule.get("ranges") or []
    if not ranges:
        raise invalid_argument(f"{prefix}A conditional format rule needs at least one range.")
    if not (rule.get("booleanRule") or rule.get("gradientRule")):
        raise invalid_argument(f"{prefix}A conditional format rule needs a booleanRule or a gradientRule.")
    sheet = sheet_or_error(ss, ranges[0].get("sheetId"), prefix)
    if len({int(r.get("sheetId") or 0) for r in ranges}) > 1:
        raise invalid_argument(f"{prefix}All ranges of a conditional format rule must be on the same sheet.")
    conditions.check((rule.get("booleanRule") or {}).get("condition"), conditions.CONDITIONAL_FORMAT, prefix)
    out = strip_defaults(copy.deepcopy(rule))
    out["ranges"] = [norm_range(ss, r, prefix) for r in ranges]
    fmt = (out.get("booleanRule") or {}).get("format")
    if fmt:
        out["booleanRule"]["format"] = cellvalues.normalize_format(fmt)
    return sheet, out


@handler("addConditionalFormatRule")
def add_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet, rule = _cf_sheet(ss, req.get("rule") or {}, prefix)
    index = to_int(req.get("index"))
    sheet.conditional_formats.insert(max(0, min(index, len(sheet.conditional_formats))), rule)
    return None


@handler("updateConditionalFormatRule")
def update_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    sheet = sheet_or_error(ss, req.get("sheetId"), prefix)
    index = to_int(req.get("index"))
    if not 0 <= index < len(sheet.conditional_formats):
        raise invalid_argument(f"{prefix}No conditional format on sheet {sheet.id} at index {index}")
    old = sheet.conditional_formats[index]
    if req.get("rule"):
        _, new = _cf_sheet(ss, req["rule"], prefix)
        sheet.conditional_formats[index] = new
        return {"oldRule": old, "oldIndex": index, "newRule": new, "newIndex": index}
    new_index = to_int(req.get("newIndex"))
    sheet.conditional_formats.pop(index)
    sheet.conditional_formats.insert(new_index, old)
    return {"oldRule": old, "oldIndex": index, "newRule": old, "newIndex": new_index}


@handler("deleteConditionalFormatRule")
def delete_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    sheet = sheet_or_error(ss, req.get("sheetId"), prefix)
    index = to_int(req.get("index"))
    if not 0 <= index < len(sheet.conditional_formats):
        raise invalid_argument(f"{prefix}No conditional format on sheet {sheet.id} at index {index}")
    return {"rule": sheet.conditional_formats.pop(index)}


@handler("setBasicFilter")
def set_basic_filter(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    flt = copy.deepcopy(req.get("filter") or {})
    sheet, r0, r1, c0, c1 = ss.grid_range(flt.get("range") or {}, where=prefix)
    flt["range"] = grid_range_out(sheet.id, r0, r1, c0, c1)
    sheet.basic_filter = strip_defaults(flt)
    sheet.basic_filter["range"] = grid_range_out(sheet.id, r0, r1, c0, c1)
    return None


@handler("clearBasicFilter")
def clear_basic_filter(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    sheet = sheet_or_error(ss, req.get("sheetId"), prefix)
    sheet.basic_filter = None
    return None


@handler("addFilterView")
def add_filter_view(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    view = strip_defaults(copy.deepcopy(req.get("filter") or {}))
    sheet, r0, r1, c0, c1 = ss.grid_range((req.get("filter") or {}).get("range") or {}, where=prefix)
    view["filterViewId"] = to_int(view.get("filterViewId")) or ctx.new_id()
    view["range"] = grid_range_out(sheet.id, r0, r1, c0, c1)
    sheet.filter_views.append(view)
    return {"filter": copy.deepcopy(view)}


@handler("deleteFilterView")
def delete_filter_view(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    for sheet in ss.sheets:
        for view in sheet.filter_views:
            if view["filterViewId"] == to_int(req.get("filterId")):
                sheet.filter_views.remove(view)
                return None
    raise invalid_argument(f"{prefix}No filter view with id: {req.get('filterId')}")


@handler("addBanding")
def add_banding(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    band = strip_defaults(copy.deepcopy(req.get("bandedRange") or {}))
    sheet, r0, r1, c0, c1 = ss.grid_range((req.get("bandedRange") or {}).get("range") or {}, where=prefix)
    band["bandedRangeId"] = to_int(band.get("bandedRangeId")) or ctx.new_id()
    band["range"] = grid_range_out(sheet.id, r0, r1, c0, c1)
    sheet.banded_ranges.append(band)
    return {"bandedRange": copy.deepcopy(band)}


@handler("deleteBanding")
def delete_banding(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    for sheet in ss.sheets:
        for band in sheet.banded_ranges:
            if band["bandedRangeId"] == to_int(req.get("bandedRangeId")):
                sheet.banded_ranges.remove(band)
                return None
    raise invalid_argument(f"{prefix}No banded range with id: {req.get('bandedRangeId')}")


# ------------------------------------------------------------------ charts

def check_chart_sources(ss: Spreadsheet, spec: dict[str, Any], prefix: str) -> None:
    """A basic chart's data ranges, held to Google's description of ``ChartSourceRange.sources``:
    "Exactly one dimension must have a length of 1, and all sources in the list must have the
    same dimension with length 1. The domain (if it exists) & all series must have the same
    number of source ranges." Each range must also lie on a sheet of the spreadsheet."""
    basic = spec.get("basicChart") or {}
    lists = [((d.get("domain") or {}).get("sourceRange") or {}).get("sources") or [] for d in basic.get("domains") or []]
    lists += [((s.get("series") or {}).get("sourceRange") or {}).get("sources") or [] for s in basic.get("series") or []]
    for sources in lists:
        single = set()
        for source in sources:
            _sheet, r0, r1, c0, c1 = ss.grid_range(source, where=prefix)
            rows, cols = r1 - r0, c1 - c0
            if (rows == 1) == (cols == 1):
                raise invalid_argument(f"{prefix}A chart's source range must be exactly one row or one column wide.")
            single.add("rows" if rows == 1 else "columns")
        if len(single) > 1:
            raise invalid_argument(f"{prefix}All source ranges of a chart's domain or series must have the same dimension of length 1.")
    if len({len(sources) for sources in lists}) > 1:
        raise invalid_argument(f"{prefix}The domain and all series of a chart must have the same number of source ranges.")


def _print_chart_sources(ss: Spreadsheet, spec: dict[str, Any], prefix: str) -> None:
    """The data ranges as Google prints GridRanges (``sheetId`` 0 left out)."""
    basic = spec.get("basicChart") or {}
    holders = [d.get("domain") or {} for d in basic.get("domains") or []] + [s.get("series") or {} for s in basic.get("series") or []]
    for holder in holders:
        source = holder.get("sourceRange") or {}
        if source.get("sources"):
            source["sources"] = [norm_range(ss, r, prefix) for r in source["sources"]]


@handler("addChart")
def add_chart(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    chart = strip_defaults(copy.deepcopy(req.get("chart") or {}))
    if not chart.get("spec"):
        raise invalid_argument(f"{prefix}A chart needs a spec.")
    check_chart_sources(ss, chart["spec"], prefix)
    _print_chart_sources(ss, chart["spec"], prefix)
    position = chart.get("position") or {}
    chart["chartId"] = to_int(chart.get("chartId")) or ctx.new_id()
    if position.get("newSheet"):
        sheet_id = ctx.new_id()
        title = f"Chart{len(ss.sheets) + 1}"
        sheet = Sheet(sheet_id, title, len(ss.sheets), 0, 0)
        sheet.props["sheetType"] = "OBJECT"
        del sheet.props["gridProperties"]
        ss.sheets.append(sheet)
        chart["position"] = {"sheetId": sheet_id}
    else:
        overlay = position.get("overlayPosition") or {}
        anchor = overlay.get("anchorCell") or {}
        if position.get("sheetId") is not None:
            sheet = sheet_or_error(ss, position["sheetId"], prefix)
        else:
            sheet = sheet_or_error(ss, anchor.get("sheetId"), prefix)
        overlay.setdefault("widthPixels", 600)
        overlay.setdefault("heightPixels", 371)
        if anchor:
            anchor_out = {k: v for k, v in anchor.items() if v}
            if sheet.id:
                anchor_out["sheetId"] = sheet.id
            overlay["anchorCell"] = anchor_out
        chart["position"] = {"overlayPosition": overlay}
    sheet.charts.append(chart)
    return {"chart": copy.deepcopy(chart)}


@handler("updateChartSpec")
def update_chart_spec(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    for sheet in ss.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == to_int(req.get("chartId")):
                check_chart_sources(ss, req.get("spec") or {}, prefix)
                chart["spec"] = strip_defaults(copy.deepcopy(req.get("spec") or {}))
                _print_chart_sources(ss, chart["spec"], prefix)
                return None
    raise invalid_argument(f"{prefix}No chart with id: {req.get('chartId')}")


@handler("deleteEmbeddedObject")
def delete_embedded_object(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> None:
    for sheet in ss.sheets:
        for chart in sheet.charts:
            if chart["chartId"] == to_int(req.get("objectId")):
                sheet.charts.remove(chart)
                return None
    raise invalid_argument(f"{prefix}No embedded object with id: {req.get('objectId')}")


# ------------------------------------------------------------------ developer metadata

def location_out(ss: Spreadsheet, loc: dict[str, Any], prefix: str) -> dict[str, Any]:
    if loc.get("spreadsheet"):
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if loc.get("sheetId") is not None:
        sheet = sheet_or_error(ss, loc["sheetId"], prefix, "sheet")
        return {"locationType": "SHEET", "sheetId": sheet.id}
    if loc.get("dimensionRange"):
        sheet, dim, start, end = dim_range(ss, loc["dimensionRange"], prefix)
        out_range = sheet_range_out(sheet, dim, start, end)
        out_range["sheetId"] = sheet.id
        return {"locationType": "ROW" if dim == "ROWS" else "COLUMN", "dimensionRange": out_range}
    raise invalid_argument(f"{prefix}Developer metadata must have a location.")


@handler("createDeveloperMetadata")
def create_developer_metadata(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    meta = req.get("developerMetadata") or {}
    if not meta.get("metadataKey"):
        raise invalid_argument(f"{prefix}Developer metadata must have a key.")
    if not meta.get("visibility") or meta["visibility"] == "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED":
        raise invalid_argument(f"{prefix}Developer metadata visibility must be specified.")
    meta_id = to_int(meta.get("metadataId")) or ctx.new_id()
    if any(m["metadataId"] == meta_id for m in ss.developer_metadata):
        raise invalid_argument(f"{prefix}Developer metadata with ID {meta_id} already exists.")
    stored: dict[str, Any] = {"metadataId": meta_id, "metadataKey": meta["metadataKey"]}
    if meta.get("metadataValue"):
        stored["metadataValue"] = meta["metadataValue"]
    stored["location"] = location_out(ss, meta.get("location") or {}, prefix)
    stored["visibility"] = meta["visibility"]
    ss.developer_metadata.append(stored)
    return {"developerMetadata": copy.deepcopy(stored)}


def matches_lookup(ss: Spreadsheet, meta: dict[str, Any], flt: dict[str, Any]) -> bool:
    lookup = flt.get("developerMetadataLookup")
    if lookup is None:
        return False
    if lookup.get("metadataId") is not None and meta["metadataId"] != to_int(lookup["metadataId"]):
        return False
    if lookup.get("metadataKey") and meta["metadataKey"] != lookup["metadataKey"]:
        return False
    if lookup.get("metadataValue") and meta.get("metadataValue") != lookup["metadataValue"]:
        return False
    if lookup.get("visibility") and meta["visibility"] != lookup["visibility"]:
        return False
    if lookup.get("locationType") and meta["location"]["locationType"] != lookup["locationType"]:
        return False
    loc = lookup.get("metadataLocation")
    if loc:
        try:
            want = location_out(ss, loc, "")
        except ApiError:
            return False
        strategy = lookup.get("locationMatchingStrategy") or "EXACT_LOCATION"
        have = meta["location"]
        if strategy == "EXACT_LOCATION" and have != want:
            return False
        if strategy == "INTERSECTING_LOCATION" and have != want:
            if want.get("sheetId") is not None and (have.get("dimensionRange") or {}).get("sheetId") != want["sheetId"] and have.get("sheetId") != want["sheetId"]:
                return False
    return True


def search_metadata(ss: Spreadsheet, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for meta in ss.developer_metadata:
        hits = [f for f in filters if matches_lookup(ss, meta, f)]
        if hits:
            found.append({"developerMetadata": copy.deepcopy(meta), "dataFilters": copy.deepcopy(hits)})
    return found


@handler("updateDeveloperMetadata")
def update_developer_metadata(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    filters = req.get("dataFilters") or []
    new = req.get("developerMetadata") or {}
    tree = parse_mask(req.get("fields"), prefix)
    if tree is None or "*" in tree:
        tree = {k: None for k in new}
    changed = []
    for meta in ss.developer_metadata:
        if any(matches_lookup(ss, meta, f) for f in filters):
            for key in tree:
                if key == "location":
                    meta["location"] = location_out(ss, new.get("location") or {}, prefix)
                elif key in ("metadataKey", "metadataValue", "visibility") and new.get(key) is not None:
                    meta[key] = new[key]
            changed.append(copy.deepcopy(meta))
    return {"developerMetadata": changed}


@handler("deleteDeveloperMetadata")
def delete_developer_metadata(ss: Spreadsheet, req: dict[str, Any], ctx: Context, prefix: str) -> dict[str, Any]:
    flt = req.get("dataFilter") or {}
    deleted = [m for m in ss.developer_metadata if matches_lookup(ss, m, flt)]
    ss.developer_metadata = [m for m in ss.developer_metadata if m not in deleted]
    return {"deletedDeveloperMetadata": copy.deepcopy(deleted)} if deleted else {}
