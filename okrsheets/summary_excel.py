"""The company summary workbook (``company-summary.xlsx``), written with openpyxl.

Every sheet is rebuilt on each rollup except the history, which is carried over
from the previous file: one row per rollup date, one column per department.
The history sheet keeps the department keys in a hidden first row, so a renamed
department keeps its column and a removed one keeps its past scores.

Team-typed text is always stored as a plain string cell (see `_put_text`), so a
comment such as ``=HYPERLINK(...)`` can never become a formula.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.axis import DateAxis
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import i18n
from .errors import WorkbookError
from .files import atomic_write, ensure_not_open
from .results import DepartmentResult, KeyResultResult, RollupResult
from .values import cell_date
from .scoring import ScoringSettings

__all__ = ["SUMMARY_NAME", "read_history", "write_summary"]

log = logging.getLogger("okrsheets")

SUMMARY_NAME = "company-summary.xlsx"
STATUSES = ("done", "on_track", "at_risk", "off_track", "no_data")
# Excel, LibreOffice and CSV exports may treat text starting with these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# Hidden key row of the history sheet; department keys never start with "#".
_DATE_KEY, _SCORE_KEY = "#date", "#score"
_PERCENT = "0%"
_NUMERIC = ("number", "percent", "score", "count")
_FONT = {"name": "Calibri", "size": 11}  # openpyxl's default; a Font without a name renders as serif
_BOLD = Font(**_FONT, bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_WRAP_WIDTH, _MAX_WIDTH = 50, 40

_SHEETS = {  # overview, objectives, key results, at risk, history, data issues
    "vi": ("Tổng quan", "Mục tiêu", "Kết quả then chốt", "Có rủi ro", "Lịch sử", "Vấn đề dữ liệu"),
    "en": ("Overview", "Objectives", "Key results", "At risk", "History", "Data issues"),
}
_TABLES = {  # sheet: (column kinds, Vietnamese headers, English headers); kinds are explained in _put
    "overview": (
        ("text", "score", "grade", "status"),
        ("Phòng ban", "Điểm", "Xếp loại", "Trạng thái"),
        ("Department", "Score", "Grade", "Status"),
    ),
    "objectives": (
        ("text", "text", "wrap", "number", "score", "grade", "status"),
        ("Phòng ban", "Mã", "Mục tiêu", "Trọng số", "Điểm", "Xếp loại", "Trạng thái"),
        ("Department", "ID", "Objective", "Weight", "Score", "Grade", "Status"),
    ),
    "key_results": (
        ("text", "text", "text", "wrap", "text", "text", "number", "number", "number", "score", "status",
         "text", "wrap", "date"),
        ("Phòng ban", "Mục tiêu", "Mã", "Kết quả then chốt", "Loại", "Đơn vị", "Ban đầu", "Chỉ tiêu",
         "Hiện tại", "Điểm", "Trạng thái", "Mức tự tin", "Ghi chú", "Cập nhật lần cuối"),
        ("Department", "Objective", "ID", "Key result", "Kind", "Unit", "Start", "Target", "Current",
         "Score", "Status", "Confidence", "Comment", "Last update"),
    ),
    "at_risk": (
        ("text", "text", "text", "wrap", "score", "percent", "percent", "status", "wrap"),
        ("Phòng ban", "Người phụ trách", "Mã", "Kết quả then chốt", "Điểm", "Kỳ vọng", "Chênh lệch",
         "Trạng thái", "Ghi chú"),
        ("Department", "Owners", "ID", "Key result", "Score", "Expected", "Gap", "Status", "Comment"),
    ),
    "issues": (
        ("text", "text", "text", "text", "text", "wrap", "wrap"),
        ("Phòng ban", "Tệp", "Trang tính", "Ô", "Giá trị tìm thấy", "Vấn đề", "Cách sửa"),
        ("Department", "File", "Sheet", "Cell", "Value found", "Problem", "How to fix"),
    ),
}
_WORDS = {  # key: (Vietnamese, English)
    "company": ("Công ty", "Company"), "quarter": ("Quý", "Quarter"), "as_of": ("Tính đến ngày", "As of"),
    "expected": ("Tiến độ kỳ vọng", "Expected progress"), "score": ("Điểm công ty", "Company score"),
    "grade": ("Xếp loại", "Grade"), "status": ("Trạng thái", "Status"), "date": ("Ngày", "Date"),
    "issues": ("Số vấn đề dữ liệu", "Data issues"),
    "chart_departments": ("Điểm theo phòng ban", "Score by department"),
    "chart_history": ("Điểm theo thời gian", "Score over time"),
}


@dataclass(frozen=True)
class _Ctx:
    """What every sheet builder needs: the language and the grade bands."""

    lang: str
    settings: ScoringSettings

    def word(self, key: str) -> str:
        return _WORDS[key][1 if self.lang == "en" else 0]

    def title(self, index: int) -> str:
        return _SHEETS[self.lang][index]

    def columns(self, table: str) -> list[_Col]:
        kinds, vi, en = _TABLES[table]
        return [_Col(header, kind) for header, kind in zip(en if self.lang == "en" else vi, kinds)]

    @property
    def date_format(self) -> str:
        return "yyyy-mm-dd" if self.lang == "en" else "dd/mm/yyyy"


@dataclass(frozen=True)
class _Col:
    """A table column: its header and how its values are written.

    kind: text | wrap (long text) | number | percent | score (percent with grade
    fill) | grade | status | count | date.
    """

    header: str
    kind: str = "text"


@dataclass
class _History:
    """The history sheet's content: department columns and one row per date."""

    names: dict[str, str] = field(default_factory=dict)  # department key -> header, in column order
    rows: dict[date, tuple[float | None, dict[str, float]]] = field(default_factory=dict)


