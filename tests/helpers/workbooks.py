"""Team workbooks for the tests: configs, typing check-ins as a person would, damaging them as teams do."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from okrsheets.sheets.team_workbook import COL, FIRST_ROW


def okr_rows(sheet) -> dict[str, int]:
    """Row number of each objective and KR ID on a team workbook's OKR sheet (found by ID, not position)."""
    return {sheet.cell(r, COL["id"]).value: r for r in range(FIRST_ROW, sheet.max_row + 1)
            if isinstance(sheet.cell(r, COL["id"]).value, str)}


def rows_by_id(ws, archived: bool = False) -> dict[str, int]:
    """Row numbers of the plan's rows (or of the archived block) by their ID."""
    rows = {}
    for row in range(FIRST_ROW, ws.max_row + 1):
        item_id = ws.cell(row, COL["id"]).value
        if isinstance(item_id, str) and re.match(r"^O\d+(\.KR\d+)?$", item_id):
            if (ws.cell(row, COL["code"]).value == "archived") == archived:
                rows[item_id] = row
    return rows


def open_with_values(path: Path, values: dict[str, object], sheet_name: str = "OKR"):
    """Open a team workbook and type current values into it (not saved): (workbook, OKR sheet, rows by ID).

    A value may be ``(number, number_format)``: what Excel stores when a person
    types "45%" is ``(0.45, "0%")``.
    """
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[sheet_name]
    rows = okr_rows(sheet)
    for kr_id, value in values.items():
        cell = sheet.cell(rows[kr_id], COL["current"])
        if isinstance(value, tuple):
            cell.value, cell.number_format = value
        else:
            cell.value = value
    return workbook, sheet, rows


def fill_current(path: Path, values: dict[str, object], sheet_name: str = "OKR") -> None:
    """Type current values into a team workbook as a person would (see `open_with_values`), and save it."""
    workbook, _, _ = open_with_values(path, values, sheet_name)
    workbook.save(path)


HR_VALUES = """
values."O1.KR1" = { target = 10 }
values."O1.KR2" = { start = 45, target = 30 }
values."O1.KR3" = { start = 70, target = 85 }
"""

DAMAGES = [
    "missing", "not_a_workbook", "truncated", "password", "renamed_sheet", "deleted_row", "duplicated_row",
    "edited_id", "text", "error_value", "merged", "other_quarter",
]


def hr_config(tmp_path: Path, keys: list[str]) -> Path:
    text = 'company = "Công ty B"\nquarter = "2026-Q4"\n[backend]\nfolder = "data"\n'
    for key in keys:
        text += f'\n[[departments]]\nkey = "{key}"\ntemplate = "hr"\nobjectives = ["O1"]\n{HR_VALUES}'
    path = tmp_path / "okrsheets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def damage(kind: str, path: Path) -> str | None:
    """Damage one workbook like a real team would; returns the cell the issue must name."""
    if kind == "missing":
        path.unlink()
        return None
    if kind == "not_a_workbook":
        path.write_text("xin chào", encoding="utf-8")
        return None
    if kind == "truncated":
        path.write_bytes(path.read_bytes()[:2000])
        return None
    if kind == "password":
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)  # an encrypted workbook is an OLE file
        return None
    # O1.KR3 is a percent KR: 75% typed in Excel is 0.75 in a cell with a percent format
    workbook, sheet, rows = open_with_values(path, {"O1.KR1": 4, "O1.KR2": 40, "O1.KR3": (0.75, "0%")})
    cell = None
    if kind == "renamed_sheet":
        sheet.title = "Trang tính 1"
    elif kind == "deleted_row":
        sheet.delete_rows(rows["O1.KR2"])
    elif kind == "duplicated_row":
        sheet.cell(sheet.max_row + 1, 1).value = "O1.KR1"
        cell = f"A{sheet.max_row}"
    elif kind == "edited_id":
        sheet.cell(rows["O1.KR3"], 1).value = "O1.KR7"
        cell = f"A{rows['O1.KR3']}"
    elif kind == "text":
        sheet.cell(rows["O1.KR1"], COL["current"]).value = "khoảng mười"
        cell = f"G{rows['O1.KR1']}"
    elif kind == "error_value":
        sheet.cell(rows["O1.KR2"], COL["current"]).value = "=1/0"
        cell = f"G{rows['O1.KR2']}"
    elif kind == "merged":
        sheet.merge_cells(f"F{rows['O1.KR3']}:G{rows['O1.KR3']}")
        cell = f"G{rows['O1.KR3']}"
    elif kind == "other_quarter":
        workbook["_okrsheets"]["B5"].value = "2026-Q3"
    workbook.save(path)
    return cell
