"""What a team workbook looks like, independent of the backend.

One OKR sheet (header block, one row per objective and KR, live score and
status formulas, validation, colours, protection), a guide sheet and a hidden
metadata sheet. Hidden cells read each KR's current cell as
:mod:`okrsheets.core.values` does (:mod:`okrsheets.sheets.check_in_formulas`), and
the score and status formulas reproduce :mod:`okrsheets.core.scoring` on that
reading; a test recalculates them in LibreOffice and compares with the rollup.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import cast

from okrsheets.config import Config
from okrsheets.core.model import DepartmentPlan, PlannedKeyResult
from okrsheets.core.scoring import ScoringSettings
from okrsheets.core.values import format_number, milestone_choices
from okrsheets.i18n import DATE_FORMAT, KIND, STATUS, UNIT, show_date
from okrsheets.sheets.check_in_formulas import ISSUE, digits_formula, fold_formula, parsed_formula, reading_formula, typed_formula
from okrsheets.sheets.spec import (
    LINE_HEIGHT,
    ColourRule,
    DataBar,
    Formula,
    FormulaColour,
    PrintSetup,
    SheetSpec,
    Validation,
    WorkbookSpec,
    a1,
    column_letter,
    shown_text,
    with_locale_tag,
    wrapped_lines,
)

SCHEMA_VERSION = 1
LAYOUT_VERSION = 7  # bump when what provisioning writes changes, so existing workbooks are refreshed
META_SHEET = "_okrsheets"
OKR_SHEET = {"vi": "OKR", "en": "OKR"}
GUIDE_SHEET = {"vi": "Hướng dẫn", "en": "Guide"}

# Header block cells of the OKR sheet.
AS_OF_CELL = (6, 2)  # B6: evaluation date, =TODAY()
EXPECTED_CELL = (6, 4)  # D6: expected progress
DEPT_SCORE_CELL = (6, 6)  # F6
DEPT_STATUS_CELL = (6, 8)  # H6
HEADER_ROW = 8
FIRST_ROW = 9

# Columns of the OKR sheet (1-based). After "code", hidden, the cells that read "current" as the
# engine does (see sheets/check_in_formulas.py); new columns are only ever appended.
COLUMNS = (
    "id", "text", "kind", "unit", "start", "target", "current", "confidence", "weight", "score", "status", "comment", "last_update", "code",
    "typed", "parsed", "word", "reading",
)
COL = {name: i + 1 for i, name in enumerate(COLUMNS)}
HIDDEN_COLUMNS = ("code", "typed", "parsed", "word", "reading")
TEAM_COLUMNS = ("current", "confidence", "comment", "last_update")  # the only cells a team edits
# Column widths in characters: the text columns' and the least of the others. `_fit_widths` widens a column
# to its widest number or date (none shows "###") and to the longest word of its labels (a word never breaks).
# The sheet prints fitted to the width of A4 landscape: about 200 characters print at 70% in Excel; the KR
# text and the comment wrap over a KR row's two lines rather than widen the sheet.
WIDTHS = {
    "id": 10, "text": 45, "kind": 12, "unit": 10, "start": 12, "target": 12, "current": 13, "confidence": 11, "weight": 9, "score": 8,
    "status": 15, "comment": 30, "last_update": 12, "code": 10, "typed": 10, "parsed": 10, "word": 10, "reading": 10,
}
PADDING = 3  # characters beside the widest number, date or word of a column
# A KR row is this many lines tall, or more for a longer KR text (or kind, unit, comment already typed): room for
# a comment of about 55 characters typed later. A row with a height stays that tall when a longer comment is
# typed (Excel no longer grows it by itself; LibreOffice never does): the comment is cut at the row's bottom
# edge, whole in the cell's editor, until the row is made taller or the next provision sizes it.
KR_LINES = 2
MAX_ROW_HEIGHT = 409  # points: Excel's tallest row
# Fill and font of a value the engine cannot read: the current cell and its score, while the status says "check cell".
ISSUE_FILL, ISSUE_FONT = "FFFFC000", "FF000000"

LABELS = {
    "vi": {
        "id": "Mã", "text": "Mục tiêu / Kết quả then chốt", "kind": "Loại", "unit": "Đơn vị", "start": "Bắt đầu",
        "target": "Chỉ tiêu", "current": "Hiện tại", "confidence": "Độ tự tin (1–10)", "weight": "Trọng số",
        "score": "Điểm", "status": "Trạng thái", "comment": "Ghi chú", "last_update": "Cập nhật lần cuối", "code": "code",
        "typed": "typed", "parsed": "parsed", "word": "word", "reading": "reading",
        "company": "Công ty", "quarter": "Quý", "from": "Từ", "to": "Đến", "owners": "Phụ trách",
        "provisioned": "Tạo lúc", "as_of": "Ngày đánh giá", "expected": "Tiến độ kỳ vọng",
        "dept_score": "Điểm phòng ban", "dept_status": "Trạng thái", "archived": "Lưu trữ (đã bỏ khỏi kế hoạch, giữ lại giá trị)",
        "title": "OKR {quarter}: {department}", "page": "Trang",
        "supports": "Hỗ trợ mục tiêu công ty", "kr_owner": "Phụ trách KR",
    },
    "en": {
        "id": "ID", "text": "Objective / Key result", "kind": "Kind", "unit": "Unit", "start": "Start",
        "target": "Target", "current": "Current", "confidence": "Confidence (1–10)", "weight": "Weight",
        "score": "Score", "status": "Status", "comment": "Comment", "last_update": "Last update", "code": "code",
        "typed": "typed", "parsed": "parsed", "word": "word", "reading": "reading",
        "company": "Company", "quarter": "Quarter", "from": "From", "to": "To", "owners": "Owners",
        "provisioned": "Provisioned", "as_of": "As of", "expected": "Expected progress",
        "dept_score": "Department score", "dept_status": "Status", "archived": "Archived (removed from the plan, values kept)",
        "title": "OKR {quarter}: {department}", "page": "Page",
        "supports": "Supports company objective", "kr_owner": "KR owner",
    },
}


@dataclass(frozen=True)
class TypedCell:
    """A cell a team typed, as the file holds it: written back with the same value, type and number format.

    ``value`` is text, a number, a boolean, a date or datetime (or time), a
    :class:`Formula` the team typed, or a :class:`CellError`.
    """

    value: object
    number_format: str | None = None


@dataclass(frozen=True)
class TeamEntry:
    """What a team typed on a KR row, carried over untouched on re-provisioning.

    Each field is a plain value or a :class:`TypedCell` (then its own number
    format replaces the one provisioning gives the column).
    """

    current: object = None
    confidence: object = None
    comment: object = None
    last_update: object = None

    @property
    def is_empty(self) -> bool:
        return all(_typed(v)[0] in (None, "") for v in (self.current, self.confidence, self.comment, self.last_update))


def _typed(value: object, number_format: str | None = None) -> tuple[object, str | None]:
    """A team value and the number format to write it with: its own when it has one, else ``number_format``."""
    if isinstance(value, TypedCell):
        return value.value, value.number_format or number_format
    return value, number_format


@dataclass(frozen=True)
class ArchivedRow:
    """A KR or objective no longer in the plan, kept with its values at the bottom of the sheet."""

    id: str
    text: str
    kind: str
    unit: str
    start: object = None
    target: object = None
    weight: object = None
    entry: TeamEntry = field(default_factory=TeamEntry)


def number_format(unit: str, locale: str | None = None) -> str | None:
    """The number format of a KR's numbers in ``unit``; with ``locale`` (the config's) tagged with it, so
    LibreOffice shows that locale's separators whatever its own (``with_locale_tag``)."""
    code = {"percent": "0.0#%", "vnd": '#,##0 "₫"', "count": "#,##0.##"}.get(unit)
    return with_locale_tag(code, locale) if locale else code


