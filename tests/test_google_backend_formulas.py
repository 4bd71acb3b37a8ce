"""The team sheet's own formulas on Google, as written to a vi_VN spreadsheet.

The offline fake evaluates only simple formulas (no SUMPRODUCT, TO_TEXT,
FIND over arrays...), so it cannot show the scores these formulas compute;
LibreOffice checks the Excel form against the engine (test_formulas_libreoffice.py).
Here the Google form is held against hand-written text: the same formulas as
Excel's, with ";" between arguments and "," in numbers (vi_VN), TO_TEXT and
ISDATE where Excel uses CELL("format"), and ARRAYFORMULA around array literals
(whose items Google separates with "\\" in a comma-decimal locale).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from okrsheets.backends.google.render import delocalize, google_formula, localize
from okrsheets.sheets.spec import Formula
from okrsheets.sheets.team_workbook import COL, team_workbook

from .helpers.team_backends import team_backend


@pytest.fixture(scope="module")
def okr_formulas(tmp_path_factory):
    """{A1: formula} of kinh-doanh's OKR sheet as the fake holds it, and the Excel form of the same cells."""
    folder = tmp_path_factory.mktemp("google")
    with team_backend("google", folder) as google:
        spreadsheet = google.fake.spreadsheets[google.spreadsheet_id("kinh-doanh")]
        okr = next(sheet for sheet in spreadsheet.sheets if sheet.title == "OKR")
        held = {}
        for (row, column), cell in okr.cells.items():
            formula = (cell.get("userEnteredValue") or {}).get("formulaValue")
            if formula:
                held[f"{chr(65 + column)}{row + 1}"] = formula
        plan = google.plan
        department = next(d for d in plan.departments if d.key == "kinh-doanh")
        spec = team_workbook(plan.config, department, {}, [], datetime(2026, 10, 1, 9, 0))
        excel = {f"{chr(64 + c)}{r}": cell.value for (r, c), cell in spec.sheet("OKR").cells.items() if isinstance(cell.value, Formula)}
    return held, excel


def test_the_score_status_and_department_formulas_in_vietnamese_separators(okr_formulas):
    held, _ = okr_formulas
    assert held["D6"] == "=MAX(0;MIN(1;(B6-DATE(2026;10;1))/(92)))"
    assert held["F6"] == '=SUMPRODUCT((N9:N15="objective")*J9:J15*I9:I15)/2'
    assert held["J9"] == "=SUMPRODUCT(J10:J12;I10:I12)/3"
    # O1.KR2, increase percent: the plan's fractions in percent points, as the engine scores
    assert held["J11"] == "=IF(ISNUMBER(R11);MAX(0;MIN(1;(R11-ROUND(E11*100;10))/(ROUND(F11*100;10)-ROUND(E11*100;10))));0)"
    assert held["K11"] == (
        '=IF(R11="!";"Kiểm tra ô";IF(NOT(ISNUMBER(R11));"Chưa cập nhật";IF(J11>=1;"Hoàn thành";'
        'IF(J11>=$D$6-0,1;"Đúng tiến độ";IF(J11<$D$6-0,3;"Chậm tiến độ";"Có rủi ro")))))')


def test_a_percent_cell_is_told_by_what_it_shows_not_by_cell_format(okr_formulas):
    held, excel = okr_formulas
    assert 'CELL("format";G11)' not in held["R11"] and "CELL(" not in "".join(held.values())
    # a number in the current cell: a date or time is an issue; in a percent format, 0.437 reads 43.7
    assert ('IF(ISNUMBER(G11);IF(OR(ISDATE(G11);ISNUMBER(FIND(":";TO_TEXT(G11))));"!";'
            'IF(OR(ABS(IF(RIGHT(TO_TEXT(G11);1)="%";ROUND(G11*100;10);G11))>1000000000000000);"!";'
            'IF(RIGHT(TO_TEXT(G11);1)="%";ROUND(G11*100;10);G11)))') in held["R11"]
    # everything else in the reading cell is Excel's formula, in Vietnamese separators
    google_form = excel["R11"].google
    assert google_form is not None and held["R11"] == localize(google_form, "vi_VN")
    assert 'LEFT(CELL("format",G11),1)="P"' in excel["R11"].text


def test_every_other_formula_is_excels_in_the_sheets_locale(okr_formulas):
    held, excel = okr_formulas
    assert set(held) == set(excel)
    for ref, formula in excel.items():
        if formula.google is None:
            text = delocalize(held[ref], "vi_VN")
            if "{" in formula.text:
                assert text == f"=ARRAYFORMULA({formula.text[1:]})", ref
            else:
                assert text == formula.text, ref


def test_array_literals_are_evaluated_inside_arrayformula_with_backslash_items(okr_formulas):
    held, _ = okr_formulas
    with_arrays = {ref: f for ref, f in held.items() if "{" in f}
    # a number KR's parsed and word cells (P, Q); a milestone's reading (R14) compares with the done words
    assert sorted(with_arrays) == ["P10", "P11", "P12", "P15", "Q10", "Q11", "Q12", "Q15", "R14"]
    assert all(f.startswith("=ARRAYFORMULA(") for f in with_arrays.values())
    assert '{"0"\\"1"\\"2"\\"3"\\"4"\\"5"\\"6"\\"7"\\"8"\\"9"\\"."\\","}' in held["P11"]


def test_google_formula_in_an_english_sheet_keeps_commas():
    formula = Formula('=IF(A1>0.5,MIN(FIND({"a","b"},B1)),1)')
    assert google_formula(formula, "en_US") == '=ARRAYFORMULA(IF(A1>0.5,MIN(FIND({"a","b"},B1)),1))'
    assert google_formula(formula, "vi_VN") == '=ARRAYFORMULA(IF(A1>0,5;MIN(FIND({"a"\\"b"};B1));1))'


@pytest.fixture(scope="module")
def okr_sheet(tmp_path_factory):
    with team_backend("google", tmp_path_factory.mktemp("rules")) as google:
        spreadsheet = google.fake.spreadsheets[google.spreadsheet_id("kinh-doanh")]
        yield next(sheet for sheet in spreadsheet.sheets if sheet.title == "OKR")


def test_colour_rules_and_validation_formulas_are_in_the_sheets_locale(okr_sheet):
    formulas = [rule["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for rule in okr_sheet.conditional_formats]
    # the issue marks first (the first rule that matches colours a cell), then red, yellow, green on scores
    assert formulas[:2] == ['=$R9="!"', '=$R9="!"']
    assert formulas[2:5] == ["=AND(ISNUMBER(J9);J9<0,4)", "=AND(ISNUMBER(J9);J9>=0,4;J9<0,7)", "=AND(ISNUMBER(J9);J9>=0,7)"]
    # confidence: a whole number from 1 to 10 (Google has no whole-number rule: a custom formula)
    confidence = okr_sheet.cell(9, COL["confidence"] - 1)["dataValidation"]
    assert confidence["condition"] == {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=AND(ISNUMBER(H10);H10=INT(H10);H10>=1;H10<=10)"}]}
    update = okr_sheet.cell(9, COL["last_update"] - 1)["dataValidation"]
    assert update["condition"]["values"] == [{"userEnteredValue": "=AND(ISNUMBER(M10);M10>=DATE(2000;1;1))"}]
    milestone = okr_sheet.cell(13, COL["current"] - 1)["dataValidation"]
    assert (milestone["condition"], milestone.get("strict", False), milestone["showCustomUi"]) == (
        {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Xong"}, {"userEnteredValue": "Chưa xong"}]}, False, True)