# --- Public API ---


def write_summary(result: RollupResult, path: Path, settings: ScoringSettings) -> None:
    """Write the company summary workbook at ``path``, atomically.

    Raises WorkbookLockedError (file untouched) when the file is open in Excel
    or LibreOffice. The history rows of the existing file are kept; this
    rollup's row replaces the one with the same date. An unreadable existing
    file is copied to ``<stem>.corrupt-<timestamp>.xlsx`` first (with a warning).
    """
    path = Path(path)
    ensure_not_open(path)
    history = _merge_history(_previous_history(path), result)
    ctx = _Ctx("en" if result.language == "en" else "vi", settings)
    atomic_write(path, lambda tmp: _build(result, history, ctx).save(tmp))


def read_history(path: Path) -> list[dict]:
    """The history rows of a summary workbook, oldest first; [] when the file is missing.

    Each row is ``{"date": date, "score": company score or None,
    "departments": {department key: score}}`` (departments without a score on
    that date are left out). Raises WorkbookError when the file cannot be read.
    """
    history = _load_history(Path(path))
    return [
        {"date": day, "score": score, "departments": dict(scores)}
        for day, (score, scores) in sorted(history.rows.items())
    ]


# --- History: read, merge, recover ---


def _load_history(path: Path) -> _History:
    """Read the history sheet of ``path`` (empty history if the file is missing)."""
    if not path.exists():
        return _History()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise  # cannot open it (permissions, network): not proof the file is damaged
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise WorkbookError(f"cannot read {path}: {error}") from error
    try:
        for sheet in workbook.worksheets:
            first = next(sheet.iter_rows(max_row=1, values_only=True), ())
            if tuple(first[:2]) == (_DATE_KEY, _SCORE_KEY):
                return _parse_history(list(sheet.iter_rows(values_only=True)))
    except Exception as error:
        raise WorkbookError(f"cannot read the history of {path}: {error}") from error
    finally:
        workbook.close()
    raise WorkbookError(f"{path} has no history sheet")