def sheet_number(value: float | None, unit: str) -> float | None:
    """A plan number as stored in the sheet: percents as fractions (45 -> 0.45), shown as 45%."""
    if value is None:
        return None
    # round() gives the double nearest the decimal fraction (99.9 -> 0.999, not 0.9990000000000001),
    # the same double Excel stores when a person types 99.9%, so thresholds compare equal in both.
    return round(value / 100, 12) if unit == "percent" else value


def fingerprint(config: Config, department: DepartmentPlan, closed: date | None = None) -> str:
    """A hash of everything provisioning writes, except what teams type.

    The SHA-256 of ``json.dumps(payload, sort_keys=True)``, where the payload
    holds the config-wide members (made once per config) and ``department``,
    the department's plan with every field; the encoder walks the plan itself,
    no copy of it is made. A closed quarter's workbook (``closed``: the day it
    was closed) adds that day, so closing and reopening rewrite the workbook.
    """
    parts = {**_config_part(config), "department": json.dumps(department, sort_keys=True, default=_json_fields)}
    if closed is not None:
        parts["closed"] = json.dumps(closed.isoformat())
    # what json.dumps writes for a dict with sorted keys, with each member's JSON made above
    text = "{" + ", ".join(f"{json.dumps(key)}: {parts[key]}" for key in sorted(parts)) + "}"
    return hashlib.sha256(text.encode()).hexdigest()


_LAST_CONFIG_PART: list[tuple[Config, tuple[object, ...], dict[str, str]]] = []  # the config seen last, and its part


