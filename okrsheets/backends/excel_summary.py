"""The company summary workbook (``company-summary.xlsx``), written with XlsxWriter.

Every sheet is rebuilt on each rollup except the history, which is carried over
from the previous file (read back with python-calamine): one row per rollup
date, one column per department. The history sheet keeps the department keys
in a hidden first row, so a renamed department keeps its column and a removed
one keeps its past scores.

XlsxWriter writes a 14,000-key-result summary about three times faster than
openpyxl did. Each distinct cell format is created once (`_Book`) and column
widths are measured while the values are written (`_Sheet`).

Team-typed text is always stored as a plain string cell (see `_Sheet.text`), so
a comment such as ``=HYPERLINK(...)`` can never become a formula.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from python_calamine import CalamineWorkbook
from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from okrsheets import i18n
from okrsheets.errors import WorkbookError
from okrsheets.files import atomic_write, ensure_not_open, office_lock_file
from okrsheets.core.results import DepartmentResult, KeyResultResult, RollupResult
from okrsheets.core.scoring import ScoringSettings
from okrsheets.sheets.spec import LINE_HEIGHT, wrapped_lines
from okrsheets.core.values import cell_date

__all__ = ["SUMMARY_NAME", "earlier_summaries", "read_history", "summary_target", "write_summary"]

log = logging.getLogger("okrsheets")

SUMMARY_NAME = "company-summary.xlsx"
STATUSES = ("done", "on_track", "at_risk", "off_track", "no_data")
# Excel, LibreOffice and CSV exports may treat text starting with these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# Hidden key row of the history sheet; department keys never start with "#".
_DATE_KEY, _SCORE_KEY = "#date", "#score"
_PERCENT = "0%"
_NUMERIC = ("number", "percent", "score", "count")
_WRAP_WIDTH, _MAX_WIDTH = 50, 40
_MAX_TEXT = 32767  # Excel's limit on the characters in a cell
_NUMBER_WIDTH = 10  # about how wide a number or a date shows
_CHART_SIZE = {"width": 680, "height": 340}  # pixels: 18 x 9 cm
_MAX_SERIES = 255  # Excel's limit on the series of one chart
# Text is written with write_string only; these options also keep any write() a caller adds from
# turning team text into formulas, links or numbers. in_memory: no temporary files while saving.
_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                     "in_memory": True}
# Format properties by style; a format may add a grade's colours and Excel's quote prefix (see _Book).
# Every cell is top-aligned, so a row made taller by wrapped text still reads across.
_STYLES = {
    None: {"valign": "top"},
    "bold": {"bold": True, "valign": "top"},
    "wrap": {"text_wrap": True, "valign": "top"},
    "percent": {"num_format": _PERCENT, "valign": "top"},
    "integer": {"num_format": "#,##0", "valign": "top"},
    "decimal": {"num_format": "#,##0.###", "valign": "top"},
    "rule": {},  # a conditional grade fill: only the grade's colours
}

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
         "number", "wrap", "date"),  # confidence: a whole number 1-10
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


_HISTORY_TITLES = frozenset(titles[4] for titles in _SHEETS.values())


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


def summary_target(folder: Path, as_of: date) -> tuple[Path, Path | None]:
    """Where tonight's summary goes, and the lock file of the summary open in Excel or LibreOffice (or None).

    ``company-summary.xlsx`` unless it is open; then beside it,
    ``company-summary (2026-12-01).xlsx`` (``... (2026-12-01 2).xlsx`` if that
    one is open too).
    """
    normal = Path(folder) / SUMMARY_NAME
    lock = office_lock_file(normal)
    if lock is None:
        return normal, None
    stem, suffix = normal.stem, normal.suffix
    n = 1
    while True:
        candidate = normal.with_name(f"{stem} ({as_of.isoformat()}{'' if n == 1 else f' {n}'}){suffix}")
        if office_lock_file(candidate) is None:
            return candidate, lock
        n += 1


def earlier_summaries(folder: Path) -> list[Path]:
    """Summaries written beside an open ``company-summary.xlsx`` on earlier nights, oldest first."""
    stem, suffix = Path(SUMMARY_NAME).stem, Path(SUMMARY_NAME).suffix
    ours = re.compile(re.escape(stem) + r" \(\d{4}-\d{2}-\d{2}( \d+)?\)" + re.escape(suffix))  # not "(1).xlsx" copies
    found = []
    for path in Path(folder).glob(f"{stem} (*){suffix}"):
        try:
            if ours.fullmatch(path.name) and path.is_file():
                found.append((path.stat().st_mtime_ns, path.name, path))
        except OSError:
            continue
    return [path for *_, path in sorted(found)]


def write_summary(result: RollupResult, path: Path, settings: ScoringSettings, history_from: Sequence[Path] = ()) -> None:
    """Write the company summary workbook at ``path``, atomically.

    Raises WorkbookLockedError (file untouched) when the file is open in Excel
    or LibreOffice. The history rows of the existing file, and of the summaries
    in ``history_from`` (written beside an open one), are kept; this rollup's
    row replaces the one with the same date. An unreadable existing file is
    copied to ``<stem>.corrupt-<timestamp>.xlsx`` first (with a warning).
    """
    path = Path(path)
    ensure_not_open(path)
    history = _previous_history(path)
    for other in history_from:
        history = _union_history(history, _other_history(Path(other)))
    history = _merge_history(history, result)
    ctx = _Ctx("en" if result.language == "en" else "vi", settings)
    atomic_write(path, lambda tmp: _save(result, history, ctx, tmp))


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
    with open(path, "rb"):  # cannot open it (permissions, network): an OSError, not proof of damage
        pass
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except OSError:
        raise
    except Exception as error:  # calamine raises its own error types for a damaged file
        raise WorkbookError(f"cannot read {path}: {error}") from error
    try:
        # The history sheet by its title first: loading the 14,000-row key results sheet costs more.
        for name in sorted(workbook.sheet_names, key=lambda name: name not in _HISTORY_TITLES):
            rows = workbook.get_sheet_by_name(name).iter_rows()
            first = next(rows, [])
            if tuple(first[:2]) == (_DATE_KEY, _SCORE_KEY):
                return _parse_history([first, *rows])
    except Exception as error:
        raise WorkbookError(f"cannot read the history of {path}: {error}") from error
    finally:
        workbook.close()
    raise WorkbookError(f"{path} has no history sheet")


def _parse_history(rows: list[Sequence]) -> _History:
    """Build a _History from the sheet's rows: keys, headers, then one row per date.

    calamine reads an empty cell as "" and a date cell as a date or datetime.
    """
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


def _other_history(path: Path) -> _History:
    """The history of a summary written beside the usual one; empty (with a warning) if it cannot be read."""
    try:
        return _load_history(path)
    except (OSError, WorkbookError) as error:
        log.warning("cannot read the history of %s (%s); its rows are left out", path, error)
        return _History()


def _union_history(first: _History, later: _History) -> _History:
    """The columns and rows of both; a date in both keeps ``later``'s row."""
    names = {**first.names, **later.names}
    return _History(names, dict(sorted({**first.rows, **later.rows}.items())))


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