def _parse_history(rows: list[tuple]) -> _History:
    """Build a _History from the sheet's rows: keys, headers, then one row per date."""
    keys, headers = rows[0], rows[1] if len(rows) > 1 else ()
    columns = {i: str(k) for i, k in enumerate(keys) if i >= 2 and isinstance(k, str) and k}
    history = _History(names={k: str(_at(headers, i) or k) for i, k in columns.items()})
    for row in rows[2:]:
        day = cell_date(_at(row, 0))
        if day is None:
            continue
        scores = {k: float(v) for i, k in columns.items() if _is_number(v := _at(row, i))}
        company = _at(row, 1)
        history.rows[day] = (float(company) if _is_number(company) else None, scores)
    return history


def _at(row: Sequence, index: int):
    return row[index] if index < len(row) else None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)




def _previous_history(path: Path) -> _History:
    """The existing file's history; a damaged file is copied aside and history restarts."""
    try:
        return _load_history(path)
    except WorkbookError as error:
        aside = _corrupt_name(path)
        shutil.copy2(path, aside)
        log.warning("%s; kept a copy as %s and started a new history", error, aside.name)
        return _History()


def _corrupt_name(path: Path) -> Path:
    """``<stem>.corrupt-<timestamp><suffix>`` beside ``path``, not yet taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate, n = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}"), 1
    while candidate.exists():
        candidate, n = path.with_name(f"{path.stem}.corrupt-{stamp}-{n}{path.suffix}"), n + 1
    return candidate


def _merge_history(history: _History, result: RollupResult) -> _History:
    """Old columns and rows plus this rollup's; the as-of row is replaced, not added."""
    names = dict(history.names)
    names.update({d.key: d.name for d in result.departments})
    rows = dict(history.rows)
    scores = {d.key: d.score for d in result.departments if d.readable}
    rows[result.as_of] = (result.score, scores)
    return _History(names, dict(sorted(rows.items())))


# --- Cells ---


def _put_text(cell: Cell, text: object) -> Cell:
    """Store ``text`` as a plain string cell: never a formula, never an error value.

    openpyxl turns a str starting with "=" into a formula (and "#N/A" into an
    error), so the data type is forced back to "s". Text starting with a
    formula prefix also gets Excel's quote prefix, so editing the cell keeps it
    text. Characters XML cannot hold are dropped, line ends become "\\n" (XML
    would turn a CR into LF on reading anyway) and Excel's length limit applies.
    """
    if text is None:
        cell.value = None
        return cell
    value = ILLEGAL_CHARACTERS_RE.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")[:32767]
    cell.value = value
    cell.data_type = "s"
    if value.startswith(_FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell


def _put(cell: Cell, kind: str, value: object, ctx: _Ctx) -> None:
    """Write one table value according to its column kind."""
    if value is None:
        return
    if (kind in _NUMERIC and not _is_number(value)) or (kind == "date" and not isinstance(value, date)):
        _put_text(cell, value)  # e.g. the raw text of an unreadable check-in
    elif kind in ("percent", "score"):
        cell.value, cell.number_format = float(value), _PERCENT
    elif kind == "number":
        cell.value = value
        cell.number_format = "#,##0" if float(value).is_integer() else "#,##0.###"
    elif kind == "count":
        cell.value = int(value)
    elif kind == "date":
        cell.value, cell.number_format = value, ctx.date_format
    elif kind == "grade":
        _put_text(cell, i18n.grade_label(str(value), ctx.lang))
        _fill(cell, str(value))
    elif kind == "status":
        _put_text(cell, i18n.status_label(str(value), ctx.lang))
    else:
        _put_text(cell, value)
        if kind == "wrap":
            cell.alignment = _WRAP


def _fill(cell: Cell, grade: str) -> None:
    """The grade's fill and font colour (the company score and grade cells)."""
    cell.fill = PatternFill("solid", fgColor=i18n.GRADE_FILL[grade])
    cell.font = Font(**_FONT, color=i18n.GRADE_FONT[grade], bold=cell.font.bold)


def _grade_rules(ws: Worksheet, cells: str, ctx: _Ctx) -> None:
    """Conditional grade fill for score cells (blank cells stay unfilled)."""
    first = cells.split(":")[0]
    red, green = ctx.settings.red_below, ctx.settings.green_from
    bands = {
        "red": f"{first}<{red!r}",
        "yellow": f"AND({first}>={red!r},{first}<{green!r})",
        "green": f"{first}>={green!r}",
    }
    for grade, test in bands.items():
        rule = FormulaRule(
            formula=[f"AND(ISNUMBER({first}),{test})"], stopIfTrue=True,
            fill=PatternFill("solid", fgColor=i18n.GRADE_FILL[grade], bgColor=i18n.GRADE_FILL[grade]),
            font=Font(color=i18n.GRADE_FONT[grade]),  # a differential style: colour only
        )
        ws.conditional_formatting.add(cells, rule)


# --- Tables and sheet layout ---


def _table(ws: Worksheet, ctx: _Ctx, columns: Sequence[_Col], rows: Iterable[Sequence], header_row: int = 1) -> int:
    """Write a header row and data rows with filter, frozen header and grade fills; return the last row."""
    for c, col in enumerate(columns, 1):
        _put_text(ws.cell(header_row, c), col.header).font = _BOLD
    last = header_row
    for last, values in enumerate(rows, header_row + 1):
        for c, (col, value) in enumerate(zip(columns, values), 1):
            _put(ws.cell(last, c), col.kind, value, ctx)
    end = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{end}{max(last, header_row + 1)}"
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    for c, col in enumerate(columns, 1):
        letter = get_column_letter(c)
        if col.kind == "score" and last > header_row:
            _grade_rules(ws, f"{letter}{header_row + 1}:{letter}{last}", ctx)
        if col.kind == "wrap":
            ws.column_dimensions[letter].width = _WRAP_WIDTH
    _layout(ws, skip={i for i, col in enumerate(columns, 1) if col.kind == "wrap"})
    return last


def _layout(ws: Worksheet, skip: set[int]) -> None:
    """Readable column widths (except ``skip``) and a landscape, fit-to-width print setup."""
    for column in ws.iter_cols():
        index = column[0].column
        if index not in skip:
            longest = max(_shown_length(cell.value) for cell in column)
            ws.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), _MAX_WIDTH)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _shown_length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, (date, float, int)):
        return 10
    return max(len(line) for line in str(value).splitlines() or [""])


