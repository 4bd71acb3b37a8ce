"""A usual workbook's values are read from the reader's own pass over the sheet XML, without calamine
(`_OwnValues`): each value, its type, the rows' rectangle and the merged ranges must be exactly what calamine
reads from the whole file, for every kind of cell a team workbook holds; anything else is left to calamine."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from okrsheets.backends import excel_read
from okrsheets.backends.excel_read import _read_whole, read_workbook
from okrsheets.cli.main import cli

from .conftest import soffice_convert
from .helpers.workbooks import fill_current, hr_config


class _NoCalamine:
    """Stands in for python-calamine: a read that reaches it fails the test."""

    @staticmethod
    def from_filelike(_):
        raise AssertionError("calamine was asked to read")


def _typed(rows):
    return [[(type(value).__name__, value) for value in row] for row in rows]


def _read_both(path: Path, monkeypatch, *, own: bool = True, only=None):
    """(the read without calamine, calamine's read of the whole file); with ``own`` False, the read must have
    needed calamine."""
    content = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        whole = _read_whole(path, archive, content, only).sheets
    if own:
        with monkeypatch.context() as patch:
            patch.setattr(excel_read, "CalamineWorkbook", _NoCalamine)
            fast = read_workbook(path, only).sheets
    else:
        fast = read_workbook(path, only).sheets
    assert list(fast) == list(whole)
    for title, sheet in whole.items():
        assert _typed(fast[title].rows) == _typed(sheet.rows), title
        assert (fast[title].merged, fast[title].hidden, fast[title].details) == (sheet.merged, sheet.hidden, sheet.details), title
    return fast


def _workbook(path: Path, fill, **options) -> Path:
    book = xlsxwriter.Workbook(str(path), options)
    sheet = book.add_worksheet("S")
    fill(book, sheet)
    book.add_worksheet("Hidden").hide()
    book.close()
    return path


def _dates(book, sheet):
    formats = {code: book.add_format({"num_format": code}) for code in ("dd/mm/yyyy", "dd/mm/yyyy hh:mm", "hh:mm:ss", "[h]:mm")}
    for column, code in enumerate(formats):
        for row, number in enumerate((0, 0.5, 1, 59, 60, 61, 46296, 46358.1733912037, 2.5, 0.001, 45000.9999999)):
            sheet.write_number(row + 2, column + 1, number, formats[code])  # from B3: the first used cell is not A1
    sheet.write_number(0, 9, 14, book.add_format({"num_format": 14}))  # a built-in date format


def test_dates_times_and_durations_are_calamines(tmp_path: Path, monkeypatch):
    read = _read_both(_workbook(tmp_path / "dates.xlsx", _dates), monkeypatch)
    rows = read["S"].rows
    assert rows[0][:2] == ["", ""] and rows[0][9] == datetime.date(1900, 1, 14)
    assert [rows[r][1] for r in (2, 3, 4, 5, 6, 8)] == [datetime.time(0, 0), datetime.time(12, 0), datetime.date(1900, 1, 1),
                                                        datetime.date(1900, 2, 28), datetime.date(1900, 2, 28), datetime.date(2026, 10, 1)]
    assert rows[9][2] == datetime.datetime(2026, 12, 2, 4, 9, 41)  # to the millisecond, as calamine rounds
    assert rows[11][4] == datetime.timedelta(seconds=86, microseconds=400000)  # [h]:mm: a duration
    assert rows[12][3] == datetime.datetime(2023, 3, 15, 23, 59, 59, 991000)


def test_a_1904_workbook(tmp_path: Path, monkeypatch):
    read = _read_both(_workbook(tmp_path / "1904.xlsx", _dates, date_1904=True), monkeypatch, own=False)
    assert read["S"].rows[8][1] == datetime.date(2030, 10, 2)  # 46296 days after 1904-01-01


def test_a_1904_workbook_of_dates_only_is_read_without_calamine(tmp_path: Path, monkeypatch):
    def fill(book, sheet):
        sheet.write_number(0, 0, 46296, book.add_format({"num_format": "dd/mm/yyyy"}))
        sheet.write_number(1, 0, 46296.5, book.add_format({"num_format": "dd/mm/yyyy hh:mm"}))
    read = _read_both(_workbook(tmp_path / "1904.xlsx", fill, date_1904=True), monkeypatch)
    assert read["S"].rows == [[datetime.date(2030, 10, 2)], [datetime.datetime(2030, 10, 2, 12, 0)]]


def _cells(book, sheet):
    sheet.write_number("C2", 1e-3)
    sheet.write_number("D2", 0.1 + 0.2)
    sheet.write_number("E2", 3)
    sheet.write_boolean("F2", True)
    sheet.write_boolean("G2", False)
    sheet.write_string("B4", "  spaces kept &<>\" é ")
    sheet.write_string("C4", "line\nbreak")
    sheet.write_formula("D4", '="a"&"b"', None, "ab")  # a formula with a saved text result
    sheet.write_formula("E4", '=""', None, "")  # an empty text result
    sheet.write_formula("F4", "=1/0", None, "#DIV/0!")  # an error
    sheet.write_formula("G4", "=1+1", None, 2)
    sheet.merge_range("B6:C7", "merged", None)
    sheet.merge_range("E6:H6", "", None)
    sheet.write_formula("J9", '=""', None, "")  # the far corner: a result XlsxWriter saves as <v></v>, no value
    sheet.write_formula("H8", '="x"', None, "x")


def test_numbers_texts_booleans_errors_and_merged_ranges_are_calamines(tmp_path: Path, monkeypatch):
    read = _read_both(_workbook(tmp_path / "cells.xlsx", _cells), monkeypatch)
    sheet = read["S"]
    assert sheet.rows[1] == ["", "", 0.001, 0.3, 3.0, True, False, ""]  # (XlsxWriter writes 0.1 + 0.2 as 0.3)
    assert sheet.rows[3] == ["", "  spaces kept &<>\" é ", "line\nbreak", "ab", "", "#DIV/0!", 2.0, ""]
    assert sheet.merged == ((6, 2, 7, 3), (6, 5, 6, 8)) and len(sheet.rows) == 8 and sheet.rows[7] == [""] * 7 + ["x"]
    assert read["Hidden"].hidden and read["Hidden"].rows == [] and not sheet.hidden


def test_rich_text_is_left_to_calamine(tmp_path: Path, monkeypatch):
    def fill(book, sheet):
        sheet.write_rich_string("A1", "plain ", book.add_format({"bold": True}), "bold", " end")
        sheet.write_string("B1", "after")
    read = _read_both(_workbook(tmp_path / "rich.xlsx", fill), monkeypatch, own=False)
    assert read["S"].rows == [["plain bold end", "after"]]


def _provisioned(tmp_path: Path) -> Path:
    config = hr_config(tmp_path, ["hr"])
    assert CliRunner().invoke(cli, ["provision", "--config", str(config)]).exit_code == 0
    return tmp_path / "data" / "2026-Q4" / "hr.xlsx"


@pytest.mark.parametrize("kind", ["provisioned", "typed", "libreoffice"])
def test_a_team_workbook_is_read_without_calamine(tmp_path: Path, monkeypatch, kind: str):
    """As okrsheets writes it (inline strings), as a team saves it with openpyxl, and as LibreOffice saves it
    (shared strings, saved formula results)."""
    path = _provisioned(tmp_path)
    if kind != "provisioned":
        fill_current(path, {"O1.KR1": 7, "O1.KR2": "40,5", "O1.KR3": (0.75, "0%")})
    if kind == "libreoffice":
        [path] = soffice_convert([path], "xlsx", tmp_path / "lo", tmp_path, recalculate=True)
    read = _read_both(path, monkeypatch, only={"OKR", "_okrsheets"})
    assert read["_okrsheets"].hidden and read["OKR"].rows[0][0].startswith("OKR 2026-Q4")


def test_cells_as_other_writers_save_them(tmp_path: Path, monkeypatch):
    """Numbers as openpyxl writes them (repr: 0.30000000000000004, 1E-3 as Excel may), t="n", inline strings
    with and without xml:space, and a typed error: read as calamine reads them."""
    source = _workbook(tmp_path / "cells.xlsx", _cells)
    row = (b'<row r="12"><c r="A12" t="n"><v>0.30000000000000004</v></c><c r="B12"><v>1E-3</v></c>'
           b'<c r="C12" t="inlineStr"><is><t>in&amp;line</t></is></c><c r="D12" t="inlineStr"><is><t xml:space="preserve"> kept </t></is></c>'
           b'<c r="E12" t="e"><v>#N/A</v></c><c r="F12" t="n"/><c r="G12" t="str"><v></v></c></row>')
    read = _read_both(_with_row(source, tmp_path / "edited.xlsx", row), monkeypatch)
    assert read["S"].rows[11] == [0.30000000000000004, 0.001, "in&line", " kept ", "#N/A", "", "", ""]  # G12: an empty text
    corner = b'<row r="13"><c r="J13" t="e"><v>#REF!</v></c></row>'  # an error widens the rows as a value does
    read = _read_both(_with_row(source, tmp_path / "corner.xlsx", row + corner), monkeypatch)
    assert len(read["S"].rows) == 13 and read["S"].rows[11][7:] == ["", "", ""] and read["S"].rows[12][9] == "#REF!"


def test_text_calamine_reads_its_own_way_is_left_to_it(tmp_path: Path, monkeypatch):
    row = (b'<row r="12"><c r="A12" t="inlineStr"><is><t> trimmed </t></is></c><c r="B12" t="inlineStr"><is><t>a_x000D_b</t></is></c>'
           b'<c r="C12" t="inlineStr"><is><t>a\r\nb</t></is></c></row>')
    read = _read_both(_with_row(_workbook(tmp_path / "cells.xlsx", _cells), tmp_path / "edited.xlsx", row), monkeypatch, own=False)
    assert read["S"].rows[11][:3] == ["trimmed", "a\rb", "a\nb"]


def _with_row(source: Path, path: Path, row: bytes) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", row + b"</sheetData>")
            copy.writestr(item, data)
    return path