def _config_part(config: Config) -> dict[str, str]:
    """The JSON of each config-wide member of the fingerprint, by key."""
    password = config.protection_password()
    made_for = (password, SCHEMA_VERSION, LAYOUT_VERSION)
    if _LAST_CONFIG_PART and _LAST_CONFIG_PART[0][0] is config and _LAST_CONFIG_PART[0][1] == made_for:
        return _LAST_CONFIG_PART[0][2]
    password_hash = None
    if password:  # the hash Excel keeps in the sheet anyway: a changed password is applied on the next run
        from openpyxl.utils.protection import hash_password  # imported only then: openpyxl is slow to import

        password_hash = hash_password(password)
    payload = {
        "schema": SCHEMA_VERSION,
        "layout": LAYOUT_VERSION,
        "company": config.company,
        "language": config.language,
        "quarter": [config.quarter.name, config.quarter.start.isoformat(), config.quarter.end.isoformat()],
        "scoring": asdict(config.scoring),
        "password_hash": password_hash,
    }
    part = {key: json.dumps(value, sort_keys=True, default=str) for key, value in payload.items()}
    _LAST_CONFIG_PART[:] = [(config, made_for, part)]
    return part


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _json_fields(value: object) -> object:
    """The encoder's fallback: a dataclass as the table of its fields (tuples stay tuples: lists in JSON), else text."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not is_dataclass(value) or isinstance(value, type):
            return str(value)
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in fields(value))
    own = getattr(value, "__dict__", None)
    if own is not None and len(own) == len(names):  # a plain dataclass keeps exactly its fields there
        return own
    return {name: getattr(value, name) for name in names}


def team_workbook(
    config: Config,
    department: DepartmentPlan,
    entries: dict[str, TeamEntry],
    archived: list[ArchivedRow],
    provisioned_at: datetime,
    closed: date | None = None,
) -> WorkbookSpec:
    """The team workbook; ``closed`` (the day the quarter was closed) makes it read-only, every typed value kept."""
    okr = okr_sheet(config, department, entries, archived, provisioned_at)
    guide = guide_sheet(config, department)
    if closed is not None:
        _close(okr, guide, config.language, closed)
    meta = meta_sheet(config, department, archived, provisioned_at, okr, closed)
    return WorkbookSpec([okr, guide, meta], protection_password=config.protection_password())


CLOSED_BANNER_CELL = (7, 1)  # A7: the empty row between the header block and the column headers
CLOSED_BANNER = {"vi": "Quý đã đóng ngày {day} — chỉ xem", "en": "Quarter closed on {day}, read-only"}


def _close(okr: SheetSpec, guide: SheetSpec, language: str, closed: date) -> None:
    """A closed quarter: every cell locked (what teams typed stays, as typed), and a banner saying so on both sheets."""
    okr.cells = {position: dataclasses.replace(cell, locked=True, style="key_result" if cell.style == "input" else cell.style)
                 for position, cell in okr.cells.items()}  # no light-yellow "type here" fill left
    banner = CLOSED_BANNER[language].format(day=show_date(closed, language))
    okr.set(*CLOSED_BANNER_CELL, banner, "title")
    guide.cells = {(row + 2, column): cell for (row, column), cell in guide.cells.items()}  # two rows down: the banner first
    guide.row_heights = {row + 2: height for row, height in guide.row_heights.items()}
    guide.set(1, 1, banner, "title")
    for sheet in (okr, guide):
        sheet.protected = True


def okr_sheet(config: Config, department: DepartmentPlan, entries: dict[str, TeamEntry], archived: list[ArchivedRow], provisioned_at: datetime) -> SheetSpec:
    lang = config.language
    L = LABELS[lang]
    q = config.quarter
    day = DATE_FORMAT[lang]
    sheet = SheetSpec(
        OKR_SHEET[lang], frozen_rows=HEADER_ROW, frozen_columns=2, protected=True, landscape=True, fit_to_width=True,
        hidden_columns=tuple(COL[name] for name in HIDDEN_COLUMNS),
        print_setup=print_setup(config, department, landscape=True, repeat_rows=(HEADER_ROW, HEADER_ROW)),
    )
    sheet.column_widths = {COL[name]: width for name, width in WIDTHS.items()}
    sheet.set(1, 1, L["title"].format(quarter=q.name, department=department.name), "title")
    sheet.set(2, 1, L["company"], "field")
    sheet.set(2, 2, config.company, "value")
    sheet.set(3, 1, L["quarter"], "field")
    sheet.set(3, 2, q.name, "value")
    sheet.set(3, 3, L["from"], "field")
    sheet.set(3, 4, q.start, "value", number_format=day)
    sheet.set(3, 5, L["to"], "field")
    sheet.set(3, 6, q.end, "value", number_format=day)
    sheet.set(4, 1, L["owners"], "field")
    sheet.set(4, 2, ", ".join(department.owners), "value")
    sheet.set(5, 1, L["provisioned"], "field")
    sheet.set(5, 2, provisioned_at.replace(tzinfo=None, microsecond=0), "value", number_format=f"{day} hh:mm")
    sheet.set(6, 1, L["as_of"], "field")
    sheet.set(*AS_OF_CELL, Formula("=TODAY()"), "value", number_format=day)
    sheet.set(6, 3, L["expected"], "field")
    as_of = a1(*AS_OF_CELL)
    sheet.set(*EXPECTED_CELL, Formula(f"=MAX(0,MIN(1,({as_of}-{_date(q.start)})/({q.days})))"), "formula", number_format="0%")
    sheet.set(6, 5, L["dept_score"], "field")
    sheet.set(6, 7, L["dept_status"], "field")
    for name in COLUMNS:
        sheet.set(HEADER_ROW, COL[name], L[name], "header")

    row = FIRST_ROW
    objective_rows, key_result_rows = [], []
    for objective in department.objectives:
        first, last = row + 1, row + len(objective.key_results)
        _objective_row(sheet, config, row, objective, first, last)
        objective_rows.append(row)
        row += 1
        for kr in objective.key_results:
            _key_result_row(sheet, config, row, kr, entries.get(kr.id, TeamEntry()))
            key_result_rows.append(row)
            row += 1
    last_active = row - 1
    _department_cells(sheet, config, last_active, _number(sum(o.weight for o in department.objectives)))
    sheet.formula_colours.extend(_issue_marks(last_active))
    sheet.colour_rules.extend(_grade_rules(f"{a1(FIRST_ROW, COL['score'])}:{a1(last_active, COL['score'])}", config.scoring))
    sheet.colour_rules.extend(_grade_rules(a1(*DEPT_SCORE_CELL), config.scoring))
    if archived:
        row += 1
        sheet.set(row, 1, L["archived"], "label")
        row += 1
        for item in archived:
            _archived_row(sheet, config, row, item)
            row += 1
    _fit_widths(sheet)
    _no_overflow_from_hidden_columns(sheet)
    for row in key_result_rows:
        _fit_key_result_height(sheet, row)
    for row in range(2, HEADER_ROW):  # labels such as "Ngày đánh giá" wrap in their narrow columns
        labels = [(cell.value, sheet.column_widths[c]) for (r, c), cell in sheet.cells.items() if r == row and cell.style == "field" and isinstance(cell.value, str)]
        if labels:
            _fit_height(sheet, row, labels)
    _fit_height(sheet, HEADER_ROW, [(L[name], sheet.column_widths[COL[name]]) for name in COLUMNS])
    return sheet


def print_setup(config: Config, department: DepartmentPlan | None, landscape: bool, repeat_rows: tuple[int, int] | None = None) -> PrintSetup:
    """A4, fitted to the page width; company, department and quarter at the top of each page, its number at the bottom."""
    L = LABELS[config.language]
    name = department.name if department is not None else ""
    quarter = f"{L['quarter']} {config.quarter.name}"
    return PrintSetup(landscape=landscape, fit_width=True, repeat_rows=repeat_rows,
                      header=(config.company, "", f"{name} · {quarter}" if name else quarter), page_word=L["page"])


def _no_overflow_from_hidden_columns(sheet: SheetSpec) -> None:
    """Text in a hidden column ("increase" in the code column) wraps in its cell: LibreOffice draws the
    overflow of an unwrapped one beside the last visible column when printing."""
    hidden = set(sheet.hidden_columns)
    for position, cell in sheet.cells.items():
        if position[1] in hidden and cell.style == "text":
            sheet.cells[position] = dataclasses.replace(cell, style="wrap")


def _fit_widths(sheet: SheetSpec) -> None:
    """Widen every column to the widest number or date it shows, so none shows "###", and to the longest
    word of the labels and headers in it, which wrap between words but never within one.

    The current column, where teams type, gets room for a value one digit wider
    than its KR's start and target (a target exceeded, a number typed in full).
    """
    hidden = set(sheet.hidden_columns)
    for (row, column), cell in sheet.cells.items():
        value = cell.value
        if column in hidden or isinstance(value, bool):
            continue
        if isinstance(value, str) and cell.style in ("field", "header"):
            need = max(len(word) for word in value.split()) + PADDING
            sheet.column_widths[column] = max(sheet.column_widths.get(column, 0), need)
            continue
        if not isinstance(value, (int, float, date, datetime)):
            continue
        need = len(shown_text(value, cell.number_format)) + PADDING
        sheet.column_widths[column] = max(sheet.column_widths.get(column, 0), need)
        if row > HEADER_ROW and column in (COL["start"], COL["target"]) and cell.style != "archived":
            sheet.column_widths[COL["current"]] = max(sheet.column_widths[COL["current"]], need + 1)


def _date(d: date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


def _objective_row(sheet: SheetSpec, config: Config, row: int, objective, first: int, last: int) -> None:
    text = f"{objective.title}: {objective.text}" if objective.title else objective.text
    if objective.aligns_to:  # the company objective it supports, with its text
        company = next((c.text for c in config.company_objectives if c.id == objective.aligns_to), "")
        text += f"\n{LABELS[config.language]['supports']}: {objective.aligns_to} – {company}"
    sheet.set(row, COL["id"], objective.id, "objective")
    sheet.set(row, COL["text"], text, "objective")
    for name in ("kind", "unit", "start", "target", "current", "confidence", "comment", "last_update"):
        sheet.set(row, COL[name], None, "objective")
    sheet.set(row, COL["weight"], objective.weight, "objective")
    score, weight, reading = (f"{_c(first, n)}:{_c(last, n)}" for n in ("score", "weight", "reading"))
    # Divided by the plan's total weight, as the engine does: a KR whose row was deleted counts as 0, not as absent.
    total = _number(sum(kr.weight for kr in objective.key_results))
    sheet.set(row, COL["score"], Formula(f"=SUMPRODUCT({score},{weight})/{total}"), "objective", number_format="0%")
    sheet.set(row, COL["status"], Formula(_status_formula(config, _c(row, "score"), _no_check_in(reading))), "objective")
    sheet.set(row, COL["code"], "objective")
    _fit_height(sheet, row, [(text, WIDTHS["text"])])


def _fit_height(sheet: SheetSpec, row: int, texts: list[tuple[str, float]]) -> None:
    """Give a row of fixed wrapped text (headers, objectives) the height its longest text needs.

    Only rows where teams type nothing: Excel stops growing a row to fit what
    is typed once the row has a height, and LibreOffice does not grow a row
    of a library-written file at all (see sheetspec.wrapped_lines).
    """
    lines = max(wrapped_lines(text, width) for text, width in texts)
    if lines > 1:
        sheet.row_heights[row] = LINE_HEIGHT * lines


def _fit_key_result_height(sheet: SheetSpec, row: int) -> None:
    """A KR row's height: KR_LINES lines, or as many as its longest wrapped text needs (the KR, its kind and
    unit, and a comment or a milestone's word already typed), up to Excel's tallest row."""
    texts = []
    for name in ("text", "kind", "unit", "current", "comment"):
        cell = sheet.cells.get((row, COL[name]))
        if cell is not None and isinstance(cell.value, str) and cell.value:
            texts.append(wrapped_lines(cell.value, sheet.column_widths[COL[name]]))
    sheet.row_heights[row] = min(MAX_ROW_HEIGHT, LINE_HEIGHT * max([KR_LINES, *texts]))


def _c(row: int, name: str) -> str:
    return a1(row, COL[name])


def _key_result_row(sheet: SheetSpec, config: Config, row: int, kr: PlannedKeyResult, entry: TeamEntry) -> None:
    lang = config.language
    fmt = number_format(kr.unit, config.locale)
    sheet.set(row, COL["id"], kr.id, "key_result")
    sheet.set(row, COL["text"], key_result_text(kr, lang), "key_result")
    sheet.set(row, COL["kind"], KIND[lang][kr.kind], "key_result")
    sheet.set(row, COL["unit"], UNIT[lang][kr.unit], "key_result")
    sheet.set(row, COL["start"], sheet_number(kr.start, kr.unit), "key_result", number_format=fmt)
    sheet.set(row, COL["target"], sheet_number(kr.target, kr.unit), "key_result", number_format=fmt)
    _team_cell(sheet, row, "current", entry.current, None if kr.is_milestone else fmt)
    _team_cell(sheet, row, "confidence", entry.confidence)
    sheet.set(row, COL["weight"], kr.weight, "key_result")
    sheet.set(row, COL["score"], Formula(_score_formula(config, row, kr)), "formula", number_format="0%")
    reading = _c(row, "reading")
    status = _status_formula(config, _c(row, "score"), f"NOT(ISNUMBER({reading}))")
    check = STATUS[config.language]["check_cell"]
    sheet.set(row, COL["status"], Formula(f'=IF({reading}="{ISSUE}","{check}",{status[1:]})'), "formula")
    _team_cell(sheet, row, "comment", entry.comment)
    _team_cell(sheet, row, "last_update", entry.last_update, DATE_FORMAT[lang])
    sheet.set(row, COL["code"], kr.kind)
    _reading_cells(sheet, config, row, kr)
    sheet.validations.extend(_validations(config, row, kr))
    sheet.data_bars.append(DataBar(_c(row, "score")))


def key_result_text(kr: PlannedKeyResult, language: str) -> str:
    """A KR's text cell: its text, then the company objective it supports and its owner, when the config names them."""
    words = LABELS[language]
    lines = [kr.text]
    if kr.aligns_to:
        lines.append(f"{words['supports']}: {kr.aligns_to}")
    if kr.owner:
        lines.append(f"{words['kr_owner']}: {kr.owner}")
    return "\n".join(lines)