# --- Formats and cells ---


class _Book:
    """The workbook being written: each cell format created once, each distinct text cleaned once.

    A format is a style from _STYLES, optionally with a grade's fill and font
    colour and with Excel's quote prefix. XlsxWriter keeps every Format it
    creates, so one per cell would bloat both the time and the file.
    """

    def __init__(self, workbook: Workbook, ctx: _Ctx):
        self.workbook = workbook
        self.ctx = ctx
        self._styles = {**_STYLES, "date": {"num_format": ctx.date_format, "valign": "top"}}
        self._formats: dict[tuple[str | None, str | None, bool], Format] = {}
        self._texts: dict[str, tuple[str, int, bool, int]] = {}

    def format(self, style: str | None = None, grade: str | None = None, quote: bool = False) -> Format:
        key = (style, grade, quote)
        made = self._formats.get(key)
        if made is None:
            made = self._formats[key] = self.workbook.add_format(self._properties(style, grade, quote))
        return made

    def rule_format(self, grade: str) -> Format:
        """The colours of a conditional grade fill (a differential format: fill and font colour only)."""
        return self.format("rule", grade)

    def _properties(self, style: str | None, grade: str | None, quote: bool) -> dict:
        properties = dict(self._styles[style])
        if grade is not None:  # a solid fill: XlsxWriter takes bg_color as a solid pattern's colour
            properties.update(bg_color=_rgb(i18n.GRADE_FILL[grade]), font_color=_rgb(i18n.GRADE_FONT[grade]))
        if quote:
            properties["quote_prefix"] = True
        return properties

    def text(self, value: object) -> tuple[str, int, bool, int]:
        """``value`` as cell text, its shown length, whether it starts with a formula prefix,
        and the lines it takes in a wrapped column.

        Characters XML cannot hold are dropped, line ends become "\\n" (XML
        would turn a CR into LF on reading anyway) and Excel's length limit
        applies. Remembered per value: names, statuses and comments repeat.
        """
        key = value if type(value) is str else str(value)
        known = self._texts.get(key)
        if known is None:
            text = ILLEGAL_CHARACTERS_RE.sub("", key)
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            text = text[:_MAX_TEXT]
            known = self._texts[key] = (text, _shown_length(text), text.startswith(_FORMULA_PREFIXES),
                                        wrapped_lines(text, _WRAP_WIDTH))
        return known


