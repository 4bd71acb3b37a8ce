"""The Excel renderer writes everything a team workbook's spec says (okrsheets/backends/excel_write.py).

A real spec (a department with number, percent, VND and milestone KRs, cells a
team typed of every kind, archived rows, a sheet password) is written, read
back with openpyxl and compared with the spec, cell by cell and feature by
feature: a feature the renderer drops or writes differently fails here.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.protection import hash_password
from python_calamine import CalamineWorkbook

from okrsheets.backends.excel_read import read_workbook
from okrsheets.backends.excel_write import write_workbook
from okrsheets.config import load_config
from okrsheets.i18n import GRADE_FILL, GRADE_FONT
from okrsheets.jobs.demo import demo_config_text
from okrsheets.plan import build_plan
from okrsheets.sheets.spec import STYLES, CellError, Formula, SheetSpec, Validation, WorkbookSpec, a1
from okrsheets.sheets.team_workbook import COL, ArchivedRow, TeamEntry, TypedCell, team_workbook
from okrsheets.templates import TemplateLibrary

PROVISIONED_AT = datetime(2026, 10, 5, 9, 30)
PASSWORD = "Sen-Vàng#2026!"
# Text a team types that a spreadsheet would take for a formula if it were not stored as text.
FORMULA_LIKE_TEXT = ["=1+1", "+84 90 123 4567", "-5 ngày", "@SUM(A1)", '=HYPERLINK("http://example.com","xem")', "=abc"]


def _department(tmp_path: Path, template: str):
    (tmp_path / "okrsheets.toml").write_text(demo_config_text(TemplateLibrary.load(), date(2026, 11, 16)), encoding="utf-8")
    plan = build_plan(load_config(tmp_path / "okrsheets.toml"))
    return plan.config, next(d for d in plan.departments if d.template_key == template)


def _typed_spec(tmp_path: Path) -> WorkbookSpec:
    """The sales department's workbook holding every kind of value a team types, two archived rows, a password."""
    config, department = _department(tmp_path, "sales")
    krs = [kr.id for kr in department.key_results]
    kinds = [
        TeamEntry(TypedCell(0.455, "0.0%"), 7, FORMULA_LIKE_TEXT[0], TypedCell(datetime(2026, 11, 24), "dd/mm/yyyy")),
        TeamEntry(TypedCell(CellError("#REF!")), TypedCell(True), FORMULA_LIKE_TEXT[1], TypedCell(date(2026, 11, 2), "mm-dd-yy")),
        TeamEntry(TypedCell(Formula("=1+1")), TypedCell(False), FORMULA_LIKE_TEXT[2], TypedCell(datetime(2026, 11, 24, 14, 30), "yyyy-mm-dd hh:mm")),
        TeamEntry("12,5%", TypedCell(CellError("#N/A")), FORMULA_LIKE_TEXT[3], TypedCell(time(14, 30), "h:mm")),
        TeamEntry(TypedCell(45, "General"), TypedCell("0123", "@"), FORMULA_LIKE_TEXT[4], TypedCell(46341, "d/m/yyyy")),
        TeamEntry("", None, FORMULA_LIKE_TEXT[5], TypedCell(Formula("=TODAY()"), "dd/mm/yyyy")),
    ]
    entries = {kr_id: kinds[i % len(kinds)] for i, kr_id in enumerate(krs)}
    archived = [
        ArchivedRow("O9.KR1", "Một KR đã bỏ", "Tăng", "%", 0.1, 0.5, 1, TeamEntry(TypedCell(0.3, "0%"), 5, "=SUM(1)", None)),
        ArchivedRow("O9.KR2", "KR khác", "Mốc", "", None, None, 2, TeamEntry("xong", None, "", date(2026, 10, 20))),
        # typed dates and times without a number format of their own
        ArchivedRow("O9.KR3", "KR thứ ba", "Tăng", "", 1, 2, 1, TeamEntry(datetime(2026, 10, 21, 8, 15), time(9, 45), "", None)),
    ]
    spec = team_workbook(config, department, entries, archived, PROVISIONED_AT)
    return replace(spec, protection_password=PASSWORD)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[WorkbookSpec, Path]:
    tmp_path = tmp_path_factory.mktemp("excel_write")
    spec = _typed_spec(tmp_path)
    path = tmp_path / "sales.xlsx"
    write_workbook(spec, path)
    return spec, path


# ---------------------------------------------------------------- what the spec says, as openpyxl reads it


_DEFAULT_DATE_FORMATS = {datetime: "yyyy-mm-dd", date: "yyyy-mm-dd", time: "h:mm:ss"}