def _team_cell(sheet: SheetSpec, row: int, name: str, value: object, number_format: str | None = None) -> None:
    """An unlocked cell a team types in, holding what the team typed (with its own number format, if kept)."""
    value, number_format = _typed(value, number_format)
    sheet.set(row, COL[name], value, "input", locked=False, number_format=number_format)


def _reading_cells(sheet: SheetSpec, config: Config, row: int, kr: PlannedKeyResult) -> None:
    """The hidden cells that read the current cell into what the engine reads (sheets/check_in_formulas.py)."""
    current, typed, parsed, word = (_c(row, name) for name in ("current", "typed", "parsed", "word"))
    sheet.set(row, COL["typed"], Formula(typed_formula(current)))
    if kr.is_milestone:
        sheet.set(row, COL["parsed"], Formula(fold_formula(typed, 0)))
        sheet.set(row, COL["word"], Formula(fold_formula(parsed, 1)))
    else:
        sheet.set(row, COL["parsed"], Formula(parsed_formula(typed, kr.unit)))
        sheet.set(row, COL["word"], Formula(digits_formula(parsed, typed, config.locale)))
    general = f"${column_letter(COL['reading'])}${HEADER_ROW}"  # a General cell: tells LibreOffice from Excel
    formula = reading_formula(current, typed, parsed, word, kr.unit, config.locale, general, kr.is_scorable)
    google = reading_formula(current, typed, parsed, word, kr.unit, config.locale, general, kr.is_scorable, google=True)
    sheet.set(row, COL["reading"], Formula(formula, None if google == formula else google))