def _rgb(argb: str) -> str:
    """i18n's ARGB hex ("FFF4C7C3") as XlsxWriter's "#F4C7C3"."""
    return "#" + argb[-6:]


def _shown_length(text: str) -> int:
    """About how many characters wide ``text`` shows in a cell: its longest line."""
    return max((len(line) for line in text.splitlines()), default=0)


class _Sheet:
    """One worksheet being written, and the widest value shown in each of its columns so far."""

    def __init__(self, book: _Book, title: str):
        self.ws: Worksheet = book.workbook.add_worksheet(title)
        self.title = title
        self.book = book
        self.widths: dict[int, int] = {}  # column -> longest shown length
        self.lines: dict[int, int] = {}  # row -> most lines a wrapped cell of it needs, when more than 1

    def text(self, row: int, col: int, value: object, style: str | None = None, grade: str | None = None) -> None:
        """Store ``value`` as a plain string cell: never a formula, a link, a number or an error value.

        Text starting with a formula prefix also gets Excel's quote prefix, so
        editing the cell keeps it text.
        """
        if value is None:
            return
        text, length, quote, lines = self.book.text(value)
        self.ws.write_string(row, col, text, self.book.format(style, grade, quote))
        if style == "wrap":
            if lines > self.lines.get(row, 1):
                self.lines[row] = lines
        elif length > self.widths.get(col, 0):
            self.widths[col] = length

    def put(self, row: int, col: int, kind: str, value: object, grade: str | None = None) -> None:
        """Write one table value according to its column kind (see _Col); ``grade`` adds its colours.

        A value not of its column's type (e.g. the raw text of an unreadable
        check-in in a number column) is written as text.
        """
        if value is None:
            return
        if kind == "text" or kind == "wrap":
            self.text(row, col, value, "wrap" if kind == "wrap" else None, grade)
        elif kind == "status":
            self.text(row, col, i18n.status_label(str(value), self.book.ctx.lang), grade=grade)
        elif kind == "grade":
            self.text(row, col, i18n.grade_label(str(value), self.book.ctx.lang), grade=str(value))
        elif kind in _NUMERIC and _is_number(value):
            if kind == "number":
                style = "integer" if float(value).is_integer() else "decimal"
            elif kind == "count":
                value, style = int(value), None
            else:  # percent, score
                value, style = float(value), "percent"
            self.ws.write_number(row, col, value, self.book.format(style, grade))
            self._widen_to_number(col)
        elif kind == "date" and isinstance(value, date):
            self.ws.write_datetime(row, col, value, self.book.format("date", grade))
            self._widen_to_number(col)
        else:
            self.text(row, col, value, grade=grade)

    def _widen_to_number(self, col: int) -> None:
        if self.widths.get(col, 0) < _NUMBER_WIDTH:
            self.widths[col] = _NUMBER_WIDTH

    def grade_rules(self, first_row: int, last_row: int, first_col: int, last_col: int) -> None:
        """Conditional grade fill for a block of score cells (blank cells stay unfilled).

        The formula names the block's top-left cell and Excel shifts it for
        every other cell, so adjacent score columns share one set of rules.
        """
        first = xl_rowcol_to_cell(first_row, first_col)
        settings = self.book.ctx.settings
        red, green = settings.red_below, settings.green_from
        bands = {
            "red": f"{first}<{red!r}",
            "yellow": f"AND({first}>={red!r},{first}<{green!r})",
            "green": f"{first}>={green!r}",
        }
        for grade, test in bands.items():
            self.ws.conditional_format(first_row, first_col, last_row, last_col, {
                "type": "formula", "criteria": f"=AND(ISNUMBER({first}),{test})",
                "format": self.book.rule_format(grade), "stop_if_true": True,
            })

    def layout(self, skip: set[int]) -> None:
        """Readable column widths (except ``skip``), tall enough rows, a landscape, fit-to-width print setup.

        Excel grows a row to fit wrapped text by itself, LibreOffice does not
        (it shows one line of a library-written row), so rows holding wrapped
        text get an explicit height.
        """
        for row, lines in self.lines.items():
            self.ws.set_row(row, LINE_HEIGHT * lines)
        for col in range(max(self.widths, default=-1) + 1):
            if col not in skip:
                self.ws.set_column(col, col, min(max(self.widths.get(col, 0) + 2, 8), _MAX_WIDTH))
        self.ws.set_landscape()
        self.ws.fit_to_pages(1, 0)