def _expected_value(value: object) -> tuple[object, str]:
    """(value, type) a spec value reads back as: dates and times as Excel's serial number, type "n"."""
    if isinstance(value, Formula):
        text = re.sub(r"\b(ISFORMULA|FORMULATEXT)\(", r"_xlfn.\1(", value.text)
        return text, "f"
    if isinstance(value, CellError):
        return value.text, "e"
    if isinstance(value, str):
        return (value or None), ("s" if value else "n")
    if isinstance(value, bool):
        return value, "b"
    if isinstance(value, (date, time)):
        return to_excel(value), "n"
    return value, "n"


def _read_value(cell) -> tuple[object, str]:
    """(value, type) of a cell as openpyxl reads it, a date or time (any number in a date format) as its serial number."""
    if cell.value is None:
        return None, "n"
    if cell.data_type == "d" or isinstance(cell.value, (date, time)):
        return to_excel(cell.value), "n"
    return cell.value, cell.data_type


def _expected_number_format(value: object, number_format: str | None) -> str:
    if number_format:
        return number_format
    if isinstance(value, (date, time)) and not isinstance(value, Formula):
        return _DEFAULT_DATE_FORMATS[datetime if isinstance(value, datetime) else type(value)]
    return "General"


def _style_of(cell) -> dict:
    font, fill, alignment = cell.font, cell.fill, cell.alignment
    return {
        "font": font.name, "bold": bool(font.b), "italic": bool(font.i), "size": font.sz,
        "colour": font.color.rgb if font.color is not None and font.color.type == "rgb" else None,
        "fill": fill.fgColor.rgb if fill.fill_type == "solid" else None,
        "wrap": bool(alignment.wrap_text), "vertical": alignment.vertical, "align": alignment.horizontal,
    }


def _expected_style(style: str) -> dict:
    s = STYLES[style]
    return {
        "font": "Calibri", "bold": s.get("bold", False), "italic": s.get("italic", False), "size": s.get("size", 11),
        "colour": s.get("colour"), "fill": s.get("fill"), "wrap": s.get("wrap", False), "vertical": "top", "align": s.get("align"),
    }


def test_every_cell_reads_back_as_the_spec_says(written):
    """Value, type (formula, error, text, number, boolean, date), number format, font, fill, alignment, lock."""
    spec, path = written
    workbook = openpyxl.load_workbook(path)
    assert [(ws.title, ws.sheet_state) for ws in workbook.worksheets] == [
        (sheet.title, "hidden" if sheet.hidden else "visible") for sheet in spec.sheets]
    assert workbook.active.title == spec.sheets[0].title
    checked = 0
    for sheet in spec.sheets:
        ws = workbook[sheet.title]
        wrong = []
        for (row, column), item in sheet.cells.items():
            cell = ws.cell(row, column)
            value, data_type = _expected_value(item.value)
            got_value, got_type = _read_value(cell)
            got = {"value": got_value, "type": got_type,
                   "format": cell.number_format, "locked": cell.protection.locked, **_style_of(cell)}
            want = {"value": value, "type": data_type, "format": _expected_number_format(item.value, item.number_format),
                    "locked": item.locked, **_expected_style(item.style)}
            if got != want:
                wrong.append((a1(row, column), {k: (got[k], want[k]) for k in got if got[k] != want[k]}))
            checked += 1
        assert not wrong, f"{sheet.title}: {wrong[:5]}"
        extra = [c.coordinate for r in ws.iter_rows() for c in r if c.value is not None and (c.row, c.column) not in sheet.cells]
        assert not extra, f"{sheet.title}: cells the spec does not have: {extra}"
    assert checked == sum(len(sheet.cells) for sheet in spec.sheets) > 400


def test_typed_text_that_looks_like_a_formula_stays_text(written):
    """"=1+1", "+84 90 123 4567", "@SUM(A1)"... typed by a team are text cells, as openpyxl and calamine read them."""
    spec, path = written
    ws = openpyxl.load_workbook(path)[spec.sheets[0].title]
    comments = [ws.cell(r, COL["comment"]) for r in range(1, ws.max_row + 1)]
    typed = {c.value: c.data_type for c in comments if c.value in FORMULA_LIKE_TEXT}
    assert typed == {text: "s" for text in FORMULA_LIKE_TEXT}
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.sheets[0].title).to_python(skip_empty_area=False)
    assert set(FORMULA_LIKE_TEXT) <= {row[COL["comment"] - 1] for row in rows}
    formulas = read_workbook(path).sheets[spec.sheets[0].title].details.formulas
    assert [position for position in formulas if position[1] == COL["comment"]] == []
    typed_formulas = [key for key, cell in spec.sheets[0].cells.items() if cell.value == Formula("=1+1")]
    assert typed_formulas and all(formulas[key] == "1+1" for key in typed_formulas)  # a typed formula stays one