def _score_formula(config: Config, row: int, kr: PlannedKeyResult) -> str:
    """The spreadsheet twin of scoring.score_key_result, on what the engine reads (blank or an issue scores 0)."""
    r, e, f = _c(row, "reading"), _c(row, "start"), _c(row, "target")
    if kr.unit == "percent":  # the plan stores percents as fractions; the reading is in percent points
        e, f = f"ROUND({e}*100,10)", f"ROUND({f}*100,10)"
    if not kr.is_scorable:
        return "=0"
    if kr.kind in ("increase", "decrease"):
        return f"=IF(ISNUMBER({r}),MAX(0,MIN(1,({r}-{e})/({f}-{e}))),0)"
    if kr.kind == "at_least":
        return f"=IF(ISNUMBER({r}),IF({r}>={f},1,0),0)"
    if kr.kind == "at_most":
        return f"=IF(ISNUMBER({r}),IF({r}<={f},1,0),0)"
    return f"=IF(ISNUMBER({r}),MAX(0,MIN(1,{r})),0)"


def _status_formula(config: Config, score: str, no_data: str) -> str:
    """The spreadsheet twin of scoring.status_for, against the expected progress cell."""
    s: ScoringSettings = config.scoring
    labels = STATUS[config.language]
    row, column = EXPECTED_CELL
    expected = f"${column_letter(column)}${row}"
    return (
        f'=IF({no_data},"{labels["no_data"]}",IF({score}>=1,"{labels["done"]}",'
        f'IF({score}>={expected}-{s.pace_tolerance!r},"{labels["on_track"]}",'
        f'IF({score}<{expected}-{s.off_track_gap!r},"{labels["off_track"]}","{labels["at_risk"]}"))))'
    )


def _number(value: float) -> str:
    """A number as a formula literal."""
    return repr(int(value)) if float(value).is_integer() else repr(float(value))


def _department_cells(sheet: SheetSpec, config: Config, last_active: int, total_weight: str) -> None:
    rng = lambda name: f"{_c(FIRST_ROW, name)}:{_c(last_active, name)}"  # noqa: E731
    sheet.set(
        *DEPT_SCORE_CELL,
        Formula(f'=SUMPRODUCT(({rng("code")}="objective")*{rng("score")}*{rng("weight")})/{total_weight}'),
        "label", number_format="0%",
    )
    sheet.set(*DEPT_STATUS_CELL, Formula(_status_formula(config, a1(*DEPT_SCORE_CELL), _no_check_in(rng("reading")))), "label")


def _no_check_in(readings: str) -> str:
    """True when no KR of the range has a reading (blank, only spaces or an issue: no check-in, as in the engine)."""
    return f"COUNT({readings})=0"