# --- Tables and sheet layout ---


def _table(sheet: _Sheet, columns: Sequence[_Col], rows: Iterable[Sequence], header_row: int = 0) -> int:
    """Write a header row and data rows with filter, frozen header and grade fills; return the last row.

    Rows and columns count from 0, as in XlsxWriter. Every data row of the
    summary is written here.
    """
    for c, col in enumerate(columns):
        sheet.text(header_row, c, col.header, "bold")
    kinds = [col.kind for col in columns]
    put = sheet.put
    last = header_row
    for last, values in enumerate(rows, header_row + 1):
        for c, (kind, value) in enumerate(zip(kinds, values)):
            if value is not None:
                put(last, c, kind, value)
    ws = sheet.ws
    ws.autofilter(header_row, 0, max(last, header_row + 1), len(columns) - 1)
    ws.freeze_panes(header_row + 1, 0)
    ws.repeat_rows(header_row)
    if last > header_row:
        for first_col, last_col in _runs(kinds, "score"):
            sheet.grade_rules(header_row + 1, last, first_col, last_col)
    for c, kind in enumerate(kinds):
        if kind == "wrap":
            ws.set_column(c, c, _WRAP_WIDTH)
    sheet.layout(skip={c for c, kind in enumerate(kinds) if kind == "wrap"})
    return last


def _runs(kinds: Sequence[str], kind: str) -> list[tuple[int, int]]:
    """The (first, last) column of each run of adjacent ``kind`` columns."""
    runs: list[tuple[int, int]] = []
    for c, each in enumerate(kinds):
        if each == kind:
            if runs and runs[-1][1] == c - 1:
                runs[-1] = (runs[-1][0], c)
            else:
                runs.append((c, c))
    return runs


# --- Sheets ---


def _save(result: RollupResult, history: _History, ctx: _Ctx, path: Path) -> None:
    """Build the workbook and write it to ``path``; an OSError while writing is raised as itself."""
    workbook = Workbook(str(path), _WORKBOOK_OPTIONS)
    _build(workbook, result, history, ctx)
    try:
        workbook.close()
    except FileCreateError as error:  # XlsxWriter wraps the OSError (disk full, permissions)
        cause = error.args[0] if error.args else None
        if isinstance(cause, OSError):
            raise cause from None
        raise


def _build(workbook: Workbook, result: RollupResult, history: _History, ctx: _Ctx) -> None:
    book = _Book(workbook, ctx)

    def sheet(index: int) -> _Sheet:
        return _Sheet(book, ctx.title(index))

    names = {d.key: d.name for d in result.departments}
    _overview(sheet(0), result, ctx)
    _table(sheet(1), ctx.columns("objectives"), [
        [names.get(o.department, o.department), o.id, o.text, o.weight, o.score, o.grade, o.status]
        for d in result.departments for o in d.objectives])
    _table(sheet(2), ctx.columns("key_results"), [_key_result_row(kr, names, ctx) for kr in result.key_results])
    _table(sheet(3), ctx.columns("at_risk"), _at_risk_rows(result))
    _history(sheet(4), history, ctx)
    _table(sheet(5), ctx.columns("issues"), [
        [names.get(i.department, i.department), i.file, i.sheet, i.cell, i.found, i.problem, i.fix]
        for i in result.issues])


