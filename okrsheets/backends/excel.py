"""Excel backend: team workbooks as .xlsx files on disk.

Writes with openpyxl (atomically, never over a file open in Excel or
LibreOffice); reads with python-calamine, about 20x faster than openpyxl
(`okrsheets.backends.excel_read`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Collection
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import DataBarRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from okrsheets.backends.base import WorkbookData
from okrsheets.backends.excel_read import read_workbook
from okrsheets.config import Config, safe_file_stem
from okrsheets.errors import WorkbookError
from okrsheets.files import atomic_write, ensure_not_open
from okrsheets.i18n import GRADE_FILL, GRADE_FONT
from okrsheets.sheets.spec import FONT, STYLES, CellError, Formula, PrintSetup, SheetSpec, WorkbookSpec, a1
from okrsheets.sheets.team_workbook import TypedCell

# Extensions of files that may be a team's workbook saved under another name or format.
_WORKBOOK_SUFFIXES = frozenset({"xlsx", "xlsm", "xls", "ods", "csv", "numbers"})
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
        path = self.path(department_key)
        return path.exists() or path.is_symlink()  # a broken or looping link is there too, never overwritten blindly

    def check_writable(self, department_key: str) -> None:
        ensure_not_open(self.path(department_key))

    def version(self, department_key: str) -> str | None:
        """The workbook file's version token, its size and mtime_ns (None when it cannot be stat'ed).

        Saving the workbook in Excel or LibreOffice, or copying a file over it, changes its mtime
        (a copy that keeps times, ``cp -p``, gives it the copied file's).
        """
        try:
            st = self.path(department_key).stat()
        except OSError:
            return None
        return f"{st.st_size}:{st.st_mtime_ns}"

    def read(self, department_key: str, sheets: Collection[str] | None = None) -> WorkbookData:
        return read_workbook(self.path(department_key), sheets)

    def read_typed_cells(self, department_key: str, sheet: str, columns: Collection[int]) -> dict[tuple[int, int], TypedCell]:
        return read_typed_cells(self.path(department_key), sheet, columns)

    def write(self, department_key: str, spec: WorkbookSpec) -> None:
        path = self.path(department_key)
        ensure_not_open(path)
        workbook = render(spec)
        atomic_write(path, workbook.save)

    def near_misses(self, department_key: str) -> list[str]:
        """Files beside a missing workbook that may be it under another name or format, by name.

        "marketing (1).xlsx", "marketing-old.xlsx", "marketing.ods", "Marketing.XLSX" for
        marketing.xlsx; never another department's own workbook, a lock file or a backup.
        """
        path = self.path(department_key)
        stem = path.stem.casefold()
        others = {self.path(d.key).name.casefold() for d in self.config.departments} - {path.name.casefold()}
        try:
            names = sorted(entry.name for entry in self.folder.iterdir())
        except OSError:
            return []
        found = []
        for name in names:
            folded = name.casefold()
            if folded in others or name.startswith((".", "~$")) or ".backup-" in folded or name == path.name:
                continue
            base, dot, suffix = folded.rpartition(".")
            if dot and suffix in _WORKBOOK_SUFFIXES and (base == stem or (base.startswith(stem) and not base[len(stem)].isalnum())):
                found.append(name)
        return found

    def backup(self, department_key: str, stamp: str) -> str:
        path = self.path(department_key)
        target = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
        if path.is_dir() or (path.is_symlink() and not path.exists()):
            path.rename(target)  # a folder or a broken link under the name: moved aside whole
            return str(target)
        try:
            shutil.copy2(path, target)
        except PermissionError:  # a file okrsheets may not read: moved aside, content untouched
            target.unlink(missing_ok=True)
            path.rename(target)
        return str(target)


def read_typed_cells(path: Path, sheet: str, columns: Collection[int]) -> dict[tuple[int, int], TypedCell]:
    """The non-empty cells of ``columns`` on ``sheet``, each as the file holds it: {(row, column): TypedCell}.

    What provisioning carries over: its value with its type (a formula as its
    text, an error as an error, a date as a date) and its own number format.
    Raises WorkbookError when the file cannot be read.
    """
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise WorkbookError(f"{path}: cannot read the cells teams typed ({exc})", "damaged") from exc
    try:
        if sheet not in workbook.sheetnames:
            return {}
        wanted = set(columns)
        cells = {}
        for row in workbook[sheet].iter_rows(min_col=min(wanted), max_col=max(wanted)):
            for cell in row:
                if cell.value is None or getattr(cell, "column", None) not in wanted:
                    continue
                cells[(cell.row, cell.column)] = TypedCell(_typed_value(cell), cell.number_format)
        return cells
    finally:
        workbook.close()


def _typed_value(cell) -> object:
    """A cell's value as the spec writes it back: formulas as Formula, errors as CellError, the rest as is."""
    if cell.data_type == "f":
        return Formula(getattr(cell.value, "text", None) or str(cell.value))  # ArrayFormula keeps its text
    if cell.data_type == "e":
        return CellError(str(cell.value))
    return cell.value


# ---------------------------------------------------------------- rendering


def render(spec: WorkbookSpec) -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the one empty sheet a new Workbook has (its active one)
    for sheet_spec in spec.sheets:
        _render_sheet(workbook, sheet_spec, spec.protection_password)
    return workbook


_STYLE_CACHE: dict[str, dict] = {}


def _style(key: str) -> dict:
    if key not in _STYLE_CACHE:
        s = STYLES[key]
        _STYLE_CACHE[key] = {
            "font": Font(name=FONT, bold=s.get("bold", False), italic=s.get("italic", False), size=s.get("size", 11),
                         color=s.get("colour")),
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
        elif isinstance(value, CellError):
            cell.value = value.text
            cell.data_type = "e"
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
    if spec.print_setup is not None:
        _render_print_setup(ws, spec.print_setup)
    if spec.protected:
        ws.protection.sheet = True
        if password:
            ws.protection.password = password
    if spec.hidden:
        ws.sheet_state = "hidden"


def _render_print_setup(ws, setup: PrintSetup) -> None:
    ws.page_setup.paperSize = {"A4": ws.PAPERSIZE_A4}.get(setup.paper, ws.PAPERSIZE_A4)
    ws.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    if setup.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    if setup.repeat_rows is not None:
        ws.print_title_rows = "{}:{}".format(*setup.repeat_rows)
    for part, text in zip((ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right), setup.header):
        if text:  # an empty part is left out: "&C&R..." reads back wrong
            part.text = text.replace("&", "&&")
    ws.oddFooter.center.text = f"{setup.page_word.replace('&', '&&')} &P / &N"
    margin_left, margin_right, margin_top, margin_bottom = setup.margins
    ws.page_margins = PageMargins(left=margin_left, right=margin_right, top=margin_top, bottom=margin_bottom)


def _render_validations(ws, spec: SheetSpec) -> None:
    for rule in spec.validations:
        formula1 = '"' + ",".join(rule.choices) + '"' if rule.type == "list" else rule.formula1
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
