"""The reader hands calamine each team sheet without its formulas (`_read_trimmed`, the rollup's fast read):
what comes back must be, cell for cell, what calamine reads from the whole file, for every shape of workbook
a team sends back; and the locked-cell hash the rollup checks is, bit for bit, the recipe's."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from okrsheets.backends.excel import read_workbook
from okrsheets.backends.excel_read import _read_trimmed, _read_whole
from okrsheets.cli.main import cli
from okrsheets.sheets.spec import Formula
from okrsheets.sheets.team_workbook import COL, LOCKED_COLUMNS, locked_hash, sheet_locked_cells, sheet_locked_hash

from .conftest import soffice_convert
from .helpers.workbooks import fill_current, hr_config

_ROLLUP_SHEETS = {"OKR", "_okrsheets"}


def _provisioned(tmp_path: Path) -> Path:
    config = hr_config(tmp_path, ["hr"])
    assert CliRunner().invoke(cli, ["provision", "--config", str(config)]).exit_code == 0
    return tmp_path / "data" / "2026-Q4" / "hr.xlsx"


def _edited(source: Path, target: Path, edit) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            copy.writestr(item, edit(data) if item.filename.startswith("xl/worksheets/") else data)
    return target


def _as_excel_saves(xml: bytes) -> bytes:
    """Formula cells with saved results (a number, an error, TRUE, text, empty text), and at the sheet's far
    corner a formula whose result is empty text (calamine keeps that cell: the rows are as wide as it) and one
    with no result (calamine keeps no empty cell)."""
    if b"<sheetProtection" not in xml or b'r="G10"' not in xml:
        return xml
    cells = {b"G10": b"<f>1/0</f><v></v>", b"G11": b'<f aca="false">1/0</f><v>#DIV/0!</v>',
             b"H10": b'<f aca="false">TRUE()</f><v>1</v>', b"L10": b'<f>"a&amp;b"&amp;"&lt;c&gt;"</f><v>a&amp;b&lt;c&gt;</v>',
             b"L11": b'<f>""</f><v></v>', b"E10": b"<f>2*3</f><v>6</v>"}
    types = {b"G11": b' t="e"', b"L10": b' t="str"', b"L11": b' t="str"'}
    for ref, content in cells.items():
        xml = re.sub(rb'<c r="%s"( s="\d+")?( t="\w+")?(/>|>.*?</c>)' % ref,
                     lambda m, ref=ref, content=content: b'<c r="%s"%s%s>%s</c>' % (ref, m[1] or b"", types.get(ref, b""), content),
                     xml, count=1)
    corner = b'<row r="60"><c r="Z60" t="str"><f>""</f><v></v></c><c r="AB60"><f>1+1</f><v/></c></row><row r="70"><c r="AD70"><f>1</f></c></row>'
    return xml.replace(b"</sheetData>", corner + b"</sheetData>", 1)


def _shape(kind: str, tmp_path: Path) -> Path:
    path = _provisioned(tmp_path)
    if kind == "provisioned":  # as XlsxWriter wrote it
        return path
    if kind == "excel-cells":
        return _edited(path, tmp_path / "excel.xlsx", _as_excel_saves)
    fill_current(path, {"O1.KR1": 7, "O1.KR2": "40,5", "O1.KR3": (0.75, "0%")})  # typed and saved with openpyxl: no formula results
    if kind == "typed":
        return path
    [saved] = soffice_convert([path], "xlsx", tmp_path / "lo", tmp_path, recalculate=True)  # shared strings, saved results
    return saved


@pytest.mark.parametrize("kind", ["provisioned", "typed", "excel-cells", "libreoffice"])
def test_the_trimmed_read_is_the_whole_read(tmp_path: Path, kind: str):
    path = _shape(kind, tmp_path)
    content = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        trimmed = _read_trimmed(archive, content, _ROLLUP_SHEETS)
        whole = _read_whole(path, archive, content, _ROLLUP_SHEETS).sheets
    assert trimmed is not None, "the usual team workbook is read the fast way"
    assert list(trimmed) == list(whole) == ["OKR", "_okrsheets"]
    for title in whole:
        assert trimmed[title].rows == whole[title].rows, title
        assert trimmed[title].merged == whole[title].merged and trimmed[title].hidden == whole[title].hidden
        assert trimmed[title].details == whole[title].details
    assert read_workbook(path, _ROLLUP_SHEETS).sheets == whole
    okr = whole["OKR"]
    if kind == "excel-cells":  # what the shape puts there, read as a team would see it
        assert [okr.value(10, 7), okr.value(11, 7), okr.value(10, 8), okr.value(10, 12), okr.value(10, 5)] == ["", "#DIV/0!", True, "a&b<c>", 6.0]
        assert len(okr.rows) == 60 and len(okr.rows[59]) == 26 and okr.value(60, 26) == ""  # Z60's empty text counts, AB60 and AD70 do not
    if kind in ("typed", "libreoffice"):
        rows = {okr.value(row, COL["id"]): row for row in range(9, len(okr.rows) + 1)}
        assert [okr.value(rows[kr], COL["current"]) for kr in ("O1.KR1", "O1.KR2", "O1.KR3")] == [7, "40,5", 0.75]


def test_a_sheet_of_another_shape_is_read_whole(tmp_path: Path):
    """A shared formula's other cells (as Excel writes a filled-down formula) are not the usual shape: that sheet
    goes to calamine as it is, and reads as the whole read does."""
    def shared(xml: bytes) -> bytes:
        xml = re.sub(rb'(<c r="J10" s="\d+"><f)>', rb'\1 t="shared" ref="J10:J11" si="0">', xml, count=1)
        return re.sub(rb'(<c r="J11" s="\d+">)<f>[^<]*</f>', rb'\1<f t="shared" si="0"/>', xml, count=1)

    path = _edited(_provisioned(tmp_path), tmp_path / "shared.xlsx", shared)
    content = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        trimmed, whole = _read_trimmed(archive, content, _ROLLUP_SHEETS), _read_whole(path, archive, content, _ROLLUP_SHEETS)
    assert trimmed is not None and trimmed == whole.sheets
    assert whole.sheets["OKR"].details.formulas[11, 10] == "shared:0"


_ODD_VALUES = [None, "  increase ", "", -0.0, 0.0, 1, True, False, 2.5, 1e-13, 123456789012345.0, date(2026, 11, 24),
               datetime(2026, 11, 24, 8, 30), Decimal("1.50"), float("nan")]


def test_the_locked_hash_of_a_sheet_read_back_is_the_recipes(tmp_path: Path):
    """`sheet_locked_hash` (the rollup's one pass) gives, bit for bit, `locked_hash(sheet_locked_cells(...))`,
    whatever kinds of values the locked cells hold (the hash stored in existing workbooks is made that way)."""
    columns = {name: index for index, name in enumerate(LOCKED_COLUMNS, start=3)}
    # O1.KR3's row is past the sheet's end; IDs and texts beyond ASCII sort as their code points do
    rows = {"O1": 9, "O1.KR1": 10, "O1.KR2": 11, "O1.KR3": 40, "Ô1.KR1": 12, "O1.KR😀": 13, "O1.KRé": 14}
    values: list[list[object]] = [[None] * 16 for _ in range(14)]
    values[8] = [None, None, *_ODD_VALUES[:8]]  # row 9 shorter than the locked columns: the rest read empty
    values[9] = [None, None, *_ODD_VALUES[8:], *_ODD_VALUES[:5]]
    formulas = {(6, 2): "TODAY()", (6, 4): " _xlfn.MAX( 0 , 1 ) ", (11, 3): "=A1", (11, 4): "sum(a1:a2)", (10, 5): "1/0"}
    values[10] = [None, None, "ignored: a formula", *_ODD_VALUES[2:9]]
    values[11] = [None, None, "Tăng", "%", "Hoàn thành 😀", "ǅ", "\u00a0x\u3000"]
    values[12] = [None, None, "Giảm", "Ô", "é"]
    formulas[13, 7] = 'IF(A1="Đúng tiến độ","😀",0)'

    def value(row: int, column: int) -> object:
        if (row, column) in formulas:
            return Formula("=" + formulas[row, column])
        return values[row - 1][column - 1] if row <= len(values) and column <= len(values[row - 1]) else None

    expected = locked_hash(sheet_locked_cells(value, rows, columns))
    assert sheet_locked_hash(values, formulas, rows, columns) == expected
    assert sheet_locked_hash(values, formulas, rows, columns) == expected  # (the formulas' canonical forms now cached)
    values[9][3] = 0.0  # -0.0 hashes as "-0": a different value, a different hash
    assert sheet_locked_hash(values, formulas, rows, columns) != expected