def _issue_marks(last_active: int) -> list[FormulaColour]:
    """The current cell and the score of a KR whose value the engine cannot read, in a warning colour."""
    reading = f"${column_letter(COL['reading'])}{FIRST_ROW}"
    rule = f'{reading}="{ISSUE}"'
    return [FormulaColour(f"{_c(FIRST_ROW, name)}:{_c(last_active, name)}", rule, ISSUE_FILL, ISSUE_FONT) for name in ("current", "score")]


def _grade_rules(ref: str, s: ScoringSettings) -> list[ColourRule]:
    return [ColourRule(ref, "red", None, s.red_below), ColourRule(ref, "yellow", s.red_below, s.green_from), ColourRule(ref, "green", s.green_from, None)]


def _validations(config: Config, row: int, kr: PlannedKeyResult) -> list[Validation]:
    lang, locale = config.language, config.locale
    unit = UNIT[lang][kr.unit]
    current = _c(row, "current")
    rules = []
    if kr.is_milestone:
        done, not_done = milestone_choices(locale)
        prompt = (
            f'Chọn "{done}" hoặc "{not_done}", hoặc nhập mức hoàn thành từ 0 đến 1 (ví dụ 0,7).'
            if lang == "vi" else f'Choose "{done}" or "{not_done}", or type a grade from 0 to 1 (e.g. 0.7).'
        )
        rules.append(Validation(current, "list", choices=(done, not_done), strict=False, prompt_title=kr.id, prompt=prompt,
                                error_title=kr.id, error=prompt))
    else:
        def show(v):
            return "?" if v is None else format_number(v, locale) + ("%" if kr.unit == "percent" else "")
        if lang == "vi":
            prompt = f"Nhập số ({unit}). Bắt đầu: {show(kr.start)}; chỉ tiêu: {show(kr.target)}."
            error = f"Ô này chỉ nhận một số ({unit})."
        else:
            prompt = f"Type a number ({unit}). Start: {show(kr.start)}; target: {show(kr.target)}."
            error = f"This cell takes a number ({unit})."
        low = "-1000000000000000" if kr.unit in ("percent", "number", "points") else "0"
        rules.append(Validation(current, "decimal", "between", low, "1000000000000000", prompt_title=kr.id, prompt=prompt,
                                error_title=kr.id, error=error))
    conf = "Độ tự tin: một số nguyên từ 1 (thấp) đến 10 (cao)." if lang == "vi" else "Confidence: a whole number from 1 (low) to 10 (high)."
    rules.append(Validation(_c(row, "confidence"), "whole", "between", "1", "10", prompt=conf, error=conf))
    example = show_date(config.quarter.start + timedelta(days=14), lang)
    day = f"Ngày cập nhật, ví dụ {example}." if lang == "vi" else f"Date of the update, e.g. {example}."
    rules.append(Validation(_c(row, "last_update"), "date", "greaterThanOrEqual", "DATE(2000,1,1)", prompt=day, error=day))
    return rules


def _archived_row(sheet: SheetSpec, config: Config, row: int, item: ArchivedRow) -> None:
    values = {
        "id": item.id, "text": item.text, "kind": item.kind, "unit": item.unit, "start": item.start,
        "target": item.target, "weight": item.weight, "current": item.entry.current, "confidence": item.entry.confidence,
        "comment": item.entry.comment, "last_update": item.entry.last_update, "code": "archived",
    }
    # a number or date read back without its own format is shown as on an active row (percent, money, date order)
    unit = next((key for key, label in UNIT[config.language].items() if label == item.unit), None)
    plan_format = number_format(unit, config.locale) if unit is not None else None
    shown = {"start": plan_format, "target": plan_format, "current": plan_format,
             "last_update": DATE_FORMAT[config.language]}
    for name, value in values.items():
        plain = not isinstance(value, bool) and isinstance(value, (int, float, date, datetime))
        value, cell_format = _typed(value, shown.get(name) if plain else None)
        sheet.set(row, COL[name], value, "archived", number_format=cell_format)