def test_formulas_are_written_without_a_result_so_every_program_calculates_them(written):
    """No cached value: Excel and LibreOffice calculate on opening, and the reader sees a never-calculated file."""
    spec, path = written
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r"<c [^>]*><f>.*?</f>(.*?)</c>", xml)
    assert len(cells) == sum(isinstance(c.value, Formula) for c in spec.sheets[0].cells.values()) > 100
    assert set(cells) == {"<v></v>"}
    details = read_workbook(path).sheets[spec.sheets[0].title].details
    assert details.no_result == frozenset(details.formulas)


def test_a_built_in_number_format_is_stored_by_its_number(written):
    """A team's short date "mm-dd-yy" stays Excel's built-in 14 (shown in the reader's locale), not a custom format."""
    _, path = written
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
    custom = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    assert "mm-dd-yy" not in custom.values() and "General" not in custom.values()
    assert re.search(r'<xf numFmtId="14"', styles)
    assert {"[$-42A]0.0#%", "dd/mm/yyyy", "yyyy-mm-dd hh:mm"} <= set(custom.values())


def test_columns_rows_panes_and_print_setup(written):
    spec, path = written
    workbook = openpyxl.load_workbook(path)
    for sheet in spec.sheets:
        ws = workbook[sheet.title]
        columns = {}
        for dimension in ws.column_dimensions.values():
            for column in range(dimension.min, dimension.max + 1):
                columns[column] = (dimension.width, bool(dimension.hidden))
        assert columns == {c: (w, c in sheet.hidden_columns) for c, w in sheet.column_widths.items()}, sheet.title
        heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}
        assert heights == sheet.row_heights, sheet.title
        frozen = a1(sheet.frozen_rows + 1, sheet.frozen_columns + 1) if sheet.frozen_rows or sheet.frozen_columns else None
        assert ws.freeze_panes == frozen
        setup = ws.page_setup
        printed = sheet.print_setup
        if printed is None:
            assert setup.orientation == ("landscape" if sheet.landscape else None), sheet.title
        else:  # the team sheets print on A4 in the orientation their print setup says
            assert (setup.paperSize, setup.orientation) == (9, "landscape" if printed.landscape else "portrait"), sheet.title
        fits = bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
        assert (fits, setup.fitToWidth, setup.fitToHeight) == ((True, 1, 0) if sheet.fit_to_width else (False, None, None))
        margins = ws.page_margins
        expected = (0.75, 0.75, 1, 1) if printed is None else printed.margins
        assert (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer) == (*expected, 0.5, 0.5)
        assert sorted(str(m) for m in ws.merged_cells.ranges) == sorted(sheet.merged)
    okr = spec.sheets[0]
    assert len(okr.hidden_columns) == 5 and len(okr.row_heights) >= 2 and okr.frozen_rows == 8


def test_every_sheet_is_protected_with_the_password_and_only_team_cells_unlocked(written):
    spec, path = written
    workbook = openpyxl.load_workbook(path)
    for sheet in spec.sheets:
        protection = workbook[sheet.title].protection
        assert protection.sheet is sheet.protected is True
        assert protection.password == hash_password(PASSWORD)
        assert (protection.objects, protection.scenarios, protection.formatCells, protection.insertRows, protection.deleteRows,
                protection.selectLockedCells, protection.selectUnlockedCells) == (False, False, True, True, True, False, False)
    with zipfile.ZipFile(path) as archive:
        assert not any(PASSWORD.encode() in archive.read(name) for name in archive.namelist())
    unlocked = {key for key, cell in spec.sheets[0].cells.items() if not cell.locked}
    assert {column for _, column in unlocked} == {COL[name] for name in ("current", "confidence", "comment", "last_update")}


def test_every_validation_is_written_with_its_messages(written):
    spec, path = written
    ws = openpyxl.load_workbook(path)[spec.sheets[0].title]
    got = sorted(
        (str(v.sqref), v.type, v.operator, v.formula1, v.formula2, v.errorStyle, v.allowBlank, v.showInputMessage,
         v.showErrorMessage, v.promptTitle, v.prompt, v.errorTitle, v.error)
        for v in ws.data_validations.dataValidation
    )
    want = sorted(
        (rule.ref, rule.type, rule.operator, '"' + ",".join(rule.choices) + '"' if rule.type == "list" else rule.formula1,
         rule.formula2, "stop" if rule.strict else "warning", True, bool(rule.prompt), True,
         rule.prompt_title or None, rule.prompt or None, rule.error_title or None, rule.error or None)
        for rule in spec.sheets[0].validations
    )
    assert got == want
    assert {rule.type for rule in spec.sheets[0].validations} == {"decimal", "whole", "date", "list"}
    assert len(want) == 3 * sum(1 for v in spec.sheets[0].validations if v.type == "whole")


