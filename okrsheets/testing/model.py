"""Spreadsheets held by the fake, and how they are printed back.

A cell is stored as the API's ``CellData`` (``userEnteredValue``,
``userEnteredFormat``, ``note``, ``dataValidation``), sparse, keyed by
zero-based (row, column). Ranges follow ``GridRange`` (end-exclusive).
"""

from __future__ import annotations

import copy
from typing import Any, Iterator

from . import a1, cellvalues, formulas
from .errors import ApiError, invalid_argument

MAX_CELLS = 10_000_000
MAX_CELL_CHARS = 50_000
DEFAULT_ROW_PX = 21
DEFAULT_COL_PX = 100

DEFAULT_FORMAT = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

DEFAULT_THEME = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": name, "color": {"rgbColor": rgb}} for name, rgb in cellvalues.THEME.items()
    ],
}


def grid_range_out(sheet_id: int, r0: int | None, r1: int | None, c0: int | None, c1: int | None) -> dict[str, Any]:
    """A GridRange as the API prints it: sheetId 0 omitted, set indexes kept."""
    out: dict[str, Any] = {}
    if sheet_id:
        out["sheetId"] = sheet_id
    if r0 is not None:
        out["startRowIndex"] = r0
    if r1 is not None:
        out["endRowIndex"] = r1
    if c0 is not None:
        out["startColumnIndex"] = c0
    if c1 is not None:
        out["endColumnIndex"] = c1
    return out


