"""Excel backend: team workbooks as .xlsx files on disk.

Writes with openpyxl (atomically, never over a file open in Excel or
LibreOffice); reads with python-calamine, about 20x faster than openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import zipfile
from collections.abc import Collection
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.formatting.rule import DataBarRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from okrsheets.config import Config, safe_file_stem
from okrsheets.errors import WorkbookError
from okrsheets.files import atomic_write, ensure_not_open
from okrsheets.i18n import GRADE_FILL, GRADE_FONT, UNREADABLE
from okrsheets.sheets.spec import STYLES, Formula, SheetSpec, WorkbookSpec, a1
from okrsheets.backends.base import SheetData, WorkbookData

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Functions newer than Excel 2007 are stored with the "_xlfn." prefix in a file, or Excel and LibreOffice say #NAME?.
_NEWER_FUNCTIONS = re.compile(r"\b(ISFORMULA|FORMULATEXT)\(")


class ExcelBackend:
    name = "excel"
    parallel_reads = True  # plain files: the rollup may read them from forked worker processes

    def __init__(self, config: Config):
        self.config = config
        self.folder = config.quarter_folder

    def path(self, department_key: str) -> Path:
        return self.folder / f"{safe_file_stem(department_key)}.xlsx"

    def location(self, department_key: str) -> str:
        return str(self.path(department_key))

    def exists(self, department_key: str) -> bool:
        return self.path(department_key).exists()

    def check_writable(self, department_key: str) -> None:
        ensure_not_open(self.path(department_key))

    def read(self, department_key: str, sheets: Collection[str] | None = None) -> WorkbookData:
        return read_workbook(self.path(department_key), sheets)

    def write(self, department_key: str, spec: WorkbookSpec) -> None:
        path = self.path(department_key)
        ensure_not_open(path)
        workbook = render(spec)
        atomic_write(path, workbook.save)

    def backup(self, department_key: str, stamp: str) -> str:
        path = self.path(department_key)
        target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
        shutil.copy2(path, target)
        return str(target)


def read_workbook(path: Path, only: Collection[str] | None = None) -> WorkbookData:
    """Every sheet's values (or those of the sheets named in ``only`` that exist) with calamine.

    Raises a clear WorkbookError when the file is not a readable workbook.
    """
    if not path.exists():
        raise WorkbookError(f"{path}: file not found")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of bad file
        reason = _why(path)
        raise WorkbookError(f"{path}: not a readable .xlsx workbook ({UNREADABLE['en'][reason]}: {exc})", reason) from exc
    try:
        hidden = {m.name: str(m.visible).lower() not in ("visible", "sheetvisibleenum.visible") for m in workbook.sheets_metadata}
        sheets = {}
        for name in workbook.sheet_names:
            if only is not None and name not in only:
                continue
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = tuple(
                (r1 + 1, c1 + 1, r2 + 1, c2 + 1) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])
            )
            sheets[name] = SheetData(name, rows, merged, hidden.get(name, False))
        _restore_error_values(sheets, _error_cells(path, sheets))
        return WorkbookData(str(path), sheets)
    except Exception as exc:
        raise WorkbookError(f"{path}: the workbook is damaged and cannot be read ({exc})", "damaged") from exc
    finally:
        workbook.close()


def _error_cells(path: Path, wanted: Collection[str]) -> dict[str, list[tuple[str, str]]]:
    """The error values (#REF!, #DIV/0! ...) of the sheets in ``wanted``, as {sheet: [(A1 ref, error)]}, and the
    booleans LibreOffice saved as =TRUE() / =FALSE() (as True / False).

    calamine reads an error cell as '' (like an empty one), so the worksheet
    XML is searched for ``t="e"`` cells; only a sheet that holds one is parsed.
    """
    found: dict[str, list[tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")}
        flagged = [n for n, xml in members.items() if b't="e"' in xml or b"TRUE()</f>" in xml or b"FALSE()</f>" in xml]
        if not flagged:
            return found
        titles = _sheet_members(archive)
    for member in flagged:
        title = titles.get(member)
        if title in wanted:
            found[title] = [
                (cell.get("r"), cell.findtext(f"{_MAIN}v") or "#N/A") if cell.get("t") == "e" else (cell.get("r"), _BOOLEANS[formula])
                for cell in ElementTree.fromstring(members[member]).iter(f"{_MAIN}c")
                if cell.get("t") == "e" or (formula := cell.findtext(f"{_MAIN}f")) in _BOOLEANS
            ]
    return found


# LibreOffice opens a typed TRUE/FALSE as the formula =TRUE()/=FALSE() and saves it so, stored as the number
# 1/0 in a cell formatted as a number: read it as the boolean a team typed, as in the file Excel saved.
_BOOLEANS = {"TRUE()": True, "FALSE()": False}


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """{zip member of a worksheet: its sheet title}, from xl/workbook.xml and its relationships."""
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    }
    members = {}
    for sheet in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        members[member] = sheet.get("name")
    return members


def _restore_error_values(sheets: dict[str, SheetData], errors: dict[str, list[tuple[str, str]]]) -> None:
    """Put each error value back into the cell calamine left empty, as its text ("#DIV/0!"), and each boolean."""
    for title, cells in errors.items():
        rows = sheets[title].rows
        for ref, error in cells:
            row, column = coordinate_to_tuple(ref)
            while len(rows) < row:
                rows.append([])
            values = rows[row - 1]
            values.extend([None] * (column - len(values)))
            values[column - 1] = error


def _why(path: Path) -> str:
    """Why calamine could not open the file: a WorkbookError reason."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: encrypted .xlsx or .xls
        return "encrypted"
    if not head.startswith(b"PK"):
        return "not_a_workbook"
    return "damaged"


# ---------------------------------------------------------------- rendering


def render(spec: WorkbookSpec) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_spec in spec.sheets:
        _render_sheet(workbook, sheet_spec, spec.protection_password)
    return workbook


_STYLE_CACHE: dict[str, dict] = {}


def _style(key: str) -> dict:
    if key not in _STYLE_CACHE:
        s = STYLES[key]
        _STYLE_CACHE[key] = {
            "font": Font(bold=s.get("bold", False), italic=s.get("italic", False), size=s.get("size", 11), color=s.get("colour")),
            "fill": PatternFill("solid", fgColor=s["fill"]) if "fill" in s else PatternFill(),
            "alignment": Alignment(wrap_text=s.get("wrap", False), vertical="top", horizontal=s.get("align")),
        }
    return _STYLE_CACHE[key]


def set_text(cell, text: str) -> None:
    """Store text as text: a team's "=HYPERLINK(...)" never becomes a formula."""
    cell.value = text
    cell.data_type = "s"


def _render_sheet(workbook: Workbook, spec: SheetSpec, password: str | None) -> None:
    ws = workbook.create_sheet(spec.title)
    unlocked, locked = Protection(locked=False), Protection(locked=True)
    for (row, column), item in sorted(spec.cells.items()):
        cell = ws.cell(row=row, column=column)
        value = item.value
        if isinstance(value, Formula):
            cell.value = _NEWER_FUNCTIONS.sub(r"_xlfn.\1(", value.text)
        elif isinstance(value, str):
            set_text(cell, value)
        elif isinstance(value, datetime):
            cell.value = value.replace(tzinfo=None)
        else:
            cell.value = value
        style = _style(item.style)
        cell.font, cell.fill, cell.alignment = style["font"], style["fill"], style["alignment"]
        if item.number_format:
            cell.number_format = item.number_format
        elif isinstance(value, (date, datetime)) and not isinstance(value, Formula):
            cell.number_format = "yyyy-mm-dd"
        cell.protection = unlocked if not item.locked else locked
    for column, width in spec.column_widths.items():
        ws.column_dimensions[a1(1, column)[:-1]].width = width
    for column in spec.hidden_columns:
        ws.column_dimensions[a1(1, column)[:-1]].hidden = True
    for row, height in spec.row_heights.items():
        ws.row_dimensions[row].height = height
    if spec.frozen_rows or spec.frozen_columns:
        ws.freeze_panes = a1(spec.frozen_rows + 1, spec.frozen_columns + 1)
    for ref in spec.merged:
        ws.merge_cells(ref)
    _render_validations(ws, spec)
    _render_colours(ws, spec)
    if spec.landscape:
        ws.page_setup.orientation = "landscape"
    if spec.fit_to_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if spec.protected:
        ws.protection.sheet = True
        if password:
            ws.protection.password = password
    if spec.hidden:
        ws.sheet_state = "hidden"


def _render_validations(ws, spec: SheetSpec) -> None:
    for rule in spec.validations:
        if rule.type == "list":
            formula1 = '"' + ",".join(rule.choices) + '"'
        else:
            formula1 = rule.formula1
        dv = DataValidation(
            type=rule.type, operator=rule.operator, formula1=formula1, formula2=rule.formula2, allow_blank=True,
            showInputMessage=bool(rule.prompt), showErrorMessage=True,
            errorStyle="stop" if rule.strict else "warning",
            promptTitle=rule.prompt_title[:32] or None, prompt=rule.prompt[:255] or None,
            errorTitle=rule.error_title[:32] or None, error=rule.error[:255] or None,
        )
        dv.add(rule.ref)
        ws.add_data_validation(dv)


def _render_colours(ws, spec: SheetSpec) -> None:
    for mark in spec.formula_colours:  # first: openpyxl numbers priorities in order, and these come before the grades
        fill = PatternFill("solid", fgColor=mark.fill, bgColor=mark.fill)
        ws.conditional_formatting.add(
            mark.ref, FormulaRule(formula=[mark.formula], fill=fill, font=Font(color=mark.font, bold=True), stopIfTrue=True)
        )
    for rule in spec.colour_rules:
        top_left = rule.ref.split(":")[0]
        tests = [f"ISNUMBER({top_left})"]
        if rule.low is not None:
            tests.append(f"{top_left}>={rule.low!r}")
        if rule.high is not None:
            tests.append(f"{top_left}<{rule.high!r}")
        fill = PatternFill("solid", fgColor=GRADE_FILL[rule.grade], bgColor=GRADE_FILL[rule.grade])
        ws.conditional_formatting.add(
            rule.ref, FormulaRule(formula=[f"AND({','.join(tests)})"], fill=fill, font=Font(color=GRADE_FONT[rule.grade]))
        )
    if spec.data_bars:
        refs = " ".join(bar.ref for bar in spec.data_bars)
        ws.conditional_formatting.add(
            refs, DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color=spec.data_bars[0].colour)
        )