GUIDE = {
    "vi": [
        ("Hướng dẫn cập nhật OKR", "title"),
        ("Mỗi tuần, vào trang OKR và cập nhật các ô màu vàng nhạt của từng kết quả then chốt (KR):", "section"),
        ("• Hiện tại: giá trị đạt được đến hôm nay. Với KR dạng %, gõ 45% (hoặc 45). Với KR dạng mốc, chọn Xong / Chưa xong hoặc gõ mức 0–1 (ví dụ 0,7).", "wrap"),
        ("• Độ tự tin: 1 (thấp) đến 10 (cao): bạn tin đạt được chỉ tiêu cuối quý đến mức nào.", "wrap"),
        ("• Ghi chú: điều gì đang giúp hoặc cản trở; cần hỗ trợ gì.", "wrap"),
        ("• Cập nhật lần cuối: ngày bạn cập nhật.", "wrap"),
        ("Các ô khác (mã, nội dung, chỉ tiêu, trọng số, điểm) được khóa; liên hệ quản trị OKR nếu cần sửa.", "wrap"),
        ("Cách tính điểm", "section"),
        ("• Tăng / Giảm: điểm = (hiện tại − bắt đầu) / (chỉ tiêu − bắt đầu), giới hạn trong 0–1.", "wrap"),
        ("• Tối thiểu / Tối đa: 1 khi giá trị hiện tại đạt ngưỡng (kể cả bằng), ngược lại 0.", "wrap"),
        ("• Mốc: Xong = 1, Chưa xong = 0, hoặc mức bạn nhập (0–1).", "wrap"),
        ("• Điểm mục tiêu = trung bình có trọng số của các KR; điểm phòng ban = trung bình có trọng số của các mục tiêu. KR chưa cập nhật tính 0.", "wrap"),
        ("Màu và trạng thái", "section"),
        ("• Đỏ: dưới {red}; Vàng: từ {red} đến dưới {green}; Xanh: từ {green} trở lên.", "wrap"),
        ("• Tiến độ kỳ vọng = phần của quý đã qua. Đúng tiến độ khi điểm ≥ kỳ vọng − {tol}; Chậm tiến độ khi điểm < kỳ vọng − {gap}; ở giữa là Có rủi ro.", "wrap"),
        ("• Kiểm tra ô: giá trị ở ô Hiện tại (tô màu cam) không đọc được thành số, nên KR được tính như chưa cập nhật. Nhập lại một số, ví dụ 12,5 hoặc 45%, hoặc Xong / Chưa xong.", "wrap"),
    ],
    "en": [
        ("How to update your OKRs", "title"),
        ("Every week, open the OKR sheet and update the light-yellow cells of each key result (KR):", "section"),
        ("• Current: the value reached so far. For a % KR type 45% (or 45). For a milestone choose Done / Not done or type a grade from 0 to 1 (e.g. 0.7).", "wrap"),
        ("• Confidence: 1 (low) to 10 (high): how sure you are to reach the target by the end of the quarter.", "wrap"),
        ("• Comment: what helps or blocks; what support you need.", "wrap"),
        ("• Last update: the date you updated.", "wrap"),
        ("Other cells (ID, text, targets, weights, scores) are locked; ask the OKR admin to change them.", "wrap"),
        ("How scores are computed", "section"),
        ("• Increase / Decrease: score = (current − start) / (target − start), kept within 0–1.", "wrap"),
        ("• At least / At most: 1 while the current value meets the threshold (inclusive), else 0.", "wrap"),
        ("• Milestone: Done = 1, Not done = 0, or the grade you type (0–1).", "wrap"),
        ("• Objective score = weighted mean of its KRs; department score = weighted mean of its objectives. A KR without a check-in counts as 0.", "wrap"),
        ("Colours and status", "section"),
        ("• Red: below {red}; Yellow: {red} to below {green}; Green: {green} and above.", "wrap"),
        ("• Expected progress = the share of the quarter gone by. On track while score ≥ expected − {tol}; Off track once score < expected − {gap}; At risk in between.", "wrap"),
        ("• Check cell: the value in the Current cell (coloured orange) cannot be read as a number, so the KR counts as not checked in. Type a number such as 12.5 or 45%, or Done / Not done.", "wrap"),
    ],
}


# characters: one column narrower than A4 portrait's printable width, in Excel's Calibri (about 99) and in
# LibreOffice's wider fallback fonts (about 77): LibreOffice does not shrink a single column wider than the page.
GUIDE_WIDTH = 75


def guide_sheet(config: Config, department: DepartmentPlan | None = None) -> SheetSpec:
    s = config.scoring
    sheet = SheetSpec(GUIDE_SHEET[config.language], protected=True, fit_to_width=True,
                      print_setup=print_setup(config, department, landscape=False))
    sheet.column_widths = {1: GUIDE_WIDTH}
    words = {"red": s.red_below, "green": s.green_from, "tol": s.pace_tolerance, "gap": s.off_track_gap}
    shown = {k: format_number(v, config.locale) for k, v in words.items()}
    for row, (text, style) in enumerate(GUIDE[config.language], start=1):
        sheet.set(row, 1, text.format(**shown), style)
        if style != "title":
            _fit_height(sheet, row, [(text.format(**shown), GUIDE_WIDTH)])
    return sheet


def meta_sheet(config: Config, department: DepartmentPlan, archived: list[ArchivedRow], provisioned_at: datetime, okr: SheetSpec,
               closed: date | None = None) -> SheetSpec:
    sheet = SheetSpec(META_SHEET, hidden=True, protected=True)
    rows = [
        ("schema_version", SCHEMA_VERSION),
        ("template_key", department.template_key),
        ("template_version", department.template_version),
        ("department_key", department.key),
        ("quarter", config.quarter.name),
        ("language", config.language),
        ("okr_sheet", okr.title),
        ("fingerprint", fingerprint(config, department, closed)),
        ("provisioned_at", provisioned_at.isoformat(timespec="seconds")),
        ("ids", " ".join([o.id for o in department.objectives] + [kr.id for kr in department.key_results])),
        ("archived_ids", " ".join(a.id for a in archived)),
        ("units", " ".join(f"{kr.id}={kr.unit}" for kr in department.key_results)),
        # where each column was written, so a reader finds a column a team moved (name=letter)
        ("columns", " ".join(f"{name}={column_letter(COL[name])}" for name in COLUMNS)),
        # the cells that decide the sheet's own scores, so a reader notices one a team changed
        ("locked_hash", locked_hash(_spec_locked_cells(okr, department))),
    ]
    if closed is not None:
        rows.append(("closed_on", closed.isoformat()))
    for row, (key, value) in enumerate(rows, start=1):
        sheet.set(row, 1, key)
        sheet.set(row, 2, value)
    return sheet


# The locked cells of a KR or objective row whose change makes the sheet's own scores wrong, and the
# header block's formulas. Targets, starts, weights and kinds are values; scores and statuses formulas.
# (Every column a team does not type in, except the ID and the text: columns added later count too.)
LOCKED_COLUMNS = tuple(name for name in COLUMNS if name not in TEAM_COLUMNS and name not in ("id", "text"))
LOCKED_HEADER_CELLS = {"as_of": AS_OF_CELL, "expected": EXPECTED_CELL, "dept_score": DEPT_SCORE_CELL, "dept_status": DEPT_STATUS_CELL}
_HEADER_KEY = "~header"  # the row key of the header block's cells in the hash
# Prefix of the recorded hash: a reader checks only hashes made the way it makes them (change it with the recipe).
LOCKED_HASH_VERSION = "v1:"