# --- Sheets ---


def _build(result: RollupResult, history: _History, ctx: _Ctx) -> Workbook:
    workbook = Workbook()
    names = {d.key: d.name for d in result.departments}
    _overview(workbook.active, result, ctx)
    _table(workbook.create_sheet(ctx.title(1)), ctx, ctx.columns("objectives"), [
        [names.get(o.department, o.department), o.id, o.text, o.weight, o.score, o.grade, o.status]
        for d in result.departments for o in d.objectives])
    _table(workbook.create_sheet(ctx.title(2)), ctx, ctx.columns("key_results"),
           [_key_result_row(kr, names, ctx) for kr in result.key_results])
    _table(workbook.create_sheet(ctx.title(3)), ctx, ctx.columns("at_risk"), _at_risk_rows(result))
    _history(workbook.create_sheet(ctx.title(4)), history, ctx)
    _table(workbook.create_sheet(ctx.title(5)), ctx, ctx.columns("issues"), [
        [names.get(i.department, i.department), i.file, i.sheet, i.cell, i.found, i.problem, i.fix]
        for i in result.issues])
    return workbook


def _overview(ws: Worksheet, result: RollupResult, ctx: _Ctx) -> None:
    """Company facts at the top, then one row per department and a bar chart of their scores."""
    ws.title = ctx.title(0)
    facts = [("company", "text", result.company), ("quarter", "text", result.quarter),
             ("as_of", "date", result.as_of), ("expected", "percent", result.expected),
             ("score", "percent", result.score), ("grade", "grade", result.grade),
             ("status", "status", result.status)]
    for row, (word, kind, value) in enumerate(facts, 1):
        _put_text(ws.cell(row, 1), ctx.word(word)).font = _BOLD
        _put(ws.cell(row, 2), kind, value, ctx)
        if word == "score":
            _fill(ws.cell(row, 2), result.grade)
    columns = ctx.columns("overview") + [_Col(i18n.status_label(s, ctx.lang), "count") for s in STATUSES]
    columns.append(_Col(ctx.word("issues"), "count"))
    rows = [_department_row(d, result) for d in result.departments]
    header_row = len(facts) + 2
    last = _table(ws, ctx, columns, rows, header_row)
    if rows:
        _department_chart(ws, header_row, last, ctx)


