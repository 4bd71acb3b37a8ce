"""Reading team workbooks with calamine: error values come back as their text, only asked-for sheets are read."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from okrsheets.backends.excel import read_workbook

from .conftest import soffice_convert


def _workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    okr = workbook.active
    okr.title = "OKR"
    okr["A1"], okr["G3"], okr["B2"] = "O1.KR1", 12.5, "ghi chú"
    okr["G5"] = "#N/A"
    okr["G5"].data_type = "e"  # an error value pasted into the current-value cell
    guide = workbook.create_sheet("Hướng dẫn")
    guide["C30"] = "#REF!"
    guide["C30"].data_type = "e"
    workbook.save(path)
    return path


def test_error_values_are_restored_where_calamine_reads_blank(tmp_path: Path):
    data = read_workbook(_workbook(tmp_path / "team.xlsx"))
    okr, guide = data.sheets["OKR"], data.sheets["Hướng dẫn"]
    assert okr.value(5, 7) == "#N/A"
    assert okr.value(3, 7) == 12.5 and okr.value(2, 2) == "ghi chú"  # the other cells are untouched
    assert guide.value(30, 3) == "#REF!"  # beyond the rows calamine returned for that sheet


def test_only_the_named_sheets_are_read(tmp_path: Path):
    data = read_workbook(_workbook(tmp_path / "team.xlsx"), {"OKR", "_okrsheets"})
    assert list(data.sheets) == ["OKR"]
    assert data.sheets["OKR"].value(5, 7) == "#N/A"


def test_error_values_in_a_workbook_saved_by_libreoffice(tmp_path: Path):
    source = tmp_path / "in" / "team.xlsx"
    source.parent.mkdir()
    workbook = openpyxl.Workbook()
    workbook.active.title = "OKR"
    workbook.active["G9"] = "=1/0"  # LibreOffice saves the cached #DIV/0! with the formula
    workbook.save(source)
    [saved] = soffice_convert([source], "xlsx", tmp_path / "out", tmp_path)
    assert read_workbook(saved).sheets["OKR"].value(9, 7) == "#DIV/0!"