def locked_hash(cells: list[tuple[str, str, object]]) -> str:
    """A hash of locked cells given as (row key: an ID, column name, value or Formula).

    Formulas are compared without spaces, case or Excel's ``_xlfn.`` prefixes and
    numbers to 12 significant digits, so a workbook opened and saved again in
    Excel or LibreOffice hashes the same as the one provisioning wrote.
    """
    lines = sorted(f"{key}\x1f{name}\x1f{_canonical(value)}" for key, name, value in cells)
    return LOCKED_HASH_VERSION + hashlib.sha256("\x1e".join(lines).encode()).hexdigest()[:32]


def _canonical(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Formula):
        return _canonical_formula(value.text)
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        return format(float(value), ".12g")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "" if value is None else str(value).strip()


@lru_cache(maxsize=1024)  # the same long check-in formulas on every KR row of every workbook
def _canonical_formula(text: str) -> str:
    text = "".join(text.lstrip("=").split()).upper()
    return "=" + text.replace("_XLFN.", "").replace("_XLWS.", "")


def _spec_locked_cells(okr: SheetSpec, department: DepartmentPlan) -> list[tuple[str, str, object]]:
    """The locked cells of the plan's rows of the OKR sheet provisioning writes, for `locked_hash`."""
    def value(row: int, column: int) -> object:
        cell = okr.cells.get((row, column))
        return None if cell is None else cell.value

    cells = [(_HEADER_KEY, name, value(*position)) for name, position in LOCKED_HEADER_CELLS.items()]
    planned = {o.id for o in department.objectives} | {kr.id for kr in department.key_results}
    rows = sorted({row for row, column in okr.cells if row >= FIRST_ROW and column == COL["id"]})
    for row in rows:
        item_id = value(row, COL["id"])
        if item_id in planned and value(row, COL["code"]) != "archived":
            cells.extend((item_id, name, value(row, COL[name])) for name in LOCKED_COLUMNS)
    return cells


def sheet_locked_cells(values: Callable[[int, int], object], rows: dict[str, int], columns: dict[str, int]) -> list[tuple[str, str, object]]:
    """The same cells read back from a workbook: ``values(row, column)`` gives a cell's value, or its
    Formula when it holds one; ``rows`` maps each ID to its row, ``columns`` each column name to its column."""
    cells = [(_HEADER_KEY, name, values(*position)) for name, position in LOCKED_HEADER_CELLS.items()]
    for item_id, row in rows.items():
        cells.extend((item_id, name, values(row, columns[name])) for name in LOCKED_COLUMNS)
    return cells


_CANONICAL_FORMULAS: dict[str, bytes] = {}  # a formula's text read back (without "=") -> its canonical form, UTF-8
_CANONICAL_TEXTS: dict[object, bytes] = {}  # a text cell's value -> the same
_CANONICAL_NUMBERS: dict[object, bytes] = {}  # a float cell's value (not 0.0) -> the same


def sheet_locked_hash(values: Sequence[Sequence[object]], formulas: Mapping[tuple[int, int], str],
                      rows: dict[str, int], columns: dict[str, int]) -> str:
    """``locked_hash(sheet_locked_cells(...))`` of a sheet read back, bit for bit, in one pass (the rollup computes it
    for every workbook): ``values`` the sheet's rows of values (row 1 first), ``formulas`` the text (without "=") of
    each formula cell by (row, column); ``rows`` and ``columns`` as for `sheet_locked_cells`.

    The lines are made, sorted and joined as UTF-8 bytes, the canonical form of each formula encoded once: UTF-8
    bytes sort in the order of the text's code points, and the bytes joined are the text joined and encoded.
    """
    count = len(values)
    known, texts, numbers = _CANONICAL_FORMULAS, _CANONICAL_TEXTS, _CANONICAL_NUMBERS

    def canonical(row: int, column: int) -> bytes:  # _canonical of the cell's value, or of Formula("=" + its formula)
        text = formulas.get((row, column))
        if text is not None:
            found = known.get(text)
            if found is None:
                if len(known) > 4096:
                    known.clear()
                found = known[text] = _canonical(Formula("=" + text)).encode()
            return found
        cells = values[row - 1] if 0 < row <= count else ()
        value = cells[column - 1] if 0 < column <= len(cells) else None
        kind = type(value)  # the usual kinds first, as _canonical reads them, each kind with its own cache
        if kind is str or kind is float and value:  # (0.0 and -0.0 are equal but read "0" and "-0": not cached)
            cache = texts if kind is str else numbers
            found = cache.get(value)
            if found is None:
                if len(cache) > 4096:
                    cache.clear()
                found = cache[value] = (cast(str, value).strip() if kind is str else format(value, ".12g")).encode()
            return found
        return _canonical(value).encode()

    lines = [f"{_HEADER_KEY}\x1f{name}\x1f".encode() + canonical(row, column) for name, (row, column) in LOCKED_HEADER_CELLS.items()]
    named = [(f"\x1f{name}\x1f".encode(), columns[name]) for name in LOCKED_COLUMNS]
    for item_id, row in rows.items():
        key = item_id.encode()
        lines.extend([key + name + canonical(row, column) for name, column in named])
    lines.sort()
    return LOCKED_HASH_VERSION + hashlib.sha256(b"\x1e".join(lines)).hexdigest()[:32]


def read_meta(rows: Sequence[Sequence[object]]) -> dict[str, str]:
    """The key/value pairs of a metadata sheet's rows (workbooks made before a row existed lack it)."""
    meta = {}
    for row in rows:
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:
            meta[row[0]] = "" if row[1] is None else str(row[1])
    return meta
