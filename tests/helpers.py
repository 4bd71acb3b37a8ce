"""Helpers shared by several test modules (kept here so no test module imports another's)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from okrsheets.sheets.team_workbook import COL, FIRST_ROW


def okr_rows(sheet) -> dict[str, int]:
    """Row number of each objective and KR ID on a team workbook's OKR sheet (found by ID, not position)."""
    return {sheet.cell(r, COL["id"]).value: r for r in range(FIRST_ROW, sheet.max_row + 1)
            if isinstance(sheet.cell(r, COL["id"]).value, str)}


def fill_current(path: Path, values: dict[str, object], sheet_name: str = "OKR") -> None:
    """Type current values into a team workbook as a person would, and save it.

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
    workbook.save(path)