def _department_row(department: DepartmentResult, result: RollupResult) -> list:
    counts = department.count_by_status()
    return [department.name, department.score, department.grade, department.status,
            *(counts[s] for s in STATUSES), len(result.issues_for(department.key))]


def _department_chart(ws: Worksheet, header_row: int, last: int, ctx: _Ctx) -> None:
    """A bar chart of department scores below the table (beside it, it would shrink the printout)."""
    chart = BarChart()
    chart.title, chart.legend = ctx.word("chart_departments"), None
    chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
    _percent_axis(chart)
    ws.add_chart(chart, f"A{last + 3}")


def _percent_axis(chart) -> None:
    chart.y_axis.number_format = _PERCENT
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.x_axis.delete = chart.y_axis.delete = False  # newer Excel hides the axes otherwise
    chart.width, chart.height = 18, 9


def _key_result_row(kr: KeyResultResult, names: dict[str, str], ctx: _Ctx) -> list:
    current = kr.current if kr.current is not None else kr.raw  # unreadable: show what was typed
    return [names.get(kr.department, kr.department), kr.objective_id, kr.id, kr.text,
            i18n.KIND[ctx.lang].get(kr.kind, kr.kind), i18n.UNIT[ctx.lang].get(kr.unit, kr.unit),
            kr.start, kr.target, current, kr.score, kr.status, kr.confidence, kr.comment, kr.last_update]


def _at_risk_rows(result: RollupResult) -> list[list]:
    """At-risk and off-track KRs, furthest behind pace first (ties keep department order)."""
    departments = {d.key: d for d in result.departments}
    flagged = sorted((kr for kr in result.key_results if kr.status in ("at_risk", "off_track")),
                     key=lambda kr: kr.gap, reverse=True)
    return [[departments[kr.department].name, ", ".join(departments[kr.department].owners), kr.id,
             kr.text, kr.score, kr.expected, kr.gap, kr.status, kr.comment] for kr in flagged]


def _history(ws: Worksheet, history: _History, ctx: _Ctx) -> None:
    """Hidden row 1 holds the column keys, row 2 the headers, then one row per date."""
    for c, key in enumerate([_DATE_KEY, _SCORE_KEY, *history.names], 1):
        _put_text(ws.cell(1, c), key)
    ws.row_dimensions[1].hidden = True
    columns = [_Col(ctx.word("date"), "date"), _Col(ctx.word("score"), "score")]
    columns += [_Col(name, "score") for name in history.names.values()]
    rows = [[day, score, *(scores.get(k) for k in history.names)]
            for day, (score, scores) in history.rows.items()]
    last = _table(ws, ctx, columns, rows, header_row=2)
    if rows:
        _history_chart(ws, last, len(columns), ctx)


def _history_chart(ws: Worksheet, last: int, width: int, ctx: _Ctx) -> None:
    """A line per score column over the rollup dates, beside the table (which grows downwards)."""
    chart = LineChart()
    chart.title = ctx.word("chart_history")
    chart.add_data(Reference(ws, min_col=2, max_col=width, min_row=2, max_row=last), titles_from_data=True)
    chart.y_axis.crossAx = 500  # the DateAxis id
    chart.x_axis = DateAxis(crossAx=100)
    chart.x_axis.number_format, chart.x_axis.majorTimeUnit = ctx.date_format, "days"
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=last))
    for series in chart.series:
        series.smooth = False  # a smoothed line suggests values between rollups
    _percent_axis(chart)
    ws.add_chart(chart, f"{get_column_letter(width + 2)}2")