class Sheet:
    def __init__(self, sheet_id: int, title: str, index: int, rows: int = 1000, cols: int = 26) -> None:
        self.props: dict[str, Any] = {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
        self.cells: dict[tuple[int, int], dict[str, Any]] = {}
        self.merges: list[list[int]] = []  # [r0, r1, c0, c1]
        self.protected_ranges: list[dict[str, Any]] = []
        self.conditional_formats: list[dict[str, Any]] = []
        self.basic_filter: dict[str, Any] | None = None
        self.filter_views: list[dict[str, Any]] = []
        self.charts: list[dict[str, Any]] = []
        self.banded_ranges: list[dict[str, Any]] = []
        self.row_groups: list[dict[str, Any]] = []
        self.column_groups: list[dict[str, Any]] = []
        self.row_meta: dict[int, dict[str, Any]] = {}
        self.col_meta: dict[int, dict[str, Any]] = {}

    # -- shape
    @property
    def id(self) -> int:
        return self.props["sheetId"]

    @property
    def title(self) -> str:
        return self.props["title"]

    @property
    def rows(self) -> int:
        return self.props["gridProperties"]["rowCount"]

    @property
    def cols(self) -> int:
        return self.props["gridProperties"]["columnCount"]

    def cell(self, r: int, c: int) -> dict[str, Any] | None:
        return self.cells.get((r, c))

    def cell_for_write(self, r: int, c: int) -> dict[str, Any]:
        return self.cells.setdefault((r, c), {})

    def drop_if_empty(self, r: int, c: int) -> None:
        cell = self.cells.get((r, c))
        if cell is not None and not cell:
            del self.cells[(r, c)]

    def content_extent(self) -> tuple[int, int]:
        """(rows, cols) up to the last cell holding anything."""
        if not self.cells:
            return 0, 0
        return max(r for r, _ in self.cells) + 1, max(c for _, c in self.cells) + 1


class Spreadsheet:
    def __init__(self, spreadsheet_id: str, title: str, *, locale: str = "en_US", time_zone: str = "Etc/GMT") -> None:
        self.id = spreadsheet_id
        self.props: dict[str, Any] = {
            "title": title,
            "locale": locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": time_zone,
            "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
            "spreadsheetTheme": copy.deepcopy(DEFAULT_THEME),
        }
        self.sheets: list[Sheet] = []
        self.named_ranges: list[dict[str, Any]] = []
        self.developer_metadata: list[dict[str, Any]] = []
        self.owner_email: str | None = None
        # the computed values of one read (to_api), by (sheet ID, row, column): a cell many formulas refer to
        # is computed once per read; None outside a read, as a write may change any of them
        self._computed: dict[tuple[int, int, int], Any] | None = None
        self._cut = 0  # circular chains cut at the depth limit: a value computed across one is not kept

    @property
    def locale(self) -> str:
        return self.props.get("locale", "en_US")

    # -- lookups
    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.id == sheet_id:
                return sheet
        return None

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        low = title.lower()
        for sheet in self.sheets:
            if sheet.title.lower() == low:
                return sheet
        return None

    def ordered_sheets(self) -> list[Sheet]:
        return sorted(self.sheets, key=lambda s: s.props["index"])

    def reindex(self) -> None:
        for i, sheet in enumerate(self.ordered_sheets()):
            sheet.props["index"] = i

    def total_cells(self) -> int:
        return sum(s.rows * s.cols for s in self.sheets)

    def check_cell_limit(self, prefix: str = "") -> None:
        if self.total_cells() > MAX_CELLS:
            raise invalid_argument(
                f"{prefix}This action would increase the number of cells in the workbook above the limit of {MAX_CELLS} cells."
            )

    # -- ranges
    def named_range(self, name: str) -> dict[str, Any] | None:
        for nr in self.named_ranges:
            if nr["name"].lower() == name.lower():
                return nr
        return None

    def resolve(self, text: str, *, clip: bool = True) -> tuple[Sheet, int, int, int, int, bool]:
        """(sheet, r0, r1, c0, c1, single_cell) for an A1 range string.

        Open-ended sides are bounded by the grid. An explicit range that
        reaches past the grid is answered with Google's "exceeds grid limits".
        """
        try:
            parsed = a1.parse(text)
        except a1.A1Error:
            raise invalid_argument(f"Unable to parse range: {text}") from None
        sheet: Sheet | None = None
        box: a1.Box | None = parsed.box
        if parsed.sheet is not None:
            sheet = self.sheet_by_title(parsed.sheet)
            if sheet is None:
                raise invalid_argument(f"Unable to parse range: {text}")
            if box is None and parsed.name:
                box = self._named_box(parsed.name, sheet, text)
        else:
            by_title = self.sheet_by_title(parsed.name) if parsed.name else None
            if by_title is not None:
                sheet, box = by_title, None
            elif box is not None:
                sheet = self.ordered_sheets()[0]
            elif parsed.name:
                nr = self.named_range(parsed.name)
                if nr is None:
                    raise invalid_argument(f"Unable to parse range: {text}")
                sheet = self.sheet_by_id(nr["range"].get("sheetId", 0))
                if sheet is None:
                    raise invalid_argument(f"Unable to parse range: {text}")
                box = self._named_box(parsed.name, sheet, text)
        assert sheet is not None
        if box is None:
            return sheet, 0, sheet.rows, 0, sheet.cols, False
        r0, r1, c0, c1 = box.bounded(sheet.rows, sheet.cols)
        single = box.end_row is not None and box.end_col is not None and r1 - r0 == 1 and c1 - c0 == 1
        if clip:
            self.check_in_grid(sheet, r0, r1, c0, c1)
        return sheet, r0, r1, c0, c1, single

    def _named_box(self, name: str, sheet: Sheet, text: str) -> a1.Box:
        nr = self.named_range(name)
        if nr is None or nr["range"].get("sheetId", 0) != sheet.id:
            raise invalid_argument(f"Unable to parse range: {text}")
        rng = nr["range"]
        return a1.Box(rng.get("startRowIndex"), rng.get("endRowIndex"), rng.get("startColumnIndex"), rng.get("endColumnIndex"))

    @staticmethod
    def check_in_grid(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> None:
        if r1 > sheet.rows or c1 > sheet.cols or r0 >= sheet.rows or c0 >= sheet.cols:
            shown = f"{a1.always_quoted(sheet.title)}!{a1.format_box(r0, r1, c0, c1)}"
            raise invalid_argument(
                f"Range ({shown}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )

    def grid_range(self, rng: dict[str, Any], *, where: str = "", check: bool = True) -> tuple[Sheet, int, int, int, int]:
        """Bound a request's GridRange; unknown sheet or out-of-grid is a 400."""
        sheet_id = rng.get("sheetId", 0) or 0
        sheet = self.sheet_by_id(int(sheet_id))
        if sheet is None:
            raise invalid_argument(f"{where}No grid with id: {sheet_id}")
        r0 = int(rng.get("startRowIndex") or 0)
        r1 = int(rng["endRowIndex"]) if rng.get("endRowIndex") is not None else sheet.rows
        c0 = int(rng.get("startColumnIndex") or 0)
        c1 = int(rng["endColumnIndex"]) if rng.get("endColumnIndex") is not None else sheet.cols
        if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0:
            raise invalid_argument(f"{where}Invalid range: startIndex must be less than or equal to endIndex.")
        if check and (r1 > sheet.rows or c1 > sheet.cols):
            shown = f"{a1.always_quoted(sheet.title)}!{a1.format_box(r0, max(r1, r0 + 1), c0, max(c1, c0 + 1))}"
            raise invalid_argument(
                f"{where}Range ({shown}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
        return sheet, r0, r1, c0, c1

    # -- values
    def effective(self, sheet: Sheet, r: int, c: int, _depth: int = 0) -> Any:
        """The computed value of a cell: float, str, bool, FormulaError or None."""
        computed = self._computed
        if computed is None:
            return self._effective(sheet, r, c, _depth)
        key = (sheet.id, r, c)
        if key in computed:
            return computed[key]
        cut = self._cut
        value = self._effective(sheet, r, c, _depth)
        if self._cut == cut:
            computed[key] = value
        return value

    def _effective(self, sheet: Sheet, r: int, c: int, _depth: int) -> Any:
        cell = sheet.cell(r, c)
        if not cell:
            return None
        uev = cell.get("userEnteredValue")
        if not uev:
            return None
        if "numberValue" in uev:
            return float(uev["numberValue"])
        if "stringValue" in uev:
            return uev["stringValue"]
        if "boolValue" in uev:
            return bool(uev["boolValue"])
        if "errorValue" in uev:
            return formulas.FormulaError("#ERROR!", uev["errorValue"].get("message", ""))
        if "formulaValue" in uev:
            if _depth > 50:
                self._cut += 1
                return formulas.FormulaError("#REF!", "Circular dependency detected.")

            def resolve(title: str | None, r0: int, r1: int, c0: int, c1: int) -> list[list[Any]]:
                target = sheet if title is None else self.sheet_by_title(title)
                if target is None:
                    raise formulas.Unsupported(title or "")
                return [[self.effective(target, rr, cc, _depth + 1) for cc in range(c0, c1)] for rr in range(r0, r1)]

            try:
                text = formulas.to_en_us(uev["formulaValue"], self.locale in cellvalues.COMMA_DECIMAL_LOCALES)
            except formulas.ParseError:
                return formulas.FormulaError("#ERROR!", formulas.PARSE_ERROR)
            try:
                return formulas.evaluate(text, resolve)
            except (formulas.Unsupported, ValueError, TypeError, ZeroDivisionError, OverflowError, IndexError, RecursionError):
                return _Unevaluated(uev["formulaValue"])
        return None

    def render(self, sheet: Sheet, r: int, c: int, value_render: str, date_render: str) -> Any:
        """One cell of a values.get answer; ``""`` for an empty cell."""
        cell = sheet.cell(r, c)
        if not cell or not cell.get("userEnteredValue"):
            return ""
        uev = cell["userEnteredValue"]
        number_format = (cell.get("userEnteredFormat") or {}).get("numberFormat")
        if value_render == "FORMULA" and "formulaValue" in uev:
            return uev["formulaValue"]
        value = self.effective(sheet, r, c)
        if isinstance(value, _Unevaluated):
            return value.formula
        if isinstance(value, formulas.FormulaError):
            return value.code
        if value_render == "FORMATTED_VALUE":
            return cellvalues.format_value(value, number_format, self.locale)
        # UNFORMATTED_VALUE and FORMULA (for non-formula cells)
        if isinstance(value, float):
            if date_render == "FORMATTED_STRING" and cellvalues.is_datetime_format(number_format):
                return cellvalues.format_value(value, number_format, self.locale)
            return cellvalues.num_out(value)
        if value is None:
            return ""
        return value

    def read_grid(self, sheet: Sheet, r0: int, r1: int, c0: int, c1: int, value_render: str, date_render: str, major: str) -> list[list[Any]]:
        """Rows (or columns) of values with trailing empties trimmed, as Google does."""
        wanted = {(r, c) for (r, c) in sheet.cells if r0 <= r < r1 and c0 <= c < c1}
        if not wanted:
            return []
        last_r = max(r for r, _ in wanted)
        last_c = max(c for _, c in wanted)
        grid = [
            [self.render(sheet, r, c, value_render, date_render) for c in range(c0, last_c + 1)]
            for r in range(r0, last_r + 1)
        ]
        if major == "COLUMNS":
            grid = [list(col) for col in zip(*grid)] if grid else []
        out = []
        for line in grid:
            while line and line[-1] == "":
                line.pop()
            out.append(line)
        while out and not out[-1]:
            out.pop()
        return out

    # -- printing
    def spreadsheet_url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.id}/edit"

    def to_api(self, *, grid_ranges: list[tuple[Sheet, int, int, int, int]] | None = None, include_grid: bool = False, ranges_given: bool = False) -> dict[str, Any]:
        """The Spreadsheet resource. ``grid_ranges`` selects the GridData to include."""
        outer = self._computed is None
        if outer:
            self._computed = {}
        try:
            return self._to_api(grid_ranges, include_grid, ranges_given)
        finally:
            if outer:
                self._computed = None

    def _to_api(self, grid_ranges: list[tuple[Sheet, int, int, int, int]] | None, include_grid: bool, ranges_given: bool) -> dict[str, Any]:
        sheets_out = []
        for sheet in self.ordered_sheets():
            if ranges_given and grid_ranges is not None and not any(g[0] is sheet for g in grid_ranges):
                continue
            data = None
            if include_grid:
                if grid_ranges is not None and ranges_given:
                    data = [self.grid_data(*g) for g in grid_ranges if g[0] is sheet]
                else:
                    data = [self.grid_data(sheet, 0, sheet.rows, 0, sheet.cols)]
            sheets_out.append(self.sheet_to_api(sheet, data))
        out: dict[str, Any] = {
            "spreadsheetId": self.id,
            "properties": copy.deepcopy(self.props),
            "sheets": sheets_out,
        }
        if self.named_ranges:
            out["namedRanges"] = [self.named_range_out(nr) for nr in self.named_ranges]
        meta = [m for m in self.developer_metadata if "spreadsheet" in m["location"]]
        if meta:
            out["developerMetadata"] = copy.deepcopy(meta)
        out["spreadsheetUrl"] = self.spreadsheet_url()
        return out

    @staticmethod
    def named_range_out(nr: dict[str, Any]) -> dict[str, Any]:
        rng = nr["range"]
        return {
            "namedRangeId": nr["namedRangeId"],
            "name": nr["name"],
            "range": grid_range_out(rng.get("sheetId", 0), rng.get("startRowIndex"), rng.get("endRowIndex"), rng.get("startColumnIndex"), rng.get("endColumnIndex")),
        }

    def sheet_to_api(self, sheet: Sheet, data: list[dict[str, Any]] | None) -> dict[str, Any]:
        props = copy.deepcopy(sheet.props)
        out: dict[str, Any] = {"properties": props}
        if data is not None:
            out["data"] = data
        sid = sheet.id
        if sheet.merges:
            out["merges"] = [grid_range_out(sid, *m) for m in sheet.merges]
        if sheet.conditional_formats:
            out["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
        if sheet.filter_views:
            out["filterViews"] = copy.deepcopy(sheet.filter_views)
        if sheet.protected_ranges:
            out["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
        if sheet.basic_filter:
            out["basicFilter"] = copy.deepcopy(sheet.basic_filter)
        if sheet.charts:
            out["charts"] = copy.deepcopy(sheet.charts)
        if sheet.banded_ranges:
            out["bandedRanges"] = copy.deepcopy(sheet.banded_ranges)
        meta = [m for m in self.developer_metadata if _meta_sheet(m) == sid]
        if meta:
            out["developerMetadata"] = copy.deepcopy(meta)
        if sheet.row_groups:
            out["rowGroups"] = copy.deepcopy(sheet.row_groups)
        if sheet.column_groups:
            out["columnGroups"] = copy.deepcopy(sheet.column_groups)
        return out

    def dimension_meta(self, sheet: Sheet, dim: str, index: int) -> dict[str, Any]:
        store = sheet.row_meta if dim == "ROWS" else sheet.col_meta
        base = {"pixelSize": DEFAULT_ROW_PX if dim == "ROWS" else DEFAULT_COL_PX}
        extra = store.get(index, {})
        out: dict[str, Any] = dict(base)
        out.update(copy.deepcopy(extra))
        if out.get("hiddenByUser") is False:
            del out["hiddenByUser"]
        meta = [
            m for m in self.developer_metadata
            if (loc := m["location"].get("dimensionRange"))
            and loc.get("sheetId", 0) == sheet.id
            and loc.get("dimension") == dim
            and loc.get("startIndex", 0) <= index < loc.get("endIndex", 0)
        ]
        if meta:
            out["developerMetadata"] = copy.deepcopy(meta)
        return out

    def cell_data_out(self, sheet: Sheet, r: int, c: int) -> dict[str, Any]:
        cell = sheet.cell(r, c) or {}
        out: dict[str, Any] = {}
        uev = cell.get("userEnteredValue")
        if uev:
            out["userEnteredValue"] = {k: cellvalues.num_out(v) if isinstance(v, float) else v for k, v in uev.items()}
            value = self.effective(sheet, r, c)
            if isinstance(value, formulas.FormulaError):
                out["effectiveValue"] = {"errorValue": value.api()}
            elif isinstance(value, _Unevaluated):
                out["effectiveValue"] = {"stringValue": value.formula}
            elif isinstance(value, bool):
                out["effectiveValue"] = {"boolValue": value}
            elif isinstance(value, float):
                out["effectiveValue"] = {"numberValue": cellvalues.num_out(value)}
            elif value is not None:
                out["effectiveValue"] = {"stringValue": value}
            out["formattedValue"] = self.render(sheet, r, c, "FORMATTED_VALUE", "FORMATTED_STRING")
        if cell.get("userEnteredFormat"):
            out["userEnteredFormat"] = cellvalues.json_copy(cell["userEnteredFormat"])
        if uev or cell.get("userEnteredFormat"):
            eff = cellvalues.json_copy(self.props["defaultFormat"])
            _deep_merge(eff, cell.get("userEnteredFormat") or {})
            eff.setdefault("hyperlinkDisplayType", "PLAIN_TEXT")
            out["effectiveFormat"] = eff
        for key in ("note", "dataValidation", "hyperlink", "textFormatRuns", "pivotTable"):
            if cell.get(key):
                out[key] = cellvalues.json_copy(cell[key])
        return out

    def grid_data(self, sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if r0:
            out["startRow"] = r0
        if c0:
            out["startColumn"] = c0
        present = [(r, c) for (r, c) in sheet.cells if r0 <= r < r1 and c0 <= c < c1 and sheet.cells[(r, c)]]
        if present:
            last_r = max(r for r, _ in present)
            by_row: dict[int, int] = {}
            for r, c in present:
                by_row[r] = max(by_row.get(r, -1), c)
            rows: list[dict[str, Any]] = []
            for r in range(r0, last_r + 1):
                if r not in by_row:
                    rows.append({})
                    continue
                rows.append({"values": [self.cell_data_out(sheet, r, c) for c in range(c0, by_row[r] + 1)]})
            out["rowData"] = rows
        out["rowMetadata"] = [self.dimension_meta(sheet, "ROWS", i) for i in range(r0, r1)]
        out["columnMetadata"] = [self.dimension_meta(sheet, "COLUMNS", i) for i in range(c0, c1)]
        return out

    def iter_box(self, r0: int, r1: int, c0: int, c1: int) -> Iterator[tuple[int, int]]:
        for r in range(r0, r1):
            for c in range(c0, c1):
                yield r, c


class _Unevaluated:
    """A formula the small evaluator does not compute; rendered as its text."""

    def __init__(self, formula: str) -> None:
        self.formula = formula


def _meta_sheet(meta: dict[str, Any]) -> int | None:
    loc = meta["location"]
    if "sheetId" in loc:
        return loc["sheetId"]
    return None


def _deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        else:
            target[key] = cellvalues.json_copy(value)


def check_cell_text(value: Any, prefix: str = "") -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise ApiError(
            400,
            f"{prefix}Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell.",
            "INVALID_ARGUMENT",
        )