def test_conditional_colours_and_data_bars_in_their_order_of_precedence(written):
    spec, path = written
    ws = openpyxl.load_workbook(path)[spec.sheets[0].title]
    got = sorted(
        (rule.priority, str(rng.sqref), rule.type, rule.formula, bool(rule.stopIfTrue),
         rule.dxf.fill.fgColor.rgb if rule.dxf else None, rule.dxf.fill.bgColor.rgb if rule.dxf else None,
         rule.dxf.font.color.rgb if rule.dxf else None, bool(rule.dxf.font.b) if rule.dxf else None,
         [(v.type, v.val) for v in rule.dataBar.cfvo] if rule.dataBar else None, rule.dataBar.color.rgb if rule.dataBar else None)
        for rng in ws.conditional_formatting for rule in rng.rules
    )
    sheet: SheetSpec = spec.sheets[0]
    want = [(mark.ref, "expression", [mark.formula], True, mark.fill, mark.fill, mark.font, True, None, None)
            for mark in sheet.formula_colours]
    for rule in sheet.colour_rules:
        cell = rule.ref.split(":")[0]
        tests = [f"ISNUMBER({cell})"] + ([f"{cell}>={rule.low}"] if rule.low is not None else []) + (
            [f"{cell}<{rule.high}"] if rule.high is not None else [])
        fill, font = GRADE_FILL[rule.grade], GRADE_FONT[rule.grade]
        want.append((rule.ref, "expression", [f"AND({','.join(tests)})"], False, fill, fill, font, False, None, None))
    bars = sheet.data_bars
    want.append((" ".join(b.ref for b in bars), "dataBar", [], False, None, None, None, None, [("num", 0), ("num", 1)], bars[0].colour))
    assert [g[1:] for g in got] == want
    assert [g[0] for g in got] == list(range(1, len(want) + 1))
    kr_rows = {row for (row, column), cell in sheet.cells.items() if column == COL["current"] and not cell.locked}
    assert len(sheet.formula_colours) == 2 and len(sheet.colour_rules) == 6 and len(bars) == len(kr_rows) > 5


def test_a_validation_without_a_prompt_shows_none(tmp_path):
    sheet = SheetSpec("OKR")
    sheet.set(1, 1, "x")
    sheet.validations.append(Validation("B2:B5", "whole", "between", "1", "10", error="1-10"))
    write_workbook(WorkbookSpec([sheet]), tmp_path / "x.xlsx")
    [rule] = openpyxl.load_workbook(tmp_path / "x.xlsx")["OKR"].data_validations.dataValidation
    assert (str(rule.sqref), rule.showInputMessage, rule.prompt, rule.showErrorMessage, rule.error) == ("B2:B5", False, None, True, "1-10")


def test_a_merged_range_keeps_its_top_left_cell_only(tmp_path):
    """As Excel keeps a merge: the top-left cell's value and format; the others of the range are empty."""
    sheet = SheetSpec("OKR", merged=["A1:C2"])
    sheet.set(1, 1, "Tiêu đề", "title")
    sheet.set(1, 2, "bị che")
    sheet.set(3, 1, 5)
    write_workbook(WorkbookSpec([sheet]), tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["OKR"]
    assert [str(m) for m in ws.merged_cells.ranges] == ["A1:C2"]
    assert (ws["A1"].value, ws["A1"].font.b, ws["A1"].font.sz, ws["B1"].value, ws["A3"].value) == ("Tiêu đề", True, 14, None, 5)


def test_a_value_the_renderer_cannot_write_is_refused_naming_its_cell(tmp_path):
    sheet = SheetSpec("OKR")
    sheet.set(3, 2, object())
    with pytest.raises(ValueError, match=r"OKR!B3: cannot write"):
        write_workbook(WorkbookSpec([sheet]), tmp_path / "x.xlsx")


def test_an_error_writing_the_file_is_raised_as_the_os_error(tmp_path):
    sheet = SheetSpec("OKR")
    sheet.set(1, 1, "x")
    with pytest.raises(OSError):
        write_workbook(WorkbookSpec([sheet]), tmp_path / "missing-folder" / "x.xlsx")