def _overview(sheet: _Sheet, result: RollupResult, ctx: _Ctx) -> None:
    """Company facts at the top, then one row per department and a column chart of their scores."""
    facts = [("company", "text", result.company), ("quarter", "text", result.quarter),
             ("as_of", "date", result.as_of), ("expected", "percent", result.expected),
             ("score", "percent", result.score), ("grade", "grade", result.grade),
             ("status", "status", result.status)]
    for row, (word, kind, value) in enumerate(facts):
        sheet.text(row, 0, ctx.word(word), "bold")
        sheet.put(row, 1, kind, value, grade=result.grade if word == "score" else None)
    columns = ctx.columns("overview") + [_Col(i18n.status_label(s, ctx.lang), "count") for s in STATUSES]
    columns.append(_Col(ctx.word("issues"), "count"))
    rows = [_department_row(d, len(result.issues_for(d.key)), ctx.lang) for d in result.departments]
    header_row = len(facts) + 1
    last = _table(sheet, columns, rows, header_row)
    if rows:
        _department_chart(sheet, header_row, last, ctx)


def _department_row(department: DepartmentResult, issues: int, lang: str) -> list:
    """A department's overview row: one not read tonight is marked with the date of the reading shown;
    one never read has no score and no grade (it is not counted as 0)."""
    counts = department.count_by_status()
    name = department.name
    if department.stale:
        name = f"{name} ({i18n.reading_of(department.read_on, lang)})"
    scored = department.has_reading
    return [name, department.score if scored else None, department.grade if scored else None, department.status,
            *(counts[s] for s in STATUSES), issues]


def _department_chart(sheet: _Sheet, header_row: int, last: int, ctx: _Ctx) -> None:
    """A column chart of department scores below the table (beside it, it would shrink the printout)."""
    chart = sheet.book.workbook.add_chart({"type": "column"})
    chart.add_series({
        "name": [sheet.title, header_row, 1],
        "categories": [sheet.title, header_row + 1, 0, last, 0],
        "values": [sheet.title, header_row + 1, 1, last, 1],
    })
    chart.set_title({"name": ctx.word("chart_departments")})
    chart.set_legend({"none": True})
    _percent_axis(chart)
    sheet.ws.insert_chart(last + 3, 0, chart)


def _percent_axis(chart) -> None:
    chart.set_y_axis({"min": 0, "max": 1, "num_format": _PERCENT})
    chart.set_size(_CHART_SIZE)


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


def _history(sheet: _Sheet, history: _History, ctx: _Ctx) -> None:
    """Hidden row 1 holds the column keys, row 2 the headers, then one row per date."""
    for c, key in enumerate([_DATE_KEY, _SCORE_KEY, *history.names]):
        sheet.text(0, c, key)
    sheet.ws.set_row(0, None, None, {"hidden": True})
    columns = [_Col(ctx.word("date"), "date"), _Col(ctx.word("score"), "score")]
    columns += [_Col(name, "score") for name in history.names.values()]
    rows = [[day, score, *(scores.get(k) for k in history.names)]
            for day, (score, scores) in history.rows.items()]
    last = _table(sheet, columns, rows, header_row=1)
    if rows:
        _history_chart(sheet, last, len(columns), ctx)


def _history_chart(sheet: _Sheet, last: int, width: int, ctx: _Ctx) -> None:
    """A line per score column over the rollup dates, beside the table (which grows downwards)."""
    chart = sheet.book.workbook.add_chart({"type": "line"})
    for c in range(1, min(width, 1 + _MAX_SERIES)):  # the company, then departments while Excel allows
        chart.add_series({
            "name": [sheet.title, 1, c],
            "categories": [sheet.title, 2, 0, last, 0],
            "values": [sheet.title, 2, c, last, c],
            "smooth": False,  # a smoothed line suggests values between rollups
            "marker": {"type": "circle", "size": 5},  # the first night's single point shows too
        })
    chart.set_title({"name": ctx.word("chart_history")})
    chart.set_x_axis({"date_axis": True, "num_format": ctx.date_format})
    _percent_axis(chart)
    sheet.ws.insert_chart(1, width + 1, chart)
